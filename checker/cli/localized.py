"""The command line's own words in the reader's language: its usage errors and its help.

typer (0.29, which vendors click as ``typer._click`` without gettext) writes its usage errors
("No such option: --bogus", "Try 'checker --help' for help.") and the frame of its help
("Usage:", "Options:", "[default: table]") in English. The classes here put them into words
through our catalogue instead:

- :class:`CheckerTyper` makes every group a :class:`CheckerGroup` and every command a
  :class:`CheckerCommand` (typer builds fresh click objects from them on each call, for the
  real entry point and for ``CliRunner().invoke(app, ...)`` alike);
- :meth:`CheckerGroup.main` chooses the language from the command line (``--lang X`` or
  ``--lang=X`` anywhere), else ``CHECKER_LANG``, else Vietnamese, *before* click parses:
  a usage error can happen before the ``--lang`` callback runs;
- a usage error is told again by its type and attributes (:func:`usage_message`); one this
  module does not know keeps click's own words, inside our frame ("Lỗi: ...");
- help strings are marked with ``N_()`` where they are written and translated when the help
  is shown, with the framework's words ("Options", "default", "env var", "required").

A help paragraph with an indented line (a table, an example command) is shown as written;
the others are rewrapped to the terminal's width. Option names, metavars (``PATH``, ``URL``),
choices and argument names stay as they are: they are what people type.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any, TypeVar

import typer
from typer._click.core import Command, Context, Parameter
from typer._click.exceptions import (
    BadArgumentUsage,
    BadOptionUsage,
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer._click.utils import make_default_short_help
from typer.core import TyperCommand, TyperGroup

from checker.i18n import DEFAULT_LANGUAGE, N_, Language, _, speaking
from checker.reports.cells import escape_controls

F = TypeVar("F", bound=Callable[..., Any])

LANGUAGE_OPTION = "--lang"
LANGUAGE_VARIABLE = "CHECKER_LANG"

# The framework's words, for the catalogue; shown through _() where click writes them.
USAGE_PREFIX = N_("Usage: ")
HEADINGS = {"Arguments": N_("Arguments"), "Options": N_("Options"), "Commands": N_("Commands")}
USAGE_PIECES = {"[OPTIONS]": N_("[OPTIONS]"), "COMMAND [ARGS]...": N_("COMMAND [ARGS]...")}
FRAMEWORK_HELP = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)
EXTRAS = re.compile(r"(?P<space>\s*)\[(?P<extras>[^\[\]]*)\]")
ENV_VAR_HINT = re.compile(r"(?P<names>.*) \(env var: '(?P<var>[^']*)'\)")
EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra argument\(s\) \((?P<arguments>.*)\)")
OPTION_ARGUMENTS = re.compile(r"Option (?P<name>.+) requires (?P<n>\d+) arguments\.")
ARGUMENT_VALUES = re.compile(r"Argument (?P<name>.+) takes (?P<n>\d+) values\.")


def language_of(args: Sequence[str], environ: Mapping[str, str]) -> Language:
    """The language a command line asks for: its last ``--lang X`` or ``--lang=X`` (before
    ``--``), else ``CHECKER_LANG``, else Vietnamese; a value the catalogues do not hold is
    passed over (click reports it, in the language chosen without it)."""
    asked: list[str | None] = [environ.get(LANGUAGE_VARIABLE)]
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == LANGUAGE_OPTION and index + 1 < len(args):
            asked.append(args[index + 1])
        elif arg.startswith(LANGUAGE_OPTION + "="):
            asked.append(arg.partition("=")[2])
    for value in reversed(asked):
        if value is not None and value in Language.__members__.values():
            return Language(value)
    return DEFAULT_LANGUAGE


# -- usage errors ------------------------------------------------------------------------------


class NoSuchCommand(UsageError):
    """A command name the group does not have, with the names it probably meant."""

    def __init__(self, name: str, suggestions: Sequence[str], ctx: Context) -> None:
        message = f"No such command {name!r}."
        if suggestions:
            message += f" Did you mean {', '.join(repr(s) for s in suggestions)}?"
        super().__init__(message, ctx)
        self.name = name
        self.suggestions = list(suggestions)


class ReadableUsageError(UsageError):
    """A usage error told in the reader's language, framed as click frames it: the usage
    line, the hint to ``--help``, then ``Error: ...``; same exit status (2)."""

    def __init__(self, error: UsageError) -> None:
        super().__init__(error.message, error.ctx)
        self.exit_code = error.exit_code
        self.error = error

    def format_message(self) -> str:
        """Put into words when shown, in the language the command line asked for (the
        ``--lang`` callback may not have seen all of it)."""
        return usage_message(self.error)

    def show(self, file: IO[Any] | None = None) -> None:
        ctx = self.ctx
        color = None if ctx is None else ctx.color
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = _("Try '{command} {option}' for help.").format(
                    command=ctx.command_path, option=ctx.help_option_names[0]
                )
                hint += "\n"
            _echo(f"{ctx.get_usage()}\n{hint}", file, color)
        _echo(_error_line(self.format_message()), file, color)


class ReadableError(ClickException):
    """Another of click's errors (a file it could not open), framed in the reader's
    language; the message is click's."""

    def __init__(self, error: ClickException) -> None:
        super().__init__(error.format_message())
        self.exit_code = error.exit_code
        self.error = error

    def show(self, file: IO[Any] | None = None) -> None:
        _echo(_error_line(self.format_message()), file, None)


def _error_line(message: str) -> str:
    """``Error: ...`` with what was typed in it made harmless for the terminal."""
    return escape_controls(_("Error: {message}").format(message=message))


def _echo(text: str, file: IO[Any] | None, color: bool | None) -> None:
    if file is None:
        typer.echo(text, err=True, color=color)
    else:
        typer.echo(text, file=file, color=color)


@contextmanager
def readable_errors() -> Iterator[None]:
    """click's errors raised inside become the same errors in the reader's language."""
    try:
        yield
    except (ReadableUsageError, ReadableError, NoArgsIsHelpError):
        raise  # already told, or the help itself (written through our formatting)
    except UsageError as error:
        raise ReadableUsageError(error) from error
    except ClickException as error:
        raise ReadableError(error) from error


def usage_message(error: UsageError) -> str:
    """What ``error`` says, in the reader's language; click's words when this module does
    not know the error (a newer typer, a message of its own)."""
    try:
        message = _known_message(error)
    except Exception:  # a shape this module does not expect: click's words, not a crash
        message = None
    return error.format_message() if message is None else message


def _known_message(error: UsageError) -> str | None:
    if isinstance(error, NoSuchCommand):
        if error.suggestions:
            return _("No such command {name}. Did you mean {suggestions}?").format(
                name=repr(error.name), suggestions=", ".join(map(repr, error.suggestions))
            )
        return _("No such command {name}.").format(name=repr(error.name))
    if isinstance(error, NoSuchOption):
        if error.possibilities:
            return _("No such option: {name} (Possible options: {options})").format(
                name=error.option_name, options=", ".join(sorted(error.possibilities))
            )
        return _("No such option: {name}").format(name=error.option_name)
    if isinstance(error, MissingParameter):
        return _missing(error)
    if isinstance(error, BadParameter):
        hint = _param_hint(error)
        reason = _reason(error)
        if hint is None:
            return _("Invalid value: {reason}").format(reason=reason)
        return _("Invalid value for {name}: {reason}").format(name=hint, reason=reason)
    if isinstance(error, BadOptionUsage):
        name = repr(error.option_name)
        if error.message == f"Option {name} requires an argument.":
            return _("Option {name} requires an argument.").format(name=name)
        if error.message == f"Option {name} does not take a value.":
            return _("Option {name} does not take a value.").format(name=name)
        if match := OPTION_ARGUMENTS.fullmatch(error.message):
            return _("Option {name} requires {n} arguments.").format(**match.groupdict())
        return None
    if isinstance(error, BadArgumentUsage):
        if match := ARGUMENT_VALUES.fullmatch(error.message):
            return _("Argument {name} takes {n} values.").format(**match.groupdict())
        return None
    if error.message == "Missing command.":
        return _("Missing command.")
    if match := EXTRA_ARGUMENTS.fullmatch(error.message):
        return _("Got unexpected extra argument(s) ({arguments})").format(**match.groupdict())
    return None


def _missing(error: MissingParameter) -> str | None:
    if error.message:
        return None  # a message of its own: click's words
    hint = _param_hint(error) or ""
    kind = error.param_type or (error.param.param_type_name if error.param else "parameter")
    if kind == "option":
        message = _("Missing option {name}.").format(name=hint)
    elif kind == "argument":
        message = _("Missing argument {name}.").format(name=hint)
    else:
        message = _("Missing parameter {name}.").format(name=hint)
    choices = _choices(error.param)
    if choices:
        message += " " + _("Choose from: {choices}.").format(choices=choices)
    return message


def _param_hint(error: BadParameter) -> str | None:
    """The option or argument an error is about: ``'--year'``, with its environment
    variable when it has one."""
    if error.param_hint is not None:
        if isinstance(error.param_hint, str):
            return error.param_hint
        return " / ".join(repr(hint) for hint in error.param_hint)
    if error.param is None:
        return None
    hint: str = error.param.get_error_hint()
    if match := ENV_VAR_HINT.fullmatch(hint):
        return _("{names} (env var: {variable})").format(
            names=match["names"], variable=repr(match["var"])
        )
    return hint


def _choices(param: Parameter | None) -> str:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not descriptor.is_choice or not descriptor.choices:
        return ""
    return ", ".join(repr(str(getattr(choice, "value", choice))) for choice in descriptor.choices)


def _reason(error: BadParameter) -> str:
    """Why a value was refused: from the validation error typer raised it from (its kind
    and the value typed), else the message as given (ours are already translated)."""
    cause = error.__cause__
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return error.message
    details = errors()
    if not details:
        return error.message
    from checker.validation import problem, shown  # pydantic's words: read when needed

    choices = _choices(error.param)
    if choices:
        message = _("{value} is not one of {choices}.")
        return message.format(value=shown(details[0].get("input")), choices=choices)
    return problem(details[0]) + "."


# -- help --------------------------------------------------------------------------------------


def translated_help(text: str) -> str:
    """A help text in the reader's language, ready for click: the paragraphs with an
    indented line marked to be shown as written."""
    paragraphs = inspect.cleandoc(_(text)).partition("\f")[0].split("\n\n")
    return "\n\n".join(
        "\b\n" + paragraph
        if any(line.startswith(" ") for line in paragraph.splitlines())
        else paragraph
        for paragraph in paragraphs
    )


def _help_of(param: Parameter, text: str) -> str:
    """A parameter's help line in the reader's language: its own help, then the framework's
    ``[env var: X; default: Y; required]``."""
    own: str = getattr(param, "help", None) or ""
    head, rest = ("", text)
    if own and text.startswith(own):
        head, rest = _(own), text[len(own) :]
    if match := EXTRAS.fullmatch(rest):
        extras = "; ".join(_extra(piece) for piece in match["extras"].split("; "))
        rest = f"{match['space']}[{extras}]"
    return head + rest


def _extra(piece: str) -> str:
    name, colon, value = piece.partition(": ")
    if colon and name == "env var":
        return _("env var: {variable}").format(variable=value)
    if colon and name == "default":
        if value.startswith("(") and value.endswith(")"):
            value = f"({_(value[1:-1])})"  # show_default="..." is a help string of ours
        return _("default: {default}").format(default=value)
    if piece == "required":
        return _("required")
    return piece


def _format_usage(command: Command, ctx: Context, formatter: HelpFormatter) -> None:
    pieces = [
        _(USAGE_PIECES[p]) if p in USAGE_PIECES else p for p in command.collect_usage_pieces(ctx)
    ]
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_(USAGE_PREFIX))


def _format_help_text(command: Command, formatter: HelpFormatter) -> None:
    if command.help:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(translated_help(command.help))


def _format_parameters(command: Command, ctx: Context, formatter: HelpFormatter) -> None:
    sections: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is not None and param.param_type_name in sections:
            name, text = record
            sections[param.param_type_name].append((name, _help_of(param, text)))
    for kind, heading in (("argument", HEADINGS["Arguments"]), ("option", HEADINGS["Options"])):
        if sections[kind]:
            with formatter.section(_(heading)):
                formatter.write_dl(sections[kind])


def short_help(command: Command, limit: int) -> str:
    if command.short_help:
        return _(command.short_help)
    if command.help:
        return make_default_short_help(translated_help(command.help), limit)
    return ""


class _Readable(Command):
    """Help and usage line in the reader's language, for a command or a group."""

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        _format_usage(self, ctx, formatter)

    def format_help_text(self, ctx: Context, formatter: HelpFormatter) -> None:
        _format_help_text(self, formatter)

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        _format_parameters(self, ctx, formatter)


class CheckerCommand(_Readable, TyperCommand):
    """A command whose help and usage line read in the reader's language."""


class CheckerGroup(_Readable, TyperGroup):
    """A group whose help, usage line and usage errors read in the reader's language."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        arguments = sys.argv[1:] if args is None else args
        with speaking(language_of(arguments, os.environ)):
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        with readable_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        with readable_errors():
            return super().invoke(ctx)

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        name = args[0]
        unknown = self.get_command(ctx, name) is None and (
            ctx.token_normalize_func is None
            or self.get_command(ctx, ctx.token_normalize_func(name)) is None
        )
        if unknown and name[:1].isalnum() and not ctx.resilient_parsing:
            from difflib import get_close_matches

            suggestions = (
                get_close_matches(name, list(self.commands)) if self.suggest_commands else []
            )
            raise NoSuchCommand(name, suggestions, ctx)
        return super().resolve_command(ctx, args)

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        commands = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _command in commands)
            rows = [(name, short_help(command, limit)) for name, command in commands]
            with formatter.section(_(HEADINGS["Commands"])):
                formatter.write_dl(rows)


class CheckerTyper(typer.Typer):
    """A ``typer.Typer`` whose groups and commands speak the reader's language; plain help
    (rendering it with rich costs more than the rest)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", CheckerGroup)
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", CheckerCommand)
        decorator: Callable[[F], F] = super().command(name, **kwargs)
        return decorator

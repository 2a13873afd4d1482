"""Pydantic's validation errors in our words: the one place that turns what pydantic found
wrong in a deployment file, a criteria set, a source's mapping or a record into a sentence in
the reader's language.

Each error is told by its ``type`` and ``ctx`` (a missing key, a number out of range, a value
that is not one of the allowed ones, ...); pydantic's own English text is shown only for a
type not known here (a custom error type whose message is marked with ``N_()`` where it is
defined is translated too). A check of our own (a ``ValueError`` raised in a validator) says
its message as it was raised, already in the reader's language, without pydantic's
"Value error, " in front.

Locations stay machine words: the dotted key path (``sources[0].http.max_in_flight``) and the
line of the TOML text that key is on (:func:`line_of`).

    try:
        Deployment.model_validate(raw)
    except ValidationError as exc:
        loc, error = first_error(exc)
        message = describe(dotted(loc), error)   # "max_in_flight: phải lớn hơn hoặc bằng 1"
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from checker.i18n import N_, _, ngettext

Loc = tuple[int | str, ...]

# What a value should have been, by the error types that say "not a valid ...".
_EXPECTED = {
    N_("text"): ("string_type", "string_sub_type", "string_unicode"),
    N_("a whole number"): ("int_type", "int_parsing", "int_from_float", "int_parsing_size"),
    N_("a number"): ("float_type", "float_parsing", "decimal_type", "decimal_parsing"),
    N_("true or false"): ("bool_type", "bool_parsing"),
    N_("a date (YYYY-MM-DD)"): (
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    ),
    N_("a date and time (YYYY-MM-DDTHH:MM:SS)"): (
        "datetime_type",
        "datetime_parsing",
        "datetime_from_date_parsing",
        "datetime_object_invalid",
    ),
    N_("a time of day (HH:MM)"): ("time_type", "time_parsing"),
    N_("a list"): ("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"),
    N_("a table"): ("dict_type", "mapping_type", "model_type", "model_attributes_type"),
    N_("a path"): ("path_type",),
    N_("a URL"): ("url_type", "url_parsing"),
}
_EXPECTED_BY_TYPE = {kind: noun for noun, kinds in _EXPECTED.items() for kind in kinds}
_CHOICES = ("literal_error", "enum")
# pydantic's names for the members of a union without a tag, as they appear in a location
_MEMBER = re.compile(r"[\[\-,]|^(str|int|float|bool|date|datetime|decimal|none|path)$")


def first_error(exc: ValidationError) -> tuple[Loc, ErrorDetails]:
    """The error to tell, and its location with the names of union members left out. When a
    value fits none of the members of a union, the error is about the union as a whole
    (type ``union``, its members' errors in ``ctx["errors"]``), unless one member got further
    into the value than the others: its error is the more useful one."""
    errors = exc.errors()
    first = errors[0]
    loc = tuple(first["loc"])
    for at in (i for i, part in enumerate(loc) if _is_member(part)):
        members = [e for e in errors if tuple(e["loc"])[:at] == loc[:at] and len(e["loc"]) > at]
        if len({e["loc"][at] for e in members if _is_member(e["loc"][at])}) >= 2:
            return _union(loc[:at], [e for e in members if _is_member(e["loc"][at])])
    return loc, first  # no union, or a key that only looks like a member's name


def _union(loc: Loc, members: list[ErrorDetails]) -> tuple[Loc, ErrorDetails]:
    at = len(loc)
    deepest = max(members, key=lambda e: len(e["loc"]))
    if len(deepest["loc"]) > at + 1:
        return (*loc, *_without_members(tuple(deepest["loc"])[at + 1 :])), deepest
    union: ErrorDetails = {
        "type": "union",
        "loc": loc,
        "msg": "; ".join(e["msg"] for e in members),
        "input": members[0]["input"],
        "ctx": {"errors": members},
    }
    return loc, union


def _is_member(part: int | str) -> bool:
    return isinstance(part, str) and bool(_MEMBER.search(part))


def _without_members(loc: Loc) -> Loc:
    return tuple(part for part in loc if not _is_member(part))


def dotted(loc: Loc) -> str:
    """A location as people write keys: ``sources[0].http.max_in_flight``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def describe(key: str, error: ErrorDetails) -> str:
    """The error as "key: what is wrong" (just what is wrong without a key), or "unknown key
    'key'" for a key the model does not take."""
    if error["type"] == "extra_forbidden":
        return _("unknown key {key}").format(key=repr(key))
    text = problem(error)
    return f"{key}: {text}" if key else text


def problem(error: ErrorDetails) -> str:
    """What is wrong, in the reader's language, without the key."""
    kind, ctx, value = error["type"], error.get("ctx", {}), shown(error.get("input"))
    if kind in ("value_error", "assertion_error"):
        said = str(ctx.get("error", ""))
        return said or error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "missing":
        return _("required, but missing")
    if kind in _EXPECTED_BY_TYPE or kind in _CHOICES or kind == "union":
        return _("{value} is not {expected}").format(value=value, expected=expected(error))
    if kind in _BOUNDS:
        return _(_BOUNDS[kind]).format(value=value, limit=ctx.get(_BOUND_KEY[kind]))
    return _sized(kind, ctx) or _other(kind, ctx, value) or _(error["msg"])


def expected(error: ErrorDetails) -> str:
    """What the value should have been, as a noun: "a whole number", "one of 'a', 'b'"."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "union":
        return _(" or ").join(dict.fromkeys(expected(e) for e in ctx["errors"]))
    if kind in _CHOICES:
        values = choices(str(ctx.get("expected", "")))
        if len(values) == 1:
            return values[0]
        return _("one of {values}").format(values=", ".join(values))
    if kind in _EXPECTED_BY_TYPE:
        return _(_EXPECTED_BY_TYPE[kind])
    return problem(error)


def choices(listed: str) -> list[str]:
    """The values in pydantic's "'a', 'b' or 'c'" (each quoted as pydantic quotes it)."""
    return [v for v in re.split(r", (?=['\"\d-])| or (?=['\"\d-])", listed) if v]


_BOUNDS = {
    "greater_than": N_("{value} should be greater than {limit}"),
    "greater_than_equal": N_("{value} is below the minimum {limit}"),
    "less_than": N_("{value} should be less than {limit}"),
    "less_than_equal": N_("{value} is above the maximum {limit}"),
    "multiple_of": N_("{value} is not a multiple of {limit}"),
}
_BOUND_KEY = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
    "multiple_of": "multiple_of",
}


def _sized(kind: str, ctx: dict[str, Any]) -> str | None:
    """Too few or too many items or characters."""
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("must not be empty")
    if kind == "string_too_short":
        n = int(ctx["min_length"])
        return ngettext(
            "must be at least {n} character long", "must be at least {n} characters long", n
        ).format(n=n)
    if kind == "string_too_long":
        n = int(ctx["max_length"])
        return ngettext(
            "must be at most {n} character long", "must be at most {n} characters long", n
        ).format(n=n)
    if kind == "too_short":
        n, actual = int(ctx["min_length"]), ctx.get("actual_length")
        message = ngettext(
            "needs at least {n} item, has {actual}", "needs at least {n} items, has {actual}", n
        )
        return message.format(n=n, actual=actual)
    if kind == "too_long":
        n, actual = int(ctx["max_length"]), ctx.get("actual_length")
        message = ngettext(
            "takes at most {n} item, has {actual}", "takes at most {n} items, has {actual}", n
        )
        return message.format(n=n, actual=actual)
    return None


def _other(kind: str, ctx: dict[str, Any], value: str) -> str | None:
    if kind == "string_pattern_mismatch":
        message = _("{value} does not have the expected form ({pattern})")
        return message.format(value=value, pattern=ctx.get("pattern"))
    if kind == "union_tag_invalid":
        message = _("{name} = {tag} is not one of {tags}")
        tags = ", ".join(choices(str(ctx.get("expected_tags", ""))))
        tag = repr(ctx.get("tag"))
        return message.format(name=_unquoted(ctx.get("discriminator")), tag=tag, tags=tags)
    if kind == "union_tag_not_found":
        message = _("the key {name} is missing: it says which kind of table this is")
        return message.format(name=_unquoted(ctx.get("discriminator")))
    if kind == "url_scheme":
        message = _("{value} should start with {schemes}")
        schemes = _(" or ").join(choices(str(ctx.get("expected_schemes", ""))))
        return message.format(value=value, schemes=schemes)
    if kind == "finite_number":
        return _("must be a finite number")
    return None


def shown(value: object) -> str:
    """A value as it is quoted in a message: TOML's true and false, text in quotes, cut
    short when long."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict):
        text = "{...}"
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unquoted(text: object) -> str:
    return str(text).strip("'\"")


# --- where in the TOML text ---------------------------------------------------------------


def line_of(text: str, loc: Loc, error: ErrorDetails | None = None) -> int | None:
    """The line (from 1) of the key ``loc`` points at, searched inside its ``[[table]]``;
    failing that, the line of that ``[[table]]`` or of the ``[table]`` the key names. For a
    table whose kind is not known, the line of the key that names the kind (``error``)."""
    if error is not None and error["type"] == "union_tag_invalid":
        loc = (*loc, _unquoted(error.get("ctx", {}).get("discriminator")))
    lines = text.splitlines()
    table: int | None = None
    for key, index in pairwise(loc):
        if isinstance(key, str) and isinstance(index, int):
            header = rf"^\s*\[\[\s*([\w-]+\.)*{re.escape(key)}\s*\]\]"
            found_table = _find(lines, header, table or 0, nth=index + 1)
            table = table if found_table is None else found_table
    keys = [p for p in loc if isinstance(p, str)]
    found = None
    if keys:
        name = re.escape(keys[-1])
        found = _find(lines, rf"(^|[\s{{,.])[\"']?{name}[\"']?\s*=", table or 0)
        if found is None and table is None:
            found = _find(lines, rf"^\s*\[\s*([\w-]+\.)*{name}\s*\]", 0)
    line = found if found is not None else table
    return None if line is None else line + 1


def _find(lines: Sequence[str], pattern: str, start: int, nth: int = 1) -> int | None:
    """The number (from 0) of the nth line from ``start`` matching, comments left out."""
    regex = re.compile(pattern)
    for number in range(start, len(lines)):
        if regex.search(lines[number].split("#", 1)[0]):
            nth -= 1
            if nth == 0:
                return number
    return None

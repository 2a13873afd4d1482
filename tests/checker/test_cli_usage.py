"""The command line's own words: usage errors and help read Vietnamese by default, English
with ``--lang en`` or ``CHECKER_LANG=en`` (checker/cli/localized.py, docs/translating.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer._click.core import Command
from typer._click.exceptions import ClickException, UsageError
from typer.testing import CliRunner

from checker.cli import app
from checker.cli.localized import (
    CheckerCommand,
    CheckerGroup,
    ReadableError,
    language_of,
    readable_errors,
    usage_message,
)
from checker.i18n import Language, _, speaking

runner = CliRunner()

# Words of typer's frame and of click's errors, and of the help strings: none in Vietnamese.
ENGLISH = re.compile(
    r"\b(Usage|Options|Commands|Arguments|Error|Try|for help|default|env var|required|"
    r"Show this message|No such|Invalid value|Missing|Got unexpected|requires an argument|"
    r"is not|Did you mean|Possible options|whole number|Global options|Exit status|"
    r"Measure every agency|Grade a set|Deployment file|Database URL|Language of what)\b"
)


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(
        app, list(args), env={"CHECKER_LANG": None, **(env or {})}, prog_name="checker"
    )


USAGE_ERRORS = [
    (
        ["scoree"],
        "checker [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]...",
        "checker --help",
        "không có lệnh 'scoree'. Có phải ý bạn là 'score', 'scorecards'?",
        "No such command 'scoree'. Did you mean 'score', 'scorecards'?",
    ),
    (
        ["score", "--bogus"],
        "checker score [TÙY_CHỌN]",
        "checker score --help",
        "không có tùy chọn --bogus",
        "No such option: --bogus",
    ),
    (
        ["score", "--formt", "json"],
        "checker score [TÙY_CHỌN]",
        "checker score --help",
        "không có tùy chọn --formt (có thể ý bạn là: --format)",
        "No such option: --formt (Possible options: --format)",
    ),
    (
        ["score", "--year", "abc"],
        "checker score [TÙY_CHỌN]",
        "checker score --help",
        "giá trị không hợp lệ cho '--year': 'abc' không phải là số nguyên.",
        "Invalid value for '--year': 'abc' is not a whole number.",
    ),
    (
        ["score", "--format", "xml"],
        "checker score [TÙY_CHỌN]",
        "checker score --help",
        "giá trị không hợp lệ cho '--format': 'xml' không phải là một trong 'table', 'json'.",
        "Invalid value for '--format': 'xml' is not one of 'table', 'json'.",
    ),
    (
        ["runs", "show", "first"],
        "checker runs show [TÙY_CHỌN] {run}",
        "checker runs show --help",
        "giá trị không hợp lệ cho 'run': 'first' không phải là số nguyên.",
        "Invalid value for 'run': 'first' is not a whole number.",
    ),
    (
        ["grade", "--points", "1"],
        "checker grade [TÙY_CHỌN]",
        "checker grade --help",
        "thiếu tùy chọn '--criteria'.",
        "Missing option '--criteria'.",
    ),
    (
        ["runs", "show"],
        "checker runs show [TÙY_CHỌN] {run}",
        "checker runs show --help",
        "thiếu đối số 'run'.",
        "Missing argument 'run'.",
    ),
    (
        ["score", "now", "please"],
        "checker score [TÙY_CHỌN]",
        "checker score --help",
        "có đối số thừa (now please)",
        "Got unexpected extra argument(s) (now please)",
    ),
    (
        ["report", "--agency", "000.00.01.H99", "--all"],
        "checker report [TÙY_CHỌN]",
        "checker report --help",
        "giá trị không hợp lệ cho --all: chỉ dùng một trong hai: --agency CODE hoặc --all",
        "Invalid value for --all: give --agency CODE or --all, not both",
    ),
    (
        ["--lang", "fr", "score"],
        "checker [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]...",
        "checker --help",
        "giá trị không hợp lệ cho '--lang' (biến môi trường 'CHECKER_LANG'): "
        "'fr' không phải là một trong 'vi', 'en'.",
        "Invalid value for '--lang' (env var: 'CHECKER_LANG'): 'fr' is not one of 'vi', 'en'.",
    ),
]


@pytest.mark.parametrize(("args", "usage", "helping", "vietnamese", "english"), USAGE_ERRORS)
def test_a_usage_error_reads_vietnamese_by_default(args, usage, helping, vietnamese, english):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"Cách dùng: {usage}\nXem '{helping}' để được trợ giúp.\n\nLỗi: {vietnamese}\n"
    )
    assert ENGLISH.findall(result.output) == []


@pytest.mark.parametrize(("args", "usage", "helping", "vietnamese", "english"), USAGE_ERRORS)
def test_a_usage_error_reads_english_on_request(args, usage, helping, vietnamese, english):
    english_usage = usage.replace("[TÙY_CHỌN]", "[OPTIONS]").replace(
        "LỆNH [ĐỐI_SỐ]...", "COMMAND [ARGS]..."
    )
    expected = f"Usage: {english_usage}\nTry '{helping}' for help.\n\nError: {english}\n"
    by_option = run("--lang", "en", *args)
    by_variable = run(*args, env={"CHECKER_LANG": "en"})
    for result in (by_option, by_variable):
        assert result.exit_code == 2, result.output
        assert result.output == expected
    if args[0] != "--lang":
        assert run("--lang=en", *args).output == expected
    if args == ["score", "--bogus"]:  # anywhere on the line: read before click parses it
        assert run(*args, "--lang", "en").output == expected


def test_an_option_without_its_value_is_told_without_a_usage_line_as_click_does():
    vietnamese = run("score", "--as-of")
    english = run("--lang", "en", "score", "--as-of")
    assert (vietnamese.exit_code, english.exit_code) == (2, 2)
    assert vietnamese.output == "Lỗi: tùy chọn '--as-of' cần một giá trị.\n"
    assert english.output == "Error: Option '--as-of' requires an argument.\n"


def test_the_option_wins_over_the_variable_and_the_last_option_wins():
    assert run("--lang", "vi", "score", "--bogus", env={"CHECKER_LANG": "en"}).output.endswith(
        "Lỗi: không có tùy chọn --bogus\n"
    )
    assert run("--lang", "vi", "--lang", "en", "score", "--bogus").output.endswith(
        "Error: No such option: --bogus\n"
    )


@pytest.mark.parametrize(
    ("args", "environ", "language"),
    [
        ([], {}, Language.vi),
        (["score"], {"CHECKER_LANG": "en"}, Language.en),
        (["--lang", "en", "score"], {"CHECKER_LANG": "vi"}, Language.en),
        (["--lang=en", "score"], {}, Language.en),
        (["score", "--bogus", "--lang", "en"], {}, Language.en),
        (["--lang", "fr", "score"], {"CHECKER_LANG": "en"}, Language.en),
        (["--lang", "fr"], {}, Language.vi),
        (["--lang"], {"CHECKER_LANG": "xx"}, Language.vi),
        (["ingest", "edxml", "--", "--lang", "en"], {}, Language.vi),
    ],
)
def test_the_language_is_read_from_the_line_before_click_parses_it(args, environ, language):
    assert language_of(args, environ) is language


def test_an_error_it_does_not_know_keeps_clicks_words():
    with speaking(Language.vi):
        assert usage_message(UsageError("Something new in typer.")) == "Something new in typer."


def test_another_click_error_keeps_its_words_in_the_readers_frame(capsys):
    with speaking(Language.vi), pytest.raises(ReadableError) as raised, readable_errors():
        raise ClickException("Could not open file 'x': gone")
    with speaking(Language.vi):
        raised.value.show()
    assert capsys.readouterr().err == "Lỗi: Could not open file 'x': gone\n"
    assert raised.value.exit_code == 1


def test_what_was_typed_reaches_the_terminal_without_its_control_characters():
    result = run("score", "--bo\x1b[2Jgus")
    assert result.exit_code == 2
    assert result.output.endswith("Lỗi: không có tùy chọn --bo\\x1b[2Jgus\n")


def test_an_english_help_keeps_the_frame_of_click():
    result = run("--lang", "en", "--help")
    assert result.exit_code == 0
    assert (
        "Global options (--config, --db) go before or after the command name:\n"
        "    checker --config city.toml score   is   checker score --config city.toml\n"
    ) in result.output  # shown as written
    for text in (
        "Usage: checker [OPTIONS] COMMAND [ARGS]...",
        "\nOptions:\n",
        "\nCommands:\n",
        "[env var: CHECKER_LANG;",
        "default: vi]",
        "Show this message and exit.",
        "  score       Measure every agency",
    ):
        assert _words(text) in _words(result.output), text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["--help"],
            [
                "Cách dùng: checker [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]...",
                "Tùy chọn chung (--config, --db) đặt trước hoặc sau tên lệnh:\n"
                "    checker --config city.toml score   tức là   checker score --config "
                "city.toml\n",
                "\nTùy chọn:\n",
                "\nLệnh:\n",
                "[biến môi trường: CHECKER_LANG;",
                "mặc định: vi]",
                "Hiện hướng dẫn này rồi thoát.",
                "  score       Đo mọi cơ quan",
            ],
        ),
        (
            ["score", "--help"],
            ["Cách dùng: checker score [TÙY_CHỌN]", "Tùy chọn:", "[mặc định: table]"],
        ),
        (["grade", "--help"], ["Xếp loại một bộ điểm", "Tùy chọn:", "[bắt buộc]"]),
        (["runs", "--help"], ["Cách dùng: checker runs [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]...", "Lệnh:"]),
        (["runs", "show", "--help"], ["Đối số:", "Mã lượt chấm.", "[bắt buộc]"]),
        (["run", "--help"], ["Mã thoát:\n    0  ok: đã đọc, chấm điểm và công bố đầy đủ\n"]),
        ([], ["Cách dùng: checker [TÙY_CHỌN] LỆNH [ĐỐI_SỐ]...", "Lệnh:"]),  # no_args_is_help
    ],
)
def test_the_help_reads_vietnamese_with_no_english_in_it(args, words):
    result = run(*args)
    assert result.exit_code == (2 if not args else 0), result.output
    for text in words:
        assert _words(text) in _words(result.output), text
    assert ENGLISH.findall(result.output) == []


def _words(text: str) -> str:
    """Text as words, however the help was wrapped."""
    return " ".join(text.split())


def _commands(command: Command) -> list[Command]:
    found = [command]
    for child in getattr(command, "commands", {}).values():
        found += _commands(child)
    return found


def test_every_command_and_every_help_string_is_in_the_vietnamese_catalogue():
    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 30
    with speaking(Language.vi):
        for command in commands:
            assert isinstance(command, CheckerCommand | CheckerGroup), command.name
            assert command.help and _(command.help) != command.help, command.name
            for param in command.params:
                text = getattr(param, "help", None)
                assert text and _(text) != text, (command.name, param.name)


def test_the_installed_script_speaks_vietnamese_then_english(tmp_path: Path):
    script = Path(sys.executable).parent / "checker"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "checker"]
    env = {k: v for k, v in os.environ.items() if k != "CHECKER_LANG"}
    vietnamese = subprocess.run(
        [*command, "score", "--bogus"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert vietnamese.returncode == 2
    assert "Xem '" in vietnamese.stderr
    assert vietnamese.stderr.endswith("Lỗi: không có tùy chọn --bogus\n")
    english = subprocess.run(
        [*command, "--lang", "en", "scoree"], capture_output=True, text=True, env=env
    )
    assert english.returncode == 2
    assert english.stderr.endswith(
        "Error: No such command 'scoree'. Did you mean 'score', 'scorecards'?\n"
    )
    helped = subprocess.run([*command, "--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0
    assert helped.stdout.startswith("Cách dùng: ")

"""The manual points file (checker/scoring/manual.py): criterion = points per agency, read
exactly (as decimals), every mistake a one-line ConfigError naming the file, agency and
criterion."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.errors import ConfigError
from checker.scoring.manual import load_manual_points

SNV, WARD = "000.00.01.H99", "000.01.01.H99"


def _file(tmp_path, text: str):
    path = tmp_path / "manual-points.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(path) -> str:
    with pytest.raises(ConfigError) as info:
        load_manual_points(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_points_are_read_per_agency_and_criterion_as_exact_decimals(tmp_path):
    path = _file(
        tmp_path,
        f'["{SNV}"]\n"5.1" = 8\n"5.2" = 4.5\n"5.3" = "2.25"\n\n["{WARD}"]\n"1.1" = 0\n',
    )
    assert load_manual_points(path) == {
        SNV: {"5.1": Decimal(8), "5.2": Decimal("4.5"), "5.3": Decimal("2.25")},
        WARD: {"1.1": Decimal(0)},
    }


def test_an_empty_file_enters_nothing(tmp_path):
    assert load_manual_points(_file(tmp_path, "# nothing yet\n")) == {}


@given(points=st.decimals(min_value=0, max_value=100, places=2))
def test_a_decimal_written_as_a_toml_float_is_read_back_exactly(tmp_path_factory, points):
    path = tmp_path_factory.mktemp("manual") / "points.toml"
    path.write_text(f'["{SNV}"]\n"3.1" = {float(points)!r}\n', encoding="utf-8")
    assert load_manual_points(path)[SNV]["3.1"] == points


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f'"{SNV}" = 5\n', f"'{SNV}' should be a table of criterion = points"),
        (f'["{SNV}"]\n"3.1" = true\n', f"[{SNV}] 3.1 is not a number"),
        (f'["{SNV}"]\n"3.1" = [1, 2]\n', f"[{SNV}] 3.1 is not a number"),
        (f'["{SNV}"]\n"3.1" = "tám"\n', f"[{SNV}] 3.1 = 'tám' is not a number"),
        (f'["{SNV}"]\n"3.1" = -1\n', f"[{SNV}] 3.1 is negative"),
    ],
)
def test_a_wrong_entry_names_the_file_the_agency_and_the_criterion(
    tmp_path, text, message, english
):
    path = _file(tmp_path, text)
    assert _error(path) == f"manual points file {path}: {message}"


def test_a_file_that_is_not_toml_or_not_there_is_a_config_error_naming_it(tmp_path, english):
    broken = _file(tmp_path, f'["{SNV}"\n"3.1" = 8\n')
    assert re.fullmatch(
        rf"manual points file {re.escape(str(broken))}, line 1, column \d+: not valid TOML \(.+\)",
        _error(broken),
    )
    missing = tmp_path / "nowhere.toml"
    assert _error(missing).startswith(f"manual points file {missing}: cannot be read")

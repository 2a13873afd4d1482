from __future__ import annotations

from pathlib import Path

import pytest

from checker.config import database_url, load_deployment
from checker.errors import ConfigError

GOOD = """\
city = "Thành phố Thử"
[database]
url = "sqlite:///data/checker.db"
[[groups]]
id = "so"
name = "Sở, ban, ngành"
criteria = "danang-electronic-example"
[[agencies]]
code = "000.00.01.H99"
codes = ["H99.01"]
name = "Sở Nội vụ"
group = "so"
[[sources]]
name = "axis"
kind = "edxml"
paths = ["edxml"]
[calendar]
extra_days_off = [2025-01-02]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "checker.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_deployment_loads_with_paths_relative_to_its_folder(tmp_path):
    deployment = load_deployment(_write(tmp_path, GOOD))
    assert deployment.agencies[0].all_codes == ("000.00.01.H99", "H99.01")
    assert deployment.sources[0].paths == (tmp_path / "edxml",)
    assert deployment.sources[0].patterns == ("*.edxml", "*.xml")
    assert deployment.database.url == f"sqlite:///{tmp_path / 'data/checker.db'}"


def test_an_edxml_source_chooses_the_names_its_folder_scan_reads(tmp_path):
    text = GOOD.replace('paths = ["edxml"]', 'paths = ["edxml"]\npatterns = ["*.msg"]')
    assert load_deployment(_write(tmp_path, text)).sources[0].patterns == ("*.msg",)


def test_an_unknown_key_names_the_file_the_key_and_the_line(tmp_path, english):
    path = _write(tmp_path, GOOD.replace('name = "Sở Nội vụ"', 'name = "Sở Nội vụ"\ncolour = 1'))
    with pytest.raises(ConfigError) as info:
        load_deployment(path)
    assert str(info.value) == f"{path}, line 12: unknown key 'agencies[0].colour'"


def test_an_agency_in_an_unknown_group_is_an_error(tmp_path, english):
    path = _write(tmp_path, GOOD.replace('group = "so"', 'group = "xa"'))
    with pytest.raises(ConfigError, match="names group 'xa'"):
        load_deployment(path)


def test_a_code_carried_by_two_agencies_is_an_error(tmp_path, english):
    extra = '[[agencies]]\ncode = "H99.01"\nname = "Khác"\ngroup = "so"\n'
    with pytest.raises(ConfigError, match=r"agency code 'H99\.01' appears twice"):
        load_deployment(_write(tmp_path, GOOD + extra))


def test_a_calendar_date_in_both_lists_is_an_error_naming_the_file(tmp_path):
    path = _write(tmp_path, GOOD + "working_days = [2025-01-02]\n")
    with pytest.raises(ConfigError) as info:
        load_deployment(path)
    assert str(info.value).startswith(str(path))
    assert "2025-01-02" in str(info.value)


def test_invalid_toml_is_a_one_line_error(tmp_path, english):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_deployment(_write(tmp_path, "city = \n"))


def test_database_url_comes_from_the_option_then_the_environment_then_the_file(
    tmp_path, monkeypatch
):
    deployment = load_deployment(_write(tmp_path, GOOD))
    monkeypatch.delenv("CHECKER_DB_URL", raising=False)
    assert database_url(None, deployment) == deployment.database.url
    monkeypatch.setenv("CHECKER_DB_URL", "postgresql://h/db")
    assert database_url(None, deployment) == "postgresql://h/db"
    assert database_url("sqlite:///x.db", deployment) == "sqlite:///x.db"


def test_the_file_list_cut_off_is_configurable_and_checked(tmp_path):
    deployment = load_deployment(_write(tmp_path, GOOD + '[files]\nlist_due = "02-15"\n'))
    assert deployment.files.cutoff(2025).isoformat() == "2025-02-15"
    with pytest.raises(ConfigError, match="list_due"):
        load_deployment(_write(tmp_path, GOOD + '[files]\nlist_due = "02-30"\n'))


def test_a_relative_criteria_file_of_a_group_is_found_next_to_the_deployment_file(
    tmp_path, monkeypatch
):
    folder = tmp_path / "city"
    folder.mkdir()
    text = GOOD.replace('criteria = "danang-electronic-example"', 'criteria = "rules/x.toml"')
    deployment = load_deployment(_write(folder, text))
    monkeypatch.chdir(tmp_path)  # the current folder is not the deployment's
    assert deployment.groups[0].criteria == str(folder / "rules" / "x.toml")


def test_toml_nested_100000_levels_is_a_one_line_error(tmp_path, english):
    path = _write(tmp_path, "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ConfigError) as info:
        load_deployment(path)
    assert str(info.value) == f"deployment file {path}: arrays or tables nested too deeply to read"

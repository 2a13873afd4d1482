"""The built wheel works on its own: installed in a fresh environment, away from this
checkout, it finds the bundled criteria sets and grades. Builds, installs and runs for real
(about 30 s), so it carries the ``wheel`` marker (``-m "not wheel"`` leaves it out locally;
CI runs it with the rest). Everything comes from uv's cache, filled by ``uv sync --locked``:
no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
POINTS = "5,15,25,30,10,10,5"


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")  # ``uv run`` names itself in $UV
    if found is None:
        pytest.fail("uv is needed to build and install the wheel")
    return found


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.mark.wheel
def test_the_installed_wheel_grades_with_its_bundled_criteria(tmp_path):
    uv = _uv()
    dist, venv, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run(uv, "build", "--wheel", "--offline", "--out-dir", dist, cwd=REPO)
    (wheel,) = dist.glob("checker-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "checker/scoring/bundled/hanoi-2017.toml" in archive.namelist()
    # The locked versions, with their wheels' addresses, so uv takes them from its cache.
    pylock = tmp_path / "pylock.toml"
    export = ("export", "--frozen", "--no-dev", "--no-emit-project", "--format", "pylock.toml")
    _run(uv, *export, "--quiet", "--output-file", pylock, cwd=REPO)
    _run(uv, "venv", "--quiet", "--python", sys.executable, venv, cwd=tmp_path)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = ("pip", "install", "--quiet", "--offline", "--python", python)
    _run(uv, *install, "-r", pylock, cwd=tmp_path)
    _run(uv, *install, "--no-deps", wheel, cwd=tmp_path)

    checker = python.parent / ("checker.exe" if os.name == "nt" else "checker")
    graded = _run(checker, "grade", "--criteria", "hanoi-2017", "--points", POINTS, cwd=elsewhere)

    assert "Hà Nội, 2017" in graded.stdout  # the bundled set's title
    assert "100" in graded.stdout
    assert "Loại A" in graded.stdout
    where = _run(
        python,
        "-c",
        "from checker.scoring.criteria import bundled_criteria_dir; print(bundled_criteria_dir())",
        cwd=elsewhere,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv)

"""How long the command line takes to start: ``checker --help``, ``--version``, a command's
own help, and ``grade`` (a command that runs without a database), each run in a fresh
interpreter as a user runs it. Prints the median and the fastest wall time of ``--repeat``
runs, their median CPU time, and what ``import checker.cli`` costs by ``python -X importtime``.

    uv run python benchmarks/startup.py [--repeat 10] [--source PATH]

``--source PATH`` measures another checkout of the code (its folder is put first on
``PYTHONPATH``) with this environment's dependencies, for a before/after comparison.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "checker --help": ["--help"],
    "checker --version": ["--version"],
    "checker score --help": ["score", "--help"],
    "checker grade (runs)": ["grade", "--criteria", "hanoi-2017", "--points", "5,15,25,30,10,10,5"],
}

NEUTRAL = tempfile.gettempdir()  # no checker.toml, no source tree on sys.path[0]
HEAVY = ("sqlalchemy", "rich", "lxml", "httpx", "openpyxl", "pydantic", "alembic")


def _env(source: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: with bytecode (see warm_up)
    if source:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    return env


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run: on a shared machine the wall time
    waits for other people's work, the CPU time much less."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "checker", *args], env=env, cwd=NEUTRAL, capture_output=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def warm_up(env: dict[str, str]) -> None:
    """Run every command once, so the bytecode of every module is written as an installation
    (``uv sync --compile-bytecode``, pip) would have it: what is measured is starting, not
    compiling."""
    for args in COMMANDS.values():
        timed(args, env)


def import_cost(env: dict[str, str]) -> tuple[float, list[str]]:
    """Seconds ``import checker.cli`` takes by -X importtime, and the heavy packages it loads."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import checker.cli"],
        env=env,
        cwd=NEUTRAL,
        capture_output=True,
        text=True,
        check=True,
    )
    total, loaded = 0, set()
    for line in result.stderr.splitlines()[1:]:  # the first line is the header
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        if name.strip() == "checker.cli":
            total = int(cumulative)
        if package in HEAVY:
            loaded.add(package)
    return total / 1e6, sorted(loaded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--source", help="another checkout to measure instead")
    options = parser.parse_args()
    env = _env(options.source)
    print(f"code: {options.source or 'this checkout'}; {options.repeat} runs each")
    warm_up(env)
    for label, args in COMMANDS.items():
        walls, cpus = zip(*(timed(args, env) for _ in range(options.repeat)), strict=True)
        print(
            f"  {label:<24} wall median {statistics.median(walls):.3f} s, best {min(walls):.3f} s;"
            f" CPU median {statistics.median(cpus):.3f} s"
        )
    seconds, heavy = import_cost(env)
    loads = ", ".join(heavy) or "none of " + ", ".join(HEAVY)
    print(f"  import checker.cli       {seconds:.3f} s (-X importtime); loads {loads}")
    print(f"  python -c pass           best {min(_bare() for _ in range(options.repeat)):.3f} s")


def _bare() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()

"""A real browser for the tests: Debian's headless Chromium, driven from the command line
(``--dump-dom`` and ``--screenshot``), with the console read from its log, and a loopback
web server for the pages it opens.

When Chromium is not installed the browser tests are skipped, unless
``CHECKER_REQUIRE_BROWSER=1`` (CI sets it), which makes that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE = re.compile(r":INFO:CONSOLE[^\]]*\] (.*)")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def chromium_or_skip() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CHECKER_REQUIRE_BROWSER") == "1":
        pytest.fail("CHECKER_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
    pytest.skip("no chromium on PATH (apt-get install chromium)")


@dataclass(frozen=True)
class Visit:
    dom: str
    console: list[str]


class Browser:
    def __init__(self, binary: str) -> None:
        self.binary = binary

    def dump_dom(self, url: str, width: int = 1280) -> Visit:
        result = self._run(url, width, "--dump-dom")
        return Visit(result.stdout, _console(result.stderr))

    def screenshot(self, url: str, path: Path, width: int, height: int = 1600) -> Visit:
        path.parent.mkdir(parents=True, exist_ok=True)
        result = self._run(url, width, f"--screenshot={path}", height)
        assert path.exists(), result.stderr[-2000:]
        return Visit("", _console(result.stderr))

    def _run(
        self, url: str, width: int, action: str, height: int = 900
    ) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="checker-chromium-") as profile:
            command = [
                self.binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                action,
                url,
            ]
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=120, check=False
            )
        assert result.returncode == 0, result.stderr[-2000:]
        return result


def _console(log: str) -> list[str]:
    return [match.group(1) for match in CONSOLE.finditer(log)]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A static web server on loopback for ``folder``; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()

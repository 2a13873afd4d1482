"""Reading the TOML files people write (deployment, criteria sets, manual points), with
one-line errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from checker.errors import ConfigError


def read_toml(path: Path, where: str) -> tuple[str, dict[str, Any]]:
    """The text and the parsed table of a TOML file; ``where`` names it in errors, e.g.
    "criteria file config/criteria/hanoi-2017.toml"."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: not UTF-8 text (byte {exc.start})") from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from exc
    except RecursionError as exc:
        raise ConfigError(f"{where}: arrays or tables nested too deeply to read") from exc

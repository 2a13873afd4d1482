"""Reading the TOML files people write (deployment, criteria sets, manual points), with
one-line errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from checker.errors import ConfigError
from checker.i18n import _


def read_toml(path: Path, where: str) -> tuple[str, dict[str, Any]]:
    """The text and the parsed table of a TOML file; ``where`` names it in errors, e.g.
    "criteria file config/criteria/hanoi-2017.toml"."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            _("{where}: cannot be read ({reason})").format(where=where, reason=exc.strerror)
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            _("{where}: not UTF-8 text (byte {n})").format(where=where, n=exc.start)
        ) from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{where}: not valid TOML ({error})").format(where=where, error=exc)
        ) from exc
    except RecursionError as exc:
        message = _("{where}: arrays or tables nested too deeply to read")
        raise ConfigError(message.format(where=where)) from exc

"""An edXML source: files and folders of messages from the interconnection axis, read one
message at a time. A file that is not a usable message becomes a ``Quarantined`` record with
the reason; reading goes on.

A folder is scanned for the source's patterns (``*.edxml`` and ``*.xml`` unless the
deployment says otherwise): any other file found in it (a ``SOURCES.md``, a scanned PDF) is
``Skipped``, counted and listed in the load's summary, never quarantined. A file named
explicitly is always read."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from checker.errors import RecordError
from checker.store.records import Quarantined, Read, Skipped
from connectors.edxml import DEFAULT_PATTERNS, find_files, read_message


def read_edxml(
    paths: Sequence[Path], source: str, patterns: Sequence[str] = DEFAULT_PATTERNS
) -> Iterator[Read | Quarantined | Skipped]:
    """The messages of the files at ``paths`` (in folders, those matching ``patterns``; the
    others come as ``Skipped``); the paths are checked at once (see ``find_files``), the
    files read as the result is iterated."""
    return _read(find_files(paths, patterns), source)


def _read(files: list[tuple[Path, bool]], source: str) -> Iterator[Read | Quarantined | Skipped]:
    for path, wanted in files:
        locator = str(path.absolute())
        if not wanted:
            yield Skipped(locator)
            continue
        try:
            yield Read(locator, read_message(path))
        except RecordError as exc:
            yield Quarantined(
                source=source,
                locator=locator,
                reason=exc.reason,
                excerpt=exc.excerpt,
                content_hash=_file_hash(path),
            )


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()

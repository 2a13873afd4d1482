"""The output folder of the site: checker writes and removes only the files it wrote.

A manifest (``.checker-site.json``) lists the files of the last site written. A file about
to be written must be new or listed there: a file checker did not write is never
overwritten or deleted. While a site is written, each file's name is first appended to a
journal (``.checker-site.journal``), so a run killed half-way still knows every file it
may have written; once the new site is complete, the old pages it no longer has are
removed, the manifest lists the new files alone and the journal goes. Each file is written
to a temporary name and renamed into place, so a page is either the old one or the new one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from checker.errors import OutputError
from checker.i18n import _
from checker.oserrors import os_reason

MANIFEST = ".checker-site.json"
JOURNAL = ".checker-site.journal"


class SiteFolder:
    """An output folder, with what checker wrote in it before."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.previous = _read_manifest(root) | _read_journal(root)
        self.written: list[str] = []
        self._journal: TextIO | None = None
        self._folders: set[Path] = set()  # made while writing (one mkdir per folder)

    def check(self, names: Iterable[str]) -> None:
        """Refuse if a file to write is there and was not written by checker."""
        for name in names:
            path = self.root / name
            if name not in self.previous and (path.exists() or path.is_symlink()):
                message = _(
                    "site folder {root} already holds {name}, which checker did not "
                    "write: choose another folder or move that file away"
                )
                raise OutputError(message.format(root=self.root, name=name))

    def write(self, name: str, content: bytes) -> None:
        self.check([name])
        path = self.root / name
        temporary = path.with_name(f".{path.name}.tmp")
        try:
            if self._journal is None:
                self.root.mkdir(parents=True, exist_ok=True)
                self._journal = (self.root / JOURNAL).open("a", encoding="utf-8")
            self._journal.write(name + "\n")
            self._journal.flush()
            if path.parent not in self._folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(path.parent)
            temporary.write_bytes(content)
            os.replace(temporary, path)
        except OSError as exc:
            raise _unwritable(self.root, exc) from exc
        self.written.append(name)

    def finish(self) -> list[str]:
        """Remove the pages of the previous site that the new one no longer has, list the
        new site in the manifest; returns the names removed."""
        kept = set(self.written)
        removed = sorted(self.previous - kept)
        try:
            for name in removed:
                (self.root / name).unlink(missing_ok=True)
            _prune_empty_folders(self.root, removed)
        except OSError as exc:
            raise _unwritable(self.root, exc) from exc
        _write_manifest(self.root, sorted(kept))
        self.close()
        (self.root / JOURNAL).unlink(missing_ok=True)
        return removed

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()


def _read_manifest(root: Path) -> set[str]:
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return set()
    except NotADirectoryError as exc:
        raise _unwritable(root, exc) from exc
    except (OSError, ValueError) as exc:
        message = _(
            "site folder {root}: its list of files written by checker ({manifest}) cannot be "
            "read ({reason}): remove it only if the folder holds nothing but checker's site"
        )
        reason = os_reason(exc) if isinstance(exc, OSError) else _("it is not JSON")
        raise OutputError(message.format(root=root, manifest=MANIFEST, reason=reason)) from exc
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        message = _("site folder {root}: {manifest} is not a list of files")
        raise OutputError(message.format(root=root, manifest=MANIFEST))
    return {f for f in files if _inside(f)}


def _read_journal(root: Path) -> set[str]:
    try:
        lines = (root / JOURNAL).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise _unwritable(root, exc) from exc
    return {line for line in lines if line and _inside(line)}


def _inside(name: str) -> bool:
    """A manifest entry names a file under the folder, never outside it."""
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def _write_manifest(root: Path, names: list[str]) -> None:
    content = json.dumps({"written_by": "checker", "files": names}, indent=1)
    path = root / MANIFEST
    temporary = root / f"{MANIFEST}.tmp"
    try:
        temporary.write_text(content + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise _unwritable(root, exc) from exc


def _prune_empty_folders(root: Path, removed: list[str]) -> None:
    folders = {(root / name).parent for name in removed}
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _unwritable(root: Path, exc: OSError) -> OutputError:
    message = _("site folder {root} cannot be written: {reason}")
    return OutputError(message.format(root=root, reason=os_reason(exc)))

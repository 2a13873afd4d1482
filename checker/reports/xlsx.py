"""Reading the cells of an XLSX workbook, and no more: what importing a scorecard needs.

openpyxl's reader (even in read-only mode) parses the styles, the theme and the top of every
sheet when it opens a workbook; a scorecard workbook carries a dozen evidence sheets that the
import never reads, and opening took most of its time. ``open_xlsx`` reads the package's
sheet list and shared strings, and parses a sheet only when its rows are asked for, as a
stream. A cell's value is what openpyxl's read-only mode gives with ``data_only=False``:
text, an int or a float, a bool, a formula as its text with a leading ``=``, or None.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from checker.errors import WorkbookError
from checker.i18n import _
from checker.oserrors import os_reason

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "/officeDocument"
_REFERENCE = re.compile(r"^([A-Z]+)(\d+)$")
_PARSING = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}

Value = str | int | float | bool | None


class XlsxBook:
    """An open XLSX package: its sheet names, in order, and the rows of any of them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = zipfile.ZipFile(path)
        try:
            workbook = self._target("_rels/.rels", "", _OFFICE_DOCUMENT)
            base = posixpath.dirname(workbook)
            rels_path = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
            targets = self._relations(rels_path, base)
            root = self._tree(workbook)
            self._sheets: dict[str, str] = {}
            for sheet in root.iter(f"{_MAIN}sheet"):
                target = targets.get(sheet.get(f"{_DOC_RELS}id", ""))
                if target is not None:
                    self._sheets[sheet.get("name", "")] = target
            strings = next((t for t in targets.values() if t.endswith("sharedStrings.xml")), None)
            self._strings = self._shared_strings(strings) if strings else []
        except BaseException:
            self._zip.close()
            raise

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def rows(self, name: str) -> Iterator[tuple[Value, ...]]:
        """The sheet's rows from row 1, a missing row as an empty tuple, each row's values
        from column A (a missing cell is None)."""
        expected = 1
        try:
            with self._zip.open(self._sheets[name]) as stream:
                for _event, row in _iterparse(stream, f"{_MAIN}row"):
                    number = int(row.get("r") or expected)
                    while expected < number:
                        yield ()
                        expected += 1
                    yield self._row(row)
                    expected = number + 1
                    row.clear()
        except (zipfile.BadZipFile, OSError, ValueError, IndexError, etree.XMLSyntaxError) as exc:
            message = _("{file}, sheet {sheet}: not readable ({error})")
            if isinstance(exc, OSError):
                error = os_reason(exc)
            else:  # zipfile's, lxml's and int()'s own words are English
                error = _("its content is damaged: {kind}").format(kind=type(exc).__name__)
            raise WorkbookError(
                message.format(file=self.path.name, sheet=repr(name), error=error)
            ) from exc

    def close(self) -> None:
        self._zip.close()

    def _row(self, row: Any) -> tuple[Value, ...]:
        values: list[Value] = []
        for cell in row.iterfind(f"{_MAIN}c"):
            reference = _REFERENCE.match(cell.get("r") or "")
            column = _column(reference.group(1)) if reference else len(values)
            values.extend([None] * (column - len(values)))
            values.append(self._value(cell))
        return tuple(values)

    def _value(self, cell: Any) -> Value:
        formula = cell.find(f"{_MAIN}f")
        if formula is not None:
            return "=" + (formula.text or "")
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(f"{_MAIN}is")
            return None if inline is None else _text(inline)
        found = cell.findtext(f"{_MAIN}v")
        if found is None:
            return None
        raw = str(found)
        if kind == "s":
            return self._strings[int(raw)]
        if kind == "b":
            return raw.strip() == "1"
        if kind in ("str", "e", "d"):
            return raw
        if "." in raw or "E" in raw or "e" in raw:
            return float(raw)
        return int(raw)

    def _tree(self, part: str) -> Any:
        with self._zip.open(part) as stream:
            parser = etree.XMLParser(
                resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
            )
            return etree.parse(stream, parser).getroot()

    def _relations(self, part: str, base: str) -> dict[str, str]:
        relations = {}
        for rel in self._tree(part).iter(f"{_PACKAGE_RELS}Relationship"):
            target = rel.get("Target", "")
            resolved = target[1:] if target.startswith("/") else posixpath.join(base, target)
            relations[rel.get("Id", "")] = posixpath.normpath(resolved)
        return relations

    def _target(self, part: str, base: str, kind: str) -> str:
        for rel in self._tree(part).iter(f"{_PACKAGE_RELS}Relationship"):
            if rel.get("Type", "").endswith(kind):
                target = rel.get("Target", "")
                return target[1:] if target.startswith("/") else posixpath.join(base, target)
        raise KeyError(kind.strip("/"))

    def _shared_strings(self, part: str) -> list[str]:
        with self._zip.open(part) as stream:
            strings = []
            for _event, item in _iterparse(stream, f"{_MAIN}si"):
                strings.append(_text(item))
                item.clear()
            return strings


def _iterparse(stream: IO[bytes], tag: str) -> Any:
    return etree.iterparse(stream, events=("end",), tag=tag, **_PARSING)


def _text(element: Any) -> str:
    """A string item's text: its ``t``, or its runs' ``t`` joined (phonetic runs left out)."""
    direct = element.find(f"{_MAIN}t")
    if direct is not None:
        return str(direct.text or "")
    return "".join(str(run.findtext(f"{_MAIN}t") or "") for run in element.iterfind(f"{_MAIN}r"))


def _column(letters: str) -> int:
    """``A`` → 0, ``Z`` → 25, ``AA`` → 26."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def open_xlsx(path: Path) -> XlsxBook:
    """The workbook at ``path``, or a one-line ``WorkbookError`` when it is not one."""
    if path.is_dir():
        message = _("{name}: a folder, not a workbook; name the .xlsx files in it")
        raise WorkbookError(message.format(name=path.name))
    if not path.exists():
        raise WorkbookError(_("{path}: no such file").format(path=path))
    try:
        return XlsxBook(path)
    except zipfile.BadZipFile as exc:
        message = _("{file}: not a readable XLSX workbook (not a ZIP archive, as every .xlsx is)")
        raise WorkbookError(message.format(file=path.name)) from exc
    except KeyError as exc:
        message = _("{file}: not a readable XLSX workbook (its part {part} is missing)")
        raise WorkbookError(message.format(file=path.name, part=exc)) from exc
    except (OSError, ValueError, etree.XMLSyntaxError) as exc:
        message = _("{file}: not a readable XLSX workbook ({error})")
        raise WorkbookError(message.format(file=path.name, error=exc)) from exc

"""Paths into parsed JSON, as a deployment file writes them.

A path is dotted (``data.rows``); a number indexes a list (``rows.0``); ``[]`` maps over a
list (``recipients[].code``); ``[key=value]`` picks the first item of a list whose ``key`` (a
path inside the item) is ``value``, compared as text (``metadata[metadata_type.name=so_ky_hieu]
.value``); the empty path is the body itself. Inside a JSON null every field is null; a path
that leads nowhere gives ``MISSING``, which is not ``None``.
"""

from __future__ import annotations

import functools
import re
from enum import Enum
from typing import Any, Final


class _Missing(Enum):
    MISSING = "missing"


MISSING: Final = _Missing.MISSING
"""What ``lookup`` returns for a path that leads nowhere (a JSON null is ``None``)."""

_SELECTOR = re.compile(r"^(?P<name>[^\[\]]*)\[(?P<key>[^\[\]=]+)=(?P<value>[^\[\]]*)\]$")


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` in parsed JSON, or ``MISSING``."""
    if isinstance(data, dict) and "." not in path and "[" not in path and path:
        return data.get(path, MISSING)  # the common case: a top-level field
    if not path:
        return data
    if data is None:
        return None  # inside a null object, every field is null
    head, rest = split_head(path)
    if head.endswith("[]"):
        inner = lookup(data, head[:-2])
        if not isinstance(inner, list):
            return inner if inner is None else MISSING
        found = [lookup(item, rest) for item in inner]
        return [value for value in found if value is not MISSING]
    if selector := _selector(head):
        value = _pick(data, *selector)
    elif isinstance(data, dict):
        value = data.get(head, MISSING)
    elif isinstance(data, list) and head.isdigit() and int(head) < len(data):
        value = data[int(head)]
    else:
        return MISSING
    return lookup(value, rest) if rest and value is not MISSING else value


def split_head(path: str) -> tuple[str, str]:
    """The first step of ``path`` and the rest; a dot inside ``[...]`` does not split."""
    depth = 0
    for index, char in enumerate(path):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "." and depth == 0:
            return path[:index], path[index + 1 :]
    return path, ""


def check_path(path: str) -> None:
    """Raise ``ValueError`` when ``path`` is not written as this module reads paths."""
    rest = path
    while rest:
        head, rest = split_head(rest)
        if "[" not in head and "]" not in head:
            continue
        if head.endswith("[]") and "[" not in head[:-2] and "]" not in head[:-2]:
            continue
        if _selector(head) is None:
            raise ValueError(
                f"path {path!r}: {head!r} is neither name[] nor name[key=value] "
                "(brackets must be balanced, one pair per step)"
            )


@functools.cache
def _selector(head: str) -> tuple[str, str, str] | None:
    match = _SELECTOR.match(head) if head.endswith("]") else None
    if match is None or not match["key"].strip():
        return None
    return match["name"], match["key"].strip(), match["value"].strip()


def _pick(data: Any, name: str, key: str, value: str) -> Any:
    items = lookup(data, name) if name else data
    if items is None:
        return None
    if not isinstance(items, list):
        return MISSING
    for item in items:
        found = lookup(item, key)
        if found is not MISSING and found is not None and _text(found) == value:
            return item
    return MISSING


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()

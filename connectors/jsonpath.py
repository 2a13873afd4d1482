"""Paths into parsed JSON, as a deployment file writes them.

A path is dotted (``data.rows``); a number indexes a list (``rows.0``); ``[]`` maps over a
list (``recipients[].code``); the empty path is the body itself. Inside a JSON null every
field is null; a path that leads nowhere gives ``MISSING``, which is not ``None``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Final


class _Missing(Enum):
    MISSING = "missing"


MISSING: Final = _Missing.MISSING
"""What ``lookup`` returns for a path that leads nowhere (a JSON null is ``None``)."""


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` in parsed JSON, or ``MISSING``."""
    if isinstance(data, dict) and "." not in path and "[" not in path and path:
        return data.get(path, MISSING)  # the common case: a top-level field
    if not path:
        return data
    if data is None:
        return None  # inside a null object, every field is null
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        inner = lookup(data, head[:-2])
        if not isinstance(inner, list):
            return inner if inner is None else MISSING
        found = [lookup(item, rest) for item in inner]
        return [value for value in found if value is not MISSING]
    if isinstance(data, dict):
        value = data.get(head, MISSING)
    elif isinstance(data, list) and head.isdigit() and int(head) < len(data):
        value = data[int(head)]
    else:
        return MISSING
    return lookup(value, rest) if rest and value is not MISSING else value

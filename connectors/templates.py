"""Placeholders in the paths and parameters of a vendor mapping: ``{agency}`` (the agency
read, as the vendor names it) and, in a per-record sub-request, ``{<path>}`` (a value of the
record, a path as ``connectors.jsonpath`` reads it: ``{id}``, ``{links.self_id}``).

A placeholder that nothing fills is a configuration error when the deployment file is
loaded, before the first request: an endpoint's path or parameters may hold ``{agency}``
only; a sub-request's may also name any path in the record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import quote

from checker.i18n import _
from connectors.jsonpath import check_path

AGENCY = "agency"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders(text: str) -> list[str]:
    """The names between braces in ``text``; an unpaired brace is a ``ValueError``."""
    names = _PLACEHOLDER.findall(text)
    if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        raise ValueError(_("{text}: a brace without its pair").format(text=repr(text)))
    return [name.strip() for name in names]


def check_templates(where: str, texts: Iterable[str], *, record_paths: bool) -> None:
    """Refuse a placeholder nothing fills: only ``{agency}``, and with ``record_paths``
    a path into the record (checked as a path)."""
    for text in texts:
        for name in placeholders(text):
            if name == AGENCY:
                continue
            if not record_paths:
                message = _(
                    "{where}: placeholder {{{name}}} in {text}: nothing fills it "
                    "(an endpoint's path and parameters may hold {{agency}} only)"
                )
                raise ValueError(message.format(where=where, name=name, text=repr(text)))
            if not name:
                message = _("{where}: an empty placeholder {{}} in {text}")
                raise ValueError(message.format(where=where, text=repr(text)))
            check_path(name)


def fill(text: str, value_of: Callable[[str], str], *, in_path: bool) -> str:
    """``text`` with each placeholder replaced by ``value_of(name)``; in a URL path the
    value is percent-encoded as one segment."""

    def one(match: re.Match[str]) -> str:
        value = value_of(match.group(1).strip())
        return quote(value, safe="") if in_path else value

    return _PLACEHOLDER.sub(one, text)


def has_agency(text: str) -> bool:
    return AGENCY in placeholders(text)

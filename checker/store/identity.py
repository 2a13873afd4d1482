"""A document's identity, the same whichever system reported it.

One document reaches the store through the axis (edXML), through the agency's
document-management API and through its register export. Each copy says who the document is
in its own way, so each observation (``checker.store.reconcile``) carries two keys, worked
out here when it is written:

- ``id_key``: the edXML ``DocumentId``, normalised, when the source knows it;
- ``code_key``: the sender organisation's code, the number and notation and the promulgation
  date, normalised, when all are known (a number alone, or a notation alone, says too
  little to tell two documents apart).

An organisation carries several codes: its edXML organ id, the code its document-management
software knows it by... The deployment's registry (``agency_code``) gives each registered
agency's codes, main and alternative; an organisation code is read as its agency's main
code when the registry knows it (:func:`organisation`), as the code itself otherwise, so
the sender written ``000.00.01.H99`` by the axis and ``SNV`` by the software is one sender.
The keys therefore depend on the registry: a registry whose codes change has the keys
worked out again (``checker.store.reconcile.rekey``).

Normalised means: Unicode NFC, ``đ``/``Đ`` read as ``d``, case folded, every whitespace
removed, and leading zeros of every run of digits dropped (``045/UBND - vp`` and
``45/ubnd-VP`` are one code; a date written ``2026/03/02`` or ``2026/3/2`` is one day).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date

_SPACE = re.compile(r"\s+")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def normalised(text: str) -> str:
    """``text`` as identities compare it (see the module docstring)."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    folded = folded.replace("đ", "d")
    return _LEADING_ZEROS.sub("", _SPACE.sub("", folded))


def id_key(document_id: str | None) -> str | None:
    """The normalised DocumentId, or None when the source does not know it."""
    if document_id is None:
        return None
    key = normalised(document_id)
    return key or None


Registered = Mapping[str, str]
"""Every code of the registry, normalised, to its agency's main code, normalised."""


def registered(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The :data:`Registered` codes of the registry's (code, agency main code) pairs."""
    return {normalised(code): normalised(agency) for code, agency in pairs}


def organisation(code: str, codes: Registered) -> str:
    """An organisation code, normalised, as its registered agency's main code when the
    registry knows it."""
    key = normalised(code)
    return codes.get(key, key)


def code_key(
    sender_id: str | None,
    code: str | None,
    promulgation_date: date | None,
    codes: Registered | None = None,
) -> str | None:
    """Sender, number and notation (``code``, as ``45/UBND-VP``: both parts needed) and
    promulgation date, normalised, the sender read through the registry's ``codes``; None
    unless all are known."""
    if not sender_id or not code or promulgation_date is None:
        return None
    number, _, notation = normalised(code).partition("/")
    if not number or not notation:
        return None
    sender = organisation(sender_id, codes or {})
    return f"{sender}|{number}/{notation}|{promulgation_date.isoformat()}"

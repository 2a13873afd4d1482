"""The record compiler: one vendor record into ours, by an endpoint's mapping.

``map_record`` validates one of their records at this edge and raises ``RecordError`` with a
plain reason naming their field ("arrived_at: 'not a date' does not match %d/%m/%Y"). An
endpoint's mapping is compiled once into one function (``compile_mapping``, cached as
``Endpoint.mapper``): everything that depends only on the configuration is decided then.
Dates are read by ``connectors.dates``; values inside their record are found by
``connectors.jsonpath``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from checker.errors import RecordError
from checker.i18n import _
from checker.store.records import SoftwareRecord
from checker.validation import describe, first_error, problem
from connectors.dates import parse_iso, parse_iso_date, parse_layouts
from connectors.jsonpath import MISSING, lookup

if TYPE_CHECKING:
    from connectors.mapping import Endpoint, FieldPlan, Scalar, Transform

RETENTION_YEARS: dict[str, int | None] = {
    "01": None,  # permanent
    "02": 70,
    "03": 50,
    "04": 30,
    "05": 20,
    "06": 10,
}
"""Retention codes of the archive software (Decree 30 practice) and their years."""

_EXCERPT = 300


def map_record(endpoint: Endpoint, raw: Any, organ_id: str) -> SoftwareRecord:
    """Our record for one of their records, read for agency ``organ_id``."""
    return endpoint.mapper(raw, organ_id)


Mapper = Callable[[Any, str], SoftwareRecord]
"""``map_record`` for one endpoint: (their record, organ_id) → our record."""
_Convert = Callable[[Any], Any]


def compile_mapping(endpoint: Endpoint) -> Mapper:
    """The endpoint's mapping as one function. Everything that depends only on the
    configuration (paths, kinds, formats, value maps, constants) is decided here, so a
    record costs one dictionary read and at most one conversion call per field. Fields
    fall in three groups: top-level fields taken as they are; top-level text fields
    (a number becomes its text, inline); the rest (paths, dates, value maps)."""
    base: dict[str, Any] = dict(endpoint.constants)
    if endpoint.record in ("incoming", "outgoing"):
        base["direction"] = "in" if endpoint.record == "incoming" else "out"
    plain: list[tuple[str, str]] = []
    texts: list[tuple[str, str]] = []
    other: list[tuple[str, str | None, str, _Convert | None]] = []
    for field in endpoint.plan:
        convert = _converter(field)
        as_is = field.value_map is None and field.transform is None
        if field.key and as_is and convert is None:
            plain.append((field.ours, field.key))
        elif field.key and as_is and convert is _number_as_text:
            texts.append((field.ours, field.key))
        else:
            if field.value_map is not None:
                convert = _mapped_then(field.value_map, convert)
            if field.transform is not None:
                convert = _transformed_then(field.transform, field.theirs, convert)
            other.append((field.ours, field.key, field.theirs, convert))
    retention = "retention_code" in endpoint.fields or "retention_code" in endpoint.constants
    validate = endpoint.model.__pydantic_validator__.validate_python  # model_validate, less a call

    def mapper(raw: Any, organ_id: str) -> SoftwareRecord:
        if not isinstance(raw, dict):
            message = _("not a JSON object but {kind}").format(kind=type(raw).__name__)
            raise RecordError(message, _excerpt(raw))
        data = {"organ_id": organ_id, **base}
        get = raw.get
        try:
            for ours, key in plain:
                if (value := get(key, MISSING)) is not MISSING:
                    data[ours] = value
            for ours, key in texts:
                if (value := get(key, MISSING)) is not MISSING:
                    data[ours] = value if value.__class__ is str else _number_as_text(value)
            for ours, top, path, convert in other:
                value = get(top, MISSING) if top else lookup(raw, path)
                if value is not MISSING:
                    data[ours] = value if convert is None else convert(value)
            if retention:
                _retention(endpoint, data)
            record: SoftwareRecord = validate(data)
            return record
        except RecordError as exc:
            raise RecordError(exc.reason, _excerpt(raw), field=exc.field) from exc
        except ValidationError as exc:
            theirs, reason = _reason(endpoint, exc)
            raise RecordError(reason, _excerpt(raw), field=theirs) from exc

    return mapper


def _converter(field: FieldPlan) -> _Convert | None:
    """What a value of this field goes through, or None when it is taken as it is."""
    if field.kind in ("datetime", "date"):
        as_date = field.kind == "date"
        if not field.formats:
            iso = _iso_date if as_date else _iso_datetime
            return functools.partial(iso, theirs=field.theirs)
        return functools.partial(_when, formats=field.formats, theirs=field.theirs, as_date=as_date)
    if field.kind == "str":
        return _number_as_text
    return None


def _mapped_then(value_map: dict[str, Scalar], then: _Convert | None) -> _Convert:
    def convert(value: Any) -> Any:
        key = value if isinstance(value, str) else json.dumps(value)
        value = value_map.get(key, value)
        return value if then is None else then(value)

    return convert


def _transformed_then(transform: Transform, theirs: str, then: _Convert | None) -> _Convert:
    """A part of the value (``Transform``), then the value map and conversion."""
    pattern = re.compile(transform.regex) if transform.regex is not None else None

    def convert(value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            message = _("{field}: {value} is not text to take a part of")
            raise RecordError(message.format(field=theirs, value=repr(value)), field=theirs)
        text = str(value).strip()
        part = _captured(pattern, transform, text) if pattern else _split(transform, text)
        if part is None:
            if pattern:
                message = _("{field}: {value} has no part {part} by regex {how}")
                how = repr(transform.regex)
            else:
                message = _("{field}: {value} has no part {part} by split {how}")
                how = repr(transform.split)
            shown = message.format(field=theirs, value=repr(value), part=_which(transform), how=how)
            raise RecordError(shown, field=theirs)
        return part if then is None else then(part)

    return convert


def _captured(pattern: re.Pattern[str], transform: Transform, text: str) -> str | None:
    match = pattern.search(text)
    found = match.group(transform.group) if match else None
    return found.strip() if found is not None else None


def _split(transform: Transform, text: str) -> str | None:
    parts = text.split(transform.split) if transform.split else [text]
    index = transform.part
    if not -len(parts) <= index < len(parts):
        return None
    return parts[index].strip()


def _which(transform: Transform) -> str:
    return repr(transform.group) if transform.regex is not None else str(transform.part)


def _number_as_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _excerpt(raw: Any) -> str:
    return json.dumps(raw, ensure_ascii=False, default=str)[:_EXCERPT]


def _iso_datetime(value: Any, theirs: str) -> Any:
    """An ISO 8601 time: the common case read straight, anything else by ``_when``."""
    if value.__class__ is str:
        try:
            return parse_iso(value)
        except ValueError:
            pass  # empty, padded or not a time: ``_when`` says which
    return _when(value, (), theirs, as_date=False)


def _iso_date(value: Any, theirs: str) -> Any:
    """An ISO 8601 day: the common case read straight, anything else by ``_when``."""
    if value.__class__ is str:
        try:
            return parse_iso_date(value)
        except ValueError:
            pass
    return _when(value, (), theirs, as_date=True)


def _when(value: Any, formats: tuple[str, ...], theirs: str, *, as_date: bool) -> Any:
    """A date or time of theirs, read with ``formats`` (ISO 8601 when none are given)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        message = _("{field}: {value} is not a date written as text")
        raise RecordError(message.format(field=theirs, value=repr(value)), field=theirs)
    parsed = _parse(value.strip(), formats, as_date=as_date)
    if parsed is None:
        expected = _(" or ").join(formats) if formats else "ISO 8601"
        message = _("{field}: {value} does not match {expected}")
        shown = message.format(field=theirs, value=repr(value), expected=expected)
        raise RecordError(shown, field=theirs)
    return parsed.date() if as_date and isinstance(parsed, datetime) else parsed


def _parse(text: str, formats: tuple[str, ...], *, as_date: bool) -> date | datetime | None:
    if formats:
        return parse_layouts(text, formats)
    try:
        return parse_iso_date(text) if as_date else parse_iso(text)
    except ValueError:
        return None


def _retention(endpoint: Endpoint, data: dict[str, Any]) -> None:
    """Normalise the retention code (1 → "01") and derive retention_years from the default
    codes; a code outside them is kept as it is, for the deployment's retention codes
    (``[files] retention_years``) to read when measuring."""
    code = data.get("retention_code")
    if code is None or isinstance(code, bool):
        return
    text = str(code).strip()
    data["retention_code"] = text.zfill(2) if text.isdigit() else text
    if "retention_years" not in endpoint.model.model_fields or "retention_years" in data:
        return
    data["retention_years"] = RETENTION_YEARS.get(data["retention_code"])


def _reason(endpoint: Endpoint, exc: ValidationError) -> tuple[str, str]:
    """Their field the first error is about, and the reason."""
    loc, error = first_error(exc)
    ours = str(loc[0]) if loc else ""
    theirs = endpoint.fields.get(ours) or (
        _("constant {name}").format(name=ours) if ours else _("record")
    )
    if error["type"] == "missing":
        return theirs, _("{field}: missing").format(field=theirs)
    if not loc:  # a check across fields: its message names them, without the record
        return theirs, problem(error)
    return theirs, describe(theirs, error)


class FieldCoverage:
    """Which of an endpoint's field paths matched something in at least one record read:
    a path that matched nothing in any record of a run is a mapping that reads nothing.
    Each record is looked into only for the paths not matched yet."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.records = 0
        self._waiting = dict(endpoint.fields)

    def see(self, raw: Any) -> None:
        self.records += 1
        if self._waiting and isinstance(raw, dict):
            for ours, theirs in list(self._waiting.items()):
                if lookup(raw, theirs) is not MISSING:
                    del self._waiting[ours]

    def unmatched(self) -> dict[str, str]:
        """Our field → their path, for each path that matched nothing (none before a
        record was read)."""
        return dict(self._waiting) if self.records else {}

"""The vendor mapping: how one document-management or archive software's API is read into
our records.

An ``HttpSource`` in the deployment file names the software's base URL, its authentication,
timeouts and retry policy, the agencies to read (a list of organisation codes, or
``"registry"`` for every agency of the deployment) and its endpoints. An ``Endpoint`` says
which record it yields, where the list is in each response (``records_path``), where each of
our fields is in their record (``fields``: dotted paths, see ``connectors.pagination``), how
their dates are written (strptime formats; ISO 8601 when none are given), constants, value
maps (their "Trục LGSP" → our "axis"), pagination and the incremental parameter. A source
that speaks checker's reference API gives no endpoints: ``reference_endpoints`` fills them in.

``map_record`` validates one of their records at this edge and raises ``RecordError`` with a
plain reason naming their field ("arrived_at: 'not a date' does not match %d/%m/%Y").
Aware times become naive Vietnam local time (UTC+7); naive ones are taken as Vietnam time.
"""

from __future__ import annotations

import functools
import json
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal, Union, get_args, get_origin

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from checker.errors import RecordError
from checker.store.records import (
    AgencyDocumentRecord,
    FileListRecord,
    FileRecord,
    SoftwareRecord,
    TransferRecord,
)
from connectors.http import AuthConfig, RetryPolicy, Timeouts
from connectors.pagination import MISSING, OffsetPagination, Pagination, lookup

VIETNAM = timezone(timedelta(hours=7))
RETENTION_YEARS: dict[str, int | None] = {
    "01": None,  # permanent
    "02": 70,
    "03": 50,
    "04": 30,
    "05": 20,
    "06": 10,
}
"""Retention codes of the archive software (Decree 30 practice) and their years."""

RecordKind = Literal["incoming", "outgoing", "file", "file_list", "transfer"]
Scalar = str | int | float | bool
_MODELS: dict[str, type[SoftwareRecord]] = {
    "incoming": AgencyDocumentRecord,
    "outgoing": AgencyDocumentRecord,
    "file": FileRecord,
    "file_list": FileListRecord,
    "transfer": TransferRecord,
}
_FROM_CONTEXT = {"organ_id", "direction"}
_EXCERPT = 300


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class FieldPlan:
    """One of our fields: where it is in their record and what it becomes."""

    ours: str
    theirs: str
    key: str | None  # a top-level key, read without walking a path
    kind: str | None  # "datetime", "date", "str" or None
    formats: tuple[str, ...]
    value_map: dict[str, Scalar] | None


class Endpoint(_Strict):
    """One list endpoint of a vendor's API and how its records map onto ours."""

    name: str = Field(min_length=1)
    record: RecordKind
    path: str = Field(min_length=1)
    records_path: str = "items"
    fields: dict[str, str] = Field(min_length=1, description="our field → path in theirs")
    date_formats: tuple[str, ...] = Field(default=(), description="for every date field")
    field_date_formats: dict[str, tuple[str, ...]] = {}
    constants: dict[str, Scalar] = {}
    value_maps: dict[str, dict[str, Scalar]] = {}
    pagination: Pagination = OffsetPagination(style="offset")
    incremental_param: str | None = None
    incremental_field: str = "updated_at"
    incremental_format: str | None = Field(default=None, description="strftime; ISO if None")
    extra_params: dict[str, str] = {}

    @property
    def model(self) -> type[SoftwareRecord]:
        return _MODELS[self.record]

    @functools.cached_property
    def plan(self) -> tuple[FieldPlan, ...]:
        """How each mapped field is read and converted, worked out once per endpoint."""
        return tuple(
            FieldPlan(
                ours=ours,
                theirs=theirs,
                key=theirs if theirs and "." not in theirs and "[" not in theirs else None,
                kind=_kind_of(self.model, ours),
                formats=self.field_date_formats.get(ours, self.date_formats),
                value_map=self.value_maps.get(ours),
            )
            for ours, theirs in self.fields.items()
        )

    @functools.cached_property
    def mapper(self) -> Mapper:
        """``map_record`` for this endpoint, compiled once (see ``_compile``)."""
        return _compile(self)

    @model_validator(mode="after")
    def _fits_the_record(self) -> Endpoint:
        known = set(self.model.model_fields) - _FROM_CONTEXT
        _only_known(self, "fields", set(self.fields), known)
        _only_known(self, "constants", set(self.constants), known)
        _only_known(self, "field_date_formats", set(self.field_date_formats), set(self.fields))
        _only_known(self, "value_maps", set(self.value_maps), set(self.fields))
        if both := set(self.fields) & set(self.constants):
            raise ValueError(f"endpoint {self.name}: {sorted(both)} in both fields and constants")
        required = {n for n, f in self.model.model_fields.items() if f.is_required()}
        if missing := required - _FROM_CONTEXT - set(self.fields) - set(self.constants):
            raise ValueError(f"endpoint {self.name}: no field or constant for {sorted(missing)}")
        if _kind_of(self.model, self.incremental_field) not in ("datetime", "date"):
            raise ValueError(
                f"endpoint {self.name}: incremental_field {self.incremental_field!r} "
                "is not a date or time field of the record"
            )
        return self


def _only_known(endpoint: Endpoint, key: str, names: set[str], known: set[str]) -> None:
    if unknown := names - known:
        raise ValueError(
            f"endpoint {endpoint.name}: {key} names {sorted(unknown)}, "
            f"not among the {endpoint.model.__name__} fields {sorted(known)}"
        )


class HttpSource(_Strict):
    """A document-management or archive software read over HTTP."""

    name: str = Field(min_length=1)
    kind: Literal["http"]
    system: Literal["documents", "archive"]
    base_url: str = Field(min_length=1)
    auth: AuthConfig | None = None
    timeouts: Timeouts = Timeouts()
    retry: RetryPolicy = RetryPolicy()
    agencies: tuple[str, ...] | Literal["registry"] = "registry"
    agency_param: str = "agency"
    lookback_minutes: int = Field(default=1440, ge=0)
    endpoints: tuple[Endpoint, ...] = ()

    @field_validator("base_url")
    @classmethod
    def _plain_url(cls, value: str) -> str:
        url = httpx.URL(value)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError("base_url must be an http:// or https:// URL")
        if url.userinfo:
            raise ValueError("base_url must not carry a user or password; use auth")
        if url.query:
            raise ValueError("base_url must not carry query parameters; use extra_params")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _endpoints_named_once(self) -> HttpSource:
        names = [e.name for e in self.endpoints]
        if repeated := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"source {self.name}: endpoint names {repeated} appear twice")
        return self

    @property
    def lookback(self) -> timedelta:
        return timedelta(minutes=self.lookback_minutes)

    def all_endpoints(self) -> tuple[Endpoint, ...]:
        """The configured endpoints, or the reference API's for this system."""
        return self.endpoints or reference_endpoints(self.system)

    def agency_codes(self, registry_codes: Sequence[str]) -> tuple[str, ...]:
        """The organisation codes to read: the listed ones, or the deployment's."""
        return tuple(registry_codes) if self.agencies == "registry" else self.agencies

    def url_of(self, endpoint: Endpoint) -> str:
        return f"{self.base_url}/{endpoint.path.lstrip('/')}"


# --- The reference API (docs/openapi.yaml) --------------------------------------------------

_DOCUMENT_COMMON = {
    "external_id": "id",
    "doc_key": "document_id",
    "code_number": "number",
    "code_notation": "notation",
    "type_name": "type_name",
    "subject": "subject",
    "promulgation_date": "issued_date",
    "registered_at": "registered_at",
    "channel": "channel",
    "priority": "urgency",
    "digitally_signed": "digitally_signed",
    "file_code": "file_code",
    "recalled": "recalled",
    "updated_at": "updated_at",
}
_INCOMING = {
    **_DOCUMENT_COMMON,
    "sender_id": "sender_code",
    "sender_name": "sender_name",
    "arrival_number": "arrival_number",
    "arrived_at": "arrived_at",
    "submitted_at": "submitted_at",
    "assigned_at": "assigned_at",
    "due_date": "due_date",
}
_OUTGOING = {
    **_DOCUMENT_COMMON,
    "recipient_ids": "recipients",
    "signed_at": "signed_at",
    "issued_at": "issued_at",
}
_FILE = {
    "external_id": "id",
    "file_code": "file_code",
    "title": "title",
    "year": "year",
    "retention_code": "retention",
    "listed": "listed",
    "electronic": "electronic",
    "opened_at": "opened_at",
    "closed_at": "closed_at",
    "work_ended_on": "work_ended_on",
    "construction": "construction",
    "final_settlement_on": "final_settlement_on",
    "metadata_complete": "metadata_complete",
    "document_count": "document_count",
    "updated_at": "updated_at",
}
_FILE_LIST = {
    "external_id": "id",
    "year": "year",
    "issued_on": "issued_on",
    "updated_at": "updated_at",
}
_TRANSFER = {
    "external_id": "id",
    "file_code": "file_code",
    "kind": "kind",
    "transferred_on": "transferred_on",
    "status": "status",
    "retention_code": "retention",
    "updated_at": "updated_at",
}


def reference_endpoints(system: Literal["documents", "archive"]) -> tuple[Endpoint, ...]:
    """The endpoints of checker's reference log API for one system."""
    if system == "documents":
        return (
            _reference("incoming-documents", "incoming", "incoming-documents", _INCOMING),
            _reference("outgoing-documents", "outgoing", "outgoing-documents", _OUTGOING),
            _reference("files", "file", "files", _FILE),
            _reference("file-lists", "file_list", "file-lists", _FILE_LIST),
        )
    kinds = ("agency_archive", "historical_archive")
    return tuple(
        _reference(
            f"transfers-{k.replace('_', '-')}", "transfer", "transfers", _TRANSFER, {"kind": k}
        )
        for k in kinds
    )


def _reference(
    name: str,
    record: RecordKind,
    path: str,
    fields: dict[str, str],
    extra: dict[str, str] | None = None,
) -> Endpoint:
    return Endpoint(
        name=name,
        record=record,
        path=path,
        records_path="items",
        fields=fields,
        pagination=OffsetPagination(style="offset", limit=500, total_path="total"),
        incremental_param="updated_since",
        extra_params=extra or {},
    )


# --- Mapping one record ----------------------------------------------------------------------


def map_record(endpoint: Endpoint, raw: Any, organ_id: str) -> SoftwareRecord:
    """Our record for one of their records, read for agency ``organ_id``."""
    return endpoint.mapper(raw, organ_id)


Mapper = Callable[[Any, str], SoftwareRecord]
"""``map_record`` for one endpoint: (their record, organ_id) → our record."""
_Convert = Callable[[Any], Any]


def _compile(endpoint: Endpoint) -> Mapper:
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
        if field.key and field.value_map is None and convert is None:
            plain.append((field.ours, field.key))
        elif field.key and field.value_map is None and convert is _number_as_text:
            texts.append((field.ours, field.key))
        else:
            if field.value_map is not None:
                convert = _mapped_then(field.value_map, convert)
            other.append((field.ours, field.key, field.theirs, convert))
    retention = "retention_code" in endpoint.fields or "retention_code" in endpoint.constants
    validate = endpoint.model.__pydantic_validator__.validate_python  # model_validate, less a call

    def mapper(raw: Any, organ_id: str) -> SoftwareRecord:
        if not isinstance(raw, dict):
            raise RecordError(f"not a JSON object but {type(raw).__name__}", _excerpt(raw))
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
            raise RecordError(exc.reason, _excerpt(raw)) from exc
        except ValidationError as exc:
            raise RecordError(_reason(endpoint, exc), _excerpt(raw)) from exc

    return mapper


def _converter(field: FieldPlan) -> _Convert | None:
    """What a value of this field goes through, or None when it is taken as it is."""
    if field.kind == "datetime":
        if field.formats:
            return functools.partial(
                _when, formats=field.formats, theirs=field.theirs, as_date=False
            )
        return functools.partial(_iso_datetime, theirs=field.theirs)
    if field.kind == "date":
        if field.formats:
            return functools.partial(
                _when, formats=field.formats, theirs=field.theirs, as_date=True
            )
        return functools.partial(_iso_date, theirs=field.theirs)
    if field.kind == "str":
        return _number_as_text
    return None


def _mapped_then(value_map: dict[str, Scalar], then: _Convert | None) -> _Convert:
    def convert(value: Any) -> Any:
        key = value if isinstance(value, str) else json.dumps(value)
        value = value_map.get(key, value)
        return value if then is None else then(value)

    return convert


def _number_as_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _excerpt(raw: Any) -> str:
    return json.dumps(raw, ensure_ascii=False, default=str)[:_EXCERPT]


def _iso_datetime(value: Any, theirs: str) -> Any:
    """An ISO 8601 time; the shape the reference API writes (``2025-03-03T09:15:00+07:00``,
    already Vietnam time) is read without a time-zone conversion."""
    if value.__class__ is str and len(value) == 25 and value.endswith("+07:00"):
        try:
            return datetime.fromisoformat(value[:19])
        except ValueError:
            pass  # the general path below gives the reason
    return _when(value, (), theirs, as_date=False)


def _iso_date(value: Any, theirs: str) -> Any:
    """An ISO 8601 day; ``2025-03-01`` is read straight as a date."""
    if value.__class__ is str and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return _when(value, (), theirs, as_date=True)


def _when(value: Any, formats: tuple[str, ...], theirs: str, *, as_date: bool) -> Any:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"{theirs}: {value!r} is not a date written as text")
    parsed = _parse(value.strip(), formats)
    if parsed is None:
        expected = " or ".join(formats) if formats else "ISO 8601"
        raise RecordError(f"{theirs}: {value!r} does not match {expected}")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(VIETNAM).replace(tzinfo=None)
    return parsed.date() if as_date else parsed


def _parse(text: str, formats: tuple[str, ...]) -> datetime | None:
    if formats:
        return _strptime(text, formats)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=16384)
def _strptime(text: str, formats: tuple[str, ...]) -> datetime | None:
    """``text`` read with the first of ``formats`` that fits, or None. Cached: strptime is
    slow, and days (and often times) repeat across a vendor's records."""
    for layout in formats:
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
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


def _reason(endpoint: Endpoint, exc: ValidationError) -> str:
    error = exc.errors()[0]
    ours = str(error["loc"][0]) if error["loc"] else ""
    theirs = endpoint.fields.get(ours) or (f"constant {ours}" if ours else "record")
    if error["type"] == "missing":
        return f"{theirs}: missing"
    return f"{theirs}: {error['input']!r}: {error['msg']}"


@functools.cache
def _kind_of(model: type[BaseModel], name: str) -> str | None:
    """The kind of a field: "datetime", "date" or "str" (optional or not), else None."""
    field = model.model_fields.get(name)
    if field is None:
        return None
    annotation = field.annotation
    options = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else ()
    for kind, cls in (("datetime", datetime), ("date", date), ("str", str)):
        if annotation is cls or cls in options:
            return kind
    return None

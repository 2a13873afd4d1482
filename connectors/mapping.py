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

Generic systems need more, still by configuration alone: ``transforms`` take a part of one of
their values (one "Số, ký hiệu" field ``45/UBND-VP`` gives number 45 by a regex capture and
notation UBND-VP by a split), applied before the value maps; ``details`` are per-record
sub-requests whose records are attached to the record (``connectors.details``), read by
paths that pick a list item by a key (``metadata[metadata_type.name=so_ky_hieu].value``); an
endpoint's path may carry the agency (``document_types/{agency}/documents/``, with
``agency_ids`` saying what the vendor calls each agency), and then the agency parameter is
not sent. A placeholder nothing fills is refused when the file is loaded
(``connectors.templates``).

This module is the schema of that configuration, validated when the deployment file is
loaded. Reading one of their records by it is the record compiler's work
(``connectors.compiler``); dates are read by ``connectors.dates`` (aware times become naive
Vietnam local time; naive ones are taken as Vietnam time).
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Union, get_args, get_origin

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from checker.errors import ConfigError
from checker.i18n import _
from checker.store.records import (
    AgencyDocumentRecord,
    DigitisedFileRecord,
    DossierRecord,
    FileListRecord,
    FileRecord,
    SoftwareRecord,
    TransferRecord,
)
from connectors.compiler import Mapper, compile_mapping
from connectors.details import Detail
from connectors.http import AuthConfig, Limits, RetryPolicy, Timeouts
from connectors.jsonpath import check_path
from connectors.pagination import OffsetPagination, Pagination
from connectors.templates import check_templates, fill, has_agency

RecordKind = Literal[
    "incoming", "outgoing", "file", "file_list", "transfer", "dossier", "digitised_file"
]
System = Literal["documents", "archive", "onestop"]
Scalar = str | int | float | bool
_MODELS: dict[str, type[SoftwareRecord]] = {
    "incoming": AgencyDocumentRecord,
    "outgoing": AgencyDocumentRecord,
    "file": FileRecord,
    "file_list": FileListRecord,
    "transfer": TransferRecord,
    "dossier": DossierRecord,
    "digitised_file": DigitisedFileRecord,
}
_FROM_CONTEXT = {"organ_id", "direction"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Transform(_Strict):
    """A part of one of their values: ``split`` on a separator and take ``part`` (from 0;
    negative from the end), or ``regex`` and take ``group`` (a number or a name). A text
    without that part is an error for the record; null and empty stay null."""

    split: str | None = Field(default=None, min_length=1)
    part: int = 0
    regex: str | None = Field(default=None, min_length=1)
    group: int | str = 1

    @model_validator(mode="after")
    def _one_way(self) -> Transform:
        if (self.split is None) == (self.regex is None):
            raise ValueError(_("a transform takes either split or regex, not both nor neither"))
        if self.regex is not None:
            try:
                pattern = re.compile(self.regex)
            except re.error as exc:
                message = _("regex {regex}: {error}")
                raise ValueError(message.format(regex=repr(self.regex), error=exc)) from exc
            group = self.group
            known = (
                group in pattern.groupindex if isinstance(group, str) else group <= pattern.groups
            )
            if not known or (isinstance(group, int) and group < 0):
                message = _("regex {regex} has no group {group}")
                raise ValueError(message.format(regex=repr(self.regex), group=repr(group)))
        return self


@dataclass(frozen=True)
class FieldPlan:
    """One of our fields: where it is in their record and what it becomes."""

    ours: str
    theirs: str
    key: str | None  # a top-level key, read without walking a path
    kind: str | None  # "datetime", "date", "str" or None
    formats: tuple[str, ...]
    value_map: dict[str, Scalar] | None
    transform: Transform | None = None


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
    transforms: dict[str, Transform] = {}
    details: tuple[Detail, ...] = ()
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
                transform=self.transforms.get(ours),
            )
            for ours, theirs in self.fields.items()
        )

    @functools.cached_property
    def mapper(self) -> Mapper:
        """``map_record`` for this endpoint, compiled once (``connectors.compiler``)."""
        return compile_mapping(self)

    @model_validator(mode="after")
    def _fits_the_record(self) -> Endpoint:
        known = set(self.model.model_fields) - _FROM_CONTEXT
        _only_known(self, "fields", set(self.fields), known)
        _only_known(self, "constants", set(self.constants), known)
        _only_known(self, "field_date_formats", set(self.field_date_formats), set(self.fields))
        _only_known(self, "value_maps", set(self.value_maps), set(self.fields))
        _only_known(self, "transforms", set(self.transforms), set(self.fields))
        for ours, theirs in self.fields.items():
            try:
                check_path(theirs)
            except ValueError as exc:
                message = _("endpoint {endpoint}: field {field}: {error}")
                raise ValueError(message.format(endpoint=self.name, field=ours, error=exc)) from exc
        where = _("endpoint {endpoint}").format(endpoint=self.name)
        check_templates(where, (self.path, *self.extra_params.values()), record_paths=False)
        attached = [d.attach_as for d in self.details]
        if repeated := sorted({a for a in attached if attached.count(a) > 1}):
            message = _("{where}: details attach {names} twice")
            raise ValueError(message.format(where=where, names=repeated))
        if both := set(self.fields) & set(self.constants):
            message = _("{where}: {names} in both fields and constants")
            raise ValueError(message.format(where=where, names=sorted(both)))
        required = {n for n, f in self.model.model_fields.items() if f.is_required()}
        if missing := required - _FROM_CONTEXT - set(self.fields) - set(self.constants):
            message = _("{where}: no field or constant for {names}")
            raise ValueError(message.format(where=where, names=sorted(missing)))
        if _kind_of(self.model, self.incremental_field) not in ("datetime", "date"):
            message = _(
                "{where}: incremental_field {field} is not a date or time field of the record"
            )
            raise ValueError(message.format(where=where, field=repr(self.incremental_field)))
        return self


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


def _only_known(endpoint: Endpoint, key: str, names: set[str], known: set[str]) -> None:
    if unknown := names - known:
        message = _(
            "endpoint {endpoint}: {key} names {names}, not among the {model} fields {known}"
        )
        raise ValueError(
            message.format(
                endpoint=endpoint.name,
                key=key,
                names=sorted(unknown),
                model=endpoint.model.__name__,
                known=sorted(known),
            )
        )


class HttpSource(_Strict):
    """A document-management, archive or one-stop-shop software read over HTTP."""

    name: str = Field(min_length=1)
    kind: Literal["http"]
    system: System
    base_url: str = Field(min_length=1)
    auth: AuthConfig | None = None
    timeouts: Timeouts = Timeouts()
    retry: RetryPolicy = RetryPolicy()
    limits: Limits = Limits()
    agencies: tuple[str, ...] | Literal["registry"] = "registry"
    agency_param: str = "agency"
    agency_ids: dict[str, str] = Field(
        default={}, description="what the vendor calls an agency, for {agency} in paths"
    )
    lookback_minutes: int = Field(default=1440, ge=0)
    max_in_flight: int = Field(
        default=8, ge=1, le=64, description="requests sent to the source at once, at most"
    )
    endpoints: tuple[Endpoint, ...] = ()

    @field_validator("base_url")
    @classmethod
    def _plain_url(cls, value: str) -> str:
        if "{" in value or "}" in value:
            raise ValueError(
                _("base_url must not carry placeholders; put {{agency}} in a path").format()
            )
        url = httpx.URL(value)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(_("base_url must be an http:// or https:// URL"))
        if url.userinfo:
            raise ValueError(_("base_url must not carry a user or password; use auth"))
        if url.query:
            raise ValueError(_("base_url must not carry query parameters; use extra_params"))
        return value.rstrip("/")

    @model_validator(mode="after")
    def _endpoints_named_once(self) -> HttpSource:
        names = [e.name for e in self.endpoints]
        if repeated := sorted({n for n in names if names.count(n) > 1}):
            message = _("source {source}: endpoint names {names} appear twice")
            raise ValueError(message.format(source=self.name, names=repeated))
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

    def url_of(self, endpoint: Endpoint, agency: str | None = None) -> str:
        """The endpoint's URL; ``{agency}`` in its path filled for ``agency``."""
        path = endpoint.path.lstrip("/")
        if agency is not None:
            path = fill(path, lambda _: self.agency_id(agency), in_path=True)
        return f"{self.base_url}/{path}"

    def agency_id(self, code: str) -> str:
        """What the vendor calls agency ``code`` in a path: its ``agency_ids`` entry, or the
        code itself when the source names none."""
        return self.agency_ids.get(code, code) if self.agency_ids else code

    def sends_agency_param(self, endpoint: Endpoint) -> bool:
        """An endpoint whose path carries the agency is not also given the parameter."""
        return not has_agency(endpoint.path)

    def check_agencies(self, codes: Sequence[str]) -> None:
        """Refuse, before the first request, an agency that ``agency_ids`` does not name
        while a path or parameter needs it."""
        if not self.agency_ids:
            return
        needing = [e.name for e in self.all_endpoints() if _names_agency(e)]
        if needing and (unnamed := [c for c in codes if c not in self.agency_ids]):
            message = _(
                "source {source}: agency_ids names no vendor id for {codes}, needed by "
                "{{agency}} in the paths or parameters of {endpoints}"
            )
            raise ConfigError(message.format(source=self.name, codes=unnamed, endpoints=needing))


def _names_agency(endpoint: Endpoint) -> bool:
    """True when ``{agency}`` is in the endpoint's or a detail's path or parameters."""
    texts = [endpoint.path, *endpoint.extra_params.values()]
    for detail in endpoint.details:
        texts += [detail.path, *detail.extra_params.values()]
    return any(has_agency(text) for text in texts)


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


_DOSSIER = {
    "external_id": "id",
    "dossier_code": "dossier_code",
    "handled_by": "agency_code",
    "procedure_code": "procedure_code",
    "procedure_name": "procedure_name",
    "received_at": "received_at",
    "due_at": "due_at",
    "returned_at": "returned_at",
    "status": "status",
    "electronic_file": "electronic_file",
    "online": "online",
    "updated_at": "updated_at",
}
_DIGITISED_FILE = {
    "external_id": "id",
    "file_code": "file_code",
    "title": "title",
    "digitised_on": "digitised_on",
    "pages": "pages",
    "updated_at": "updated_at",
}


def reference_endpoints(system: System) -> tuple[Endpoint, ...]:
    """The endpoints of checker's reference log API for one system."""
    if system == "onestop":
        return (_reference("dossiers", "dossier", "dossiers", _DOSSIER),)
    if system == "documents":
        return (
            _reference("incoming-documents", "incoming", "incoming-documents", _INCOMING),
            _reference("outgoing-documents", "outgoing", "outgoing-documents", _OUTGOING),
            _reference("files", "file", "files", _FILE),
            _reference("file-lists", "file_list", "file-lists", _FILE_LIST),
        )
    kinds = ("agency_archive", "historical_archive")
    transfers = tuple(
        _reference(
            f"transfers-{k.replace('_', '-')}", "transfer", "transfers", _TRANSFER, {"kind": k}
        )
        for k in kinds
    )
    digitised = _reference("digitised-files", "digitised_file", "digitised-files", _DIGITISED_FILE)
    return (*transfers, digitised)


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

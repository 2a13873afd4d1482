"""Records that connectors hand to the store.

A connector turns outside data (edXML messages, API pages, register rows) into these
validated models; the store writes them. They carry the organisation codes exactly as the
source gave them: the agency registry is applied only when measuring.

Times are naive datetimes in Vietnam local time (Asia/Ho_Chi_Minh, UTC+7), the time every
source states and the clock on which "the same day" is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checker.clock import vietnam_now
from checker.i18n import _

AXIS = "axis"
"""Channel of a document carried by the interconnection axis (edXML)."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentRecord(_Record):
    """A document as sent: an outgoing document of its sender and an incoming document
    of each recipient."""

    doc_key: str = Field(min_length=1, description="DocumentId, or sender,date,code if absent")
    sender_id: str = Field(min_length=1)
    sender_name: str | None = None
    recipient_ids: tuple[str, ...] = Field(min_length=1)
    code_number: str | None = None
    code_notation: str | None = None
    doc_type: str | None = None
    type_name: str | None = None
    subject: str | None = None
    promulgation_date: date | None = None
    due_date: date | None = None
    sent_at: datetime | None = None
    priority: int = 0
    business_type: int = 0
    channel: str = AXIS
    flags: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _days_make_sense(self) -> DocumentRecord:
        _all_sensible(self, ("promulgation_date", "sent_at"))
        return self

    @property
    def code(self) -> str | None:
        """Number and notation as written on the document, e.g. ``7816/VPCP-TTĐT``."""
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation


class StatusRecord(_Record):
    """A status message: ``actor_id`` reports ``status_code`` on a document it received."""

    actor_id: str = Field(min_length=1)
    doc_key: str | None = None
    ref_sender_id: str | None = None
    ref_code: str | None = None
    status_code: str = Field(pattern=r"^\d{2}$")
    description: str | None = None
    occurred_at: datetime | None = None
    flags: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _time_makes_sense(self) -> StatusRecord:
        _all_sensible(self, ("occurred_at",))
        return self


class Quarantined(_Record):
    """An input that could not be used, set aside with the reason."""

    source: str
    locator: str
    reason: str
    excerpt: str = ""
    content_hash: str = ""


Record = DocumentRecord | StatusRecord


# --- Records from the document-management and archive software (HTTP APIs, registers) ----

Direction = Literal["in", "out"]
Channel = Literal["axis", "email", "paper"]
TransferKind = Literal["agency_archive", "historical_archive"]


class AgencyDocumentRecord(_Record):
    """A document as one agency's document-management software (or its register) reports
    it: incoming or outgoing for that agency, with the times of its lifecycle."""

    organ_id: str = Field(min_length=1, description="the agency whose software reports it")
    direction: Direction
    external_id: str = Field(min_length=1, description="its id in the reporting software")
    doc_key: str | None = Field(default=None, description="edXML DocumentId, when known")
    code_number: str | None = None
    code_notation: str | None = None
    type_name: str | None = None
    subject: str | None = None
    sender_id: str | None = None
    sender_name: str | None = None
    recipient_ids: tuple[str, ...] = ()
    promulgation_date: date | None = None
    due_date: date | None = None
    priority: int = Field(default=0, ge=0, le=4)
    channel: Channel
    arrival_number: str | None = None
    arrived_at: datetime | None = None
    registered_at: datetime | None = None
    submitted_at: datetime | None = None
    assigned_at: datetime | None = None
    signed_at: datetime | None = None
    issued_at: datetime | None = None
    digitally_signed: bool | None = None
    file_code: str | None = None
    recalled: bool = False
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _times_make_sense(self) -> AgencyDocumentRecord:
        _all_sensible(self, _LIFECYCLE_TIMES)
        return self

    @property
    def code(self) -> str | None:
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation


class FileRecord(_Record):
    """A work file (hồ sơ) of an agency, as the document-management software reports it."""

    organ_id: str = Field(min_length=1)
    external_id: str = Field(min_length=1)
    file_code: str = Field(min_length=1, description="agency code + year + file notation")
    title: str | None = None
    year: int = Field(ge=1900, le=2200)
    retention_code: str | None = Field(default=None, description="01 permanent … 06 10 years")
    retention_years: int | None = Field(default=None, description="None: permanent")
    listed: bool = Field(default=False, description="on the agency's annual file list")
    electronic: bool = False
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    work_ended_on: date | None = None
    construction: bool = False
    final_settlement_on: date | None = None
    metadata_complete: bool | None = None
    document_count: int = Field(default=0, ge=0)
    updated_at: datetime | None = None


class FileListRecord(_Record):
    """An agency's annual file list (Danh mục hồ sơ) and the day it was issued."""

    organ_id: str = Field(min_length=1)
    external_id: str = Field(min_length=1)
    year: int = Field(ge=1900, le=2200)
    issued_on: date | None = None
    updated_at: datetime | None = None


class TransferRecord(_Record):
    """A file handed to the agency archive, or from there to the historical archive, as the
    shared archive software reports it."""

    organ_id: str = Field(min_length=1)
    external_id: str = Field(min_length=1)
    file_code: str = Field(min_length=1)
    kind: TransferKind
    transferred_on: date | None = None
    status: str = Field(min_length=1, description="received, pending, returned, ...")
    retention_code: str | None = None
    updated_at: datetime | None = None


# --- Records of the one-stop-shop software and of the archive software's digitisation ------

EARLIEST_LOG_YEAR = 1990
"""No software logged a document, a dossier or a digitised file before this year: an earlier date (a
year 1850, a day 0001-01-01 standing for "none") is a wrong value, not history."""
FUTURE_SLACK = timedelta(days=1)
"""A time later than now plus this (a clock a few hours ahead is tolerated) has not happened."""
DossierStatus = Literal["processing", "returned", "refused", "withdrawn"]


# The days of a document's life that have happened when it is reported (not its due date)
_LIFECYCLE_TIMES = (
    "promulgation_date",
    "arrived_at",
    "registered_at",
    "submitted_at",
    "assigned_at",
    "signed_at",
    "issued_at",
    "updated_at",
)


def _all_sensible(record: BaseModel, names: tuple[str, ...]) -> None:
    now = vietnam_now()
    for name in names:
        _sensible(name, getattr(record, name), now)


class ImplausibleTime(ValueError):
    """A day or time that no software can have logged: ``field`` names the record's field,
    ``problem`` says what is wrong with the value (a connector may name the field its own way,
    as a register names its column)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


def _sensible(name: str, value: date | None, now: datetime) -> None:
    """Refuse a day before :data:`EARLIEST_LOG_YEAR` or after now."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if day.year < EARLIEST_LOG_YEAR:
        message = _("{value} is before {year}: not a logged time")
        raise ImplausibleTime(name, message.format(value=value, year=EARLIEST_LOG_YEAR))
    if day > (now + FUTURE_SLACK).date():
        raise ImplausibleTime(name, _("{value} is in the future").format(value=value))


class DossierRecord(_Record):
    """A dossier of an administrative procedure (hồ sơ thủ tục hành chính) as the one-stop-shop
    software (Phần mềm Một cửa) reports it: received, handled and its result returned by the
    agency that handles it, and whether it was kept as an electronic file of that agency."""

    organ_id: str = Field(min_length=1, description="the agency the software was asked about")
    external_id: str = Field(min_length=1)
    dossier_code: str = Field(min_length=1, description="the dossier's code on the software")
    handled_by: str | None = Field(
        default=None, description="organisation code of the agency handling it, when stated"
    )
    procedure_code: str | None = None
    procedure_name: str | None = None
    received_at: datetime
    due_at: datetime | None = Field(default=None, description="the appointed day of return")
    returned_at: datetime | None = Field(default=None, description="result returned")
    status: DossierStatus
    electronic_file: bool | None = Field(
        default=None, description="kept as an electronic file (hồ sơ điện tử) of the agency"
    )
    online: bool = False
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _times_make_sense(self) -> DossierRecord:
        now = vietnam_now()
        for name in ("received_at", "due_at", "returned_at", "updated_at"):
            _sensible(name, getattr(self, name), now)
        if self.returned_at is not None and self.returned_at < self.received_at:
            message = _("returned_at {returned} is before received_at {received}")
            raise ValueError(message.format(returned=self.returned_at, received=self.received_at))
        if self.due_at is not None and self.due_at < self.received_at:
            message = _("due_at {due} is before received_at {received}")
            raise ValueError(message.format(due=self.due_at, received=self.received_at))
        if self.status == "returned" and self.returned_at is None:
            raise ValueError(_("status returned without returned_at"))
        return self

    @property
    def agency(self) -> str:
        """The agency the dossier is an electronic file of: the one handling it."""
        return self.handled_by or self.organ_id


class DigitisedFileRecord(_Record):
    """A file of the agency archive as the shared archive software's digitisation register
    reports it: digitised (số hóa) on a day, with its pages, or not yet."""

    organ_id: str = Field(min_length=1)
    external_id: str = Field(min_length=1)
    file_code: str = Field(min_length=1)
    title: str | None = None
    digitised_on: date | None = None
    pages: int = Field(default=0, ge=0, le=1_000_000)
    updated_at: datetime | None = None

    @model_validator(mode="after")
    def _days_make_sense(self) -> DigitisedFileRecord:
        now = vietnam_now()
        _sensible("digitised_on", self.digitised_on, now)
        _sensible("updated_at", self.updated_at, now)
        if self.digitised_on is not None and self.pages == 0:
            raise ValueError(_("digitised_on given with 0 pages: nothing was digitised"))
        return self


SoftwareRecord = (
    AgencyDocumentRecord
    | FileRecord
    | FileListRecord
    | TransferRecord
    | DossierRecord
    | DigitisedFileRecord
)


@dataclass(frozen=True)
class Read:
    """One record a connector read, and where it came from (file, file#row, URL page)."""

    locator: str
    record: Record | SoftwareRecord


@dataclass(frozen=True)
class Skipped:
    """A file found in a scanned folder that is not an input of the source (its name does
    not match the source's patterns): counted and listed, neither read nor quarantined."""

    locator: str

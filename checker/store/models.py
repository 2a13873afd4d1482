"""Storage tables.

Every stored record keeps where it came from (source, locator, fetched_at) so a score can be
traced back to the documents behind it. Organisation codes are stored as the source gave
them; ``agency_code`` maps each known code (main or alternative) to its agency.

Times are naive Vietnam local time (see ``checker.store.records``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DateTime, Index, Table, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel


class AgencyRow(SQLModel, table=True):
    __tablename__ = "agency"

    code: str = Field(primary_key=True)
    name: str
    group_id: str
    group_name: str
    criteria: str


class AgencyCode(SQLModel, table=True):
    """Every organisation code (main and alternative) of a registered agency."""

    __tablename__ = "agency_code"
    # Measuring maps codes to agencies and back for every document and status: both
    # directions are covering indexes, so no lookup reads the table (benchmarks/
    # metrics_province.py: -16% on the catalogue on SQLite).
    __table_args__ = (
        Index("ix_agency_code_agency_code", "agency_code", "code"),
        Index("ix_agency_code_covering", "code", "agency_code"),
    )

    code: str = Field(primary_key=True)
    agency_code: str = Field(foreign_key="agency.code")


class Message(SQLModel, table=True):
    """One ingested message, by its natural key; a message seen again is a duplicate.

    An edoc message keeps the values it carried (``record``, the ``DocumentRecord`` as
    JSON): a document's rows are worked out from every message about it, the original, its
    updates, replacements and recalls (``checker.store.versions``), so the values an update
    changed stay here."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_doc_key", "doc_key"),)

    id: int | None = Field(default=None, primary_key=True)
    message_key: str = Field(unique=True)
    kind: str
    source: str
    locator: str
    fetched_at: datetime = Field(sa_type=DateTime)
    doc_key: str | None = None  # edoc: the DocumentId it carries (or acts on)
    business_type: int | None = None  # edoc: BussinessDocType, 0 new 1 recall 2 update 3 replace
    sent_at: datetime | None = Field(default=None, sa_type=DateTime)
    record: str | None = Field(default=None, sa_type=Text)  # edoc: its values, as JSON


# The leading columns of both measuring indexes: organisation first, so one agency's
# numbers are a range of the index; then the day that puts a document in a period; then
# what every metric of the direction reads, the per-document facts among them.
MEASURED_COLUMNS = (
    "organ_id",
    "doc_date",
    "channel",
    "priority",
    "fact_recalled_on",
    "fact_filed",
    "fact_same_day",
    "fact_next_day",
)

FACTS_STALE = text("fact_recalled IS NULL")
"""The rows whose facts are to be worked out again (``checker.store.derived``)."""


class DocumentValues(SQLModel):
    """What one document row holds, whoever reported it: the reconciled document
    (:class:`Document`) and each system's observation of it (:class:`DocumentSource`)."""

    direction: str  # "in" or "out"
    organ_id: str
    doc_key: str
    sender_id: str
    sender_name: str | None = None
    recipients: str  # recipient codes joined by ";"
    code: str | None = None
    code_number: str | None = None
    code_notation: str | None = None
    doc_type: str | None = None
    type_name: str | None = None
    subject: str | None = None
    promulgation_date: date | None = None
    due_date: date | None = None
    sent_at: datetime | None = Field(default=None, sa_type=DateTime)
    doc_date: date | None = None  # the day it was sent (else its promulgation date)
    priority: int = 0
    # 1 when only recall messages are known, else what the last message applied was: 0 the
    # original, 2 an update, 3 a replacement (checker.store.versions)
    business_type: int = 0
    recall_sent: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    channel: str
    flags: str = ""
    source: str
    locator: str
    fetched_at: datetime = Field(sa_type=DateTime)
    # Reported by the agency's document-management software or its registers:
    external_id: str | None = None
    arrival_number: str | None = None
    arrived_at: datetime | None = Field(default=None, sa_type=DateTime)
    registered_at: datetime | None = Field(default=None, sa_type=DateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=DateTime)
    assigned_at: datetime | None = Field(default=None, sa_type=DateTime)
    signed_at: datetime | None = Field(default=None, sa_type=DateTime)
    issued_at: datetime | None = Field(default=None, sa_type=DateTime)
    digitally_signed: bool | None = None
    file_code: str | None = None
    recalled: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    updated_at: datetime | None = Field(default=None, sa_type=DateTime)


class Document(DocumentValues, table=True):
    """A document as seen by one organisation: outgoing for its sender, incoming for each
    recipient (``organ_id`` is that organisation).

    The ``fact_*`` columns are worked out from the document's statuses and the agency
    registry by ``metrics.facts`` and kept in the row, so measuring reads one index row
    per document instead of joining its statuses; every writer marks the rows it touches
    stale (``checker.store.derived``) and measuring brings them up to date first."""

    __tablename__ = "document"
    __table_args__ = (
        # doc_key first: the same index finds every copy of a document (evidence, acks)
        UniqueConstraint("doc_key", "direction", "organ_id", name="uq_document_natural"),
        # Measuring reads one direction at a time for every agency (metrics.scope). Each row
        # is in exactly one of these two partial indexes, and each index holds every column
        # its direction's metrics read, so the aggregates never touch the table. Queries
        # must say the direction as a literal for the planner to pick them; the direction
        # is also the last column, as SQLite covers a query from a partial index only when
        # the index holds the columns of its own WHERE.
        Index(
            "ix_document_inbound",
            *MEASURED_COLUMNS,
            "fact_refused_on",
            "fact_registered_on",
            "fact_assigned_on",
            "fact_acknowledged_on",
            "fact_submitted_on",
            "direction",
            sqlite_where=text("direction = 'in'"),
            postgresql_where=text("direction = 'in'"),
        ),
        Index(
            "ix_document_outbound",
            *MEASURED_COLUMNS,
            "signed_at",
            "issued_at",
            "digitally_signed",
            "fact_acknowledged_all_on",
            "fact_number",
            "code_notation",
            "direction",
            sqlite_where=text("direction = 'out'"),
            postgresql_where=text("direction = 'out'"),
        ),
        # only outgoing rows are looked up by sender and code (statuses without DocumentId)
        Index(
            "ix_document_sender_code",
            "sender_id",
            "code",
            sqlite_where=text("direction = 'out'"),
            postgresql_where=text("direction = 'out'"),
        ),
        # the rows whose facts are stale: none between two writes and a measuring run
        Index(
            "ix_document_stale",
            "id",
            sqlite_where=FACTS_STALE,
            postgresql_where=FACTS_STALE,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Reconciled from the observations of every system (checker.store.reconcile):
    sources: str = Field(default="", sa_column_kwargs={"server_default": ""})  # kinds, ";"
    field_sources: str | None = Field(default=None, sa_type=Text)  # JSON: lifecycle time → kind
    disagreements: str | None = Field(default=None, sa_type=Text)  # JSON: values told apart
    # Facts (metrics.facts): fact_recalled NULL marks the row stale. Each step is the day it
    # was done (Vietnam local time), NULL when not done: measuring as of a day counts the
    # steps done by then (metrics.scope).
    fact_recalled: int | None = None  # 1/0: recalled by the software, a recall message or the axis
    fact_recalled_on: date | None = None  # the day the recall took effect, NULL when not recalled
    fact_filed: int | None = None  # filed into a file; NULL when the software reported nothing
    fact_refused_on: date | None = None  # incoming: the agency sent status 02 back
    fact_registered_on: date | None = None  # incoming: registered on the software or status 03
    fact_assigned_on: date | None = None  # incoming: assigned on the software or status 04-06
    fact_acknowledged_on: date | None = None  # incoming: first status 01 or 03 sent back
    fact_submitted_on: date | None = None  # incoming: submitted on the software or status 04
    fact_acknowledged_all_on: date | None = None  # outgoing: the last recipient sent 01 or 03
    fact_number: int | None = None  # outgoing: its number in the year's sequence
    # deadlines from the start day (arrival; outgoing: signing), on the stored calendar
    fact_same_day: date | None = None  # the first working day on or after it
    fact_next_day: date | None = None  # the working day after that


class DocumentSource(DocumentValues, table=True):
    """One system's observation of a document for one organisation and direction: the edXML
    messages about it (``kind`` edxml), a record of the document-management software (dms) or
    a row of a register export (register). ``checker.store.reconcile`` puts the observations
    of one document together (``id_key``, ``code_key``: ``checker.store.identity``) into one
    :class:`Document` row, whose ``doc_key`` is kept here as ``document_key``."""

    __tablename__ = "document_source"
    __table_args__ = (
        # source_key first: a writer finds its own observations by it
        UniqueConstraint(
            "source_key", "kind", "direction", "organ_id", name="uq_document_source_natural"
        ),
        Index("ix_document_source_id_key", "id_key"),
        Index("ix_document_source_code_key", "code_key"),
        Index("ix_document_source_document", "document_key", "direction", "organ_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # edxml, dms or register
    source_key: str  # edxml: the DocumentId; else "{source}:{external id}"
    id_key: str | None = None
    code_key: str | None = None
    document_key: str | None = None  # doc_key of the document row it is reconciled into


class DocumentEvent(SQLModel, table=True):
    """A lifecycle step on a document, reported by ``actor_id`` (an edXML status message).

    ``doc_key`` is the document answered; when the message named the document only by its
    sender and code, it is filled in once that document is in the store."""

    __tablename__ = "document_event"
    __table_args__ = (
        UniqueConstraint(
            "actor_id", "ref_key", "status_code", "occurred_at", name="uq_event_natural"
        ),
        Index("ix_event_measure", "doc_key", "actor_id", "status_code", "occurred_on"),
        # recalls are rare: measuring lists them once, from this small index (status_code
        # in it too, for SQLite to read the partial index without the table)
        Index(
            "ix_event_recall",
            "status_code",
            "doc_key",
            sqlite_where=text("status_code = '13'"),
            postgresql_where=text("status_code = '13'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    doc_key: str | None = None
    ref_key: str  # what the message said it answers: DocumentId, or sender|code
    ref_sender_id: str | None = None
    ref_code: str | None = None
    actor_id: str
    status_code: str
    description: str | None = None
    occurred_at: datetime | None = Field(default=None, sa_type=DateTime)
    occurred_on: date | None = None
    flags: str = ""
    source: str
    locator: str
    fetched_at: datetime = Field(sa_type=DateTime)


class CalendarDay(SQLModel, table=True):
    """One day of the working-day calendar in force (``metrics.workdays`` writes it).

    ``working_index`` counts the working days from a fixed origin up to and including the
    day: the working days after ``a`` up to ``b`` are ``index(b) - index(a)``, and a day off
    carries the index of the working day before it."""

    __tablename__ = "calendar_day"
    # measuring reads a day's deadlines from this index alone, one seek per document
    __table_args__ = (Index("ix_calendar_day_deadlines", "day", "same_day", "next_day"),)

    day: date = Field(primary_key=True)
    working: bool
    working_index: int
    same_day: date  # the first working day on or after the day
    next_day: date  # the working day after same_day


class QuarantineRow(SQLModel, table=True):
    """An input set aside, with why; the same input set aside twice is kept once."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source", "locator", "content_hash", name="uq_quarantine"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str
    locator: str
    reason: str
    excerpt: str = ""
    content_hash: str = ""
    created_at: datetime = Field(sa_type=DateTime)


RECORD_FILE_MEASURED = (
    "organ_id",
    "file_code",
    "year",
    "listed",
    "electronic",
    "metadata_complete",
    "retention_years",
    "construction",
    "final_settlement_on",
    "work_ended_on",
)


class RecordFile(SQLModel, table=True):
    """A work file (hồ sơ) of an agency."""

    __tablename__ = "record_file"
    __table_args__ = (
        UniqueConstraint("organ_id", "file_code", name="uq_record_file_natural"),
        # every column the file and transfer metrics read, found by agency code (and file)
        Index("ix_record_file_measure", *RECORD_FILE_MEASURED),
    )

    id: int | None = Field(default=None, primary_key=True)
    organ_id: str
    file_code: str
    external_id: str
    title: str | None = None
    year: int
    retention_code: str | None = None
    retention_years: int | None = None  # None: permanent
    listed: bool = False
    electronic: bool = False
    opened_at: datetime | None = Field(default=None, sa_type=DateTime)
    closed_at: datetime | None = Field(default=None, sa_type=DateTime)
    work_ended_on: date | None = None
    construction: bool = False
    final_settlement_on: date | None = None
    metadata_complete: bool | None = None
    document_count: int = 0
    updated_at: datetime | None = Field(default=None, sa_type=DateTime)
    source: str
    locator: str
    fetched_at: datetime = Field(sa_type=DateTime)


class FileList(SQLModel, table=True):
    """An agency's annual file list (Danh mục hồ sơ)."""

    __tablename__ = "file_list"
    __table_args__ = (UniqueConstraint("organ_id", "year", name="uq_file_list_natural"),)

    id: int | None = Field(default=None, primary_key=True)
    organ_id: str
    year: int
    external_id: str
    issued_on: date | None = None
    updated_at: datetime | None = Field(default=None, sa_type=DateTime)
    source: str
    locator: str
    fetched_at: datetime = Field(sa_type=DateTime)


class Transfer(SQLModel, table=True):
    """A file handed to the agency archive or to the historical archive."""

    __tablename__ = "transfer"
    __table_args__ = (
        UniqueConstraint("organ_id", "kind", "file_code", name="uq_transfer_natural"),
        # what the transfer metrics read, without the table
        Index("ix_transfer_measure", "organ_id", "kind", "file_code", "status", "transferred_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organ_id: str
    kind: str  # agency_archive or historical_archive
    file_code: str
    external_id: str
    transferred_on: date | None = None
    status: str
    retention_code: str | None = None
    updated_at: datetime | None = Field(default=None, sa_type=DateTime)
    source: str
    locator: str
    fetched_at: datetime = Field(sa_type=DateTime)


class Dossier(SQLModel, table=True):
    """A dossier of an administrative procedure (hồ sơ thủ tục hành chính) on the
    one-stop-shop software, kept under the agency that handles it."""

    __tablename__ = "dossier"
    __table_args__ = (
        UniqueConstraint("organ_id", "dossier_code", name="uq_dossier_natural"),
        # what the one-stop-shop metrics read, found by agency code and day returned
        Index(
            "ix_dossier_measure", "organ_id", "returned_at", "status", "due_at", "electronic_file"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    organ_id: str  # the agency handling it
    dossier_code: str
    external_id: str
    asked_for: str  # the agency the software was asked about
    procedure_code: str | None = None
    procedure_name: str | None = None
    received_at: datetime = Field(sa_type=DateTime)
    due_at: datetime | None = Field(default=None, sa_type=DateTime)
    returned_at: datetime | None = Field(default=None, sa_type=DateTime)
    status: str
    electronic_file: bool | None = None
    online: bool = False
    updated_at: datetime | None = Field(default=None, sa_type=DateTime)
    source: str
    locator: str
    fetched_at: datetime = Field(sa_type=DateTime)


class DigitisedFile(SQLModel, table=True):
    """A file of the agency archive on the archive software's digitisation register."""

    __tablename__ = "digitised_file"
    __table_args__ = (
        UniqueConstraint("organ_id", "file_code", name="uq_digitised_file_natural"),
        Index("ix_digitised_file_measure", "organ_id", "file_code", "digitised_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organ_id: str
    file_code: str
    external_id: str
    title: str | None = None
    digitised_on: date | None = None
    pages: int = 0
    updated_at: datetime | None = Field(default=None, sa_type=DateTime)
    source: str
    locator: str
    fetched_at: datetime = Field(sa_type=DateTime)


class SyncCursor(SQLModel, table=True):
    """How far a source's endpoint has been read for one agency; saved in the same
    transaction as the records it covers."""

    __tablename__ = "sync_cursor"

    source: str = Field(primary_key=True)
    endpoint: str = Field(primary_key=True)
    agency: str = Field(primary_key=True)
    cursor: str | None = None
    updated_at: datetime = Field(sa_type=DateTime)


class Run(SQLModel, table=True):
    """One scoring run: the period measured and when."""

    __tablename__ = "run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    started_at: datetime = Field(sa_type=DateTime)
    finished_at: datetime | None = Field(default=None, sa_type=DateTime)
    period_start: date
    period_end: date
    as_of: date | None = None
    note: str = ""


class MetricValueRow(SQLModel, table=True):
    __tablename__ = "metric_value"
    __table_args__ = (UniqueConstraint("run_id", "agency_code", "metric_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    agency_code: str
    metric_id: str
    numerator: int
    denominator: int


class ScoreRow(SQLModel, table=True):
    """Points of one criterion for one agency in a run."""

    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("run_id", "agency_code", "criterion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    agency_code: str
    section_id: str
    criterion_id: str
    points: str | None = None  # exact decimal as text; None = not measured / not entered
    max_points: str
    origin: str  # "measured" or "manual"
    metric_id: str | None = None


class AgencyResult(SQLModel, table=True):
    """Total, grade with its reasons, and rank inside the group, for one agency in a run."""

    __tablename__ = "agency_result"
    __table_args__ = (UniqueConstraint("run_id", "agency_code"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    agency_code: str
    group_id: str
    criteria: str
    total: str
    max_total: str
    grade_id: str
    grade_name: str
    reasons: str  # JSON list of the grades missed (checker.scoring.grading.GradeMiss)
    rank: int


class Assessment(SQLModel, table=True):
    """The scorecard of one agency for one year on one criteria set (its content hash kept, so
    a workbook made for another version is refused). Closed when its grade becomes final."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("agency_code", "year", "criteria_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_code: str
    year: int
    criteria_id: str
    criteria_hash: str
    created_at: datetime = Field(sa_type=DateTime)
    closed_at: datetime | None = Field(default=None, sa_type=DateTime)
    closed_by: str | None = None
    counted_as_zero: str | None = None  # JSON list of criterion ids, written at closing


class AssessmentEntry(SQLModel, table=True):
    """One entry on a scorecard, never changed once written: a criterion's measured points
    (frozen at pre-fill, with the run and the evidence command), a self, inspection team or
    agreed score, or a note; who entered it, when and from where."""

    __tablename__ = "assessment_entry"
    __table_args__ = (Index("ix_assessment_entry_cell", "assessment_id", "criterion_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id")
    criterion_id: str
    role: str  # measured, self, inspection, agreed, note
    points: str | None = None  # exact decimal as text; None: nothing to measure / a note
    note: str = ""
    entered_by: str
    entered_at: datetime = Field(sa_type=DateTime)
    source: str = ""  # "toml:<file>", "xlsx:<file>", "run <id>", ...
    run_id: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    evidence: str | None = None


class RunSnapshot(SQLModel, table=True):
    """What a scoring run scored with, as it was: the criteria sets (JSON, with their content
    hashes), the registry (names, groups), and how far the store had been written, so a
    later ingest can be told apart from the run's evidence."""

    __tablename__ = "run_snapshot"

    run_id: int = Field(foreign_key="run.id", primary_key=True)
    criteria: str  # JSON: {criteria id: {"hash": ..., "set": the criteria set}}
    registry_json: str  # JSON: {"groups": [...], "agencies": [...]}
    last_message_id: int
    documents: int


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a model, for set-based inserts and aggregate queries."""
    table = model.__dict__["__table__"]
    assert isinstance(table, Table)
    return table


AGENCY = table_of(AgencyRow)
AGENCY_CODE = table_of(AgencyCode)
MESSAGE = table_of(Message)
DOCUMENT = table_of(Document)
DOCUMENT_SOURCE = table_of(DocumentSource)
EVENT = table_of(DocumentEvent)
CALENDAR_DAY = table_of(CalendarDay)
QUARANTINE = table_of(QuarantineRow)
RECORD_FILE = table_of(RecordFile)
FILE_LIST = table_of(FileList)
TRANSFER = table_of(Transfer)
DOSSIER = table_of(Dossier)
DIGITISED_FILE = table_of(DigitisedFile)
SYNC_CURSOR = table_of(SyncCursor)
RUN = table_of(Run)
METRIC_VALUE = table_of(MetricValueRow)
SCORE = table_of(ScoreRow)
AGENCY_RESULT = table_of(AgencyResult)
ASSESSMENT = table_of(Assessment)
ASSESSMENT_ENTRY = table_of(AssessmentEntry)
RUN_SNAPSHOT = table_of(RunSnapshot)

"""``checker sync``: read the document-management and archive software over HTTP into the
store, incrementally.

For each source, each of its endpoints and each agency, the endpoint is read from the saved
cursor minus the source's lookback (``updated_since = cursor - lookback``), page by page.
Each page is written in one transaction: its records upserted on their natural keys, its
unusable records quarantined with the source, endpoint, agency, page, item and reason.

Requests in flight
------------------
A source's walks (one endpoint of one agency) are read by ``max_in_flight`` threads
(``checker.jobs.fanout``), each with one request in flight at a time, so the vendor never
has more than that many from us; the client holds no more connections. A walk's pages are
fetched in order, and mapped into records on its thread. They are written on the calling
thread through one connection, in the order they were read: a transaction holds the pages
that arrived together (one page or several), each with its records and, for a walk's last
page, its cursor. At most a few pages per thread wait in memory. Sources are read one after
the other. With ``max_in_flight = 1`` the requests go one at a time, in the order of the
endpoints and agencies.

Cursors and interruptions
-------------------------
The cursor of an endpoint and agency is the newest ``incremental_field`` (``updated_at``)
of the records read, as ISO text with the +07:00 offset. It is saved in the transaction of
the walk's *last* page, never earlier, and never moves back. Why not per page: vendors do
not all order their lists by the incremental field, and offset pages over a changing list
shift, so "everything up to this time has been read" only holds once the walk is over.

What makes a run killed at any point, then started again, end with exactly the records and
cursors of one clean run (the data at the source unchanged):

- Before the last page commits, no cursor moved: the next run repeats the same requests
  from the old cursor and upserts the same rows over the pages already stored.
- After it, the next run re-reads only the lookback window; the newest time it sees is the
  saved cursor again, and the records it sees are stored already, unchanged.
- A record's locator is stable (endpoint URL, agency and the record's id, no page number),
  so re-reading a record from another page writes the very same row.
- A quarantined item is kept once: its content hash covers the endpoint, the agency and the
  item, and an item already set aside by this source is not added again under a new page.

The cost of this choice: a walk that fails late is read again from its old cursor next time;
pages already stored are rewritten, not lost.

No silent success: what the read noticed without failing (a walk that may have stopped early,
a vendor capping its pages, an endpoint that returned nothing where it returned records
before, a mapped path that matched nothing, a field every record of a page failed on) is in
the source's ``warnings`` (``connectors.watch``). Per-record sub-requests (``details``) are
made by ``connectors.details`` for each page before its records are mapped; an agency that a
path needs and ``agency_ids`` does not name makes the source misconfigured before its first
request.

Failures: a page that would fail the same way when asked again (a 4xx answer, a body that is
not JSON, too large, nested too deeply, a page with more items than the source's
``limits.max_items_per_page``; ``connectors.http.PageError``) fails that endpoint for that
agency: its cursor stays, the reason is kept, and the other agencies and endpoints of the
source are read. A page that still fails after the retry policy (the source is down or too
slow) fails the rest of the source: no new request is sent to it (those in flight finish and
their pages are stored). Either way the status is "failed: ..." with each reason,
on one line, and the cursors are not moved past the pages left unread; 401/403 or a missing
secret make it "misconfigured: ...". The other sources carry on. Database errors stop the run
as a one-line ``StorageError`` (``checker.store.engine.storage_errors``); the pages stored
before stay, and the next run goes on from the cursors saved.

A record whose text cannot be stored the same on every database (a NUL character, which
PostgreSQL refuses, or a lone surrogate, which is not UTF-8) is quarantined. Quarantine
reasons and excerpts are redacted like messages (the source's secrets never reach the
store), and control characters in them are escaped.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, select

from checker.clock import as_aware, to_vietnam, vietnam_now
from checker.config import Deployment
from checker.errors import ConfigError, PageError, RecordError, SourceAuthError, SourceError
from checker.i18n import _
from checker.jobs.fanout import Done, FanOut, Stopped
from checker.store.cursors import forget_cursors, read_cursors, read_places, save_cursor
from checker.store.engine import storage_errors
from checker.store.models import QUARANTINE
from checker.store.records import DossierRecord, Quarantined, Read, SoftwareRecord
from checker.store.upsert import store_records
from connectors.details import Detailed, attach_details
from connectors.http import RetryNotice, build_client, fetch_json, redact
from connectors.mapping import Endpoint, HttpSource
from connectors.pagination import Page, walk_pages
from connectors.templates import fill
from connectors.watch import Watch

_EXCERPT = 300


@dataclass
class SourceReport:
    """What one source's sync did."""

    source: str
    pages: int = 0
    records: int = 0
    newer: int = 0
    """Of ``records``, those stamped after their walk's saved cursor (or with no cursor yet):
    new or changed since the last sync. The others were read again inside the lookback
    window, already stored."""
    quarantined: int = 0
    retries: int = 0
    status: str = "ok"
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class SyncReport:
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every source was read in full: the exit code of ``checker sync``."""
        return all(report.ok for report in self.sources)


@dataclass(frozen=True)
class PageProgress:
    """One page stored, for a progress display."""

    source: str
    endpoint: str
    agency: str
    page: int
    records: int
    quarantined: int
    total: int | None
    last: bool


ClientFactory = Callable[[HttpSource], httpx.Client]
Progress = Callable[[PageProgress], None]


def default_client(source: HttpSource) -> httpx.Client:
    """A client with the source's timeouts and the secret its auth settings name."""
    return build_client(
        source.name, source.auth, source.timeouts, max_connections=source.max_in_flight
    )


@dataclass(frozen=True)
class _Options:
    full: bool
    client_factory: ClientFactory
    sleep: Callable[[float], None]
    progress: Progress | None
    fetched_at: datetime
    known_codes: frozenset[str] = frozenset()
    """Every code of the deployment's registry: a record naming another agency as the one
    it belongs to (a dossier's handling agency) is quarantined."""


@dataclass
class _Run:
    """One source being read: where to, with what, and its report so far."""

    engine: Engine
    source: HttpSource
    client: httpx.Client
    report: SourceReport
    options: _Options
    watch: Watch = field(default_factory=Watch)
    read_before: set[tuple[str, str]] = field(default_factory=set)
    retries_lock: threading.Lock = field(default_factory=threading.Lock)
    gate: threading.BoundedSemaphore = field(init=False)
    """The source's places for requests in flight (``max_in_flight``)."""

    def __post_init__(self) -> None:
        self.gate = threading.BoundedSemaphore(self.source.max_in_flight)


@dataclass(frozen=True)
class _Walk:
    """One endpoint of one agency, read from its saved cursor."""

    endpoint: Endpoint
    agency: str
    saved: datetime | None

    @property
    def where(self) -> str:
        return _("{endpoint}, agency {agency}: ").format(
            endpoint=self.endpoint.name, agency=self.agency
        )


@dataclass(frozen=True)
class _PageRead:
    """A page fetched and mapped, for the writer; ``newest`` is the walk's newest time so
    far, its cursor if the page is the last."""

    walk: _Walk
    page: Page
    items: list[Read | Quarantined]
    newest: datetime | None
    raws: list[Any]
    """The page's raw records with their details, for the watch."""
    failed: list[RecordError]
    doubts: list[str]


def sync(
    engine: Engine,
    deployment: Deployment,
    sources: Sequence[HttpSource],
    *,
    registry_codes: Sequence[str],
    full: bool = False,
    client_factory: ClientFactory = default_client,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress | None = None,
) -> SyncReport:
    """Read each source into the store; ``full`` forgets their cursors first.

    ``sources`` must be sources of ``deployment``; an agency list of "registry" means
    ``registry_codes``.
    """
    known = {s.name for s in deployment.sources}
    if strangers := [s.name for s in sources if s.name not in known]:
        message = _("sources {names} are not in the deployment file")
        raise ConfigError(message.format(names=", ".join(strangers)))
    known_codes = frozenset(c for a in deployment.agencies for c in a.all_codes)
    options = _Options(full, client_factory, sleep, progress, vietnam_now(), known_codes)
    with storage_errors(engine.url):
        return SyncReport([_sync_source(engine, s, registry_codes, options) for s in sources])


def _sync_source(
    engine: Engine, source: HttpSource, registry_codes: Sequence[str], options: _Options
) -> SourceReport:
    report = SourceReport(source.name)
    client: httpx.Client | None = None
    try:
        source.check_agencies(source.agency_codes(registry_codes))
        client = options.client_factory(source)
        with client:
            run = _Run(engine, source, client, report, options)
            with engine.begin() as connection:
                run.read_before = read_places(connection, source.name)
            _read_walks(run, _walks(run, registry_codes))
            # sorted: agencies are read concurrently, so the order noticed is not repeatable
            report.warnings = sorted(_one_line(_clean(w, client)) for w in run.watch.warnings())
    except ConfigError as exc:
        report.status = _one_line(f"misconfigured: {_clean(str(exc), client)}")
    return report


def _walks(run: _Run, registry_codes: Sequence[str]) -> list[_Walk]:
    """Every endpoint of every agency, each from its saved cursor (none with ``full``)."""
    name = run.source.name
    with run.engine.begin() as connection:
        if run.options.full:
            forget_cursors(connection, name)
        saved = read_cursors(connection, name)
    return [
        _Walk(endpoint, agency, _parse_cursor(saved.get((endpoint.name, agency))))
        for endpoint in run.source.all_endpoints()
        for agency in run.source.agency_codes(registry_codes)
    ]


def _read_walks(run: _Run, walks: list[_Walk]) -> None:
    """The walks read by ``max_in_flight`` threads, their pages written here, in one
    connection: a page's records and, with a walk's last page, its cursor in one transaction
    (pages that arrived together share it)."""
    outcome = _Outcome()
    fan: FanOut[_Walk, _PageRead] = FanOut(run.source.max_in_flight)
    fan.run(
        walks,
        partial(_read_walk, run),
        partial(_handle, run, fan, outcome),
    )
    if outcome.misconfigured:
        run.report.status = _one_line(f"misconfigured: {outcome.misconfigured}")
    elif outcome.failures:
        run.report.status = "failed: " + "; ".join(outcome.failures)


@dataclass
class _Outcome:
    """What went wrong in a source's walks, in the order it was seen."""

    failures: list[str] = field(default_factory=list)
    misconfigured: str = ""
    records: dict[tuple[str, str], int] = field(default_factory=dict)
    """Records read so far by each walk still going."""


def _handle(
    run: _Run,
    fan: FanOut[_Walk, _PageRead],
    outcome: _Outcome,
    batch: list[_PageRead | Done[_Walk]],
) -> None:
    """Store the pages read, then judge the walks that ended."""
    pages = [message for message in batch if isinstance(message, _PageRead)]
    if pages:
        _store_pages(run, pages)
        for page in pages:
            _count_page(run, page)
            _watch_page(run, outcome, page)
    for message in batch:
        if isinstance(message, Done) and message.error is not None:
            _judge(run, fan, outcome, message.task, message.error)
        elif isinstance(message, Done):
            walk = message.task
            had_some = (walk.endpoint.name, walk.agency) in run.read_before
            read = outcome.records.pop((walk.endpoint.name, walk.agency), 0)
            run.watch.walk_ended(walk.endpoint, walk.agency, read, had_some=had_some)


def _watch_page(run: _Run, outcome: _Outcome, read: _PageRead) -> None:
    """What the page tells the watch (on the writer's thread: the watch is not shared)."""
    walk = read.walk
    for doubt in read.doubts:
        said = _("{endpoint}, agency {agency}: {remark}")
        run.watch.say(said.format(endpoint=walk.endpoint.name, agency=walk.agency, remark=doubt))
    run.watch.page(walk.endpoint, walk.agency, read.page, read.raws, read.failed)
    key = (walk.endpoint.name, walk.agency)
    outcome.records[key] = outcome.records.get(key, 0) + len(read.page.items)


def _judge(
    run: _Run, fan: FanOut[_Walk, _PageRead], outcome: _Outcome, walk: _Walk, error: BaseException
) -> None:
    """A walk's failure: one endpoint of one agency (``PageError``), the rest of the source
    (the source down, our credentials refused), or the run (anything else, raised)."""
    if isinstance(error, Stopped):
        return
    if not isinstance(error, SourceError | ConfigError):
        raise error
    text = _clean(str(error), run.client)
    if isinstance(error, SourceAuthError | ConfigError):
        outcome.misconfigured = outcome.misconfigured or f"{walk.where}{text}"
        fan.halt()
    elif isinstance(error, PageError):
        outcome.failures.append(_one_line(f"{walk.where}{text}"))
    elif not fan.halted:
        outcome.failures.append(_one_line(f"{walk.where}{text}"))
        fan.halt()


def _one_line(text: str) -> str:
    """A status on one line, whatever a server sent."""
    return " ".join(text.split())


def _clean(text: str, client: httpx.Client | None) -> str:
    """``text`` safe to show and to store: secrets redacted, NUL and other control characters
    escaped, lone surrogates written as escapes."""
    text = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)
    return redact(text.encode("utf-8", "backslashreplace").decode("utf-8"), client)


def _read_walk(run: _Run, walk: _Walk, emit: Callable[[_PageRead], None]) -> None:
    """Fetch and map the pages of one endpoint for one agency (on a worker thread)."""
    source, endpoint = run.source, walk.endpoint
    newest = walk.saved
    params = _params(source, endpoint, walk.agency, walk.saved)
    fetch = _fetcher(run)
    pages = walk_pages(
        fetch,
        source.url_of(endpoint, walk.agency),
        params,
        endpoint.pagination,
        endpoint.records_path,
    )
    for page in pages:
        if len(page.items) > source.limits.max_items_per_page:
            message = _(
                "page {number} holds {count} records, more than {limit} "
                "(limits.max_items_per_page of the source: the vendor may ignore the page "
                "size asked for)"
            )
            raise PageError(
                message.format(
                    number=page.number,
                    count=len(page.items),
                    limit=source.limits.max_items_per_page,
                )
            )
        detailed = _detailed(run, endpoint, walk.agency, page, fetch)
        items, failed = _read_page(run, endpoint, walk.agency, page, detailed)
        newest = _newest(newest, endpoint, items)
        emit(_PageRead(walk, page, items, newest, list(detailed.items), failed, detailed.doubts))


def _detailed(
    run: _Run, endpoint: Endpoint, agency: str, page: Page, fetch: Callable[..., Any]
) -> Detailed:
    """The page's records, with their per-record sub-requests' records attached."""
    if not endpoint.details or not page.items:
        return Detailed(page.items)
    vendor_id = run.source.agency_id(agency)
    return attach_details(fetch, run.source.base_url, endpoint.details, page.items, vendor_id)


def _fetcher(run: _Run) -> Callable[[str, Mapping[str, str]], Any]:
    """A page fetch that holds one of the source's ``max_in_flight`` places while it runs:
    the walks' requests and their records' sub-requests together never pass the bound."""
    fetch = partial(
        fetch_json,
        run.client,
        policy=run.source.retry,
        limits=run.source.limits,
        on_retry=partial(_count_retry, run.report, run.retries_lock),
        sleep=run.options.sleep,
    )

    def gated(url: str, params: Mapping[str, str]) -> Any:
        with run.gate:
            return fetch(url, params)

    return gated


def _store_pages(run: _Run, pages: list[_PageRead]) -> None:
    """One transaction: the pages' records, and the cursor of each walk's last page."""
    name, when = run.source.name, run.options.fetched_at
    with run.engine.begin() as connection:
        for read in pages:
            fresh = _not_yet_quarantined(connection, name, read.items)
            store_records(connection, fresh, source=name, fetched_at=when)
            if read.page.last:
                walk, cursor = read.walk, _format_cursor(read.newest)
                save_cursor(connection, name, walk.endpoint.name, walk.agency, cursor, when)


def _count_retry(report: SourceReport, lock: threading.Lock, notice: RetryNotice) -> None:
    with lock:
        report.retries += 1


def _count_page(run: _Run, read: _PageRead) -> None:
    page, items = read.page, read.items
    quarantined = sum(isinstance(item, Quarantined) for item in items)
    run.report.pages += 1
    run.report.records += len(items) - quarantined
    run.report.newer += _newer(read.walk, items)
    run.report.quarantined += quarantined
    if run.options.progress is not None:
        event = PageProgress(
            source=run.source.name,
            endpoint=read.walk.endpoint.name,
            agency=read.walk.agency,
            page=page.number,
            records=len(items) - quarantined,
            quarantined=quarantined,
            total=page.total,
            last=page.last,
        )
        run.options.progress(event)


def _params(
    source: HttpSource, endpoint: Endpoint, agency: str, cursor: datetime | None
) -> dict[str, str]:
    vendor_id = source.agency_id(agency)
    params = {
        k: fill(v, lambda _: vendor_id, in_path=False) for k, v in endpoint.extra_params.items()
    }
    if source.sends_agency_param(endpoint):
        params = {source.agency_param: agency, **params}
    if cursor is not None and endpoint.incremental_param:
        since = cursor - source.lookback
        text = (
            since.strftime(endpoint.incremental_format)
            if endpoint.incremental_format
            else as_aware(since).isoformat()
        )
        params[endpoint.incremental_param] = text
    return params


def _read_page(
    run: _Run, endpoint: Endpoint, agency: str, page: Page, detailed: Detailed
) -> tuple[list[Read | Quarantined], list[RecordError]]:
    """The page's items as records, or set aside with the reason; and the errors of those
    set aside."""
    mapper = endpoint.mapper
    url = f"{run.source.url_of(endpoint)}?{run.source.agency_param}={agency}#"
    items: list[Read | Quarantined] = []
    failed: list[RecordError] = []
    for index, raw in enumerate(detailed.items):
        try:
            if (failure := detailed.failures.get(index)) is not None:
                raise failure
            record = mapper(raw, agency)
            if problem := _unstorable_text(record.model_dump()):
                raise RecordError(problem, json.dumps(raw, default=str)[:_EXCERPT])
            if problem := _unknown_agency(record, endpoint, run.options.known_codes):
                raise RecordError(problem, json.dumps(raw, default=str)[:_EXCERPT])
        except RecordError as exc:
            failed.append(exc)
            items.append(_quarantined(run, endpoint, agency, page, index, raw, exc))
        else:
            items.append(Read(url + record.external_id, record))
    return items, failed


def _unknown_agency(
    record: SoftwareRecord, endpoint: Endpoint, known: frozenset[str]
) -> str | None:
    """Why a record is not of an agency of the registry: a dossier handled by a code that
    no agency carries (named by their field, ``agency_code`` in the reference API)."""
    code = record.handled_by if isinstance(record, DossierRecord) else None
    if code is not None and known and code not in known:
        theirs = endpoint.fields.get("handled_by", "handled_by")
        message = _("{field} {code}: unknown agency, not in the registry")
        return message.format(field=theirs, code=repr(code))
    return None


def _quarantined(
    run: _Run, endpoint: Endpoint, agency: str, page: Page, index: int, raw: Any, exc: RecordError
) -> Quarantined:
    return Quarantined(
        source=run.source.name,
        locator=f"{endpoint.name} agency {agency} page {page.number} item {index + 1}",
        reason=_clean(exc.reason, run.client),
        excerpt=_clean(exc.excerpt or _excerpt(raw), run.client),
        content_hash=_hash(endpoint, agency, raw),
    )


def _excerpt(raw: Any) -> str:
    return json.dumps(raw, ensure_ascii=False, default=str)[:_EXCERPT]


def _unstorable_text(value: Any, field: str = "") -> str | None:
    """Why a record's text cannot be stored alike on every database, if it cannot."""
    if isinstance(value, str):
        if "\x00" in value:
            return _("{field} holds a NUL character").format(field=field or _("a field"))
        if any("\ud800" <= c <= "\udfff" for c in value):
            message = _("{field} holds a lone surrogate (text that is not Unicode)")
            return message.format(field=field or _("a field"))
    if isinstance(value, dict):
        return next(filter(None, (_unstorable_text(v, str(k)) for k, v in value.items())), None)
    if isinstance(value, list | tuple):
        return next(filter(None, (_unstorable_text(v, field) for v in value)), None)
    return None


def _hash(endpoint: Endpoint, agency: str, raw: Any) -> str:
    content = json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
    text = f"{endpoint.name}\n{agency}\n{content}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _not_yet_quarantined(
    connection: Connection, source: str, items: list[Read | Quarantined]
) -> list[Read | Quarantined]:
    """The page's items, less those this source has set aside before (or twice here)."""
    hashes = [item.content_hash for item in items if isinstance(item, Quarantined)]
    if not hashes:
        return items
    query = select(QUARANTINE.c.content_hash).where(
        QUARANTINE.c.source == source, QUARANTINE.c.content_hash.in_(hashes)
    )
    seen = set(connection.scalars(query))
    fresh: list[Read | Quarantined] = []
    for item in items:
        if isinstance(item, Quarantined):
            if item.content_hash in seen:
                continue
            seen.add(item.content_hash)
        fresh.append(item)
    return fresh


def _newest(
    newest: datetime | None, endpoint: Endpoint, items: list[Read | Quarantined]
) -> datetime | None:
    for item in items:
        if isinstance(item, Read):
            record: SoftwareRecord = item.record  # type: ignore[assignment]
            value = _as_datetime(getattr(record, endpoint.incremental_field))
            if value is not None and (newest is None or value > newest):
                newest = value
    return newest


def _newer(walk: _Walk, items: list[Read | Quarantined]) -> int:
    """The records read that are stamped after the walk's saved cursor (all of them on a
    first read; a record with no stamp counts as newer)."""
    if walk.saved is None:
        return sum(isinstance(item, Read) for item in items)
    field_name = walk.endpoint.incremental_field
    stamps = (
        _as_datetime(getattr(item.record, field_name)) for item in items if isinstance(item, Read)
    )
    return sum(stamp is None or stamp > walk.saved for stamp in stamps)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return None


def _format_cursor(newest: datetime | None) -> str | None:
    return as_aware(newest).isoformat() if newest is not None else None


def _parse_cursor(text: str | None) -> datetime | None:
    """A saved cursor as naive Vietnam time; an unreadable one means reading everything."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return to_vietnam(parsed)


def http_sources(deployment: Deployment, name: str | None = None) -> list[HttpSource]:
    """The deployment's HTTP sources, or the one named ``name``."""
    sources = [s for s in deployment.sources if isinstance(s, HttpSource)]
    if not sources:
        message = _(
            "the deployment lists no http source: nothing to sync; add a [[sources]] section "
            'with kind = "http" for each log API to read'
        )
        raise ConfigError(message)
    if name is not None:
        sources = [s for s in sources if s.name == name]
        if not sources:
            known = ", ".join(s.name for s in deployment.sources if isinstance(s, HttpSource))
            message = _("no http source named {name} (http sources: {known})")
            raise ConfigError(message.format(name=repr(name), known=known or _("none")))
    return sources

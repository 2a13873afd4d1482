from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select

import checker.jobs.sync
from checker.config import Deployment
from checker.demo.simulated_data import demo_agency_codes, generate_dataset
from checker.demo.simulator import FaultPlan, Simulator
from checker.errors import StorageError
from checker.jobs.sync import PageProgress, SyncReport, sync
from checker.store.cursors import read_cursor
from checker.store.engine import create_store_engine, open_store
from checker.store.models import (
    DOCUMENT,
    DOCUMENT_SOURCE,
    FILE_LIST,
    QUARANTINE,
    RECORD_FILE,
    SYNC_CURSOR,
    TRANSFER,
)
from connectors.http import BearerAuth, Limits, RetryPolicy, build_client
from connectors.mapping import HttpSource, reference_endpoints
from connectors.pagination import OffsetPagination

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

TOKEN = "tok-9f8e7d6c5b4a3210"
A, B = "000.00.01.H99", "000.00.02.H99"
BASE = "http://dms.test/api/v1"
TABLES = (DOCUMENT, DOCUMENT_SOURCE, RECORD_FILE, FILE_LIST, TRANSFER, QUARANTINE, SYNC_CURSOR)


class Killed(BaseException):
    """The process dies here (like SIGKILL or Ctrl-C): nothing may catch it."""


def at(day: int, hour: int = 8, minute: int = 0) -> str:
    return f"2025-03-{day:02d}T{hour:02d}:{minute:02d}:00+07:00"


def incoming(ident: str, day: int, hour: int = 8, **changes: object) -> dict[str, object]:
    return {
        "id": ident,
        "document_id": None,
        "number": ident,
        "notation": "UBND-VP",
        "type_name": "Công văn",
        "subject": f"Văn bản {ident}",
        "sender_code": "000.00.00.H41",
        "sender_name": "UBND tỉnh",
        "issued_date": f"2025-03-{day:02d}",
        "arrival_number": None,
        "arrived_at": at(day, hour),
        "registered_at": None,
        "submitted_at": None,
        "assigned_at": None,
        "channel": "axis",
        "urgency": 0,
        "due_date": None,
        "file_code": None,
        "digitally_signed": True,
        "recalled": False,
        "updated_at": at(day, hour),
        **changes,
    }


def file(ident: str, day: int) -> dict[str, object]:
    return {
        "id": ident,
        "file_code": f"{A}.2025.{ident}",
        "title": f"Hồ sơ {ident}",
        "year": 2025,
        "retention": "04",
        "listed": True,
        "electronic": True,
        "opened_at": at(day),
        "closed_at": None,
        "work_ended_on": None,
        "construction": False,
        "final_settlement_on": None,
        "metadata_complete": True,
        "document_count": 3,
        "updated_at": at(day),
    }


def seed() -> dict[str, list[tuple[str, dict[str, object]]]]:
    return {
        "incoming-documents": [
            (A, incoming("a1", 1)),
            (A, incoming("a2", 2)),
            (A, incoming("a3", 3)),
            (A, incoming("a4", 4)),
            (A, incoming("a5", 5, 9)),
            (A, incoming("bad", 5, 9, arrived_at="not a date", updated_at=at(5, 9, 30))),
            (B, incoming("b1", 2, 10)),
        ],
        "files": [(A, file("01", 1)), (A, file("02", 2)), (A, file("03", 3))],
    }


class FakeApi:
    """checker's reference API over an in-memory dataset, with faults to inject."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.rows = seed()
        self.faults: dict[tuple[str, str, int], list[httpx.Response]] = {}
        self.calls = 0
        self.kill_at: int | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.kill_at is not None and self.calls > self.kill_at:
            raise Killed(f"killed at request {self.calls}")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json={"detail": "invalid token"})
        path, query = request.url.path.rsplit("/", 1)[-1], request.url.params
        offset, limit = int(query["offset"]), int(query["limit"])
        if faults := self.faults.get((path, query["agency"], offset)):
            return faults.pop(0)
        rows = self.select(path, query["agency"], query.get("updated_since"))
        items = rows[offset : offset + limit]
        body = {"items": items, "total": len(rows), "offset": offset, "limit": limit}
        return httpx.Response(200, content=json.dumps(body).encode("ascii"))  # \ud800 escaped

    def select(self, path: str, agency: str, since: str | None) -> list[dict[str, object]]:
        def fresh(row: dict[str, object]) -> bool:
            updated = datetime.fromisoformat(str(row["updated_at"]))
            return since is None or updated >= datetime.fromisoformat(since)

        rows = [r for a, r in self.rows[path] if a == agency and fresh(r)]
        return sorted(rows, key=lambda r: (str(r["updated_at"]), str(r["id"])))


@pytest.fixture
def api(httpx_mock):
    fake = FakeApi()
    httpx_mock.add_callback(fake, url=re.compile(re.escape(BASE) + r"/.*"), is_reusable=True)
    return fake


def source(name: str = "dms", token_env: str = "DMS_TOKEN", max_in_flight: int = 8) -> HttpSource:
    paging = OffsetPagination(style="offset", limit=2, total_path="total")
    endpoints = tuple(
        e.model_copy(update={"pagination": paging})
        for e in reference_endpoints("documents")
        if e.name in ("incoming-documents", "files")
    )
    return HttpSource(
        name=name,
        kind="http",
        system="documents",
        base_url=BASE,
        auth=BearerAuth(type="bearer", token_env=token_env),
        lookback_minutes=60,
        endpoints=endpoints,
        retry=RetryPolicy(max_attempts=3),
        max_in_flight=max_in_flight,
    )


ENV = {"DMS_TOKEN": TOKEN, "OTHER_TOKEN": "wrong-token-0000"}


def run(
    engine,
    *sources: HttpSource,
    full: bool = False,
    progress: Callable[[PageProgress], None] | None = None,
    sleeps: list[float] | None = None,
) -> SyncReport:
    sources = sources or (source(),)
    return sync(
        engine,
        Deployment(sources=sources),
        sources,
        registry_codes=[A, B],
        full=full,
        client_factory=lambda s: build_client(s.name, s.auth, s.timeouts, environ=ENV),
        sleep=(sleeps if sleeps is not None else []).append,
        progress=progress,
    )


def snapshot(engine) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row but its row id and the times of the run that wrote it."""
    tables = {}
    with engine.connect() as connection:
        for table in TABLES:
            volatile = {"id", "fetched_at", "created_at"} | (
                {"updated_at"} if table is SYNC_CURSOR else set()
            )
            columns = [c for c in table.c if c.name not in volatile]
            rows = connection.execute(select(*columns)).all()
            tables[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return tables


def wipe(engine) -> None:
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(table.delete())


def cursor(engine, endpoint: str, agency: str) -> str | None:
    with engine.connect() as connection:
        return read_cursor(connection, "dms", endpoint, agency)


def sent(httpx_mock, since: int = 0) -> list[dict[str, str]]:
    """The query parameters of the requests sent, from the request number ``since``."""
    return [dict(r.url.params) for r in httpx_mock.get_requests()[since:]]


# --- A clean run, then incremental runs -------------------------------------------------------


def test_a_first_run_reads_every_page_of_every_agency_and_saves_the_newest_time(
    engine, api, httpx_mock
):
    pages: list[PageProgress] = []
    report = run(engine, source(max_in_flight=1), progress=pages.append)
    assert report.ok
    (outcome,) = report.sources
    assert (outcome.pages, outcome.records, outcome.quarantined, outcome.retries) == (7, 9, 1, 0)
    assert sent(httpx_mock) == [
        {"agency": A, "offset": "0", "limit": "2"},
        {"agency": A, "offset": "2", "limit": "2"},
        {"agency": A, "offset": "4", "limit": "2"},
        {"agency": B, "offset": "0", "limit": "2"},
        {"agency": A, "offset": "0", "limit": "2"},
        {"agency": A, "offset": "2", "limit": "2"},
        {"agency": B, "offset": "0", "limit": "2"},
    ]
    assert {r.headers["Authorization"] for r in httpx_mock.get_requests()} == {f"Bearer {TOKEN}"}
    assert [(p.endpoint, p.agency, p.page, p.last) for p in pages][:4] == [
        ("incoming-documents", A, 1, False),
        ("incoming-documents", A, 2, False),
        ("incoming-documents", A, 3, True),
        ("incoming-documents", B, 1, True),
    ]
    assert cursor(engine, "incoming-documents", A) == at(5, 9)  # the invalid one is not counted
    assert cursor(engine, "incoming-documents", B) == at(2, 10)
    assert cursor(engine, "files", A) == at(3)
    assert cursor(engine, "files", B) is None


def test_records_keep_a_locator_naming_the_endpoint_agency_and_id(engine, api):
    run(engine)
    with engine.connect() as connection:
        row = connection.execute(
            select(
                DOCUMENT.c.source, DOCUMENT.c.locator, DOCUMENT.c.doc_key, DOCUMENT.c.arrived_at
            ).where(DOCUMENT.c.external_id == "a3")
        ).one()
    assert tuple(row) == (
        "dms",
        f"{BASE}/incoming-documents?agency={A}#a3",
        "dms:a3",
        datetime(2025, 3, 3, 8),
    )


def test_an_invalid_record_is_quarantined_and_the_rest_of_its_page_stored(engine, api):
    run(engine)
    with engine.connect() as connection:
        quarantined = connection.execute(
            select(QUARANTINE.c.source, QUARANTINE.c.locator, QUARANTINE.c.reason)
        ).all()
        page_three = connection.scalars(
            select(DOCUMENT.c.external_id).where(DOCUMENT.c.external_id == "a5")
        ).all()
    assert [tuple(q) for q in quarantined] == [
        (
            "dms",
            f"incoming-documents agency {A} page 3 item 2",
            "arrived_at: 'not a date' does not match ISO 8601",
        )
    ]
    assert page_three == ["a5"]


def test_a_second_run_reads_from_the_cursor_less_the_lookback_and_stores_nothing_twice(
    engine, api, httpx_mock
):
    run(engine)
    first, before = snapshot(engine), len(httpx_mock.get_requests())
    report = run(engine)
    assert report.ok
    assert sent(httpx_mock, before) == [
        {"agency": A, "updated_since": "2025-03-05T08:00:00+07:00", "offset": "0", "limit": "2"},
        {"agency": B, "updated_since": "2025-03-02T09:00:00+07:00", "offset": "0", "limit": "2"},
        {"agency": A, "updated_since": "2025-03-03T07:00:00+07:00", "offset": "0", "limit": "2"},
        {"agency": B, "offset": "0", "limit": "2"},
    ]
    # the invalid record came back at page 1 item 2 this time, and is still kept once
    assert snapshot(engine) == first


def test_a_record_changed_at_the_source_is_updated_and_the_cursor_moves_on(engine, api):
    run(engine)
    api.rows["incoming-documents"].append(
        (A, incoming("a4", 4, registered_at=at(6, 11), updated_at=at(6, 11)))
    )
    api.rows["incoming-documents"].append((A, incoming("a6", 6, 12)))
    run(engine)
    assert cursor(engine, "incoming-documents", A) == at(6, 12)
    with engine.connect() as connection:
        registered = connection.scalar(
            select(DOCUMENT.c.registered_at).where(DOCUMENT.c.external_id == "a4")
        )
        count = len(connection.execute(select(DOCUMENT.c.id)).all())
    assert (registered, count) == (datetime(2025, 3, 6, 11), 7)


def test_full_forgets_the_cursors_and_reads_everything_again(engine, api, httpx_mock):
    run(engine)
    first, before = snapshot(engine), len(httpx_mock.get_requests())
    report = run(engine, full=True)
    assert report.sources[0].pages == 7
    assert all("updated_since" not in params for params in sent(httpx_mock, before))
    assert snapshot(engine) == first


# --- Faults -----------------------------------------------------------------------------------


def test_429_is_waited_out_as_retry_after_asks(engine, api):
    api.faults[("incoming-documents", A, 2)] = [httpx.Response(429, headers={"Retry-After": "3"})]
    sleeps: list[float] = []
    report = run(engine, sleeps=sleeps)
    assert (report.ok, report.sources[0].retries, sleeps) == (True, 1, [3.0])


@pytest.mark.parametrize(
    "fault",
    [
        httpx.Response(500),
        httpx.Response(200, content=b'{"items": [{"id": "a3"'),
        httpx.Response(200, content=b'{"items": []', headers={"Content-Length": "400"}),
    ],
    ids=["5xx", "invalid-json", "truncated"],
)
def test_a_page_that_fails_once_is_tried_again(engine, api, fault):
    api.faults[("incoming-documents", A, 2)] = [fault]
    report = run(engine)
    assert (report.ok, report.sources[0].retries, report.sources[0].records) == (True, 1, 9)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (httpx.Response(503), "HTTP 503 Service Unavailable"),
        (httpx.Response(200, content=b'{"items": [{"id'), "body is not valid JSON, it stops early"),
        (
            httpx.Response(200, content=b'{"items": [', headers={"Content-Length": "99"}),
            "body cut short (11 of 99 bytes)",
        ),
    ],
    ids=["5xx", "invalid-json", "truncated"],
)
def test_a_page_failing_past_the_retries_fails_the_source_without_moving_its_cursor(
    engine, api, fault, reason
):
    run(engine)
    api.rows["incoming-documents"] += [(A, incoming(f"n{i}", 7, 8 + i)) for i in range(3)]
    api.faults[("incoming-documents", A, 2)] = [fault] * 3
    report = run(engine)
    (outcome,) = report.sources
    assert not report.ok
    assert outcome.status.startswith(
        f"failed: incoming-documents, agency {A}: GET {BASE}/incoming-documents?agency={A}"
        "&updated_since=2025-03-05T08%3A00%3A00%2B07%3A00&offset=2&limit=2: "
        "gave up after 3 attempts in "
    )
    assert outcome.status.endswith(reason) or reason in outcome.status
    assert outcome.retries == 2
    assert cursor(engine, "incoming-documents", A) == at(5, 9)


def test_refused_credentials_make_a_source_misconfigured_while_another_carries_on(
    engine, api, httpx_mock
):
    bad, good = source("archive-bad", "OTHER_TOKEN"), source()
    report = run(engine, bad, good)
    assert [s.status.split(":")[0] for s in report.sources] == ["misconfigured", "ok"]
    assert "HTTP 401 Unauthorized: the source refused our credentials" in report.sources[0].status
    assert not report.ok
    assert report.sources[1].records == 9
    assert all(ENV["OTHER_TOKEN"] not in s.status for s in report.sources)


def test_a_missing_secret_variable_makes_the_source_misconfigured(engine, api, httpx_mock):
    report = run(engine, source("dms", "NOWHERE_TOKEN"), source("other"))
    assert report.sources[0].status == (
        "misconfigured: source dms: environment variable NOWHERE_TOKEN (its bearer token) "
        "is not set"
    )
    assert report.sources[1].ok


def test_the_token_never_appears_in_a_report_or_an_error(engine, api):
    api.faults[("incoming-documents", A, 0)] = [
        httpx.Response(400, text=f"bad parameter (token was {TOKEN})")
    ]
    report = run(engine)
    assert "bad parameter (token was [redacted])" in report.sources[0].status
    assert TOKEN not in repr(report)


def test_a_foreign_html_error_page_is_one_short_line_in_the_status(engine, api):
    page = "<html>\n<head><title>502</title></head>\n<body>\n" + "<p>Bad gateway</p>\n" * 30
    api.faults[("incoming-documents", A, 0)] = [httpx.Response(404, text=page)]
    (outcome,) = run(engine).sources
    assert outcome.status == (
        f"failed: incoming-documents, agency {A}: GET {BASE}/incoming-documents?agency={A}"
        "&offset=0&limit=2: HTTP 404 Not Found: Bad gateway Bad gateway Bad gateway Bad gateway "
        "Bad gateway Bad gateway Bad gateway Bad gateway Bad gateway Bad gateway…"
    )


def test_a_locked_store_stops_the_sync_with_a_one_line_storage_error(tmp_path, api, english):
    path = str(tmp_path / "checker.db")
    engine = open_store(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    quick = create_store_engine(f"sqlite:///{path}?timeout=0.1")
    try:
        with pytest.raises(StorageError) as info:
            run(quick)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        quick.dispose()
    assert str(info.value) == (
        f"database {path} is locked by another process; try again when it finishes"
    )
    assert snapshot(engine) == {table.name: [] for table in TABLES}
    engine.dispose()


# --- Bad pages and records: one agency's endpoint fails, the rest carries on -------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "body is JSON nested too deeply to read"),
        (b'{"items": [], "total": ' + b"9" * 5000 + b"}", "body holds a number too long"),
        (b'{"items": ["\xff"]}', "body is not UTF-8 text (byte 12)"),
        (b"<html>gateway</html>", "body is not valid JSON (Expecting value"),
    ],
    ids=["nested-100000", "int-5000-digits", "not-utf8", "html"],
)
def test_a_bad_page_fails_that_agencys_endpoint_only_and_is_not_retried(engine, api, body, reason):
    api.faults[("incoming-documents", A, 0)] = [httpx.Response(200, content=body)]
    report = run(engine, source(), source("other"))
    first, other = report.sources
    assert first.status.startswith(f"failed: incoming-documents, agency {A}: GET ")
    assert reason in first.status and "\n" not in first.status
    assert (first.retries, first.records) == (0, 4)  # B's documents and A's files are read
    assert other.ok and other.records == 9
    assert cursor(engine, "incoming-documents", A) is None
    assert cursor(engine, "incoming-documents", B) == at(2, 10)


def test_a_4xx_for_one_agency_does_not_stop_the_rest_of_the_source(engine, api):
    api.faults[("incoming-documents", A, 0)] = [httpx.Response(404, text="unknown agency")]
    (outcome,) = run(engine).sources
    assert outcome.status.endswith("HTTP 404 Not Found: unknown agency")
    assert outcome.records == 4
    assert cursor(engine, "files", A) == at(3)


def test_a_page_with_more_items_than_the_limit_fails_that_endpoint(engine, api):
    big = source().model_copy(update={"limits": Limits(max_items_per_page=1)})
    (outcome,) = run(engine, big).sources
    assert "page 1 holds 2 records, more than 1 (limits.max_items_per_page" in outcome.status
    assert outcome.records == 1  # B's one document


@pytest.mark.parametrize(
    ("text", "reason"),
    [("Văn bản\x00 NUL", "subject holds a NUL character"), ("x\ud800y", "lone surrogate")],
    ids=["nul", "lone-surrogate"],
)
def test_a_record_with_text_no_database_stores_alike_is_quarantined(engine, api, text, reason):
    api.rows["incoming-documents"].append((A, incoming("odd", 6, subject=text)))
    (outcome,) = run(engine).sources
    assert (outcome.ok, outcome.records, outcome.quarantined) == (True, 9, 2)
    with engine.connect() as connection:
        reasons = connection.scalars(select(QUARANTINE.c.reason)).all()
        excerpts = connection.scalars(select(QUARANTINE.c.excerpt)).all()
    assert any(reason in r for r in reasons)
    assert all("\x00" not in e for e in excerpts)


def test_a_token_echoed_into_a_record_is_redacted_in_the_quarantine(engine, api):
    api.rows["incoming-documents"].append(
        (A, incoming("echo", 6, arrived_at=f"token {TOKEN}", subject=f"Bearer {TOKEN}"))
    )
    run(engine)
    with engine.connect() as connection:
        rows = connection.execute(select(QUARANTINE.c.reason, QUARANTINE.c.excerpt)).all()
    assert len(rows) == 2
    assert all(TOKEN not in reason and TOKEN not in excerpt for reason, excerpt in rows)
    assert any("[redacted]" in excerpt for _, excerpt in rows)


# --- Interruptions ----------------------------------------------------------------------------


class Hooks:
    """Kill points: before a request is answered, inside a page's transaction after its
    records were written, and after a page was committed."""

    def __init__(self, api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
        self.api, self.kill, self.store_calls, self.pages = api, {}, 0, 0
        real = checker.jobs.sync.store_records

        def store(*args, **kwargs):
            counts = real(*args, **kwargs)
            self.store_calls += 1
            if self.store_calls > self.kill.get("store", 10**6):
                raise Killed("killed inside a page")
            return counts

        monkeypatch.setattr(checker.jobs.sync, "store_records", store)

    def progress(self, page: PageProgress) -> None:
        self.pages += 1
        if self.pages > self.kill.get("progress", 10**6):
            raise Killed("killed between pages")

    def count_from_zero(self) -> None:
        self.api.calls, self.store_calls, self.pages = 0, 0, 0

    def arm(self, where: str, after: int) -> None:
        self.count_from_zero()
        self.kill = {where: after}
        self.api.kill_at = after if where == "request" else None

    def disarm(self) -> None:
        self.kill, self.api.kill_at = {}, None


def _change_the_source(api: FakeApi) -> None:
    api.rows["incoming-documents"] += [
        (A, incoming("a3", 3, registered_at=at(7, 9), updated_at=at(7, 9))),
        (A, incoming("a7", 7, 10)),
        (B, incoming("b2", 7, 11, urgency=9)),
    ]
    api.rows["files"].append((B, file("01", 7)))


@pytest.mark.parametrize("in_flight", [1, 4], ids=["one-at-a-time", "4-in-flight"])
@pytest.mark.parametrize("where", ["request", "store", "progress"])
@pytest.mark.parametrize("earlier_run", [False, True], ids=["first-run", "incremental"])
def test_a_run_killed_anywhere_then_run_again_ends_as_one_clean_run(
    engine, api, monkeypatch, where, earlier_run, in_flight
):
    hooks = Hooks(api, monkeypatch)
    dms = source(max_in_flight=in_flight)

    def start() -> None:
        wipe(engine)
        api.rows = seed()
        if earlier_run:
            run(engine, dms, progress=hooks.progress)
            _change_the_source(api)

    start()
    hooks.count_from_zero()
    run(engine, dms, progress=hooks.progress)
    clean = snapshot(engine)
    points = {"request": api.calls, "store": hooks.store_calls, "progress": hooks.pages}[where]
    assert points >= 4
    for after in range(points):
        start()
        hooks.arm(where, after)
        with pytest.raises(Killed):
            run(engine, dms, progress=hooks.progress)
        hooks.disarm()
        assert run(engine, dms, progress=hooks.progress).ok
        assert snapshot(engine) == clean, f"killed at {where} {after + 1}"


# --- Against the simulator, over real HTTP ------------------------------------------------------


def _simulated_sources(base_url: str, max_in_flight: int = 8) -> tuple[HttpSource, ...]:
    paging = OffsetPagination(style="offset", limit=25, total_path="total")
    return tuple(
        HttpSource(
            name=system,
            kind="http",
            system=system,
            base_url=f"{base_url}/{'api' if system == 'documents' else 'archive'}/v1",
            auth=BearerAuth(type="bearer", token_env="SIM_TOKEN"),
            # the simulator numbers faults over all requests, so with several in flight one
            # request's attempts land on fault numbers at random: 0.39 of them are, and twelve
            # in a row happen once in 80,000 requests
            retry=RetryPolicy(max_attempts=12),
            max_in_flight=max_in_flight,
            endpoints=tuple(
                e.model_copy(update={"pagination": paging}) for e in reference_endpoints(system)
            ),
        )
        for system in ("documents", "archive")
    )


def _sync_simulator(
    engine,
    sim: Simulator,
    codes: tuple[str, ...],
    max_in_flight: int = 8,
    progress: Callable[[PageProgress], None] | None = None,
) -> SyncReport:
    sources = _simulated_sources(sim.base_url, max_in_flight)
    return sync(
        engine,
        Deployment(sources=sources),
        sources,
        registry_codes=codes,
        client_factory=lambda s: build_client(
            s.name,
            s.auth,
            s.timeouts,
            environ={"SIM_TOKEN": "sim-token"},
            max_connections=s.max_in_flight,
        ),
        sleep=lambda seconds: None,
        progress=progress,
    )


def test_a_second_sync_tells_the_records_read_again_from_those_newer_than_the_last(engine):
    codes = demo_agency_codes()[:2]
    with Simulator(generate_dataset(agencies=codes), token="sim-token") as sim:
        first = _sync_simulator(engine, sim, codes)
        stored = snapshot(engine)
        again = _sync_simulator(engine, sim, codes)
    assert all(s.newer == s.records > 0 for s in first.sources)  # nothing known before
    for source in again.sources:  # the lookback window, read again: nothing newer
        assert source.records > 0 and source.newer == 0, source
    assert snapshot(engine) == stored


def test_a_sync_through_the_simulators_faults_stores_what_a_faultless_one_does(engine):
    codes = demo_agency_codes()[:2]
    faults = FaultPlan(rate_limit_every=5, retry_after="1", error_every=7, truncate_every=9)
    with Simulator(generate_dataset(agencies=codes), token="sim-token", faults=faults) as sim:
        report = _sync_simulator(engine, sim, codes)
        assert report.ok, report
        assert sum(s.retries for s in report.sources) > 0
        with_faults = snapshot(engine)
        wipe(engine)
        sim.faults = FaultPlan()
        assert _sync_simulator(engine, sim, codes).ok
    assert snapshot(engine) == with_faults
    assert len(with_faults["document"]) > 100


# --- Requests in flight -----------------------------------------------------------------------


def test_a_source_never_has_more_requests_in_flight_than_its_setting(engine):
    codes = demo_agency_codes()[:4]
    with Simulator(generate_dataset(agencies=codes), token="sim-token", latency=0.01) as sim:
        assert _sync_simulator(engine, sim, codes, max_in_flight=3).ok
        assert sim.max_in_flight == 3  # reached, never passed
        sim.reset_counts()
        wipe(engine)
        assert _sync_simulator(engine, sim, codes, max_in_flight=1).ok
        assert sim.max_in_flight == 1


def test_a_concurrent_sync_stores_what_one_at_a_time_does(engine):
    codes = demo_agency_codes()
    faults = FaultPlan(invalid_record_every=40, rate_limit_every=11, retry_after="0")
    data = generate_dataset(agencies=codes)
    with Simulator(data, token="sim-token", faults=faults, latency=0.002) as sim:
        pages: dict[int, list[PageProgress]] = {1: [], 6: []}
        assert _sync_simulator(engine, sim, codes, 1, pages[1].append).ok
        one_at_a_time = snapshot(engine)
        wipe(engine)
        assert _sync_simulator(engine, sim, codes, 6, pages[6].append).ok
        assert sim.max_in_flight > 1
    assert snapshot(engine) == one_at_a_time
    assert len(one_at_a_time["quarantine"]) > 10
    endpoints = {row[1] for row in one_at_a_time["sync_cursor"]}
    assert len(endpoints) >= 6
    assert len(one_at_a_time["sync_cursor"]) == len(codes) * len(endpoints)  # one per walk
    assert sorted(pages[6], key=repr) == sorted(pages[1], key=repr)  # in any order


def test_with_many_agencies_in_flight_a_bad_page_fails_only_its_agency(engine, api, httpx_mock):
    many = [f"000.00.{n:02d}.H99" for n in range(3, 23)]
    api.rows["files"] += [(code, file("01", 2)) for code in many]
    for code in many[::5]:
        api.faults[("files", code, 0)] = [httpx.Response(400, text="bad agency")]
    dms = source(max_in_flight=4)
    report = sync(
        engine,
        Deployment(sources=(dms,)),
        (dms,),
        registry_codes=[A, B, *many],
        client_factory=lambda s: build_client(s.name, s.auth, s.timeouts, environ=ENV),
        sleep=lambda seconds: None,
    )
    (outcome,) = report.sources
    failed = [part.split(":")[0] for part in outcome.status.removeprefix("failed: ").split("; ")]
    assert sorted(failed) == sorted(f"files, agency {code}" for code in many[::5])
    assert outcome.records == 9 + len(many) - len(many[::5])
    for code in many:
        expected = None if code in many[::5] else at(2)
        assert cursor(engine, "files", code) == expected

"""The simulated document-management and archive software, over real HTTP on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime

import httpx
import pytest

from checker.demo.simulated_data import SimulatedData, demo_agency_codes, generate_dataset
from checker.demo.simulator import FaultPlan, Simulator, serve
from checker.errors import ConfigError

AGENCY = "000.00.01.H99"
AUTH = {"Authorization": "Bearer demo-token"}
PATHS = {
    "incoming-documents": "/api/v1/incoming-documents",
    "outgoing-documents": "/api/v1/outgoing-documents",
    "files": "/api/v1/files",
    "file-lists": "/api/v1/file-lists",
    "transfers": "/archive/v1/transfers",
    "dossiers": "/onestop/v1/dossiers",
    "digitised-files": "/archive/v1/digitised-files",
}
# The item fields of docs/openapi.yaml (the reference API), per endpoint.
FIELDS = {
    "incoming-documents": {
        "id", "document_id", "number", "notation", "type_name", "subject", "sender_code",
        "sender_name", "issued_date", "arrival_number", "arrived_at", "registered_at",
        "submitted_at", "assigned_at", "channel", "urgency", "due_date", "file_code",
        "digitally_signed", "recalled", "updated_at",
    },
    "outgoing-documents": {
        "id", "document_id", "number", "notation", "type_name", "subject", "recipients",
        "signer_name", "issued_date", "registered_at", "signed_at", "issued_at", "channel",
        "urgency", "digitally_signed", "file_code", "recalled", "updated_at",
    },
    "files": {
        "id", "file_code", "title", "year", "retention", "listed", "electronic", "opened_at",
        "closed_at", "work_ended_on", "construction", "final_settlement_on",
        "metadata_complete", "document_count", "updated_at",
    },
    "file-lists": {"id", "year", "issued_on", "updated_at"},
    "transfers": {"id", "file_code", "kind", "transferred_on", "status", "retention", "updated_at"},
    "dossiers": {
        "id", "dossier_code", "agency_code", "procedure_code", "procedure_name", "received_at",
        "due_at", "returned_at", "status", "electronic_file", "online", "updated_at",
    },
    "digitised-files": {"id", "file_code", "title", "digitised_on", "pages", "updated_at"},
}  # fmt: skip
DATETIMES = {
    "arrived_at", "registered_at", "submitted_at", "assigned_at", "signed_at", "issued_at",
    "opened_at", "closed_at", "updated_at", "received_at", "due_at", "returned_at",
}  # fmt: skip
DATES = {"issued_date", "due_date", "work_ended_on", "final_settlement_on", "issued_on"}
DATES |= {"transferred_on", "digitised_on"}


@pytest.fixture(scope="module")
def data() -> SimulatedData:
    return generate_dataset(agencies=demo_agency_codes())


@pytest.fixture
def client(data: SimulatedData) -> Iterator[httpx.Client]:
    with Simulator(data) as sim, httpx.Client(base_url=sim.base_url, headers=AUTH) as client:
        yield client


def _get(client: httpx.Client, endpoint: str, **params: object) -> httpx.Response:
    return client.get(PATHS[endpoint], params={"agency": AGENCY, **params})


def _walk(client: httpx.Client, endpoint: str, limit: int, **params: object) -> list[dict]:
    items: list[dict] = []
    while True:
        page = _get(client, endpoint, offset=len(items), limit=limit, **params).json()
        assert set(page) == {"items", "total", "offset", "limit"}
        assert (page["offset"], page["limit"]) == (len(items), limit)
        items += page["items"]
        if not page["items"]:
            assert len(items) == page["total"]
            return items


# --- the dataset -----------------------------------------------------------------------------


def test_the_same_seed_gives_equal_data_and_another_seed_other_data(data: SimulatedData):
    assert generate_dataset(agencies=demo_agency_codes()) == data
    assert generate_dataset(agencies=demo_agency_codes(), seed=7) != data


def test_size_multiplies_the_documents_and_files_of_each_agency():
    one = generate_dataset(agencies=[AGENCY, "000.00.31.H99"])
    three = generate_dataset(agencies=[AGENCY, "000.00.31.H99"], size=3)
    for endpoint in ("incoming-documents", "outgoing-documents", "files"):
        assert three.counts()[endpoint] == 3 * one.counts()[endpoint]
    assert three.counts()["file-lists"] == one.counts()["file-lists"]


def test_volumes_at_size_one_are_within_the_stated_ranges(data: SimulatedData):
    for agency in data.agencies:
        assert 60 <= len(data.of("incoming-documents", agency)) <= 150
        assert 30 <= len(data.of("outgoing-documents", agency)) <= 80
        assert 20 <= len(data.of("files", agency)) <= 40
        assert len(data.of("file-lists", agency)) <= 1
        assert 0 < len(data.of("transfers", agency)) < len(data.of("files", agency))


def test_every_item_has_exactly_the_fields_of_its_endpoint_with_valid_values(data):
    for endpoint, fields in FIELDS.items():
        for agency in data.agencies:
            items = data.of(endpoint, agency)
            assert [(i["updated_at"], i["id"]) for i in items] == sorted(
                (i["updated_at"], i["id"]) for i in items
            )
            for item in items:
                assert set(item) == fields, (endpoint, item)
                for name in DATETIMES & fields:
                    if item[name] is not None:
                        assert datetime.fromisoformat(item[name]).utcoffset() is not None
                for name in DATES & fields:
                    if item[name] is not None:
                        date.fromisoformat(item[name])
    ids = [i["id"] for e in FIELDS for a in data.agencies for i in data.of(e, a)]
    assert len(ids) == len(set(ids))


def test_the_data_hold_the_gaps_the_metrics_look_for(data: SimulatedData):
    def all_of(endpoint: str) -> list[dict]:
        return [i for a in data.agencies for i in data.of(endpoint, a)]

    incoming, outgoing = all_of("incoming-documents"), all_of("outgoing-documents")
    files, transfers = all_of("files"), all_of("transfers")
    lists = {a: data.of("file-lists", a) for a in data.agencies}
    assert any(i["registered_at"] and i["assigned_at"] is None for i in incoming)
    assert {i["channel"] for i in incoming} == {"axis", "email", "paper"}
    assert {o["channel"] for o in outgoing} == {"axis", "email", "paper"}
    assert any(o["channel"] == "axis" and not o["digitally_signed"] for o in outgoing)
    assert any(o["issued_at"] and o["issued_at"][:10] > o["signed_at"][:10] for o in outgoing)
    assert any(not f["electronic"] for f in files)
    assert any(not f["metadata_complete"] for f in files)
    issued = [v[0]["issued_on"] for v in lists.values() if v]
    assert sum(d is not None and d[5:7] == "01" for d in issued) >= len(data.agencies) * 0.6
    assert any(d is not None and d[5:7] == "03" for d in issued)
    assert not all(lists.values())
    assert {t["status"] for t in transfers} == {"received", "pending", "returned"}
    assert {t["kind"] for t in transfers} == {"agency_archive", "historical_archive"}


def test_the_one_stop_shop_and_digitisation_data_hold_their_gaps(data: SimulatedData):
    dossiers = [d for a in data.agencies for d in data.of("dossiers", a)]
    register = [f for a in data.agencies for f in data.of("digitised-files", a)]
    assert {d["status"] for d in dossiers} == {"processing", "returned", "refused", "withdrawn"}
    returned = [d for d in dossiers if d["status"] == "returned"]
    assert all(d["received_at"] <= d["returned_at"] for d in returned)
    assert all(d["received_at"] <= d["due_at"] for d in dossiers)
    assert any(d["returned_at"] > d["due_at"] for d in returned)
    assert any(d["returned_at"] <= d["due_at"] for d in returned)
    assert {d["electronic_file"] for d in dossiers} == {True, False}
    assert all(d["agency_code"] == a for a in data.agencies for d in data.of("dossiers", a))
    assert any(f["digitised_on"] is None and f["pages"] == 0 for f in register)
    assert all(f["pages"] > 0 for f in register if f["digitised_on"] is not None)
    for agency in data.agencies:  # the register lists the files the archive received
        received = {
            t["file_code"]
            for t in data.of("transfers", agency)
            if t["kind"] == "agency_archive" and t["status"] == "received"
        }
        moved = {
            t["file_code"]
            for t in data.of("transfers", agency)
            if t["kind"] == "historical_archive" and t["status"] == "received"
        }
        listed = {f["file_code"] for f in data.of("digitised-files", agency)}
        assert received - moved <= listed


# --- the API ---------------------------------------------------------------------------------


def test_walking_the_pages_returns_every_item_once_in_order(client, data):
    for endpoint in FIELDS:
        assert _walk(client, endpoint, limit=7) == list(data.of(endpoint, AGENCY))


def test_the_body_is_utf8_json_with_the_envelope(client, data):
    response = _get(client, "incoming-documents", limit=3)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "Công văn".encode() in response.content or "Báo cáo".encode() in response.content
    page = response.json()
    assert page["total"] == len(data.of("incoming-documents", AGENCY))
    assert page["items"] == list(data.of("incoming-documents", AGENCY)[:3])
    assert _get(client, "files").json()["limit"] == 100


def test_updated_since_keeps_the_records_changed_at_or_after_it(client, data):
    items = data.of("outgoing-documents", AGENCY)
    since = items[len(items) // 2]["updated_at"]
    expected = [i for i in items if i["updated_at"] >= since]
    assert _walk(client, "outgoing-documents", limit=10, updated_since=since) == expected
    naive = since[:19]  # the same instant without offset is read as Vietnam time
    assert _walk(client, "outgoing-documents", limit=1000, updated_since=naive) == expected
    raw = client.get(f"/api/v1/outgoing-documents?agency={AGENCY}&updated_since={since}")
    assert raw.json()["items"] == expected[:100]  # an unencoded "+" arrives as a space


def test_transfers_filter_by_kind(client, data):
    for kind in ("agency_archive", "historical_archive"):
        expected = [t for t in data.of("transfers", AGENCY) if t["kind"] == kind]
        assert _walk(client, "transfers", limit=5, kind=kind) == expected


def test_an_unknown_agency_has_no_items(client):
    page = client.get(PATHS["files"], params={"agency": "000.00.99.X99"}).json()
    assert page == {"items": [], "total": 0, "offset": 0, "limit": 100}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "0"}, "limit must be an integer from 1 to 1000, got '0'"),
        ({"limit": "1001"}, "limit must be an integer from 1 to 1000"),
        ({"limit": "ten"}, "limit must be an integer"),
        ({"offset": "-1"}, "offset must be an integer of at least 0"),
        ({"updated_since": "yesterday"}, "updated_since must be an ISO 8601 datetime"),
        ({"agency": ""}, "parameter 'agency' is required"),
        ({"kind": "agency_archive"}, "unknown parameter 'kind'"),
        ({"updatedSince": "2025-01-01"}, "unknown parameter 'updatedSince'"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, params, message):
    response = _get(client, "files", **params)
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_a_bad_transfer_kind_is_a_400(client):
    assert _get(client, "transfers", kind="archive").status_code == 400


def test_without_the_right_bearer_token_the_answer_is_401(data):
    with Simulator(data) as sim, httpx.Client(base_url=sim.base_url) as client:
        url = f"{PATHS['files']}?agency={AGENCY}"
        assert client.get(url).status_code == 401
        wrong = client.get(url, headers={"Authorization": "Bearer other"})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"].startswith("Bearer")
        assert "other" not in wrong.text
        assert client.get(url, headers=AUTH).status_code == 200
    with Simulator(data, token=None) as sim, httpx.Client(base_url=sim.base_url) as client:
        assert client.get(url).status_code == 200


def test_an_unknown_path_is_a_404(client):
    assert client.get("/api/v1/letters", params={"agency": AGENCY}).status_code == 404


# --- faults ----------------------------------------------------------------------------------


def _statuses(data, faults: FaultPlan, count: int) -> tuple[list[httpx.Response], Simulator]:
    with Simulator(data, faults=faults) as sim, httpx.Client(base_url=sim.base_url) as client:
        responses = [_get(client, "files", limit=5, offset=0) for _ in range(count)]
        for response in responses:
            response.read()
    return responses, sim


def test_every_nth_request_is_rate_limited_with_retry_after(data):
    responses, sim = _statuses(data, FaultPlan(rate_limit_every=3, retry_after="2"), 7)
    assert [r.status_code for r in responses] == [401, 401, 429, 401, 401, 429, 401]
    assert [r.headers.get("retry-after") for r in responses][2::3] == ["2", "2"]
    assert sim.faults_served == [(3, "rate_limit"), (6, "rate_limit")]


def test_every_nth_request_fails_with_503(data):
    faults = FaultPlan(error_every=2)
    with Simulator(data, faults=faults) as sim, httpx.Client(base_url=sim.base_url) as c:
        codes = [_get(c, "files", limit=5).status_code for _ in range(2)]
        c.headers.update(AUTH)
        codes += [_get(c, "files", limit=5).status_code for _ in range(4)]
    assert codes == [401, 503, 200, 503, 200, 503]
    assert sim.request_count == 6


def test_when_faults_coincide_429_wins_over_503(data):
    responses, sim = _statuses(data, FaultPlan(rate_limit_every=2, error_every=3), 6)
    assert [r.status_code for r in responses][1:] == [429, 503, 429, 401, 429]
    assert (6, "error") in sim.faults_served


def test_every_nth_body_is_cut_in_half(data):
    faults = FaultPlan(truncate_every=2)
    with (
        Simulator(data, faults=faults) as sim,
        httpx.Client(base_url=sim.base_url, headers=AUTH) as c,
    ):
        whole, cut = (_get(c, "files", limit=5) for _ in range(2))
    assert whole.status_code == cut.status_code == 200
    assert len(cut.content) == len(whole.content) // 2
    assert whole.content.startswith(cut.content)
    with pytest.raises(json.JSONDecodeError):
        cut.json()


def test_every_nth_request_is_slow(data):
    faults = FaultPlan(slow_every=2, slow_seconds=0.2)
    with (
        Simulator(data, faults=faults) as sim,
        httpx.Client(base_url=sim.base_url, headers=AUTH) as c,
    ):
        durations = []
        for _ in range(2):
            start = time.perf_counter()
            assert _get(c, "file-lists").status_code == 200
            durations.append(time.perf_counter() - start)
    assert durations[1] >= 0.2
    assert sim.faults_served == [(2, "slow")]


def test_every_nth_item_of_a_listing_is_broken_whatever_the_paging(data):
    faults = FaultPlan(invalid_record_every=4)
    with (
        Simulator(data, faults=faults) as sim,
        httpx.Client(base_url=sim.base_url, headers=AUTH) as c,
    ):
        served = _walk(c, "incoming-documents", limit=6)
    expected = data.of("incoming-documents", AGENCY)
    assert len(served) == len(expected)
    for rank, (got, want) in enumerate(zip(served, expected, strict=True), start=1):
        if rank % 4:
            assert got == want
        elif rank % 8:
            assert got == {**want, "arrived_at": "not a date"}
        else:
            assert got == {k: v for k, v in want.items() if k != "id"}


def test_a_fault_plan_reads_from_the_command_line_form(english):
    plan = FaultPlan.parse("rate_limit_every=5, error_every=7,retry_after=1,slow_seconds=0.5")
    assert plan == FaultPlan(rate_limit_every=5, error_every=7, retry_after="1", slow_seconds=0.5)
    assert FaultPlan.parse("") == FaultPlan()
    with pytest.raises(ConfigError, match="unknown 'often'"):
        FaultPlan.parse("often=3")
    with pytest.raises(ConfigError, match="error_every='x' is not a number"):
        FaultPlan.parse("error_every=x")
    with pytest.raises(ConfigError, match="must not be negative"):
        FaultPlan.parse("error_every=-1")


# --- running ---------------------------------------------------------------------------------


def test_a_stopped_simulator_refuses_connections(data):
    with Simulator(data) as sim, httpx.Client(base_url=sim.base_url, headers=AUTH) as client:
        assert _get(client, "file-lists").status_code == 200  # leaves a kept-alive connection
        url = sim.base_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


def test_serve_runs_until_told_to_stop(data):
    stop, ready = threading.Event(), []
    thread = threading.Thread(
        target=serve, args=(data,), kwargs={"port": 0, "on_ready": ready.append, "stop": stop}
    )
    thread.start()
    try:
        for _ in range(200):
            if ready:
                break
            time.sleep(0.01)
        response = httpx.get(f"{ready[0].base_url}/api/v1/file-lists?agency={AGENCY}", headers=AUTH)
        assert response.status_code == 200
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


# --- latency and requests at once -----------------------------------------------------------


def test_latency_delays_every_answer_and_answers_overlap(data):
    with Simulator(data, latency=0.2) as sim:
        started = time.perf_counter()

        def get() -> None:
            with httpx.Client(base_url=sim.base_url, headers=AUTH) as c:
                assert _get(c, "file-lists").status_code == 200

        threads = [threading.Thread(target=get) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        assert sim.max_in_flight == 4
        assert sim.request_count == 4
    assert 0.2 <= elapsed < 0.8  # answered together, not one after another (4 x 0.2 s)


def test_reset_counts_counts_from_zero(data):
    with Simulator(data) as sim, httpx.Client(base_url=sim.base_url, headers=AUTH) as c:
        _get(c, "files")
        _get(c, "files")
        assert (sim.request_count, sim.max_in_flight) == (2, 1)
        sim.reset_counts()
        assert (sim.request_count, sim.max_in_flight) == (0, 0)


@pytest.mark.parametrize("seconds", [-0.001, 60.001])
def test_a_latency_out_of_range_is_refused(data, seconds, english):
    with pytest.raises(ConfigError, match="latency"):
        Simulator(data, latency=seconds)

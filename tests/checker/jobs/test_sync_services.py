"""The one-stop-shop software and the archive's digitisation register, end to end: the
simulator over real HTTP, a sync into the store, the metric values and their evidence, on
SQLite and PostgreSQL. The metric values are checked against a count made in Python from the
simulated items themselves; nonsense values are quarantined with their reason."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pytest
from sqlalchemy import select

from checker.config import Agency, Deployment, Group
from checker.demo.simulated_data import (
    ENDPOINTS,
    Item,
    SimulatedData,
    demo_agency_codes,
    generate_dataset,
)
from checker.demo.simulator import Simulator
from checker.jobs.score import score
from checker.jobs.sync import SyncReport, sync
from checker.scoring.criteria import bundled_criteria_dir, load_criteria
from checker.scoring.points import measured_points
from checker.store.models import DIGITISED_FILE, DOSSIER, QUARANTINE
from checker.store.registry import write_registry
from connectors.http import BearerAuth, build_client
from connectors.mapping import HttpSource
from metrics.calendar import WorkingCalendar
from metrics.digitisation import measure_digitisation
from metrics.evidence import evidence_list
from metrics.onestop import measure_onestop
from metrics.period import Period

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

CODES = demo_agency_codes()[:3]
YEAR = Period.year(2025)
END = "2025-12-31"


def _deployment(sources: tuple[HttpSource, ...] = ()) -> Deployment:
    return Deployment(
        groups=(Group(id="g", name="Sở", criteria="onestop-digitisation-example"),),
        agencies=tuple(Agency(code=c, name=f"Cơ quan {c}", group="g") for c in CODES),
        sources=sources,
    )


def _sources(base_url: str) -> tuple[HttpSource, ...]:
    auth = BearerAuth(type="bearer", token_env="SIM_TOKEN")
    return tuple(
        HttpSource(name=name, kind="http", system=system, base_url=f"{base_url}/{path}", auth=auth)
        for name, system, path in (
            ("mot-cua", "onestop", "onestop/v1"),
            ("luu-tru", "archive", "archive/v1"),
        )
    )


def _sync(engine, data: SimulatedData) -> SyncReport:
    with Simulator(data, token="sim-token") as sim:
        sources = _sources(sim.base_url)
        return sync(
            engine,
            _deployment(sources),
            sources,
            registry_codes=CODES,
            client_factory=lambda s: build_client(
                s.name, s.auth, s.timeouts, environ={"SIM_TOKEN": "sim-token"}
            ),
            sleep=lambda seconds: None,
        )


def _measured(engine) -> dict[tuple[str, str], tuple[int, int]]:
    with engine.begin() as connection:
        write_registry(connection, _deployment())
        values = [*measure_onestop(connection, YEAR), *measure_digitisation(connection, YEAR)]
    return {(v.agency_code, v.metric_id): (v.numerator, v.denominator) for v in values}


def _expected(data: SimulatedData, code: str) -> dict[str, tuple[int, int]]:
    """The four metrics counted in Python from the items the simulator serves."""
    dossiers = data.of("dossiers", code)
    returned = [
        d for d in dossiers if d["status"] == "returned" and str(d["returned_at"])[:10] <= END
    ]
    due = [
        d
        for d in dossiers
        if d["status"] not in ("refused", "withdrawn") and str(d["due_at"])[:10] <= END
    ]
    on_time = [d for d in due if d["returned_at"] and _when(d["returned_at"]) <= _when(d["due_at"])]
    transfers = [t for t in data.of("transfers", code) if t["status"] == "received"]
    register = {str(f["file_code"]): f for f in data.of("digitised-files", code)}
    held = set(register) | {str(t["file_code"]) for t in transfers if t["kind"] == "agency_archive"}
    held -= {str(t["file_code"]) for t in transfers if t["kind"] == "historical_archive"}
    days = [str(register[f]["digitised_on"]) for f in held if f in register]
    digitised = [d for d in days if d != "None"]
    return {
        "onestop.kept_electronic": (
            sum(bool(d["electronic_file"]) for d in returned), len(returned)
        ),
        "onestop.returned_on_time": (len(on_time), len(due)),
        "digitisation.archive_digitised": (len(digitised), len(held)),
        "digitisation.digitised_in_period": (
            sum(d.startswith("2025") for d in digitised),
            len(held),
        ),
    }  # fmt: skip


def _when(value: object) -> datetime:
    return datetime.fromisoformat(str(value))


def test_simulator_to_store_to_metrics_to_evidence(engine):
    data = generate_dataset(agencies=CODES)
    report = _sync(engine, data)
    assert report.ok, report
    assert [s.quarantined for s in report.sources] == [0, 0]
    with engine.connect() as connection:
        dossiers = connection.execute(select(DOSSIER)).all()
        register = connection.execute(select(DIGITISED_FILE)).all()
    assert len(dossiers) == sum(len(data.of("dossiers", c)) for c in CODES)
    assert len(register) == sum(len(data.of("digitised-files", c)) for c in CODES)
    measured = _measured(engine)
    for code in CODES:
        for metric_id, counts in _expected(data, code).items():
            assert measured[code, metric_id] == counts, (code, metric_id)
    calendar = WorkingCalendar()
    with engine.begin() as connection:
        for metric_id in ("onestop.returned_on_time", "digitisation.archive_digitised"):
            listing = evidence_list(connection, CODES[0], metric_id, YEAR, calendar)
            assert (listing.numerator, listing.denominator) == measured[CODES[0], metric_id]
            assert all(line.locator for line in listing.lines if line.item.startswith(CODES[0]))
    assert _sync(engine, data).ok  # a second sync changes nothing
    assert _measured(engine) == measured


def _with(data: SimulatedData, endpoint: str, code: str, items: list[Item]) -> SimulatedData:
    chosen: dict[str, Mapping[str, tuple[Item, ...]]] = {e: {} for e in ENDPOINTS}
    chosen[endpoint] = {code: tuple(sorted(items, key=lambda i: (str(i["updated_at"]), i["id"])))}
    return SimulatedData(data.year, (code,), chosen)


def test_nonsense_values_are_quarantined_with_their_reasons(engine):
    data = generate_dataset(agencies=CODES[:1])
    code = CODES[0]
    good = dict(data.of("dossiers", code)[0])
    dossiers = [
        good,
        {**good, "id": "d-future", "dossier_code": "F", "received_at": "2099-03-03T09:00:00+07:00",
         "due_at": None, "returned_at": None, "status": "processing"},
        {**good, "id": "d-1850", "dossier_code": "O", "received_at": "1850-03-03T09:00:00+07:00"},
        {**good, "id": "d-who", "dossier_code": "W", "agency_code": "000.00.99.X99"},
        {**good, "id": "d-back", "dossier_code": "B", "returned_at": "2020-01-01T09:00:00+07:00"},
    ]  # fmt: skip
    entry = dict(data.of("digitised-files", code)[0])
    register = [
        {**entry, "id": "s-neg", "file_code": "N", "digitised_on": "2025-03-03", "pages": -4},
        {**entry, "id": "s-1850", "file_code": "Y", "digitised_on": "1850-01-01", "pages": 4},
        {**entry, "id": "s-ok", "file_code": "K", "digitised_on": "2025-03-03", "pages": 4},
    ]
    served = _with(data, "dossiers", code, dossiers)
    served.items["digitised-files"][code] = tuple(register)  # type: ignore[index]
    report = _sync(engine, served)
    assert [s.quarantined for s in report.sources] == [4, 2]
    with engine.connect() as connection:
        reasons = sorted(r.reason for r in connection.execute(select(QUARANTINE)))
        stored = sorted(r.dossier_code for r in connection.execute(select(DOSSIER)))
        files = sorted(r.file_code for r in connection.execute(select(DIGITISED_FILE)))
    assert stored == [good["dossier_code"]] and files == ["K"]
    assert any("in the future" in r for r in reasons)
    assert any("1850-03-03 09:00:00 is before 1990" in r for r in reasons)
    assert any("'000.00.99.X99': unknown agency, not in the registry" in r for r in reasons)
    assert any("is before received_at" in r for r in reasons)
    assert any(r.startswith("pages: -4") for r in reasons)
    assert any("digitised_on 1850-01-01 is before 1990" in r for r in reasons)


def test_a_criteria_set_scores_the_dossiers_and_the_digitisation(engine):
    data = generate_dataset(agencies=CODES)
    assert _sync(engine, data).ok
    outcome = score(engine, _deployment(), YEAR)
    measured = _measured(engine)
    criteria = load_criteria("onestop-digitisation-example", bundled_criteria_dir())
    by_id = {c.id: c for c in criteria.criteria}
    for agency in outcome.scores:
        assert agency.criteria_id == "onestop-digitisation-example"
        for criterion in agency.criteria:
            if criterion.metric_id is None:
                assert criterion.points is None  # manual, not entered
                continue
            counts = measured[agency.agency.code, criterion.metric_id]
            expected = measured_points(by_id[criterion.criterion_id], *counts)
            assert criterion.points == expected, (agency.agency.code, criterion.criterion_id)
    assert {a.criteria[0].points for a in outcome.scores} != {None}

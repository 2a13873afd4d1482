"""checker sync reading Mayan EDMS by the worked mapping in config/vendors/mayan-edms.toml,
against a local server replaying Mayan's answers (tests/mayan_server.py), on both databases."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from checker.config import Deployment, load_deployment
from checker.jobs.sync import SyncReport, sync
from checker.store.models import DOCUMENT, QUARANTINE
from connectors.http import BearerAuth, build_client
from connectors.mapping import HttpSource
from tests.mayan_server import TOKEN, MayanData, mayan_server, sample_data

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

MAPPING = Path(__file__).parents[3] / "config" / "vendors" / "mayan-edms.toml"
HOME, FINANCE = "000.00.31.H41", "000.00.32.H41"


def mayan_source(base_url: str, **changes: object) -> HttpSource:
    deployment = load_deployment(MAPPING)
    source = deployment.sources[0]
    assert isinstance(source, HttpSource)
    return source.model_copy(update={"base_url": base_url, **changes})


def run(engine, source: HttpSource, *, full: bool = False) -> SyncReport:
    return sync(
        engine,
        Deployment(sources=(source,)),
        [source],
        registry_codes=[HOME, FINANCE],
        full=full,
        client_factory=lambda s: build_client(
            s.name, s.auth, s.timeouts, environ={"MAYAN_TOKEN": TOKEN}
        ),
        sleep=lambda _: None,
    )


def stored(engine) -> list[tuple[object, ...]]:
    columns = (
        DOCUMENT.c.organ_id,
        DOCUMENT.c.external_id,
        DOCUMENT.c.code_number,
        DOCUMENT.c.code_notation,
        DOCUMENT.c.sender_id,
        DOCUMENT.c.arrived_at,
        DOCUMENT.c.priority,
    )
    with engine.connect() as connection:
        return sorted(connection.execute(select(*columns)).all(), key=repr)


def test_the_worked_mapping_reads_mayans_custom_metadata_into_documents(engine):
    with mayan_server(sample_data()) as mayan:
        report = run(engine, mayan_source(mayan.base_url))
    assert report.sources[0].status == "ok"
    assert report.sources[0].warnings == []
    assert (report.sources[0].records, report.sources[0].quarantined) == (6, 0)
    rows = stored(engine)
    assert len(rows) == 6
    assert tuple(rows[0]) == (
        HOME, "1", "45", "UBND-VP", "000.00.00.H41", datetime(2025, 3, 3, 8, 15), 1
    )  # fmt: skip
    assert (HOME, "3", "7", "TB-SNV", "000.00.03.H41", datetime(2025, 3, 4), 0) in rows
    assert (FINANCE, "6", "19", "BC-UBND", "000.00.04.H41", datetime(2025, 3, 7, 16, 45), 2) in rows
    with engine.connect() as connection:
        registered = connection.scalar(
            select(DOCUMENT.c.registered_at).where(DOCUMENT.c.external_id == "1")
        )
    assert registered == datetime(2026, 11, 29, 7, 48, 11, 402787)  # Z → Vietnam time
    paths = {p.split("?")[0] for p in mayan.requests}
    assert "/api/v4/document_types/2/documents/" in paths
    assert "/api/v4/documents/6/metadata/" in paths


@pytest.mark.parametrize("count_path", ["count", None])
def test_a_page_cap_below_the_size_asked_loses_nothing(engine, count_path):
    data = sample_data()
    data.max_page_size = 1  # Mayan's REST_API_MAXIMUM_PAGE_SIZE set low
    data.default_page_size = 1  # metadata pages of one item, followed by next links
    with mayan_server(data) as mayan:
        source = mayan_source(mayan.base_url)
        paging = source.endpoints[0].pagination.model_copy(update={"count_path": count_path})
        endpoint = source.endpoints[0].model_copy(update={"pagination": paging})
        report = run(engine, source.model_copy(update={"endpoints": (endpoint,)})).sources[0]
    assert (report.status, report.records) == ("ok", 6)
    assert len(stored(engine)) == 6
    listed = [p for p in mayan.requests if "/document_types/3/" in p]
    if count_path:  # read until the count: pages 1 and 2
        assert [p.split("?")[1] for p in listed] == ["page=1&page_size=100", "page=2&page_size=100"]
        assert report.warnings == []
    else:  # a short page is confirmed by the next request: the 404 past the last page
        assert len(listed) == 3
        assert report.warnings == [
            f"van-ban-den, agency {agency}: the vendor returns at most 1 records a page "
            "although 100 were asked; set the page size to 1"
            for agency in (HOME, FINANCE)
        ]


def test_metadata_requests_are_bounded_with_the_walks_by_the_source_s_requests_in_flight(engine):
    data = sample_data()
    for doc_id in range(7, 31):
        data.add(2, doc_id, f"Văn bản {doc_id}", "2026-11-29T01:00:00Z", so_ky_hieu=f"{doc_id}/X")
        data.metadata[doc_id].update(co_quan_gui="000.00.00.H41", ngay_den="2025-03-08 08:00")
    data.metadata_delay = 0.02
    with mayan_server(data) as mayan:
        source = mayan_source(mayan.base_url)
        endpoint = source.endpoints[0]
        details = (endpoint.details[0].model_copy(update={"concurrency": 3}),)
        endpoint = endpoint.model_copy(update={"details": details})
        bounded = {"endpoints": (endpoint,), "max_in_flight": 3}
        report = run(engine, source.model_copy(update=bounded))
    assert report.sources[0].records == 30
    assert 1 < mayan.in_flight_max <= 3


def test_the_bearer_word_mayan_does_not_know_reads_nothing_and_says_so(engine):
    with mayan_server(sample_data()) as mayan:
        source = mayan_source(mayan.base_url)
        assert run(engine, source).sources[0].records == 6
        endpoint = source.endpoints[0].model_copy(update={"path": "documents/"})
        wrong = source.model_copy(
            update={
                "auth": BearerAuth(type="bearer", token_env="MAYAN_TOKEN"),
                "endpoints": (endpoint,),
            }
        )
        report = run(engine, wrong).sources[0]
    assert (report.status, report.records) == ("ok", 0)
    assert report.warnings == [
        f"van-ban-den, agency {agency}: the source returned no records where an earlier "
        "sync read some (check the credentials' scheme, the path and filters)"
        for agency in (HOME, FINANCE)
    ]


def test_a_metadata_type_renamed_in_mayan_is_a_path_that_matched_nothing(engine):
    data = sample_data()
    for values in data.metadata.values():
        values["noi_gui"] = values.pop("co_quan_gui")
    with mayan_server(data) as mayan:
        report = run(engine, mayan_source(mayan.base_url)).sources[0]
    assert report.records == 6
    assert report.warnings == [
        "van-ban-den: field sender_id (path 'metadata[metadata_type.name=co_quan_gui].value') "
        "matched nothing in any of the 6 records read"
    ]


def test_a_date_form_every_record_fails_on_is_named_once(engine):
    data = sample_data()
    for values in data.metadata.values():
        values["ngay_den"] = "ngày 3 tháng 3 năm 2025"
    with mayan_server(data) as mayan:
        report = run(engine, mayan_source(mayan.base_url)).sources[0]
    assert (report.records, report.quarantined) == (0, 6)
    path = "metadata[metadata_type.name=ngay_den].value"
    assert report.warnings == [
        f"van-ban-den: every record of 2 page(s) (6 records) failed on {path}, e.g. "
        f"{path}: 'ngày 3 tháng 3 năm 2025' does not match %Y-%m-%d %H:%M or "
        "%d/%m/%Y %H:%M or %d/%m/%Y"
    ]
    with engine.connect() as connection:
        assert connection.scalar(select(QUARANTINE.c.id).limit(1)) is not None


def test_a_document_whose_metadata_is_gone_is_set_aside_the_others_stored(engine):
    data = sample_data()
    del data.metadata[2]
    with mayan_server(data) as mayan:
        report = run(engine, mayan_source(mayan.base_url)).sources[0]
    assert (report.status, report.records, report.quarantined) == ("ok", 5, 1)
    with engine.connect() as connection:
        reason, excerpt = connection.execute(
            select(QUARANTINE.c.reason, QUARANTINE.c.excerpt)
        ).one()
    assert excerpt.startswith('{"datetime_created": "2026-11-29T00:48:12.402787Z"')
    assert reason.startswith("detail metadata: GET http://127.0.0.1:")
    assert "/documents/2/metadata/: HTTP 404 Not Found" in reason


def test_an_agency_without_its_document_type_is_misconfigured_before_any_request(engine):
    with mayan_server(MayanData()) as mayan:
        source = mayan_source(mayan.base_url, agency_ids={HOME: "2"})
        report = run(engine, source).sources[0]
        assert mayan.requests == []
    assert report.status.startswith("misconfigured: source mayan: agency_ids names no vendor")
    assert FINANCE in report.status


@pytest.mark.parametrize("scheme", ["Bearer", "Token"])
def test_the_scheme_word_is_sent_as_configured(scheme):
    auth = BearerAuth(type="bearer", token_env="T", scheme=scheme)
    client = build_client("s", auth, mayan_source("http://h").timeouts, environ={"T": "abc"})
    request = next(client.auth.auth_flow(client.build_request("GET", "http://h/")))
    assert request.headers["Authorization"] == f"{scheme} abc"


def test_checker_sync_prints_the_warnings_in_the_table_and_in_json(tmp_path):
    from typer.testing import CliRunner

    from checker.cli import app

    data = sample_data()
    for values in data.metadata.values():
        del values["do_khan"]
    with mayan_server(data) as mayan:
        text = MAPPING.read_text(encoding="utf-8")
        config = tmp_path / "mayan.toml"
        config.write_text(text.replace("http://127.0.0.1:8700/api/v4", mayan.base_url), "utf-8")
        env = {"MAYAN_TOKEN": TOKEN, "CHECKER_DB_URL": ""}
        db = f"sqlite:///{tmp_path / 'store.db'}"
        args = ["--lang", "en", "--config", str(config), "--db", db, "sync"]
        table = CliRunner().invoke(app, args, env=env)
        shown = CliRunner().invoke(app, [*args, "--format", "json"], env=env)
    assert table.exit_code == 0, table.output
    assert "mayan: ok, with 1 warning — 2 pages, 6 records stored" in table.output
    assert "  warning: van-ban-den: field priority (path" in table.output
    result = json.loads(shown.output)
    assert (result["ok"], result["warnings"]) == (True, 1)
    assert result["sources"][0]["warnings"][0].startswith("van-ban-den: field priority")

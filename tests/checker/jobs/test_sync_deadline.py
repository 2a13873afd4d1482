"""A vendor trickling one agency's answer (status line and headers one byte at a time) fails
that agency's endpoint within the request deadline; the rest of the source and the other
sources are read. Real HTTP on a local socket."""

from __future__ import annotations

import time

import httpx
import pytest

from checker.config import Deployment
from checker.jobs.sync import sync
from connectors.http import Limits, RetryPolicy, build_client
from tests.checker.jobs.test_sync import ENV, TOKEN, A, B, FakeApi, cursor, source
from tests.slow_server import SlowServer, http_answer

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out


def test_an_agency_whose_answer_trickles_fails_alone_within_the_deadline(engine):
    fake = FakeApi()

    def answer(target: str) -> tuple[bytes, bool]:
        request = httpx.Request(
            "GET", f"http://dms.test{target}", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        response = fake(request)
        data = http_answer(response.content, f"{response.status_code} {response.reason_phrase}")
        slow = "incoming-documents" in target and f"agency={A}" in target
        return data, slow

    with SlowServer(answer, pause=0.5) as server:
        limits = Limits(request_seconds=1.0)
        policy = RetryPolicy(max_attempts=2, base_delay=0)
        sources = tuple(
            source(name).model_copy(
                update={"base_url": f"{server.base_url}/api/v1", "limits": limits, "retry": policy}
            )
            for name in ("dms", "other")
        )
        started = time.monotonic()
        report = sync(
            engine,
            Deployment(sources=sources),
            sources,
            registry_codes=[A, B],
            client_factory=lambda s: build_client(s.name, s.auth, s.timeouts, environ=ENV),
            sleep=lambda seconds: None,
        )
        took = time.monotonic() - started
    first, other = report.sources
    assert took < 10, took  # two sources, two attempts of one second each for agency A
    assert first.status.startswith(f"failed: incoming-documents, agency {A}: GET ")
    assert first.status.endswith(
        "the answer was not complete after 1 s (limits.request_seconds of the source)"
    )
    assert first.records == 4  # B's documents and A's files
    assert other.records == 4 and other.status == first.status
    assert cursor(engine, "incoming-documents", A) is None
    assert cursor(engine, "files", A) is not None

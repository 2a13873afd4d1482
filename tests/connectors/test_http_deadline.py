"""The per-request deadline against a real socket: a server that trickles its status line and
headers one byte at a time cannot hold a request past ``limits.request_seconds``."""

from __future__ import annotations

import time

import pytest

from checker.errors import PageError
from connectors.http import Limits, RetryPolicy, Timeouts, build_client, fetch_json
from tests.slow_server import SlowServer, http_answer

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

BODY = b'{"items": []}'


def test_headers_trickled_past_the_deadline_fail_the_request_within_it():
    with SlowServer(lambda target: (http_answer(BODY), True)) as server:
        started = time.monotonic()
        with build_client("dms", None, Timeouts(read=30)) as http, pytest.raises(PageError) as info:
            fetch_json(
                http,
                f"{server.base_url}/api/v1/incoming-documents",
                {"agency": "000.00.01.H99"},
                policy=RetryPolicy(max_attempts=2, base_delay=0),
                limits=Limits(request_seconds=1.0),
            )
        took = time.monotonic() - started
    message = str(info.value)
    assert 1.0 <= took < 4, took  # two attempts of one second each, not 20 s of trickle
    assert "\n" not in message
    assert message.startswith("GET http://127.0.0.1:")
    assert message.endswith(
        "gave up after 2 attempts in 2 s; last: the answer was not complete after 1 s "
        "(limits.request_seconds of the source)"
    )


def test_an_answer_within_the_deadline_is_read_on_a_reused_connection():
    def answer(target: str) -> tuple[bytes, bool]:
        return http_answer(BODY), "slow" in target

    with SlowServer(answer, pause=0.001) as server, build_client("dms", None, Timeouts()) as http:
        url, policy = f"{server.base_url}/api/v1/x", RetryPolicy(max_attempts=1)
        for _ in range(3):  # the deadline of one request does not cut the next one short
            assert fetch_json(
                http, url, {"q": "slow"}, policy=policy, limits=Limits(request_seconds=5)
            )
            assert fetch_json(http, url, {}, policy=policy, limits=Limits(request_seconds=5))
    assert len(server.targets) == 6

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from checker.errors import ConfigError, PageError, SourceAuthError, SourceError
from connectors.http import (
    ApiKeyAuth,
    BasicAuth,
    BearerAuth,
    Limits,
    RetryNotice,
    RetryPolicy,
    Timeouts,
    body_excerpt,
    build_client,
    fetch_json,
    redact,
)

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

URL = "https://dms.example/api/v1/incoming-documents"
TOKEN = "s3cr3t-t0ken-value"
ENV = {"DMS_TOKEN": TOKEN}
POLICY = RetryPolicy(max_attempts=3, max_total_seconds=100, base_delay=1, max_delay=10)


def client(auth=None, environ=ENV):
    auth = auth or BearerAuth(type="bearer", token_env="DMS_TOKEN")
    return build_client("dms", auth, Timeouts(), environ=environ)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetch(http, sleep, policy=POLICY, notices=None):
    return fetch_json(
        http,
        URL,
        {"agency": "000.00.01.H99"},
        policy=policy,
        on_retry=notices.append if notices is not None else None,
        sleep=sleep,
        jitter=lambda: 0.5,
    )


def test_bearer_token_comes_from_the_named_variable_and_is_sent(httpx_mock):
    httpx_mock.add_response(
        url=f"{URL}?agency=000.00.01.H99",
        match_headers={"Authorization": f"Bearer {TOKEN}"},
        json={"items": []},
    )
    with client() as http:
        assert fetch(http, Sleeps()) == {"items": []}
        assert TOKEN not in repr(http.auth)
        assert "authorization" not in http.headers


def test_api_key_goes_in_the_configured_header(httpx_mock):
    httpx_mock.add_response(match_headers={"X-VanThuSo-Key": "k-123"}, json=[])
    auth = ApiKeyAuth(type="api_key", header="X-VanThuSo-Key", key_env="KEY")
    with client(auth, {"KEY": "k-123"}) as http:
        assert fetch(http, Sleeps()) == []


def test_basic_auth_sends_user_and_password_from_the_variable(httpx_mock):
    expected = "Basic " + base64.b64encode(b"van-thu:pa55").decode()
    httpx_mock.add_response(match_headers={"Authorization": expected}, json=[])
    auth = BasicAuth(type="basic", user="van-thu", password_env="PW")
    with client(auth, {"PW": "pa55"}) as http:
        assert fetch(http, Sleeps()) == []


def test_a_missing_secret_variable_is_a_config_error_naming_the_variable():
    with pytest.raises(ConfigError) as info:
        client(environ={})
    assert str(info.value) == (
        "source dms: environment variable DMS_TOKEN (its bearer token) is not set"
    )


def test_timeouts_come_from_the_configuration():
    timeouts = Timeouts(connect=1, read=2, write=3, pool=4)
    with build_client("dms", None, timeouts) as http:
        assert http.timeout == httpx.Timeout(connect=1, read=2, write=3, pool=4)


def test_429_waits_the_seconds_retry_after_asks(httpx_mock):
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "7"})
    httpx_mock.add_response(json={"ok": 1})
    sleeps, notices = Sleeps(), []
    with client() as http:
        assert fetch(http, sleeps, notices=notices) == {"ok": 1}
    assert sleeps == [7.0]
    assert notices == [RetryNotice(1, 7.0, "HTTP 429 Too Many Requests")]


def test_429_retry_after_as_an_http_date_is_honoured(httpx_mock):
    when = datetime.now(UTC) + timedelta(seconds=30)
    httpx_mock.add_response(status_code=429, headers={"Retry-After": format_datetime(when, True)})
    httpx_mock.add_response(json={"ok": 1})
    sleeps = Sleeps()
    with client() as http:
        fetch(http, sleeps)
    assert 25 <= sleeps[0] <= 30


def test_a_long_retry_after_is_capped(httpx_mock):
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "3600"})
    httpx_mock.add_response(json={})
    sleeps = Sleeps()
    with client() as http:
        fetch(http, sleeps, policy=POLICY.model_copy(update={"max_retry_after": 20}))
    assert sleeps == [20.0]


def test_5xx_is_retried_with_jittered_exponential_backoff(httpx_mock):
    httpx_mock.add_response(status_code=502)
    httpx_mock.add_response(status_code=503)
    httpx_mock.add_response(json=[1])
    sleeps = Sleeps()
    with client() as http:
        assert fetch(http, sleeps) == [1]
    assert sleeps == [0.5, 1.0]  # jitter 0.5 of the ceilings 1 s, then 2 s


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (httpx.ReadTimeout("slow"), "timed out (ReadTimeout)"),
        (httpx.ConnectError("refused"), "connection failed (ConnectError: refused)"),
        (httpx.RemoteProtocolError("closed"), "connection failed (RemoteProtocolError: closed)"),
    ],
)
def test_timeouts_and_connection_errors_are_retried(httpx_mock, failure, reason):
    httpx_mock.add_exception(failure)
    httpx_mock.add_response(json={"ok": 1})
    notices = []
    with client() as http:
        assert fetch(http, Sleeps(), notices=notices) == {"ok": 1}
    assert [n.reason for n in notices] == [reason]


def test_json_that_stops_early_is_retried(httpx_mock):
    httpx_mock.add_response(content=b'{"items": [{"id": "a"}, ')
    httpx_mock.add_response(json={"ok": 1})
    notices = []
    with client() as http:
        assert fetch(http, Sleeps(), notices=notices) == {"ok": 1}
    assert notices[0].reason.startswith("body is not valid JSON, it stops early")


PAGE = json.dumps(
    {
        "total": 2,
        "items": [
            {"id": "a-1", "subject": "Về việc tổ chức Hội nghị", "pages": 12, "signed": True},
            {"id": "a-2", "subject": 'Trích yếu "đặc biệt"\n', "score": -1.5e-3, "x": None},
            {"id": "a-3", "subject": "\u1ea1\U0001f600", "ratio": 0.25, "ok": False},
        ],
    },
    ensure_ascii=False,
).encode()


def test_a_page_cut_short_anywhere_is_retried_and_never_failed():
    """A vendor's connection that drops mid-answer cuts the body at any byte: inside a
    multi-byte character, an escape, a number or a word. Each cut is something the next
    attempt may complete (here it does), so each is retried, never failed as a bad page."""
    for body in (PAGE, json.dumps(json.loads(PAGE)).encode()):  # UTF-8 and ASCII escapes
        for cut in range(1, len(body)):
            answers = iter([body[:cut], body])
            transport = httpx.MockTransport(
                lambda request, answers=answers: httpx.Response(200, content=next(answers))
            )
            notices: list[RetryNotice] = []
            with httpx.Client(transport=transport) as http:
                assert fetch(http, Sleeps(), notices=notices) == json.loads(PAGE), cut
            assert len(notices) == 1, (cut, body[:cut])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>proxy error</html>", "body is not valid JSON (Expecting value: line 1"),
        (b'{"items": ["\xff\xfe"]}', "body is not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "body is JSON nested too deeply to read"),
        (b'{"n": ' + b"7" * 5000 + b"}", "body holds a number too long to read (Exceeds"),
    ],
    ids=["html", "not-utf8", "nested-100000", "int-5000-digits"],
)
def test_a_body_that_would_be_as_bad_again_fails_the_page_at_once(httpx_mock, body, reason):
    httpx_mock.add_response(content=body)
    sleeps = Sleeps()
    with client() as http, pytest.raises(PageError) as info:
        fetch(http, sleeps)
    assert f"agency=000.00.01.H99: {reason}" in str(info.value)
    assert "\n" not in str(info.value)
    assert (len(httpx_mock.get_requests()), sleeps) == (1, [])


def test_another_4xx_fails_the_page_at_once_with_control_characters_escaped(httpx_mock):
    httpx_mock.add_response(status_code=404, text="no such agency \x1b]0;owned\x07")
    with client() as http, pytest.raises(PageError) as info:
        fetch(http, Sleeps())
    assert str(info.value).endswith("HTTP 404 Not Found: no such agency \\x1b]0;owned\\x07")


def test_a_body_larger_than_the_limit_is_refused_without_reading_it_all(httpx_mock):
    httpx_mock.add_response(content=b"[" + b'"x",' * 300_000 + b'"x"]')
    with client() as http, pytest.raises(PageError) as info:
        fetch_json(http, URL, {}, policy=POLICY, limits=Limits(max_body_bytes=100_000))
    assert "larger than 100000 bytes (limits.max_body_bytes of the source" in str(info.value)


def test_an_answer_that_trickles_past_the_request_deadline_is_cut_off(httpx_mock):
    def trickle():
        for _ in range(1000):
            time.sleep(0.05)
            yield b" "
        yield b"[]"

    httpx_mock.add_callback(lambda request: httpx.Response(200, content=trickle()))
    started = time.monotonic()
    with client() as http, pytest.raises(SourceError) as info:
        fetch_json(
            http,
            URL,
            {},
            policy=RetryPolicy(max_attempts=1),
            limits=Limits(request_seconds=0.5),
        )
    assert time.monotonic() - started < 5
    assert "last: the answer was not complete after 0.5 s" in str(info.value)


def test_a_body_cut_short_is_retried(httpx_mock):
    httpx_mock.add_response(content=b'{"items": [{"id": "a"}', headers={"Content-Length": "90"})
    httpx_mock.add_response(content=b'{"items": [{"id": "a"}, {"id": "b"}]}')
    notices = []
    with client() as http:
        assert fetch(http, Sleeps(), notices=notices) == {"items": [{"id": "a"}, {"id": "b"}]}
    assert notices[0].reason == "body cut short (22 of 90 bytes)"


def test_retries_exhausted_is_a_source_error_saying_where_and_why(httpx_mock):
    for _ in range(3):
        httpx_mock.add_response(status_code=503)
    sleeps = Sleeps()
    with client() as http, pytest.raises(SourceError) as info:
        fetch(http, sleeps)
    assert str(info.value) == (
        f"GET {URL}?agency=000.00.01.H99: gave up after 3 attempts in 2 s; "
        "last: HTTP 503 Service Unavailable"
    )
    assert len(sleeps) == 2


def test_no_attempt_is_made_past_the_total_time_allowed(httpx_mock):
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "90"})
    sleeps = Sleeps()
    policy = POLICY.model_copy(update={"max_total_seconds": 60})
    with client() as http, pytest.raises(SourceError, match="gave up after 1 attempt in"):
        fetch(http, sleeps, policy=policy)
    assert sleeps == []


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_not_retried_and_never_shown(httpx_mock, status):
    httpx_mock.add_response(status_code=status, text=f"bad token {TOKEN}")
    with client() as http, pytest.raises(SourceAuthError) as info:
        fetch(http, Sleeps())
    assert "refused our credentials" in str(info.value)
    assert TOKEN not in str(info.value)


def test_other_client_errors_fail_at_once_with_the_body_redacted(httpx_mock):
    httpx_mock.add_response(status_code=400, text=f"unknown parameter; your token {TOKEN}")
    with client() as http, pytest.raises(SourceError) as info:
        fetch(http, Sleeps())
    assert str(info.value) == (
        f"GET {URL}?agency=000.00.01.H99: HTTP 400 Bad Request: "
        "unknown parameter; your token [redacted]"
    )


NGINX_404 = """<!DOCTYPE html>
<html>
<head>
<title>404 Not Found</title>
<style>
  body { width: 35em; margin: 0 auto; font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Không tìm thấy &ndash; Not Found</h1>
<p>The requested URL was not found on this server.</p>
<script>window.location = "/login";</script>
<hr><address>nginx/1.18.0 (Ubuntu) Server at dms.example Port 443</address>
</body>
</html>
"""


def test_a_foreign_html_error_page_becomes_one_short_line(httpx_mock):
    httpx_mock.add_response(status_code=404, text=NGINX_404)
    with client() as http, pytest.raises(SourceError) as info:
        fetch(http, Sleeps())
    assert str(info.value) == (
        f"GET {URL}?agency=000.00.01.H99: HTTP 404 Not Found: Không tìm thấy – Not Found The "
        "requested URL was not found on this server. nginx/1.18.0 (Ubuntu) Server at dms.example…"
    )


def test_an_error_with_an_empty_body_gives_the_status_alone(httpx_mock):
    httpx_mock.add_response(status_code=404, text="")
    with client() as http, pytest.raises(SourceError) as info:
        fetch(http, Sleeps())
    assert str(info.value) == f"GET {URL}?agency=000.00.01.H99: HTTP 404 Not Found"


@pytest.mark.parametrize(
    ("body", "excerpt"),
    [
        ("plain   text\n\n over lines", "plain text over lines"),
        ("<p>a &lt; b &amp;&amp; c</p>", "a < b && c"),
        ("<!-- hidden --><b>shown</b>", "shown"),
        ("x" * 130, "x" * 119 + "…"),
        ("x" * 120, "x" * 120),
    ],
)
def test_body_excerpt_is_the_visible_text_on_one_line_of_at_most_120_characters(body, excerpt):
    assert body_excerpt(body) == excerpt


def test_redact_masks_url_passwords_secret_parameters_and_the_clients_secrets():
    text = f"https://u:pw@h/x?agency=A&api_key=k1&token=t2 Bearer {TOKEN}"
    with client() as http:
        assert redact(text, http) == (
            "https://u:[redacted]@h/x?agency=A&api_key=[redacted]&token=[redacted] [redacted]"
        )

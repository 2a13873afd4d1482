"""HTTP access to the document-management and archive software: the client, its
authentication, and JSON requests that retry what is worth retrying.

Secrets come only from environment variables named in the deployment file (``token_env``,
``key_env``, ``password_env``); the file itself never holds one. They are kept out of every
message: authentication is an ``httpx.Auth`` that adds its header to each request (so the
client's headers and every repr stay clean), and each message about a request is passed
through ``redact``, which masks those values, passwords in URLs and secret-looking query
parameters.

``fetch_json`` retries, with exponential backoff and full jitter, what a later attempt may
fix: HTTP 429 (waiting what ``Retry-After`` asks, in seconds or as an HTTP date, up to a cap),
5xx answers, timeouts, connection errors, answers slower than the request deadline, and bodies
that are cut short (shorter than their Content-Length, or JSON that stops before its end, even
inside a character, an escape or a number). It
gives up after ``max_attempts`` attempts or when ``max_total_seconds`` would be exceeded
(time in requests plus time waiting), raising ``SourceError``. HTTP 401 and 403 are never
retried: they raise ``SourceAuthError``, meaning the source is misconfigured.

What a later attempt would get the same way is not retried: it raises ``PageError`` at once
(``PageNotFoundError`` for a 404, which a page walk may be told means "past the last page"),
and the sync fails that endpoint for that agency only. That is another 4xx answer, and a body
that is not UTF-8, not JSON, JSON nested too deeply or holding a number too long to read, or
larger than the source's ``limits.max_body_bytes``.

The body is read in chunks against ``limits``: at most ``max_body_bytes`` (after any
decompression). The whole request, from connecting to the body's last byte, must end within
``request_seconds`` (``limits.request_seconds``): httpx's timeouts bound each wait for a chunk,
not the request, so the client's network streams (``_DeadlineBackend``) cut every connect, read
and write at the deadline of the request in progress. A server that trickles its status line,
its headers or its body one byte at a time cannot hold a sync longer than that: the attempt
fails, and if the retries give up on it the request raises ``PageError`` (that endpoint fails
for that agency, the rest of the source carries on).
"""

from __future__ import annotations

import base64
import email.utils
import html
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import httpcore
import httpx
from pydantic import BaseModel, ConfigDict, Field

from checker.errors import (
    ConfigError,
    PageError,
    PageNotFoundError,
    SourceAuthError,
    SourceError,
)
from checker.i18n import _, ngettext

log = logging.getLogger(__name__)

USER_AGENT = "checker (electronic-records compliance checker)"
REDACTED = "[redacted]"
_SECRET_PARAM = re.compile(r"pass|token|secret|key|signature|auth", re.IGNORECASE)
_EXCERPT = 120
_INVISIBLE = re.compile(r"<(script|style|head)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_NUMBER_TAIL = re.compile(r"-|\.\d*(?:[eE][+-]?\d*)?|[eE][+-]?\d*")  # a number cut short


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BearerAuth(_Strict):
    """``Authorization: <scheme> <token>``, the token read from ``token_env``. The scheme
    word is ``Bearer`` unless the vendor asks another (Django REST framework's ``Token``):
    a server may answer a scheme it does not know with 200 and an empty list."""

    type: Literal["bearer"]
    token_env: str = Field(min_length=1)
    scheme: str = Field(default="Bearer", pattern=r"^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$")


class ApiKeyAuth(_Strict):
    """An API key in a header of the vendor's choosing, read from ``key_env``."""

    type: Literal["api_key"]
    header: str = Field(default="X-API-Key", min_length=1)
    key_env: str = Field(min_length=1)


class BasicAuth(_Strict):
    """HTTP basic authentication; the password is read from ``password_env``."""

    type: Literal["basic"]
    user: str = Field(min_length=1)
    password_env: str = Field(min_length=1)


AuthConfig = Annotated[BearerAuth | ApiKeyAuth | BasicAuth, Field(discriminator="type")]


class Timeouts(_Strict):
    """Seconds allowed to connect, to read or write a chunk, and to wait for a pooled
    connection."""

    connect: float = Field(default=10.0, gt=0)
    read: float = Field(default=60.0, gt=0)
    write: float = Field(default=60.0, gt=0)
    pool: float = Field(default=10.0, gt=0)


class RetryPolicy(_Strict):
    """How often and how long a request is tried again."""

    max_attempts: int = Field(default=5, ge=1)
    max_total_seconds: float = Field(default=300.0, gt=0)
    base_delay: float = Field(default=1.0, ge=0, description="first backoff ceiling, seconds")
    max_delay: float = Field(default=60.0, ge=0, description="largest backoff ceiling")
    max_retry_after: float = Field(default=120.0, ge=0, description="cap on Retry-After")


class Limits(_Strict):
    """What one answer of a source may cost: bytes of body, records in a page, seconds."""

    max_body_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    max_items_per_page: int = Field(default=20_000, ge=1)
    request_seconds: float = Field(default=300.0, gt=0, description="deadline per request")


@dataclass(frozen=True)
class RetryNotice:
    """A failed attempt that will be tried again after ``delay`` seconds."""

    attempt: int
    delay: float
    reason: str


class SecretHeaderAuth(httpx.Auth):
    """Adds one secret header to each request; its repr and ``redact`` never show it."""

    def __init__(self, header: str, value: str, secrets: tuple[str, ...]) -> None:
        self._header = header
        self._value = value
        self.secrets = tuple(s for s in (value, *secrets) if s)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._value
        yield request

    def __repr__(self) -> str:
        return f"SecretHeaderAuth({self._header}: {REDACTED})"


def build_client(
    source: str,
    auth: AuthConfig | None,
    timeouts: Timeouts,
    *,
    environ: Mapping[str, str] = os.environ,
    transport: httpx.BaseTransport | None = None,
    max_connections: int = 8,
) -> httpx.Client:
    """A client for one source, authenticated with the secret its configuration names,
    holding at most ``max_connections`` connections to it (shared by threads: one request
    each at a time); its requests end at the deadline ``fetch_json`` sets (a given
    ``transport`` is used as is)."""
    return httpx.Client(
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        auth=_auth(source, auth, environ) if auth else None,
        timeout=httpx.Timeout(
            connect=timeouts.connect, read=timeouts.read, write=timeouts.write, pool=timeouts.pool
        ),
        headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        transport=transport or deadline_transport(),
        follow_redirects=False,
    )


_deadline: ContextVar[float | None] = ContextVar("checker_request_deadline", default=None)


def deadline_transport() -> httpx.HTTPTransport:
    """httpx's transport, its connections made through ``_DeadlineBackend``."""
    transport = httpx.HTTPTransport()
    pool = transport._pool  # httpx builds it; its connections take the pool's backend
    pool._network_backend = _DeadlineBackend(pool._network_backend)
    return transport


@contextmanager
def request_deadline(seconds: float) -> Iterator[float]:
    """Every network wait in the block ends ``seconds`` from now at the latest; yields the
    deadline (``time.monotonic()``)."""
    deadline = time.monotonic() + seconds
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


def _time_left(timeout: float | None, late: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` shortened to the time left before the request's deadline, if one is set."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise late("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every wait ends at the deadline of the request using it."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Makes ``_DeadlineStream`` connections, connecting within the deadline too."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, left, local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _auth(source: str, auth: AuthConfig, environ: Mapping[str, str]) -> SecretHeaderAuth:
    if isinstance(auth, BearerAuth):
        token = _secret(source, auth.token_env, "bearer token", environ)
        return SecretHeaderAuth("Authorization", f"{auth.scheme} {token}", (token,))
    if isinstance(auth, ApiKeyAuth):
        key = _secret(source, auth.key_env, _("API key"), environ)
        return SecretHeaderAuth(auth.header, key, ())
    password = _secret(source, auth.password_env, _("password"), environ)
    encoded = base64.b64encode(f"{auth.user}:{password}".encode()).decode("ascii")
    return SecretHeaderAuth("Authorization", f"Basic {encoded}", (encoded, password))


def _secret(source: str, variable: str, what: str, environ: Mapping[str, str]) -> str:
    value = environ.get(variable, "")
    if not value:
        message = _("source {source}: environment variable {variable} (its {what}) is not set")
        raise ConfigError(message.format(source=source, variable=variable, what=what))
    return value


def redact(text: str, client: httpx.Client | None = None) -> str:
    """``text`` with the client's secrets, URL passwords and secret query values masked."""
    secrets = client.auth.secrets if client and isinstance(client.auth, SecretHeaderAuth) else ()
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = re.sub(r"(://[^/\s:@]*:)[^/\s@]*@", rf"\g<1>{REDACTED}@", text)
    return re.sub(r"([?&]([^=&\s]+)=)([^&\s#]*)", _mask_param, text)


def _mask_param(match: re.Match[str]) -> str:
    secret = _SECRET_PARAM.search(match.group(2))
    return match.group(1) + (REDACTED if secret else match.group(3))


def fetch_json(
    client: httpx.Client,
    url: str,
    params: Mapping[str, str],
    *,
    policy: RetryPolicy,
    limits: Limits | None = None,
    on_retry: Callable[[RetryNotice], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> Any:
    """The JSON body of ``GET url?params``, trying again on failures that may pass."""
    spent, limits = 0.0, limits or Limits()
    for attempt in range(1, policy.max_attempts + 1):
        started = time.monotonic()
        try:
            return _attempt(client, url, params, limits)
        except _Transient as failure:
            spent += time.monotonic() - started
            delay = _delay(policy, attempt, failure.retry_after, jitter)
            if attempt == policy.max_attempts or spent + delay > policy.max_total_seconds:
                where = _where(client, url, params)
                error = PageError if failure.late else SourceError
                message = ngettext(
                    "{where}: gave up after {attempt} attempt in {spent} s; last: {reason}",
                    "{where}: gave up after {attempt} attempts in {spent} s; last: {reason}",
                    attempt,
                )
                last = redact(failure.reason, client)
                raise error(
                    message.format(where=where, attempt=attempt, spent=f"{spent:.0f}", reason=last)
                ) from failure.__cause__
            notice = RetryNotice(attempt, delay, redact(failure.reason, client))
            where = _where(client, url, params)
            log.info("%s: %s; retrying in %.1f s", where, notice.reason, notice.delay)
            if on_retry is not None:
                on_retry(notice)
            sleep(delay)
            spent += delay
    raise AssertionError("unreachable: max_attempts >= 1")


class _Transient(Exception):
    """An attempt failed in a way a later attempt may not."""

    def __init__(
        self, reason: str, retry_after: float | None = None, *, late: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.late = late  # past the request's deadline: when given up, this page fails


def _late(limits: Limits, size: int | None = None) -> _Transient:
    seconds = f"{limits.request_seconds:g}"
    if size is None:
        message = _(
            "the answer was not complete after {seconds} s (limits.request_seconds of the source)"
        ).format(seconds=seconds)
    else:
        message = _(
            "the answer was not complete after {seconds} s ({size} bytes) "
            "(limits.request_seconds of the source)"
        ).format(seconds=seconds, size=size)
    return _Transient(message, late=True)


def _attempt(client: httpx.Client, url: str, params: Mapping[str, str], limits: Limits) -> Any:
    with request_deadline(limits.request_seconds) as deadline:
        try:
            with client.stream("GET", full_url(url, params)) as response:
                body = _read_body(client, response, limits, deadline)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise _late(limits) from exc
            raise _Transient(_("timed out ({kind})").format(kind=type(exc).__name__)) from exc
        except httpx.TransportError as exc:
            message = _("connection failed ({kind}: {error})")
            raise _Transient(message.format(kind=type(exc).__name__, error=exc)) from exc
    return _json_of(client, response, body)


def _read_body(
    client: httpx.Client, response: httpx.Response, limits: Limits, deadline: float
) -> bytes:
    """The (decompressed) body, refused past ``max_body_bytes`` or the request's deadline
    (checked here too for a transport that does not go through ``_DeadlineBackend``)."""
    size, chunks = 0, []
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limits.max_body_bytes:
            message = _(
                "{where}: the answer is larger than {limit} bytes (limits.max_body_bytes of "
                "the source; raise it in the source's [limits] if such pages are expected)"
            )
            raise PageError(
                message.format(where=_where(client, response.request), limit=limits.max_body_bytes)
            )
        if time.monotonic() > deadline:
            raise _late(limits, size)
        chunks.append(chunk)
    return b"".join(chunks)


def _json_of(client: httpx.Client, response: httpx.Response, body: bytes) -> Any:
    status = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    where = _where(client, response.request)
    if response.status_code in (401, 403):
        message = _(
            "{where}: {status}: the source refused our credentials; check the source's auth "
            "settings and the secret in its variable"
        )
        raise SourceAuthError(message.format(where=where, status=status))
    if response.status_code == 429 or response.status_code >= 500:
        raise _Transient(status, retry_after=_retry_after(response.headers.get("Retry-After")))
    if not response.is_success:
        text = body[: _EXCERPT * 200].decode("utf-8", "replace")  # an error page's start
        excerpt = redact(_printable(body_excerpt(text)), client)
        error = PageNotFoundError if response.status_code == 404 else PageError
        raise error(f"{where}: {status}: {excerpt}".rstrip(": "))
    _check_complete(response, body)
    return _parse_json(where, body)


def _parse_json(where: str, body: bytes) -> Any:
    """The JSON of a complete body; a body that stops early may be complete next time."""
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        if _stops_early(exc):
            message = _("body is not valid JSON, it stops early ({error})")
            raise _Transient(message.format(error=exc)) from exc
        message = _("{where}: body is not valid JSON ({error})")
        raise PageError(message.format(where=where, error=exc)) from exc
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.end == len(exc.object):
            message = _("body is not valid JSON, it stops early ({error})")
            raise _Transient(message.format(error=exc)) from exc  # cut inside a character
        message = _("{where}: body is not UTF-8 text (byte {byte})")
        raise PageError(message.format(where=where, byte=exc.start)) from exc
    except RecursionError as exc:
        message = _("{where}: body is JSON nested too deeply to read")
        raise PageError(message.format(where=where)) from exc
    except ValueError as exc:  # an integer of more than sys.get_int_max_str_digits() digits
        reason = str(exc).split(";")[0]
        message = _("{where}: body holds a number too long to read ({reason})")
        raise PageError(message.format(where=where, reason=reason)) from exc


def body_excerpt(text: str, limit: int = _EXCERPT) -> str:
    """An error body as one short line: an HTML page's visible text (tags, scripts and
    styles removed, entities decoded), whitespace collapsed, cut at ``limit`` characters."""
    visible = html.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", text)))
    line = " ".join(visible.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _stops_early(error: json.JSONDecodeError) -> bool:
    """True when the JSON was fine up to where it ends (a body cut short that its
    Content-Length, if any, did not reveal), false when it goes wrong before."""
    rest = error.doc[error.pos :].strip()
    return (
        not rest
        or error.msg.startswith("Unterminated string")
        or (error.msg.startswith("Invalid \\") and len(rest) <= 6)
        or any(word.startswith(rest) for word in ("true", "false", "null"))
        or _NUMBER_TAIL.fullmatch(rest) is not None
    )


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _check_complete(response: httpx.Response, body: bytes) -> None:
    """A body shorter than its Content-Length was cut short (an encoded body is not
    comparable: its declared length is the compressed one)."""
    declared = response.headers.get("Content-Length", "")
    if "Content-Encoding" in response.headers or not declared.isdigit():
        return
    if len(body) < int(declared):
        message = _("body cut short ({got} of {declared} bytes)")
        raise _Transient(message.format(got=len(body), declared=declared))


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _delay(
    policy: RetryPolicy, attempt: int, retry_after: float | None, jitter: Callable[[], float]
) -> float:
    if retry_after is not None:
        return min(retry_after, policy.max_retry_after)
    ceiling = min(policy.max_delay, policy.base_delay * 2.0 ** (attempt - 1))
    return jitter() * ceiling


def _where(
    client: httpx.Client, url: str | httpx.Request, params: Mapping[str, str] | None = None
) -> str:
    if isinstance(url, httpx.Request):
        return redact(f"GET {url.url}", client)
    return redact(f"GET {full_url(url, params or {})}", client)


def full_url(url: str, params: Mapping[str, str]) -> httpx.URL:
    """``url`` with ``params`` added to the query it may already have."""
    return httpx.URL(url).copy_merge_params(dict(params)) if params else httpx.URL(url)

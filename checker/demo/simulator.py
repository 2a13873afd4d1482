"""A simulator of the document-management, archive and one-stop-shop software: it serves the
reference log API (docs/openapi.yaml) over real HTTP on loopback, from
``checker.demo.simulated_data``.

    with Simulator(generate_dataset(agencies=demo_agency_codes())) as sim:
        httpx.get(f"{sim.base_url}/api/v1/files", params={"agency": "000.00.01.H99"},
                  headers={"Authorization": "Bearer demo-token"})

Documents are served under ``/api/v1``, transfers and the digitisation register under
``/archive/v1``, the one-stop shop's dossiers under ``/onestop/v1``. A ``FaultPlan``
makes chosen requests fail the ways real servers do (429, 503, slow answers, truncated bodies,
broken records), counted deterministically so tests can say which request gets which fault.

``latency`` (seconds) delays every answer as a vendor's server across a network would (tens
of milliseconds, where loopback answers in microseconds); requests are answered concurrently,
and ``max_in_flight`` tells how many were being answered at once at most, so a test can check
that a client keeps within its bound.
"""

from __future__ import annotations

import bisect
import contextlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from checker.clock import VIETNAM
from checker.demo.simulated_data import ENDPOINTS, Item, SimulatedData
from checker.errors import ConfigError
from checker.i18n import _
from checker.oserrors import os_reason

ROUTES = {
    "/api/v1/incoming-documents": "incoming-documents",
    "/api/v1/outgoing-documents": "outgoing-documents",
    "/api/v1/files": "files",
    "/api/v1/file-lists": "file-lists",
    "/archive/v1/transfers": "transfers",
    "/archive/v1/digitised-files": "digitised-files",
    "/onestop/v1/dossiers": "dossiers",
}
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
TRANSFER_KINDS = ("agency_archive", "historical_archive")
_BROKEN_DATE = {  # the field an invalid record gets "not a date" in, per endpoint
    "incoming-documents": "arrived_at",
    "outgoing-documents": "issued_date",
    "files": "opened_at",
    "file-lists": "year",
    "transfers": "transferred_on",
    "dossiers": "received_at",
    "digitised-files": "digitised_on",
}


@dataclass(frozen=True)
class FaultPlan:
    """Which requests fail, and how. ``*_every = N`` hits requests N, 2N, 3N, … counted from
    1 over every GET request the simulator receives; 0 turns a fault off. When several hit the
    same request, the slow delay comes first, then 429 wins over 503, and truncation and
    invalid records apply to whatever body is left to send."""

    rate_limit_every: int = 0
    retry_after: str = "0"
    error_every: int = 0
    slow_every: int = 0
    slow_seconds: float = 0.0
    truncate_every: int = 0
    invalid_record_every: int = 0
    """Every Nth item of a listing (counted from 1 over the whole filtered listing, so
    independently of paging) is served broken: alternately a date field reading
    "not a date" and a missing ``id``."""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, int | float) and value < 0:
                message = _("{name} must not be negative, got {value}")
                raise ValueError(message.format(name=field.name, value=value))

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """A plan from ``"rate_limit_every=5,error_every=7,retry_after=1"`` (the CLI option)."""
        default, changes = cls(), dict[str, Any]()
        names = [f.name for f in fields(cls)]
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, _equals, value = (t.strip() for t in part.partition("="))
            if name not in names:
                message = _("fault plan {spec}: unknown {name}, expected one of {expected}")
                expected = ", ".join(names)
                raise ConfigError(
                    message.format(spec=repr(spec), name=repr(name), expected=expected)
                )
            try:
                changes[name] = type(getattr(default, name))(value)
            except ValueError:
                message = _("fault plan {spec}: {name}={value} is not a number")
                raise ConfigError(
                    message.format(spec=repr(spec), name=name, value=repr(value))
                ) from None
        try:
            return replace(default, **changes)
        except ValueError as exc:
            message = _("fault plan {spec}: {reason}")
            raise ConfigError(message.format(spec=repr(spec), reason=exc)) from None


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: Mapping[str, str]


class _BadRequest(Exception):
    pass


class _Listing:
    """The items of one listing (endpoint, agency, kind), encoded once, with their times."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.encoded = [_json(item) for item in items]
        self.stamps = [datetime.fromisoformat(str(item["updated_at"])) for item in items]


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _error(status: HTTPStatus, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = _json({"error": status.phrase, "message": message})
    return Response(status, body, headers or {})


def check_port(port: int) -> int:
    """``port`` if a server can listen on it (0: any free port), else a ``ConfigError``."""
    if not 0 <= port <= 65535:
        message = _("port {port} does not exist: a port is a number from 0 to 65535")
        raise ConfigError(message.format(port=port))
    return port


def check_latency(seconds: float) -> float:
    """``seconds`` if it can delay an answer (0 to 60 s), else a ``ConfigError``."""
    if not 0 <= seconds <= 60:
        message = _("latency {ms} ms: expected 0 to 60000 ms")
        raise ConfigError(message.format(ms=f"{seconds * 1000:g}"))
    return seconds


def check_free(port: int, host: str = "127.0.0.1") -> None:
    """Fail early, before building a dataset to serve, when ``port`` cannot be listened on."""
    check_port(port)
    try:
        socket.create_server((host, port)).close()
    except OSError as exc:
        raise _cannot_serve(host, port, exc) from exc


def _cannot_serve(host: str, port: int, exc: OSError) -> ConfigError:
    message = _(
        "cannot serve on {host}:{port}: {reason} (choose another port, or 0 for any free one)"
    )
    return ConfigError(message.format(host=host, port=port, reason=_why_not(exc)))


def _why_not(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return _("this user may not listen on that port")
    return os_reason(exc)


class Simulator:
    """The simulated software on a loopback port; a context manager that starts and stops it.

    ``token`` None serves without authentication; ``port`` 0 takes a free port, read back
    from ``base_url`` once started."""

    def __init__(
        self,
        data: SimulatedData,
        *,
        token: str | None = "demo-token",
        faults: FaultPlan = FaultPlan(),
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
    ) -> None:
        check_port(port)
        self.data, self.token, self.faults, self.host, self.port = data, token, faults, host, port
        self.latency = check_latency(latency)
        self.listings = _listings(data)
        self.faults_served: list[tuple[int, str]] = []
        self._requests = 0
        self._in_flight = 0
        self._max_in_flight = 0
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not running: call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._requests

    @property
    def max_in_flight(self) -> int:
        """The most requests being answered at once since the start (or the last reset)."""
        with self._lock:
            return self._max_in_flight

    def reset_counts(self) -> None:
        """Count requests and the most in flight from zero again."""
        with self._lock:
            self._requests, self._max_in_flight = 0, self._in_flight

    def start(self) -> Simulator:
        if self._server is None:
            try:
                self._server = _Server((self.host, self.port), self)
            except OSError as exc:
                raise _cannot_serve(self.host, self.port, exc) from exc
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},  # how long stop() may wait for the loop
                name="checker-simulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and wait for the request threads."""
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        if server is None or thread is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- answering ---------------------------------------------------------------------------

    def respond(self, target: str, authorization: str | None) -> Response:
        """The answer to ``GET target`` (path and query), after ``latency``, faults included."""
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            return self._respond(target, authorization)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _respond(self, target: str, authorization: str | None) -> Response:
        faults, plan = self._count(), self.faults
        if "slow" in faults:
            time.sleep(plan.slow_seconds)
        if "rate_limit" in faults:
            return _error(
                HTTPStatus.TOO_MANY_REQUESTS,
                "rate limit reached, retry later",
                {"Retry-After": plan.retry_after},
            )
        if "error" in faults:
            return _error(HTTPStatus.SERVICE_UNAVAILABLE, "service temporarily unavailable")
        response = self._answer(target, authorization)
        if "truncate" in faults:
            response = replace(response, body=response.body[: len(response.body) // 2])
        return response

    def _count(self) -> list[str]:
        """Number this request, and name and record the faults that hit it."""
        plan = self.faults
        plans = (
            ("slow", plan.slow_every),
            ("rate_limit", plan.rate_limit_every),
            ("error", plan.error_every),
            ("truncate", plan.truncate_every),
        )
        with self._lock:
            self._requests += 1
            number = self._requests
            hits = [name for name, every in plans if every and number % every == 0]
            self.faults_served += [(number, name) for name in hits]
        return hits

    def _answer(self, target: str, authorization: str | None) -> Response:
        url = urlsplit(target)
        if self.token is not None and not _authorized(authorization, self.token):
            return _error(
                HTTPStatus.UNAUTHORIZED,
                "missing or wrong bearer token",
                {"WWW-Authenticate": 'Bearer realm="checker-simulator"'},
            )
        endpoint = ROUTES.get(url.path)
        if endpoint is None:
            return _error(HTTPStatus.NOT_FOUND, f"no such path: {url.path}")
        try:
            query = _Query.parse(endpoint, url.query)
        except _BadRequest as exc:
            return _error(HTTPStatus.BAD_REQUEST, str(exc))
        return Response(HTTPStatus.OK, self._page(endpoint, query), {})

    def _page(self, endpoint: str, query: _Query) -> bytes:
        listing = self.listings.get((endpoint, query.agency, query.kind))
        if listing is None:
            listing = _Listing([])
        first = 0 if query.since is None else bisect.bisect_left(listing.stamps, query.since)
        total = len(listing.items) - first
        start = first + query.offset
        end = min(start + query.limit, len(listing.items))
        every = self.faults.invalid_record_every
        parts = []
        for position in range(start, end):
            rank = position - first + 1  # in the filtered listing
            if every and rank % every == 0:
                parts.append(_json(_broken(endpoint, listing.items[position], rank // every)))
            else:
                parts.append(listing.encoded[position])
        tail = f'],"total":{total},"offset":{query.offset},"limit":{query.limit}}}'
        return b'{"items":[' + b",".join(parts) + tail.encode()


@dataclass(frozen=True)
class _Query:
    agency: str
    since: datetime | None
    offset: int
    limit: int
    kind: str | None

    @classmethod
    def parse(cls, endpoint: str, query: str) -> _Query:
        """The query parameters, checked; raises ``_BadRequest`` naming the bad one."""
        allowed = {"agency", "updated_since", "offset", "limit"}
        if endpoint == "transfers":
            allowed.add("kind")
        params = parse_qs(query, keep_blank_values=True)
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise _BadRequest(
                f"unknown parameter {unknown[0]!r}; expected {', '.join(sorted(allowed))}"
            )
        single = {}
        for name, values in params.items():
            if len(values) > 1:
                raise _BadRequest(f"parameter {name!r} given {len(values)} times")
            single[name] = values[0]
        if not single.get("agency"):
            raise _BadRequest("parameter 'agency' is required: the agency's organisation code")
        kind = single.get("kind")
        if kind is not None and kind not in TRANSFER_KINDS:
            raise _BadRequest(f"kind must be one of {', '.join(TRANSFER_KINDS)}, got {kind!r}")
        return cls(
            agency=single["agency"],
            since=_since(single.get("updated_since")),
            offset=_int("offset", single.get("offset"), 0, 0, None),
            limit=_int("limit", single.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
            kind=kind,
        )


def _int(name: str, text: str | None, default: int, low: int, high: int | None) -> int:
    if text is None:
        return default
    bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
    try:
        value = int(text)
    except ValueError:
        raise _BadRequest(f"{name} must be an integer {bounds}, got {text!r}") from None
    if value < low or (high is not None and value > high):
        raise _BadRequest(f"{name} must be an integer {bounds}, got {text!r}")
    return value


def _since(text: str | None) -> datetime | None:
    """An ISO datetime; naive ones are Vietnam time. A '+' sent unencoded arrives as a space."""
    if text is None:
        return None
    for candidate in (text, text.replace(" ", "+")):
        try:
            when = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return when if when.tzinfo is not None else when.replace(tzinfo=VIETNAM)
    raise _BadRequest(f"updated_since must be an ISO 8601 datetime, got {text!r}")


def _authorized(header: str | None, token: str) -> bool:
    scheme, _space, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _broken(endpoint: str, item: Item, n: int) -> Item:
    """A copy of ``item`` that a careful client must quarantine: odd ``n`` a bad date, even
    ``n`` no ``id``."""
    broken = dict(item)
    if n % 2:
        broken[_BROKEN_DATE[endpoint]] = "not a date"
    else:
        del broken["id"]
    return broken


def _listings(data: SimulatedData) -> dict[tuple[str, str, str | None], _Listing]:
    """Every listing the API can serve: per endpoint and agency, transfers also per kind."""
    listings: dict[tuple[str, str, str | None], _Listing] = {}
    for endpoint in ENDPOINTS:
        for agency, items in data.items[endpoint].items():
            listings[endpoint, agency, None] = _Listing(list(items))
            if endpoint == "transfers":
                for kind in TRANSFER_KINDS:
                    chosen = [i for i in items if i["kind"] == kind]
                    listings[endpoint, agency, kind] = _Listing(chosen)
    return listings


# --- HTTP ------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """A threading server that keeps track of its connections, so that stopping it can close
    idle keep-alive connections and then wait for every request thread."""

    daemon_threads = False
    block_on_close = True
    request_queue_size = 128  # clients opening many connections at once are not refused

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
        self.simulator = simulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connections closed under a request (by the client, or by stop) are not errors."""
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

    def do_GET(self) -> None:
        response = self.server.simulator.respond(self.path, self.headers.get("Authorization"))
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: a test suite or a terminal does not want a line per request."""


# --- entry point -----------------------------------------------------------------------------


def serve(
    data: SimulatedData,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str | None = "demo-token",
    faults: FaultPlan = FaultPlan(),
    latency: float = 0.0,
    on_ready: Callable[[Simulator], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve ``data`` until ``stop`` is set or the user presses Ctrl-C, then stop cleanly.
    ``on_ready`` gets the running simulator (to print its ``base_url``)."""
    simulator = Simulator(data, token=token, faults=faults, host=host, port=port, latency=latency)
    with simulator:
        if on_ready is not None:
            on_ready(simulator)
        with contextlib.suppress(KeyboardInterrupt):
            (stop or threading.Event()).wait()

"""A local HTTP server answering as Mayan EDMS 4's REST API does, for the shapes checker
reads: documents by document type, each document's metadata, token authentication.

The shapes were taken from a real Mayan EDMS 4.12.2 (``mayan-edms`` from PyPI, SQLite) and
its source (``mayan/apps/rest_api/pagination.py``, Django REST framework's
``PageNumberPagination``):

- ``Authorization: Token <key>``; any other header is an anonymous user, who sees an empty
  document list (200) and no document type (404 "No DocumentType matches the given query.");
- pages ``{"count", "next", "previous", "results"}``, ``page`` and ``page_size`` parameters,
  the page size capped at ``REST_API_MAXIMUM_PAGE_SIZE`` (100 by default) whatever is asked,
  a page past the last answered 404 ``{"detail": "Invalid page."}``, absolute next links;
- ``GET document_types/<id>/documents/``: documents with ``id``, ``label``,
  ``datetime_created`` (ISO 8601, microseconds, ``Z``), ``document_type`` and URLs;
- ``GET documents/<id>/metadata/``: ``{"id", "document", "metadata_type": {"id", "name",
  "label", ...}, "url", "value"}``, paged the same way.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "beca7b3db7ef6e5bc3c3ac3a96ad365b2add16cc"
METADATA_TYPES = {1: "so_ky_hieu", 2: "ngay_den", 3: "co_quan_gui", 4: "do_khan"}


@dataclass
class MayanData:
    """Documents by document type; each document's metadata values by type name."""

    documents: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    metadata: dict[int, dict[str, str]] = field(default_factory=dict)
    max_page_size: int = 100
    default_page_size: int = 40
    metadata_delay: float = 0.0

    def add(self, type_id: int, doc_id: int, label: str, created: str, **values: str) -> None:
        self.documents.setdefault(type_id, []).append(
            {"id": doc_id, "label": label, "datetime_created": created, "type_id": type_id}
        )
        self.metadata[doc_id] = values


@dataclass
class MayanServer:
    base_url: str
    data: MayanData
    requests: list[str]
    in_flight_max: int = 0


def sample_data() -> MayanData:
    """What was loaded into the real Mayan this mapping was tried on."""
    data = MayanData()
    rows = [
        (
            2,
            1,
            "Công văn về công tác văn thư 2025",
            "45/UBND-VP",
            "2025-03-03 08:15",
            "000.00.00.H41",
            "Khẩn",
        ),
        (
            2,
            2,
            "Kế hoạch chuyển đổi số",
            "112/KH-UBND",
            "2025-03-04 14:02",
            "000.00.00.H41",
            "Thường",
        ),
        (2, 3, "Thông báo lịch họp", "7/TB-SNV", "04/03/2025", "000.00.03.H41", "Thường"),
        (
            2,
            4,
            "Quyết định phê duyệt",
            "1203/QĐ-UBND",
            "2025-03-05 09:30",
            "000.00.00.H41",
            "Hỏa tốc",
        ),
        (3, 5, "Công văn về dự toán", "88/STC-NS", "2025-03-06 10:00", "000.00.00.H41", "Thường"),
        (
            3,
            6,
            "Báo cáo quyết toán",
            "19/BC-UBND",
            "2025-03-07 16:45",
            "000.00.04.H41",
            "Thượng khẩn",
        ),
    ]
    for type_id, doc_id, label, code, arrived, sender, urgency in rows:
        created = f"2026-11-29T00:48:{10 + doc_id:02d}.402787Z"
        data.add(
            type_id, doc_id, label, created,
            so_ky_hieu=code, ngay_den=arrived, co_quan_gui=sender, do_khan=urgency,
        )  # fmt: skip
    return data


@contextmanager
def mayan_server(data: MayanData) -> Iterator[MayanServer]:
    """The server on a free loopback port, for the time of the ``with``."""
    lock, counter = threading.Lock(), {"now": 0}
    log: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                log.append(self.path)
                counter["now"] += 1
                state.in_flight_max = max(state.in_flight_max, counter["now"])
            try:
                status, body = _answer(data, state.base_url, self.path, self.headers)
            finally:
                with lock:
                    counter["now"] -= 1
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = MayanServer(f"http://127.0.0.1:{server.server_port}/api/v4", data, log)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _answer(data: MayanData, base: str, target: str, headers: Any) -> tuple[int, Any]:
    parts = urlsplit(target)
    here = base.removesuffix("/api/v4") + parts.path
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    signed_in = headers.get("Authorization") == f"Token {TOKEN}"
    if match := re.fullmatch(r"/api/v4/document_types/(\d+)/documents/", parts.path):
        documents = data.documents.get(int(match[1]))
        if documents is None or not signed_in:
            return 404, {"detail": "No DocumentType matches the given query."}
        return _page(data, here, query, [_document(base, d) for d in documents])
    if parts.path == "/api/v4/documents/":
        every = [d for docs in data.documents.values() for d in docs] if signed_in else []
        return _page(data, here, query, [_document(base, d) for d in every])
    if match := re.fullmatch(r"/api/v4/documents/(\d+)/metadata/", parts.path):
        doc_id = int(match[1])
        if doc_id not in data.metadata or not signed_in:
            return 404, {"detail": "No Document matches the given query."}
        time.sleep(data.metadata_delay)
        return _page(data, here, query, _metadata(base, doc_id, data))
    return 404, {"detail": "Not found."}


def _page(data: MayanData, url: str, query: dict[str, str], rows: list[Any]) -> tuple[int, Any]:
    asked = int(query.get("page_size", data.default_page_size))
    size = max(1, min(asked, data.max_page_size))
    number = int(query.get("page", "1"))
    pages = max(1, -(-len(rows) // size))
    if number < 1 or number > pages:
        return 404, {"detail": "Invalid page."}
    link = f"{url}?page={{}}" + (f"&page_size={asked}" if "page_size" in query else "")
    return 200, {
        "count": len(rows),
        "next": link.format(number + 1) if number < pages else None,
        "previous": link.format(number - 1) if number > 1 else None,
        "results": rows[(number - 1) * size : number * size],
    }


def _document(base: str, row: dict[str, Any]) -> dict[str, Any]:
    doc_id, type_id = row["id"], row["type_id"]
    return {
        "datetime_created": row["datetime_created"],
        "description": "",
        "document_type": {
            "id": type_id,
            "label": f"Văn bản đến {type_id}",
            "url": f"{base}/document_types/{type_id}/",
            "documents_url": f"{base}/document_types/{type_id}/documents/",
        },
        "file_latest": None,
        "id": doc_id,
        "label": row["label"],
        "language": "eng",
        "url": f"{base}/documents/{doc_id}/",
        "uuid": f"00000000-0000-0000-0000-{doc_id:012d}",
        "version_active": None,
    }


def _metadata(base: str, doc_id: int, data: MayanData) -> list[dict[str, Any]]:
    names = {name: number for number, name in METADATA_TYPES.items()}
    return [
        {
            "document": {"id": doc_id, "url": f"{base}/documents/{doc_id}/"},
            "id": 10 * doc_id + names.get(name, 9),
            "metadata_type": {
                "default": None,
                "id": names.get(name, 9),
                "label": name,
                "lookup": None,
                "name": name,
                "url": f"{base}/metadata_types/{names.get(name, 9)}/",
            },
            "url": f"{base}/documents/{doc_id}/metadata/{names.get(name, 9)}/",
            "value": value,
        }
        for name, value in data.metadata[doc_id].items()
    ]

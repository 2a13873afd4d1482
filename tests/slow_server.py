"""A real HTTP server on a local socket that answers some requests at once and trickles others
one byte at a time (status line and headers included), as a hostile or broken vendor might."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

# What to send for a request (its target, e.g. "/api/v1/x?agency=A"): the bytes of a whole
# answer, and whether to trickle them.
Answer = tuple[bytes, bool]


def http_answer(body: bytes, status: str = "200 OK") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


class SlowServer:
    """Serves ``answer(target)`` on 127.0.0.1; a trickled answer is sent one byte every
    ``pause`` seconds, until it is all sent or the client hangs up."""

    def __init__(self, answer: Callable[[str], Answer], pause: float = 0.2) -> None:
        self.answer = answer
        self.pause = pause
        self.targets: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> SlowServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopped.set()
        self._thread.join()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._talk, args=(connection,), daemon=True).start()

    def _talk(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            pending = b""
            while not self._stopped.is_set():
                while b"\r\n\r\n" not in pending:
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    pending += chunk
                head, pending = pending.split(b"\r\n\r\n", 1)
                target = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
                self.targets.append(target)
                data, trickle = self.answer(target)
                if not self._send(connection, data, trickle):
                    return

    def _send(self, connection: socket.socket, data: bytes, trickle: bool) -> bool:
        try:
            if not trickle:
                connection.sendall(data)
                return True
            for byte in data:
                if self._stopped.is_set():
                    return False
                connection.sendall(bytes([byte]))
                time.sleep(self.pause)
        except OSError:  # the client hung up
            return False
        return True

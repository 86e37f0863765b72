"""Tiny servers on 127.0.0.1: canned HTTP replies, and raw bytes for answers that break HTTP."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass

Reply = tuple[int, dict[str, str], bytes]


class CannedServer:
    """Records each request (path, headers, body) and answers with the next canned reply.

    A reply whose headers set ``Content-Length`` to ``""`` is sent without a
    length, its end marked by closing the connection.
    """

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.client_ports: list[int] = []
        """The client's port for each request: one port, one connection."""
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive unless a reply says otherwise

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                outer.requests.append((self.path, dict(self.headers.items()), body))
                outer.client_ports.append(self.client_address[1])
                status, headers, payload = (
                    outer.replies.pop(0) if outer.replies else (200, {}, b"{}")
                )
                self.send_response(status)
                for name, value in headers.items():
                    if value:
                        self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(payload)))
                elif headers["Content-Length"] == "":  # close-delimited: no length at all
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[CannedServer]:
        thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)


@dataclass(frozen=True)
class RawRequest:
    """One request as the raw server read it."""

    path: str
    headers: dict[str, str]
    """Lower-cased names."""
    body: bytes
    connection: int
    """Which accepted connection carried it (0, 1, ...)."""


Piece = bytes | float
"""Bytes to write, or seconds to pause before the next piece."""

RawAnswer = Callable[[RawRequest], tuple[Sequence[Piece], bool]]
"""What to send for a request, and whether to close the connection afterwards."""


class RawServer:
    """A loopback server that writes whatever bytes it is told, HTTP or not.

    For answers ``http.server`` cannot produce: interim 1xx answers, two
    ``Content-Length`` headers, no status line at all, an answer dripped in
    pieces. Each connection is served by its own thread, keep-alive, until
    the client closes it or an answer says to close.
    """

    def __init__(self, answer: RawAnswer) -> None:
        self._answer = answer
        self.requests: list[RawRequest] = []
        self._lock = threading.Lock()
        self._connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []

    @property
    def connections(self) -> int:
        """How many connections were accepted."""
        with self._lock:
            return self._connections

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                number = self._connections
                self._connections += 1
                self._open.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(10)
        buffer = b""
        with conn:
            try:
                while not self._stop.is_set():
                    while b"\r\n\r\n" not in buffer:
                        data = conn.recv(65536)
                        if not data:
                            return
                        buffer += data
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    lines = head.decode("latin-1").split("\r\n")
                    headers = {}
                    for line in lines[1:]:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                    length = int(headers.get("content-length", "0"))
                    while len(buffer) < length:
                        data = conn.recv(65536)
                        if not data:
                            return
                        buffer += data
                    body, buffer = buffer[:length], buffer[length:]
                    request = RawRequest(lines[0].split(" ")[1], headers, body, number)
                    with self._lock:
                        self.requests.append(request)
                    pieces, close = self._answer(request)
                    for piece in pieces:
                        if isinstance(piece, float):
                            time.sleep(piece)
                        else:
                            conn.sendall(piece)
                    if close:
                        return
            except OSError:
                return

    @contextmanager
    def running(self) -> Iterator[RawServer]:
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(timeout=5)
            self._listener.close()
            with self._lock:
                for conn in self._open:
                    with suppress(OSError):
                        conn.shutdown(socket.SHUT_RDWR)
            for served in self._threads:
                served.join(timeout=5)


def http_answer(
    status: int,
    body: bytes = b"",
    headers: Sequence[tuple[str, str]] = (),
    *,
    reason: str = "X",
    length: bool = True,
) -> bytes:
    """The bytes of one HTTP/1.1 answer; ``length=False`` leaves Content-Length out."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

"""A tiny HTTP server on 127.0.0.1 that answers every POST from a queue of canned replies."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

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

"""The HTTP transport on real loopback sockets: connection reuse, proxies, the deadline watchdog."""

from __future__ import annotations

import http.client
import http.server
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from account_mgmt import AccountClient
from account_mgmt._watchdog import WATCHDOG, Watch
from account_mgmt.exceptions import ClientClosedError
from account_mgmt.testing import AccountEmulator

from ._canned_server import CannedServer

_ACCOUNT_INFO = b'{"AccountId":"123456789012","AccountName":"a","AccountCreatedDate":0}'


def _watch(sock: socket.socket, deadline: float) -> Watch:
    watch = Watch(sock, deadline)
    WATCHDOG.add(watch)
    return watch


def _client(url: str) -> AccountClient:
    return AccountClient(
        endpoint_url=url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        rate_limiting=False,
    )


def test_calls_share_one_keep_alive_connection() -> None:
    replies = [(200, {"Content-Type": "application/json"}, _ACCOUNT_INFO)] * 5
    with CannedServer(replies).running() as server, _client(server.url) as client:
        for _ in range(5):
            assert client.get_account_information().account_id == "123456789012"
    assert len(server.client_ports) == 5
    assert len(set(server.client_ports)) == 1


def test_a_closed_client_refuses_calls_and_sends_nothing() -> None:
    """A closed client silently reopened its pool; now, as httpx does, it says it is closed."""
    replies = [(200, {"Content-Type": "application/json"}, _ACCOUNT_INFO)] * 2
    with CannedServer(replies).running() as server:
        client = _client(server.url)
        copy = client.with_options(max_attempts=1)  # shares the pool, so closes with it
        client.get_account_information()
        client.close()
        for closed in (client, copy):
            with pytest.raises(ClientClosedError, match="closed"):
                closed.get_account_information()
    assert len(server.requests) == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_a_forked_child_never_writes_to_the_parents_pooled_connection() -> None:
    """Two processes on one keep-alive socket interleave requests and can read each
    other's answers; the child must open a connection of its own."""
    replies = [(200, {"Content-Type": "application/json"}, _ACCOUNT_INFO)] * 3
    with CannedServer(replies).running() as server, _client(server.url) as client:
        client.get_account_information()  # the parent's connection, now idle in the pool
        pid = os.fork()
        if pid == 0:
            ok = False
            try:
                ok = client.get_account_information().account_id == "123456789012"
            finally:
                os._exit(0 if ok else 1)  # never return into pytest in the child
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        client.get_account_information()
    parent, child, parent_again = server.client_ports
    assert child != parent
    assert parent_again == parent  # the parent's connection was left working


class _ForwardingProxy:
    """A plain HTTP forward proxy on 127.0.0.1 that records the request lines it relays."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                outer.seen.append(self.path)
                target = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                upstream = http.client.HTTPConnection(target.hostname or "", target.port)
                upstream.request("POST", target.path, body=body, headers=dict(self.headers))
                answer = upstream.getresponse()
                payload = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "connection", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                upstream.close()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> _ForwardingProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def proxy() -> Iterator[_ForwardingProxy]:
    with _ForwardingProxy() as running:
        yield running


def test_http_proxy_from_the_environment_carries_signed_calls(
    proxy: _ForwardingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with AccountEmulator(member_count=1) as emulator, emulator.client() as client:
        info = client.get_account_information()
        regions = client.list_regions(max_results=5)
    assert info.account_id == emulator.management_account_id
    assert len(regions.regions) == 5
    assert proxy.seen == [
        f"{emulator.url}/getAccountInformation",
        f"{emulator.url}/listRegions",
    ]  # the emulator verified the signature of both


def test_no_proxy_sends_calls_straight_to_the_endpoint(
    proxy: _ForwardingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with AccountEmulator(member_count=1) as emulator, emulator.client() as client:
        client.get_account_information()
    assert proxy.seen == []


def test_the_watchdog_cuts_a_blocked_read_off_at_its_deadline() -> None:
    ours, peer = socket.socketpair()
    with ours, peer:
        watch = _watch(ours, time.monotonic() + 0.2)
        try:
            ours.settimeout(10)
            assert ours.recv(1) == b""  # shut down under the blocked read
        finally:
            WATCHDOG.release(watch)
        assert watch.fired


def test_a_released_watch_never_touches_its_socket() -> None:
    ours, peer = socket.socketpair()
    with ours, peer:
        WATCHDOG.release(_watch(ours, time.monotonic() + 0.05))
        time.sleep(0.2)
        peer.sendall(b"x")
        ours.settimeout(5)
        assert ours.recv(1) == b"x"


def test_an_earlier_deadline_wakes_a_watchdog_sleeping_towards_a_later_one() -> None:
    late, late_peer = socket.socketpair()
    soon, soon_peer = socket.socketpair()
    with late, late_peer, soon, soon_peer:
        far = _watch(late, time.monotonic() + 300)
        near = _watch(soon, time.monotonic() + 0.2)
        try:
            soon.settimeout(10)
            assert soon.recv(1) == b""
            assert near.fired
            assert not far.fired
        finally:
            WATCHDOG.release(near)
            WATCHDOG.release(far)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_a_forked_child_gets_a_working_watchdog_of_its_own() -> None:
    first, first_peer = socket.socketpair()
    with first, first_peer:  # start the parent's watchdog thread before forking
        WATCHDOG.release(_watch(first, time.monotonic() + 60))
    pid = os.fork()
    if pid == 0:  # the child: a watch must still fire, though the thread was not copied
        cut_off = False
        try:
            ours, _peer = socket.socketpair()
            watch = _watch(ours, time.monotonic() + 0.1)
            ours.settimeout(5)
            cut_off = ours.recv(1) == b"" and watch.fired
            WATCHDOG.release(watch)
        finally:
            os._exit(0 if cut_off else 1)  # never return into pytest in the child
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0

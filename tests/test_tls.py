"""HTTPS on loopback with certificates from trustme: verification, failures, the deadline."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from pathlib import Path
from typing import BinaryIO

import pytest
import trustme

from account_mgmt import AccountClient, ReadTimeoutError, TLSError

_BODY = b'{"AccountId":"123456789012","AccountName":"tls","AccountCreatedDate":0}'
_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    + f"Content-Length: {len(_BODY)}\r\n\r\n".encode()
)


class _TlsServer:
    """Serves every request on 127.0.0.1 over TLS; ``drip`` sends the answer a byte at a time."""

    def __init__(self, certificate: trustme.LeafCert, *, drip: bool = False) -> None:
        self.requests = 0
        self._drip = drip
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(self._context)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.url = f"https://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> _TlsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(raw,), daemon=True).start()

    def _answer(self, raw: socket.socket) -> None:
        try:
            with self._context.wrap_socket(raw, server_side=True) as connection:
                reader = connection.makefile("rb")
                while not self._stop.is_set() and self._read_request(reader):
                    self.requests += 1
                    if not self._drip:
                        connection.sendall(_HEAD + _BODY)
                        continue
                    for byte in _HEAD + _BODY:
                        if self._stop.is_set():
                            return
                        connection.sendall(bytes([byte]))
                        time.sleep(0.1)
        except (ssl.SSLError, OSError):
            pass  # a client that refused our certificate, or hung up

    @staticmethod
    def _read_request(reader: BinaryIO) -> bool:
        """Read one whole request; False when the client closed the connection."""
        length = 0
        line = reader.readline()
        if not line:
            return False
        while line not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            line = reader.readline()
        reader.read(length)
        return True


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(authority: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return str(path)


def _client(url: str, **options: object) -> AccountClient:
    return AccountClient(
        endpoint_url=url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        rate_limiting=False,
        **options,  # type: ignore[arg-type]
    )


def test_a_call_over_verified_tls(authority: trustme.CA, ca_file: str) -> None:
    with _TlsServer(authority.issue_cert("127.0.0.1")) as server, _client(
        server.url, verify=ca_file
    ) as client:  # fmt: skip
        assert client.get_account_information().account_name == "tls"
        assert client.get_account_information().account_name == "tls"
    assert server.requests == 2


def test_the_ca_bundle_from_the_environment_is_used(
    authority: trustme.CA, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CA_BUNDLE", ca_file)
    with _TlsServer(authority.issue_cert("127.0.0.1")) as server, _client(server.url) as client:
        assert client.get_account_information().account_id == "123456789012"


def test_an_untrusted_certificate_is_a_tls_error_and_never_retried() -> None:
    stranger = trustme.CA()  # the client trusts the system store, not this CA
    with (
        _TlsServer(stranger.issue_cert("127.0.0.1")) as server,
        _client(server.url, max_attempts=5) as client,
        pytest.raises(TLSError) as caught,
    ):
        client.get_account_information()
    assert caught.value.attempts == 1
    assert server.requests == 0


def test_a_certificate_for_another_host_is_a_tls_error(authority: trustme.CA, ca_file: str) -> None:
    with (
        _TlsServer(authority.issue_cert("account.us-east-1.amazonaws.com")) as server,
        _client(server.url, verify=ca_file) as client,
        pytest.raises(TLSError),
    ):
        client.get_account_information()
    assert server.requests == 0


def test_tls_headers_dripping_past_the_deadline_are_cut_off(
    authority: trustme.CA, ca_file: str
) -> None:
    with _TlsServer(authority.issue_cert("127.0.0.1"), drip=True) as server, _client(
        server.url, verify=ca_file, read_timeout=5, total_timeout=0.6, max_attempts=1
    ) as client:  # fmt: skip
        started = time.monotonic()
        with pytest.raises(ReadTimeoutError, match="total_timeout"):
            client.get_account_information()
        assert time.monotonic() - started < 3.0  # the drip takes 14 s
    assert server.requests == 1

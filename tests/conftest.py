"""Fixtures shared by the suite: an isolated AWS environment and ready clients."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from account_mgmt import AccountClient, AsyncAccountClient, FakeClock, Runtime, default_runtime
from account_mgmt.testing import AccountEmulator, Credentials

from ._facade import RequestsBridge, blocking

ACCESS_KEY = "AKIDCANARYACCESS0001"
SECRET_KEY = "canary-secret-key-0123456789abcdefghijkl"
SESSION_TOKEN = "canary-session-token-ZYXWVUTSRQ"
ENDPOINT = "https://account.us-east-1.amazonaws.com"
_PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


@pytest.fixture(autouse=True)
def isolated_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's AWS config, credentials or proxy, or reaches IMDS."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower() in _PROXY_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(autouse=True)
def fresh_default_runtime() -> None:
    """Every test starts with the process's runtime forgotten (no buckets, switches, budget).

    Tests also use keys of their own; this is belt and braces for the state
    ``default_runtime()`` keeps per caller.
    """
    default_runtime().reset()


@pytest.fixture
def fake_clock() -> FakeClock:
    """Time that moves only when the client sleeps; ``.sleeps`` records every wait."""
    return FakeClock()


def _options(fake_clock: FakeClock) -> dict[str, Any]:
    return {
        "rate_limiting": False,
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
        "aws_session_token": SESSION_TOKEN,
        "runtime": Runtime(clock=fake_clock),
        "rng": lambda: 1.0,
    }


@pytest.fixture
def sync_client(fake_clock: FakeClock) -> Iterator[AccountClient]:
    """``client``, sync only: for what only the blocking client has (its own
    connection pool, sharing one client between threads)."""
    with AccountClient(**_options(fake_clock)) as c:
        yield c


@pytest.fixture(params=["sync", "async"])
def client_kind(request: pytest.FixtureRequest) -> str:
    """Which client a behaviour test runs against: each runs against both."""
    return str(request.param)


@pytest.fixture
def client(fake_clock: FakeClock, client_kind: str) -> Iterator[AccountClient]:
    """A client for the real global endpoint (to be intercepted by ``responses``).

    Once as ``AccountClient`` and once as ``AsyncAccountClient`` behind a
    ``BlockingFacade``, its requests sent through ``RequestsBridge`` so that the
    same ``responses`` mocks see them (``tests/_facade.py``). Rate limiting is
    off: these tests are about the wire and the retry layer. Its runtime is
    its own, on ``fake_clock``, so backoff is recorded, not waited.
    """
    options = _options(fake_clock)
    made = (
        AccountClient(**options)
        if client_kind == "sync"
        else blocking(AsyncAccountClient(transport=RequestsBridge(ENDPOINT), **options))
    )
    with made as c:
        yield c


Connect = Callable[..., AccountClient]
"""``connect(emulator, account_id=None, **options)``: a client of the test's kind for it."""


@pytest.fixture(params=["sync", "async"])
def connect(request: pytest.FixtureRequest) -> Iterator[Connect]:
    """Builds clients for an emulator, as ``AccountEmulator.client`` does: once an
    ``AccountClient``, once an ``AsyncAccountClient`` over aiohttp behind a
    ``BlockingFacade``; every test using it runs against both. Closed after the test."""
    made: list[AccountClient] = []

    def connect(
        emulator: AccountEmulator, account_id: str | None = None, **options: Any
    ) -> AccountClient:
        if request.param == "sync":
            client = emulator.client(account_id, **options)
        else:
            credentials = emulator.credentials_for(account_id)
            client = blocking(
                AsyncAccountClient(
                    endpoint_url=emulator.url,
                    aws_access_key_id=credentials.access_key_id,
                    aws_secret_access_key=credentials.secret_access_key,
                    aws_session_token=credentials.session_token,
                    **options,
                )
            )
        made.append(client)
        return client

    yield connect
    for client in made:
        client.close()


@pytest.fixture
def default_sigint() -> Iterator[None]:
    """SIGINT handled as a terminal's Ctrl-C is: by Python's own handler, even when the
    test run itself was started in the background (a shell's background job ignores
    SIGINT, and a process it starts inherits that)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def sigint_as_in_a_terminal() -> None:
    """``preexec_fn`` for a child that a test interrupts: SIGINT back to its default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's server on 127.0.0.1 (it implements the three alternate-contact operations)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def rotating_credentials_profile(
    tmp_path: Path,
    sessions: Sequence[Credentials],
    *,
    account_id: str | None,
    expires_in_minutes: int = 5,
) -> Path:
    """Make the profile ``rotating`` a credential_process that hands out the next of
    ``sessions`` at every refresh, as an assumed role does: a new key, the same
    account (named, unless ``account_id`` is None, as an instance role's keys
    are not). By default they expire in five minutes, inside botocore's refresh
    window, so every request refreshes. Returns the file counting the refreshes."""
    handed_out = tmp_path / "refreshes"
    handed_out.write_text("0")
    pool = tmp_path / "sessions.json"
    pool.write_text(
        json.dumps(
            [
                {
                    "Version": 1,
                    "AccessKeyId": s.access_key_id,
                    "SecretAccessKey": s.secret_access_key,
                    "SessionToken": s.session_token,
                    **({"AccountId": account_id} if account_id else {}),
                }
                for s in sessions
            ]
        )
    )
    script = tmp_path / "rotate.py"
    script.write_text(
        "import datetime, json, pathlib\n"
        f"count = pathlib.Path({str(handed_out)!r})\n"
        "n = int(count.read_text())\n"
        "count.write_text(str(n + 1))\n"
        f"session = json.loads(pathlib.Path({str(pool)!r}).read_text())[n]\n"
        "expiry = datetime.datetime.now(datetime.UTC)"
        f" + datetime.timedelta(minutes={expires_in_minutes})\n"
        "session['Expiration'] = expiry.isoformat()\n"
        "print(json.dumps(session))\n"
    )
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(
        f"[profile rotating]\ncredential_process = {sys.executable} {script}\nregion = us-east-1\n"
    )
    return handed_out

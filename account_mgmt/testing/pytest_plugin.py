"""pytest fixtures for testing code built on account_mgmt (registered as a pytest11 plugin).

``account_emulator`` yields a running ``AccountEmulator`` with a fresh world
for each test; ``account_client`` yields an ``AccountClient`` signed as the
emulated organization's management account. Configure the world with the
marker, whose keywords are ``AccountEmulator``'s::

    @pytest.mark.account_emulator(
        member_count=3, ou_depth=2, enforce_quotas=False,
        seed_state={"*": {"alternate_contacts": {"SECURITY": {...}}}},
    )

Loading this plugin (every pytest run where the package is installed) imports
neither the emulator nor the client nor botocore: the fixtures import them
when a test first uses one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from account_mgmt import AccountClient
    from account_mgmt.testing import AccountEmulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "account_emulator(**options): options for the account_emulator fixture "
        "(WorldSettings fields such as member_count, ou_depth, seed_state; "
        "enforce_quotas, quota_scope, seed)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A clean slate per test: the process's shared rate buckets, Region gate and retry
    budget are reset, if the package's runtime has been loaded at all (never loaded
    here: a run that does not use the package pays nothing)."""
    runtime = sys.modules.get("account_mgmt._runtime")
    if runtime is not None:
        runtime.default_runtime().reset()


@pytest.fixture
def account_emulator(request: pytest.FixtureRequest) -> Iterator[AccountEmulator]:
    """A running emulator on 127.0.0.1 with a fresh world, stopped after the test."""
    from account_mgmt.testing._emulator import AccountEmulator  # lazy on purpose

    marker = request.node.get_closest_marker("account_emulator")
    options = dict(marker.kwargs) if marker else {}
    with AccountEmulator(**options) as emulator:
        yield emulator


@pytest.fixture
def account_client(account_emulator: AccountEmulator) -> Iterator[AccountClient]:
    """A client for ``account_emulator``, as the management account."""
    with account_emulator.client() as client:
        yield client

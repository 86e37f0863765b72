"""pytest fixtures for testing code built on account_mgmt (registered as a pytest11 plugin).

``account_emulator`` yields a running ``AccountEmulator`` with a fresh world
for each test; ``account_client`` yields an ``AccountClient`` signed as the
emulated organization's management account. Override the world with
``@pytest.mark.account_emulator(member_count=3, enforce_quotas=False)``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from account_mgmt import AccountClient
from account_mgmt.testing import AccountEmulator


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "account_emulator(**options): options for the account_emulator fixture "
        "(WorldSettings fields, enforce_quotas, quota_scope, seed)",
    )


@pytest.fixture
def account_emulator(request: pytest.FixtureRequest) -> Iterator[AccountEmulator]:
    """A running emulator on 127.0.0.1 with a fresh world, stopped after the test."""
    marker = request.node.get_closest_marker("account_emulator")
    options = dict(marker.kwargs) if marker else {}
    with AccountEmulator(**options) as emulator:
        yield emulator


@pytest.fixture
def account_client(account_emulator: AccountEmulator) -> Iterator[AccountClient]:
    """A client for ``account_emulator``, as the management account."""
    with account_emulator.client() as client:
        yield client

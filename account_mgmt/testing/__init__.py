"""A local emulator of the AWS Account Management service, for tests and demos.

``AccountEmulator`` runs a real HTTP server on 127.0.0.1 that speaks the
service's wire protocol for all 18 operations, verifies SigV4 signatures,
validates input against AWS's model, enforces the documented quotas and
keeps an organization's worth of state. On the same port and with the same
keys it serves AWS Organizations' read operations (DescribeOrganization,
ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent,
ListAccounts, DescribeAccount, ListTagsForResource,
ListAWSServiceAccessForOrganization, ListDelegatedAdministrators) over the
world's OU tree::

    from account_mgmt.testing import AccountEmulator

    with AccountEmulator(member_count=5) as emulator:
        client = emulator.client()                  # the management account's
        for account_id in emulator.member_account_ids:
            client.enable_region(region_name="af-south-1", account_id=account_id)

Any client works against ``emulator.url``: boto3 and the AWS CLI with
``endpoint_url`` and the credentials from ``emulator.credentials_for(...)``.
The pytest plugin (installed with the package) adds the fixtures
``account_emulator`` and ``account_client``; ``python -m account_mgmt.testing
serve`` runs it standalone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from account_mgmt.testing._emulator import AccountEmulator, Credentials
    from account_mgmt.testing._faults import Fault, FaultKind
    from account_mgmt.testing._mock import AsyncMockTransport, MockTransport
    from account_mgmt.testing._settings import (
        ACCOUNT_STATES,
        ENABLED_BY_DEFAULT_REGIONS,
        OPT_IN_REGIONS,
        OuPath,
        WorldSettings,
    )

__all__ = [
    "ACCOUNT_STATES",
    "ENABLED_BY_DEFAULT_REGIONS",
    "OPT_IN_REGIONS",
    "AccountEmulator",
    "AsyncMockTransport",
    "Credentials",
    "Fault",
    "FaultKind",
    "MockTransport",
    "OuPath",
    "WorldSettings",
]

_HOME: Final = {
    "ACCOUNT_STATES": "_settings",
    "ENABLED_BY_DEFAULT_REGIONS": "_settings",
    "OPT_IN_REGIONS": "_settings",
    "AccountEmulator": "_emulator",
    "AsyncMockTransport": "_mock",
    "Credentials": "_emulator",
    "Fault": "_faults",
    "FaultKind": "_faults",
    "MockTransport": "_mock",
    "OuPath": "_settings",
    "WorldSettings": "_settings",
}
"""Where each public name lives. Loaded on first use, so that importing this package
(as the pytest plugin's import does, in every test run) costs no botocore, server or
client import."""


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

"""Immutable client configuration and the documented defaults it falls back to."""

from __future__ import annotations

from typing import Final

import attrs

from account_mgmt._quotas import (
    REGION_OPT_CONCURRENCY_PER_ACCOUNT,
    REGION_OPT_CONCURRENCY_PER_ORGANIZATION,
)

SERVICE_SIGNING_NAME: Final = "account"
"""SigV4 signing name, from the service model's ``signingName``."""

GLOBAL_SIGNING_REGION: Final = "us-east-1"
"""The commercial partition's single endpoint is signed for us-east-1 (endpoint rule set)."""

DEFAULT_MAX_ATTEMPTS: Final = 3
"""Total attempts, first included: AWS standard retry mode."""

DEFAULT_CONNECT_TIMEOUT: Final = 10.0
"""Seconds to open a TCP+TLS connection; botocore's default is 60, too long for bulk jobs."""

DEFAULT_READ_TIMEOUT: Final = 60.0
"""Seconds to wait between bytes of the response, as botocore."""

DEFAULT_TOTAL_TIMEOUT: Final = 300.0
"""Seconds one call may take in all, attempts, backoff and pacing included.

Read and connect timeouts bound each wait for a byte; this bounds the call,
so that a server dripping a byte at a time cannot hold it forever.
"""

DEFAULT_MAX_POOL_CONNECTIONS: Final = 10
"""Pooled connections per client, as botocore's ``max_pool_connections``."""

DEFAULT_MAX_RESPONSE_BYTES: Final = 10 * 1024 * 1024
"""The largest response body read; the biggest real answer (ListRegions) is a few KiB."""

DEFAULT_POLL_INTERVAL: Final = 5.0
"""Seconds between a waiter's polls: a switch takes minutes; faster polling only spends quota."""

DEFAULT_WAIT_TIMEOUT: Final = 3600.0
"""Seconds before a waiter gives up; AWS says a switch can take hours, so long jobs should raise
this."""

MAX_CLOCK_SKEW_ADOPTED: Final = 24 * 60 * 60
"""Seconds: the furthest a server's ``Date`` may be from our clock and still be believed.

AWS refuses requests signed 5-15 minutes off its clock, and a misconfigured
host (a wrong time zone taken as UTC) is off by up to 14 hours; a day covers
both. A ``Date`` further off is not a clock but a broken or hostile answer
(``Fri, 31 Dec 9999``): its ``server_time`` reads None, so no offset is
adopted from it and the call fails with the service's error as sent. A host
whose clock is wrong by more than a day must fix its clock (NTP).
"""


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Everything that shapes a client's requests, resolved once at construction.

    Frozen so that ``AccountClient.with_options`` can share it between copies
    without one copy's change leaking into another.
    """

    endpoint_url: str
    """Where requests go, scheme and host (and port) only."""
    signing_region: str
    """The region the SigV4 signature is scoped to."""
    region_name: str
    """The configured region; decides the partition for the global endpoint."""
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT
    verify: bool | str = True
    """True, False, or a CA bundle path: passed to the TLS layer unchanged."""
    max_pool_connections: int = DEFAULT_MAX_POOL_CONNECTIONS
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    region_opt_concurrency_per_account: int = REGION_OPT_CONCURRENCY_PER_ACCOUNT
    region_opt_concurrency_per_organization: int = REGION_OPT_CONCURRENCY_PER_ORGANIZATION
    user_agent: str = ""

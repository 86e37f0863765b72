"""The package's loggers and what may be written to them.

The library never configures logging: it only writes to ``account_mgmt`` and
its children. Nothing secret goes in: headers pass through ``safe_headers``,
and request and response bodies are never logged, only their sizes, since
almost every member of this API is marked sensitive.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

from account_mgmt.models import REDACTED

LOGGER_NAME: Final = "account_mgmt"
"""The root of every logger this package writes to."""

_SECRET_HEADERS: Final = frozenset({"authorization", "x-amz-security-token"})

logger = logging.getLogger(LOGGER_NAME)


def safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with credentials and signatures replaced by ``<redacted>``."""
    return {k: (REDACTED if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}

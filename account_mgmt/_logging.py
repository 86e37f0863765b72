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


QUOTED_CHARACTERS: Final = 40
"""How much of an invalid value a message quotes: enough to recognise it, never megabytes."""

SHOWN_MESSAGE_CHARACTERS: Final = 1000
"""How much of a server's error message ``str(error)`` shows (the whole is kept in ``message``)."""


def bounded_repr(value: object, limit: int = QUOTED_CHARACTERS) -> str:
    """``repr(value)`` of at most about ``limit`` characters, saying how long the whole is.

    A 5 MB invalid ``account_id`` must not become a 5 MB exception message,
    and an int of 5,000 digits cannot even be turned into text (Python
    refuses past 4,300 digits).
    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() > 128:
            return f"<an int of {value.bit_length()} bits>"
        return repr(value)
    if isinstance(value, str | bytes):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}... ({len(value)} characters)"
    if isinstance(value, float):
        return repr(value)
    return f"<a {type(value).__name__}>"


def printable(text: str, limit: int = SHOWN_MESSAGE_CHARACTERS) -> str:
    """``text`` for a message: control characters escaped (no forged log lines), cut short."""
    cut = text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"
    if cut.isprintable():
        return cut
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)

"""The HTTP seam in the package's own types: what a transport takes and gives back.

Kept apart from the transports so that neither the sync path (requests) nor
the async one (aiohttp) imports the other's stack to name a request, and so
that a user's test can supply a transport of its own.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from typing import Final, Protocol

import attrs

from account_mgmt._logging import safe_headers
from account_mgmt.exceptions import ConfigurationError, CredentialsError


def _headers_repr(headers: Mapping[str, str]) -> str:
    return repr(safe_headers(headers))


def _body_repr(body: bytes) -> str:
    return f"<{len(body)} bytes>"


@attrs.frozen(kw_only=True)
class HttpRequest:
    """A fully signed request, ready to go on the wire.

    Its repr, which a test's transport may well print, shows neither the
    credentials in the headers (``Authorization``, ``X-Amz-Security-Token``)
    nor the body, which can carry a contact's name, email and phone number.
    """

    method: str
    url: str
    headers: Mapping[str, str] = attrs.field(repr=_headers_repr)
    body: bytes = attrs.field(repr=_body_repr)


@attrs.frozen(kw_only=True)
class HttpResponse:
    """A complete answer. Header names are lower-cased.

    Its repr gives the body's size, not its text (an answer can carry a
    contact's name, email and phone number).
    """

    status_code: int
    headers: Mapping[str, str]
    body: bytes = attrs.field(repr=_body_repr)


class Transport(Protocol):
    """What the sync client needs from HTTP: one exchange at a time, thread-safe.

    ``send`` raises the package's ``TransportError`` subclasses for network
    failures; anything else it raises is treated as a bug and propagates.
    """

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        """``deadline`` is a ``time.monotonic()`` instant the exchange must not outlive."""
        ...

    def close(self) -> None:
        """Release connections; later sends fail."""
        ...


class AsyncTransport(Protocol):
    """What the async client needs from HTTP: ``send`` as a coroutine."""

    async def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        """``deadline`` is a ``time.monotonic()`` instant the exchange must not outlive."""
        ...

    async def aclose(self) -> None:
        """Release connections; later sends fail."""
        ...


_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "x-amz-security-token"})
"""Headers whose value is a secret: a refusal names the credential, never the value."""

_HEADER_VALUE_OK: Final = re.compile(r"[\t\x20-\x7e]*")
"""What a request header value may hold: visible ASCII, space and tab (RFC 9110 5.5,
without the obsolete non-ASCII text an HTTP library would encode as Latin-1)."""


def check_header_values(headers: Mapping[str, str]) -> None:
    """Refuse a header value HTTP does not allow, naming the header, never the value.

    The HTTP libraries' own refusals are bare ``ValueError``s quoting the
    value: a session token or a signature read with its trailing newline.

    Raises:
        CredentialsError: a credential header holds such a character.
        ConfigurationError: another header does.
    """
    if _HEADER_VALUE_OK.fullmatch("\t".join(headers.values())) is not None:
        return  # all of them at once (a tab is allowed): the usual case, checked per call
    for name, value in headers.items():
        if _HEADER_VALUE_OK.fullmatch(value) is not None:
            continue
        if name.lower() in _CREDENTIAL_HEADERS:
            raise CredentialsError(
                f"the {name} header holds a control or non-ASCII character: check the "
                "access key id and session token (a trailing newline?)"
            )
        raise ConfigurationError(
            f"the {name} header holds a control or non-ASCII character HTTP does not allow"
        )


def environment_proxy(endpoint_url: str) -> str | None:
    """The proxy the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY...) sets for this
    endpoint, or None: read once per transport, as both transports do."""
    parts = urllib.parse.urlsplit(endpoint_url)
    import urllib.request as request  # only a transport being built asks, not every import

    if request.proxy_bypass(parts.hostname or ""):
        return None
    return request.getproxies().get(parts.scheme) or None

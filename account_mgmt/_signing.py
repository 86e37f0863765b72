"""SigV4 signing, to botocore's ``SigV4Auth`` rules, byte for byte.

This client's own request shape (POST, no query string, a bytes body) is
signed here, with botocore's helpers for the URL path and Host, and the
derived key kept on the credential snapshot; anything else goes through
``SigV4Auth``'s building blocks. Never its ``add_auth``: that method logs
the canonical request (session token included) and the signature at DEBUG
on ``botocore.auth``, which any application that turns on DEBUG logging
would then write to its logs. No botocore type leaves this module.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import re
import urllib.parse
from collections.abc import Mapping
from typing import Final

import botocore.auth
import botocore.awsrequest
import botocore.utils

from account_mgmt.exceptions import CredentialsError

_CREDENTIAL_TEXT: Final = re.compile(r"[\x21-\x7e]+")
"""What an access key id, secret key or session token is made of: visible ASCII.

AWS issues them as base64-like text; anything else (a trailing newline from a
file or an environment variable, a space, a non-ASCII character) cannot go
into a header or would sign wrongly."""

_MAX_SIGNING_KEYS: Final = 16
"""Derived keys one credential snapshot keeps (a few days x Regions), then starts afresh."""

_SIGNING_HEADERS = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")
_UNSIGNED_HEADERS = frozenset(botocore.auth.SIGNED_HEADERS_BLACKLIST)


class FrozenCredentials:
    """One consistent snapshot of a key pair and token. Its repr shows no secret.

    It also keeps the SigV4 signing keys derived from its secret (one per
    day, Region and service), so a client signing many requests with the
    same snapshot derives each key once: four HMACs saved per request. The
    cache lives and dies with the snapshot, which the client's credential
    source holds; it takes no part in equality or the repr.

    A plain class rather than attrs (which compiles methods for each class,
    ~1 ms of a cold start), as frozen: equal, and hashed alike, when the five
    values are; an assignment raises ``AttributeError`` (a secret changed
    under its cached signing keys would sign with the wrong key).
    """

    __slots__ = (
        "__weakref__", "_signing_keys", "access_key", "account_id", "origin", "secret_key", "token",
    )  # fmt: skip

    access_key: str
    secret_key: str
    token: str | None
    account_id: str | None
    """The account, when the provider says (role, SSO, process, ``AWS_ACCOUNT_ID``)."""
    origin: str | None
    """Where the credential chain found them (``chain:<profile>``), None for keys given."""
    _signing_keys: dict[tuple[str, str, str], bytes]

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        token: str | None,
        account_id: str | None = None,
        origin: str | None = None,
    ) -> None:
        init = object.__setattr__
        init(self, "access_key", access_key)
        init(self, "secret_key", secret_key)
        init(self, "token", token)
        init(self, "account_id", account_id)
        init(self, "origin", origin)
        init(self, "_signing_keys", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"FrozenCredentials is frozen: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"FrozenCredentials is frozen: {name} cannot be deleted")

    def _values(self) -> tuple[str, str, str | None, str | None, str | None]:
        return (self.access_key, self.secret_key, self.token, self.account_id, self.origin)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, FrozenCredentials)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def signing_key(self, date: str, region: str, service: str) -> bytes:
        """SigV4's derived key for ``date`` (``YYYYMMDD``), ``region`` and ``service``."""
        scope = (date, region, service)
        key = self._signing_keys.get(scope)
        if key is None:
            key = _derive_key(self.secret_key, date, region, service)
            if len(self._signing_keys) >= _MAX_SIGNING_KEYS:
                self._signing_keys.clear()  # a process alive for years: days pile up
            self._signing_keys[scope] = key
        return key

    @property
    def quota_holder(self) -> str:
        """Whom the service counts this caller's quotas against, as a stable key.

        Temporary credentials get a new access key at every refresh, and a job
        that outlives one must not start again from a full rate bucket and
        forget the Regions it has set switching. So: the account when the
        credentials name it (an assumed role, SSO, a container or process
        provider, ``AWS_ACCOUNT_ID``); else where the chain found them (an
        instance role's keys name no account); else, for keys given outright,
        the key itself.
        """
        if self.account_id:
            return "account:" + self.account_id
        if self.origin:
            return self.origin
        return "key:" + self.access_key

    def __repr__(self) -> str:
        return f"FrozenCredentials(access_key={self.access_key[:4]}..., secret_key=<redacted>)"


def check_credentials(access_key: object, secret_key: object, token: object) -> None:
    """Refuse credentials that cannot be sent, naming which value, never quoting it.

    Raises:
        CredentialsError: the access key id, secret access key or session
            token is not a string, is empty, or holds a character other than
            visible ASCII (whitespace and control characters included).
    """
    for label, value, optional in (
        ("access key id", access_key, False),
        ("secret access key", secret_key, False),
        ("session token", token, True),
    ):
        if value is None and optional:
            continue
        if not isinstance(value, str):
            raise CredentialsError(f"the {label} must be a str, got {type(value).__name__}")
        if not value:
            raise CredentialsError(f"the {label} is empty")
        if _CREDENTIAL_TEXT.fullmatch(value) is None:
            raise CredentialsError(
                f"the {label} holds whitespace, a control or a non-ASCII character (a "
                "trailing newline from a file?); the value is not shown"
            )


def _derive_key(secret: str, date: str, region: str, service: str) -> bytes:
    """SigV4's key derivation (kDate, kRegion, kService, kSigning), as ``SigV4Auth.signature``."""
    key = hmac.digest(f"AWS4{secret}".encode(), date.encode(), "sha256")
    for part in (region, service, "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    return key


@functools.lru_cache(maxsize=512)
def _url_parts(url: str) -> tuple[str, str] | None:
    """The canonical path and Host value of ``url``; None if it has a query string.

    An endpoint's operation URLs are few and fixed, so this is worked out once
    per URL (with botocore's own rules) instead of on every request.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.query:
        return None
    path = urllib.parse.quote(botocore.utils.normalize_url_path(parts.path), safe="/~")
    probe = botocore.awsrequest.AWSRequest(method="POST", url=url)
    host = botocore.auth.SigV4Auth(None, "", "").headers_to_sign(probe)["host"]
    return path, host


class _HeaderLayout:
    """A header set's part of the canonical request, worked out once (see ``_header_layout``).

    A plain class: defining a NamedTuple or an attrs class costs a cold start
    a tenth of a millisecond to a millisecond, this nothing.
    """

    __slots__ = ("after_token", "before_date", "before_token", "kept", "names", "names_with_token")

    kept: tuple[tuple[str, str], ...]
    """The headers to send, without any signing header of an earlier attempt."""
    before_date: str
    """Canonical header lines sorting before ``x-amz-date``."""
    before_token: str
    """Lines between ``x-amz-date`` and ``x-amz-security-token``."""
    after_token: str
    """Lines sorting after ``x-amz-security-token``."""
    names: str
    """The signed header names without a session token, ``;``-joined."""
    names_with_token: str
    """The same with ``x-amz-security-token``."""

    def __init__(
        self,
        *,
        kept: tuple[tuple[str, str], ...],
        before_date: str,
        before_token: str,
        after_token: str,
        names: str,
        names_with_token: str,
    ) -> None:
        self.kept = kept
        self.before_date = before_date
        self.before_token = before_token
        self.after_token = after_token
        self.names = names
        self.names_with_token = names_with_token


@functools.lru_cache(maxsize=512)
def _header_layout(headers: tuple[tuple[str, str], ...], host: str) -> _HeaderLayout:
    """A request's headers without the signing ones, and their canonical lines.

    botocore's rules: names lowercased, values' whitespace runs folded, repeated
    names joined with commas, its unsigned headers left out, ``host`` added
    from the URL when absent, lines sorted by name. A client's headers are the
    same few sets on every request, so each set is worked out once, as the
    lines around the two signing headers that vary (``X-Amz-Date``, the
    token), which ``sign`` puts in.
    """
    kept = tuple((name, value) for name, value in headers if name.lower() not in _SIGNING_HEADERS)
    grouped: dict[str, list[str]] = {}
    for name, value in kept:
        lname = name.lower()
        if lname not in _UNSIGNED_HEADERS:
            grouped.setdefault(lname, []).append(" ".join(value.split()))
    if "host" not in grouped:
        grouped["host"] = [host]
    lines = sorted((name, ",".join(values)) for name, values in grouped.items())

    def block(low: str | None, high: str | None) -> str:
        return "".join(
            f"{name}:{value}\n"
            for name, value in lines
            if (low is None or low < name) and (high is None or name < high)
        )

    names = [name for name, _ in lines]
    return _HeaderLayout(
        kept=kept,
        before_date=block(None, "x-amz-date"),
        before_token=block("x-amz-date", "x-amz-security-token"),
        after_token=block("x-amz-security-token", None),
        names=";".join(sorted([*names, "x-amz-date"])),
        names_with_token=";".join(sorted([*names, "x-amz-date", "x-amz-security-token"])),
    )


def _timestamp(now: datetime.datetime) -> str:
    """``now`` as SigV4's ``YYYYMMDDTHHMMSSZ`` (``SIGV4_TIMESTAMP``), without ``strftime``."""
    return "%04d%02d%02dT%02d%02d%02dZ" % (  # noqa: UP031 - the fastest spelling
        now.year, now.month, now.day, now.hour, now.minute, now.second,
    )  # fmt: skip


def sign(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    credentials: FrozenCredentials,
    region: str,
    service: str,
    now: datetime.datetime | None = None,
) -> dict[str, str]:
    """The headers of a SigV4-signed request: ``headers`` plus the signing ones.

    Signing headers already present (from an earlier attempt) are replaced,
    never duplicated. ``now`` (UTC) lets a clock-skew
    correction or a test pin time.

    The canonical request is built here for this client's one request shape
    (no query string, a bytes body), with botocore's rules (URL path and Host
    from botocore's own helpers), and signed with the key ``credentials``
    keeps per day, Region and service: botocore's ``SigV4Auth`` builds it
    through an ``email.message`` header map, re-parses the URL several times
    and derives the key afresh for every request, which was most of a
    call's own CPU time. A property test holds the result equal to
    ``SigV4Auth.add_auth``'s for any path, header set, body, token, time and
    Region; a URL with a query string takes botocore's own path.
    """
    timestamp = _timestamp(now or datetime.datetime.now(datetime.UTC))
    token = credentials.token
    parts = _url_parts(url)
    if parts is None:
        signed = {k: v for k, v in headers.items() if k.lower() not in _SIGNING_HEADERS}
        if token:
            signed["X-Amz-Security-Token"] = token
        signed["X-Amz-Date"] = timestamp
        return _sign_with_botocore(
            credentials, service, region, method, url, signed, body, timestamp
        )
    path, host = parts
    layout = _header_layout(tuple(headers.items()), host)
    signed = dict(layout.kept)
    if token:
        signed["X-Amz-Security-Token"] = token
        token_line = "x-amz-security-token:" + " ".join(token.split()) + "\n"
        signed_names = layout.names_with_token
    else:
        token_line = ""
        signed_names = layout.names
    signed["X-Amz-Date"] = timestamp
    header_block = (
        f"{layout.before_date}x-amz-date:{timestamp}\n{layout.before_token}"
        f"{token_line}{layout.after_token}"
    )
    canonical = "\n".join(
        (method.upper(), path, "", header_block, signed_names, hashlib.sha256(body).hexdigest())
    )
    date = timestamp[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = (
        f"AWS4-HMAC-SHA256\n{timestamp}\n{scope}\n" + hashlib.sha256(canonical.encode()).hexdigest()
    )
    signature = hmac.digest(
        credentials.signing_key(date, region, service), string_to_sign.encode(), "sha256"
    ).hex()
    signed["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed_names}, Signature={signature}"
    )
    return signed


def _sign_with_botocore(
    credentials: FrozenCredentials,
    service: str,
    region: str,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    timestamp: str,
) -> dict[str, str]:
    """The general path (any URL), entirely botocore's, minus ``add_auth``'s DEBUG logging."""
    import botocore.credentials  # only here: a cold start with keys given need not load it

    signer = botocore.auth.SigV4Auth(
        botocore.credentials.ReadOnlyCredentials(
            credentials.access_key, credentials.secret_key, credentials.token
        ),
        service,
        region,
    )
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
    request.context["timestamp"] = timestamp
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signer._inject_signature_to_request(request, signature)
    return dict(request.headers.items())

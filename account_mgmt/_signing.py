"""SigV4 signing, with botocore's ``SigV4Auth``.

We sign with its building blocks but not its ``add_auth``: that method logs
the canonical request (session token included) and the signature at DEBUG
on ``botocore.auth``, which any application that turns on DEBUG logging
would then write to its logs. No botocore type leaves this module.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
import urllib.parse
from collections.abc import Mapping
from typing import Final

import attrs
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.utils

from account_mgmt.exceptions import CredentialsError

_CREDENTIAL_TEXT: Final = re.compile(r"[\x21-\x7e]+")
"""What an access key id, secret key or session token is made of: visible ASCII.

AWS issues them as base64-like text; anything else (a trailing newline from a
file or an environment variable, a space, a non-ASCII character) cannot go
into a header or would sign wrongly."""

_SIGNING_HEADERS = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")
_UNSIGNED_HEADERS = frozenset(botocore.auth.SIGNED_HEADERS_BLACKLIST)


@attrs.frozen(repr=False)
class FrozenCredentials:
    """One consistent snapshot of a key pair and token. Its repr shows no secret."""

    access_key: str
    secret_key: str
    token: str | None
    account_id: str | None = None  # when the provider says (role, SSO, process, env)
    origin: str | None = None
    """Where the credential chain found them (``chain:<profile>``), None for keys given."""

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


@attrs.frozen
class _SigningContext:
    """The one attribute of a request that SigV4Auth's string and signature steps read."""

    context: dict[str, str]


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


def _canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """SigV4's canonical header block and signed-header list, as botocore builds them."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers.items():
        lname = name.lower()
        if lname not in _UNSIGNED_HEADERS:
            grouped.setdefault(lname, []).append(" ".join(value.split()))
    names = sorted(grouped)
    block = "\n".join(f"{name}:{','.join(grouped[name])}" for name in names)
    return block, ";".join(names)


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
    never duplicated. ``now`` lets a clock-skew correction or a test pin time.

    botocore's ``SigV4Auth`` computes the string to sign and the signature.
    The canonical request it signs is built here for this client's one
    request shape (no query string, a bytes body): botocore builds it through
    an ``email.message`` header map and re-parses the URL several times, which
    was most of a call's own CPU time. A property test holds the result equal
    to ``SigV4Auth.add_auth``'s for any path, header set, body and token; a URL
    with a query string takes botocore's own path.
    """
    signed = {k: v for k, v in headers.items() if k.lower() not in _SIGNING_HEADERS}
    timestamp = (now or datetime.datetime.now(datetime.UTC)).strftime(botocore.auth.SIGV4_TIMESTAMP)
    if credentials.token:
        signed["X-Amz-Security-Token"] = credentials.token
    signed["X-Amz-Date"] = timestamp
    signer = botocore.auth.SigV4Auth(
        botocore.credentials.ReadOnlyCredentials(
            credentials.access_key, credentials.secret_key, credentials.token
        ),
        service,
        region,
    )
    parts = _url_parts(url)
    if parts is None:
        return _sign_with_botocore(signer, method, url, signed, body, timestamp)
    path, host = parts
    to_sign = signed if any(k.lower() == "host" for k in signed) else {**signed, "host": host}
    header_block, signed_names = _canonical_headers(to_sign)
    canonical = "\n".join(
        (
            method.upper(),
            path,
            "",
            header_block + "\n",
            signed_names,
            hashlib.sha256(body).hexdigest(),
        )
    )
    request = _SigningContext({"timestamp": timestamp})
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signed["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={signer.scope(request)}, "
        f"SignedHeaders={signed_names}, Signature={signature}"
    )
    return signed


def _sign_with_botocore(
    signer: botocore.auth.SigV4Auth,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    timestamp: str,
) -> dict[str, str]:
    """The general path (any URL), entirely botocore's, minus ``add_auth``'s DEBUG logging."""
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
    request.context["timestamp"] = timestamp
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signer._inject_signature_to_request(request, signature)
    return dict(request.headers.items())

"""SigV4 verification for the emulator, written from the specification with the stdlib only.

Deliberately independent of botocore and of ``account_mgmt._signing``: it is
the oracle that tells whether our signer (and boto3's, and the AWS CLI's)
produce what AWS would accept.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import urllib.parse
from collections.abc import Mapping

import attrs

MAX_CLOCK_SKEW = datetime.timedelta(minutes=5)
"""How far a request's X-Amz-Date may be from the server's clock (AWS: 5 minutes)."""

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request,\s*SignedHeaders=(?P<signed>[^,\s]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})"
)


@attrs.frozen
class SignatureProblem(Exception):
    """Why a request's signature is refused, as AWS would say it."""

    code: str
    message: str
    status: int = 403


@attrs.frozen
class SignedBy:
    """Who signed a valid request."""

    access_key: str
    region: str


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _canonical_query(query: str) -> str:
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    encoded = sorted(
        (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~")) for k, v in pairs
    )
    return "&".join(f"{k}={v}" for k, v in encoded)


def verify(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_for: Mapping[str, str],
    service: str,
    region: str,
    now: datetime.datetime,
) -> SignedBy:
    """Check an incoming request's SigV4 signature; ``headers`` keys lower-cased.

    Raises:
        SignatureProblem: with the code and message AWS answers for the fault.
    """
    authorization = headers.get("authorization")
    if not authorization:
        raise SignatureProblem(
            "MissingAuthenticationTokenException", "Missing Authentication Token"
        )
    match = _AUTH.fullmatch(authorization.strip())
    if match is None:
        raise SignatureProblem(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'.",
            400,
        )
    access_key = match["key"]
    if access_key not in secret_for:
        raise SignatureProblem(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    amz_date = headers.get("x-amz-date", "")
    try:
        signed_at = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC
        )
    except ValueError:
        raise SignatureProblem(
            "IncompleteSignatureException", "Date must be in ISO-8601 'basic format'.", 400
        ) from None
    if abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise SignatureProblem(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than "
            f"{(now - MAX_CLOCK_SKEW).strftime('%Y%m%dT%H%M%SZ')}",
        )
    if match["service"] != service:
        raise SignatureProblem(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{service}'.",
        )
    if match["region"] != region:
        raise SignatureProblem(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{match['region']}'.",
        )
    if match["date"] != amz_date[:8]:
        raise SignatureProblem(
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601.",
        )
    signed = match["signed"].split(";")
    if "host" not in signed:
        raise SignatureProblem("InvalidSignatureException", "'Host' must be a signed header.")
    missing = [name for name in signed if name not in headers]
    if missing:
        raise SignatureProblem(
            "InvalidSignatureException", f"Signed header {missing[0]} is not in the request."
        )
    if "x-amz-security-token" in headers and "x-amz-security-token" not in signed:
        raise SignatureProblem(
            "InvalidSignatureException", "The security token must be a signed header."
        )
    parsed = urllib.parse.urlsplit(path)
    canonical_headers = "".join(f"{name}:{' '.join(headers[name].split())}\n" for name in signed)
    payload_hash = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    canonical_request = "\n".join(
        [
            method,
            urllib.parse.quote(parsed.path or "/", safe="/-_.~"),
            _canonical_query(parsed.query),
            canonical_headers,
            ";".join(signed),
            payload_hash,
        ]
    )
    scope = f"{match['date']}/{match['region']}/{match['service']}/aws4_request"
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = ("AWS4" + secret_for[access_key]).encode()
    for part in (match["date"], match["region"], match["service"], "aws4_request"):
        key = _hmac(key, part)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match["signature"]):
        raise SignatureProblem(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
        )
    return SignedBy(access_key=access_key, region=match["region"])

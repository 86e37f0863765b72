"""Credentials and SigV4 signing, from botocore.

botocore brings the whole default credential chain (environment, shared
files, SSO, assume-role, web identity, container and instance metadata) and
the profile's configuration. Its errors are translated here into
``CredentialsError``; no botocore type leaves this module.

We sign with botocore's ``SigV4Auth`` building blocks but not its
``add_auth``: that method logs the canonical request (session token
included) and the signature at DEBUG on ``botocore.auth``, which any
application that turns on DEBUG logging would then write to its logs.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Mapping

import attrs
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions
import botocore.session

from account_mgmt.exceptions import CredentialsError, NoCredentialsError

_SIGNING_HEADERS = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")


@attrs.frozen(repr=False)
class FrozenCredentials:
    """One consistent snapshot of a key pair and token. Its repr shows no secret."""

    access_key: str
    secret_key: str
    token: str | None

    def __repr__(self) -> str:
        return f"FrozenCredentials(access_key={self.access_key[:4]}..., secret_key=<redacted>)"


class AwsSession:
    """The botocore session behind one client family: profile, config, credentials.

    Credentials are resolved lazily (the first call, not the constructor, may
    reach SSO or IMDS) and then refreshed by botocore as they near expiry.
    """

    def __init__(
        self,
        *,
        profile_name: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
    ) -> None:
        if (aws_access_key_id is None) != (aws_secret_access_key is None):
            raise CredentialsError(
                "aws_access_key_id and aws_secret_access_key must be given together"
            )
        try:
            self._session = botocore.session.Session(profile=profile_name)
            # Touch the profile now so a misspelt profile fails at construction.
            self._session.get_scoped_config()
        except botocore.exceptions.BotoCoreError as exc:
            raise CredentialsError(str(exc)) from exc
        self._explicit: botocore.credentials.Credentials | None = None
        if aws_access_key_id is not None and aws_secret_access_key is not None:
            self._explicit = botocore.credentials.Credentials(
                aws_access_key_id, aws_secret_access_key, aws_session_token
            )
        self._resolved: botocore.credentials.Credentials | None = self._explicit
        self._lock = threading.Lock()

    def config_variable(self, name: str) -> object:
        """A setting from the environment or the profile (``region``, ``max_attempts``...)."""
        try:
            return self._session.get_config_variable(name)
        except botocore.exceptions.BotoCoreError as exc:
            raise CredentialsError(str(exc)) from exc

    def profile_setting(self, name: str) -> object:
        """A raw key of the active profile in the shared config file, or None."""
        return self._session.get_scoped_config().get(name)

    def credentials(self) -> FrozenCredentials:
        """The current credentials, refreshed if they are about to expire.

        Raises:
            NoCredentialsError: nothing in the chain had credentials.
            CredentialsError: a provider failed (expired SSO token, bad role...).
        """
        with self._lock:
            if self._resolved is None:
                try:
                    self._resolved = self._session.get_credentials()
                except botocore.exceptions.BotoCoreError as exc:
                    raise CredentialsError(str(exc)) from exc
                if self._resolved is None:
                    raise NoCredentialsError(
                        "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                        "a profile, SSO, or run where a role is available"
                    )
            resolved = self._resolved
        try:
            frozen = resolved.get_frozen_credentials()
        except botocore.exceptions.BotoCoreError as exc:
            raise CredentialsError(str(exc)) from exc
        return FrozenCredentials(frozen.access_key, frozen.secret_key, frozen.token)

    def force_refresh(self) -> None:
        """Drop cached credentials so the next call walks the chain again."""
        with self._lock:
            if self._explicit is None:
                self._resolved = None


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
    """
    clean = {k: v for k, v in headers.items() if k.lower() not in _SIGNING_HEADERS}
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=clean)
    signer = botocore.auth.SigV4Auth(
        botocore.credentials.ReadOnlyCredentials(
            credentials.access_key, credentials.secret_key, credentials.token
        ),
        service,
        region,
    )
    timestamp = (now or datetime.datetime.now(datetime.UTC)).strftime(botocore.auth.SIGV4_TIMESTAMP)
    request.context["timestamp"] = timestamp
    if credentials.token:
        request.headers["X-Amz-Security-Token"] = credentials.token
    request.headers["X-Amz-Date"] = timestamp
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    signature = signer.signature(string_to_sign, request)
    signer._inject_signature_to_request(request, signature)
    return dict(request.headers.items())

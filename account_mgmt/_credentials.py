"""Credentials and the shared configuration, from botocore.

botocore brings the whole default credential chain (environment, shared
files, SSO, assume-role, web identity, credential process, container and
instance metadata) and the rules for reading the environment and the
profile. Its errors are translated here into ``CredentialsError``; no
botocore type leaves this module.

``import botocore.session`` loads botocore's whole client stack (parsers,
serializers, waiters, docs...): about 16 ms, most of the difference between
a cold start of this package and of boto3. So it is imported only when the
credential chain has to be walked. Configuration is read by ``_SharedConfig``
with the same botocore pieces a Session uses, and two sources need no
Session: explicit keys, and the environment's keys when no profile was
named (the chain's first provider; a named profile skips it).

Those two need not even ``botocore.credentials`` (with what it imports,
``subprocess``, ``uuid``, ``botocore.endpoint``...: ~20 ms of a cold start,
which is what a Lambda function or a CI job with keys in its environment
waits): keys given outright are kept as given, and keys in the environment
are read as botocore's ``EnvProvider`` reads them (``_environment_keys``; a
test holds the two readings equal), unless they carry an expiry, which makes
botocore's refreshable credentials. Anything else imports it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import botocore.configloader
import botocore.configprovider
import botocore.exceptions

from account_mgmt._logging import logger
from account_mgmt._signing import FrozenCredentials, check_credentials
from account_mgmt.exceptions import CredentialsError, NoCredentialsError

if TYPE_CHECKING:
    import botocore.credentials


class _SharedConfig:
    """What ``botocore.session.Session`` answers about configuration, without one.

    Its ``get_config_variable``, ``get_scoped_config``, ``full_config`` and
    ``instance_variables``, built from the same botocore parts (the default
    config mapping, the config loader). A test holds the answers equal to a
    real Session's over a matrix of environments and files.
    """

    def __init__(self, profile: str | None) -> None:
        self._instance_variables: dict[str, Any] = {}
        if profile is not None:
            self._instance_variables["profile"] = profile
        self._config: dict[str, Any] | None = None
        self._store = botocore.configprovider.ConfigValueStore(
            mapping=botocore.configprovider.create_botocore_default_config_mapping(self)
        )

    def instance_variables(self) -> dict[str, Any]:
        return dict(self._instance_variables)

    def get_config_variable(self, logical_name: str) -> Any:
        return self._store.get_config_variable(logical_name)

    @property
    def full_config(self) -> dict[str, Any]:
        """The config file's profiles, with the credentials file's merged in."""
        if self._config is None:
            try:
                config = botocore.configloader.load_config(self.get_config_variable("config_file"))
            except botocore.exceptions.ConfigNotFound:
                config = {"profiles": {}}
            try:
                credentials = botocore.configloader.raw_config_parse(
                    self.get_config_variable("credentials_file")
                )
            except botocore.exceptions.ConfigNotFound:
                credentials = {}
            for profile, values in credentials.items():
                config["profiles"].setdefault(profile, {}).update(values)
            self._config = config
        return self._config

    def get_scoped_config(self) -> dict[str, Any]:
        """The active profile's section; raises ProfileNotFound for a named, missing one."""
        profile = self.get_config_variable("profile")
        profiles: dict[str, dict[str, Any]] = self.full_config["profiles"]
        if profile is None:
            return profiles.get("default", {})
        if profile not in profiles:
            raise botocore.exceptions.ProfileNotFound(profile=profile)
        return profiles[profile]


_UNREADABLE: Final = (
    "the credentials found cannot be read: an expiry that is not a timestamp "
    "(AWS_CREDENTIAL_EXPIRATION, or a provider's Expiration)?"
)
"""The message for a ValueError from the chain (dateutil's, for an unreadable expiry):
its own text is not quoted, since what a provider failed to parse may hold a secret."""


class _EnvironmentKeys:
    """Keys from the environment, shaped like botocore's ``Credentials`` and its frozen
    snapshot (``ReadOnlyCredentials``) for this module: it is its own snapshot, and the
    same one each time, which is how ``credentials`` knows it unchanged."""

    __slots__ = ("access_key", "account_id", "secret_key", "token")

    def __init__(
        self, access_key: str, secret_key: str, token: str | None, account_id: str | None
    ) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.token = token
        self.account_id = account_id

    def get_frozen_credentials(self) -> _EnvironmentKeys:
        return self


def _environment_keys(environ: Mapping[str, str]) -> _EnvironmentKeys | None:
    """What botocore's ``EnvProvider(environ).load()`` finds, when it is plain keys.

    None when it would find nothing, fail (a key id without a secret), or
    make refreshable credentials (``AWS_CREDENTIAL_EXPIRATION``): botocore is
    asked then. Empty values count as unset, and the token is the first of
    ``AWS_SECURITY_TOKEN``, ``AWS_SESSION_TOKEN`` that is set, as there.
    """
    access_key = environ.get("AWS_ACCESS_KEY_ID", "")
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not access_key or not secret_key or environ.get("AWS_CREDENTIAL_EXPIRATION", ""):
        return None
    token = environ.get("AWS_SECURITY_TOKEN", "") or environ.get("AWS_SESSION_TOKEN", "")
    account_id = environ.get("AWS_ACCOUNT_ID", "")
    return _EnvironmentKeys(access_key, secret_key, token or None, account_id or None)


def _new_botocore_session(profile: str | None) -> Any:
    from account_mgmt._botocore_session import BotocoreSession  # see the module docstring

    return BotocoreSession(profile=profile)


class AwsSession:
    """Profile, configuration and credentials behind one client family.

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
        if aws_access_key_id is not None:
            check_credentials(aws_access_key_id, aws_secret_access_key, aws_session_token)
        self._profile_name = profile_name
        try:
            self._config = _SharedConfig(profile_name)
            # Touch the profile now so a misspelt profile fails at construction.
            self._config.get_scoped_config()
        except botocore.exceptions.BotoCoreError as exc:
            raise CredentialsError(str(exc)) from exc
        self._resolved: botocore.credentials.Credentials | _EnvironmentKeys | None = None
        # The snapshot last handed out and botocore's answer it was made from: while
        # botocore answers the same, the same snapshot (and its derived signing keys)
        # serves, without checking the keys and building a new one per call.
        self._snapshot: tuple[object, FrozenCredentials] | None = None
        self._given: FrozenCredentials | None = None
        if aws_access_key_id is not None and aws_secret_access_key is not None:
            # Checked above; kept as given (botocore's Credentials would keep them so too).
            self._given = FrozenCredentials(
                aws_access_key_id, aws_secret_access_key, aws_session_token
            )
        self._session: Any = None
        self._lock = threading.Lock()

    def config_variable(self, name: str) -> object:
        """A setting from the environment or the profile (``region``, ``max_attempts``...)."""
        try:
            return self._config.get_config_variable(name)
        except botocore.exceptions.BotoCoreError as exc:
            raise CredentialsError(str(exc)) from exc

    def profile_setting(self, name: str) -> object:
        """A raw key of the active profile in the shared config file, or None."""
        return self._config.get_scoped_config().get(name)

    def credentials(self) -> FrozenCredentials:
        """The current credentials, refreshed if they are about to expire.

        Raises:
            NoCredentialsError: nothing in the chain had credentials.
            CredentialsError: a provider failed (expired SSO token, bad role...),
                what it found cannot be read (an expiry that is not a
                timestamp), or cannot be sent (a key id or token with a
                trailing newline: which one is named, never quoted).
        """
        if self._given is not None:
            return self._given
        with self._lock:
            if self._resolved is None:
                try:
                    self._resolved = self._walk_chain()
                except botocore.exceptions.BotoCoreError as exc:
                    raise CredentialsError(str(exc)) from exc
                except ValueError as exc:
                    raise CredentialsError(_UNREADABLE) from exc
                if self._resolved is None:
                    raise NoCredentialsError(
                        "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                        "a profile, SSO, or run where a role is available"
                    )
            resolved = self._resolved
        try:
            frozen = resolved.get_frozen_credentials()  # a refresh reads the expiry again
        except botocore.exceptions.BotoCoreError as exc:
            raise CredentialsError(str(exc)) from exc
        except ValueError as exc:
            raise CredentialsError(_UNREADABLE) from exc
        snapshot = self._snapshot
        if snapshot is not None and snapshot[0] == frozen:
            return snapshot[1]
        credentials = self._freeze(frozen)
        self._snapshot = (frozen, credentials)
        return credentials

    def given_credentials(self) -> FrozenCredentials | None:
        """The snapshot of keys given outright (never blocks, never changes); None otherwise."""
        return self._given

    def _freeze(
        self, frozen: botocore.credentials.ReadOnlyCredentials | _EnvironmentKeys
    ) -> FrozenCredentials:
        """Our snapshot of the chain's (botocore's, or the environment's plain keys), once its
        values are checked to be sendable."""
        check_credentials(frozen.access_key, frozen.secret_key, frozen.token or None)
        return FrozenCredentials(
            frozen.access_key,
            frozen.secret_key,
            frozen.token,
            account_id=frozen.account_id or None,
            origin="chain:" + (self._profile_name or ""),
        )

    def _walk_chain(self) -> botocore.credentials.Credentials | _EnvironmentKeys | None:
        if self._profile_name is None:
            # The chain's first provider, unless a profile was named.
            plain = _environment_keys(os.environ)
            if plain is not None:
                # What botocore's EnvProvider logs at INFO, at DEBUG on our logger.
                logger.debug("found credentials in environment variables")
                return plain
        import botocore.credentials  # see the module docstring

        if self._profile_name is None:
            from_environment = botocore.credentials.EnvProvider().load()
            if from_environment is not None:
                return from_environment
        if self._session is None:
            self._session = _new_botocore_session(self._profile_name)
        return self._session.get_credentials()

    def force_refresh(self, expired: FrozenCredentials) -> None:
        """The service refused ``expired``: make the next call walk the chain afresh.

        botocore's session keeps the credentials it found (and a provider's
        refresh trusts their stated expiry, which the service has just
        contradicted), so the session goes too. When calls refused together
        each ask, only the first is acted on: the others' ``expired`` is no
        longer what the chain would hand out. Keys given outright stay.
        """
        with self._lock:
            if self._given is not None or self._resolved is None:
                return  # nothing to walk again, or a walk is already due
            try:
                current = self._resolved.get_frozen_credentials()
            except (botocore.exceptions.BotoCoreError, ValueError):
                current = None
            if current is not None and (current.access_key, current.token) != (
                expired.access_key,
                expired.token,
            ):
                return  # already replaced since the refused request was signed
            self._resolved = None
            self._session = None

"""What the sync and the async client are both built from: options in, a call path out.

``ClientBase`` holds the constructor (every option, resolved as the AWS SDKs
resolve them), ``config``, ``runtime`` and ``with_options``; the two clients
add only their front doors and their driver.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Mapping
from typing import Any, Generic, Self, TypeVar

import attrs

from account_mgmt._config import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_POOL_CONNECTIONS,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    ClientConfig,
)
from account_mgmt._credentials import AwsSession
from account_mgmt._options import check_config, rate_quotas, resolve_config
from account_mgmt._quotas import (
    REGION_OPT_CONCURRENCY_PER_ACCOUNT,
    REGION_OPT_CONCURRENCY_PER_ORGANIZATION,
    Quota,
)
from account_mgmt._runtime import Runtime, default_runtime
from account_mgmt._steps import CallPath
from account_mgmt.exceptions import ConfigurationError


def new_call_path(
    *,
    profile_name: str | None,
    region_name: str | None,
    endpoint_url: str | None,
    aws_access_key_id: str | None,
    aws_secret_access_key: str | None,
    aws_session_token: str | None,
    max_attempts: int | None,
    connect_timeout: float,
    read_timeout: float,
    total_timeout: float,
    use_fips_endpoint: bool | None,
    use_dualstack_endpoint: bool | None,
    verify: bool | str,
    max_pool_connections: int,
    rate_limiting: bool,
    quota_overrides: Mapping[str, Quota] | None,
    region_opt_concurrency_per_account: int,
    region_opt_concurrency_per_organization: int,
    runtime: Runtime | None,
    rng: Callable[[], float] | None,
) -> CallPath:
    """Resolve every option (environment, profile, defaults) into a ``CallPath``.

    Raises:
        ConfigurationError: an option is invalid.
        CredentialsError: the named profile does not exist, or only half a key pair was given.
    """
    if runtime is not None and not isinstance(runtime, Runtime):
        raise ConfigurationError(f"runtime must be a Runtime, got {type(runtime).__name__}")
    aws = AwsSession(
        profile_name=profile_name,
        aws_access_key_id=aws_access_key_id,
        aws_secret_access_key=aws_secret_access_key,
        aws_session_token=aws_session_token,
    )
    config = resolve_config(
        aws,
        region_name=region_name,
        endpoint_url=endpoint_url,
        max_attempts=max_attempts,
        use_fips_endpoint=use_fips_endpoint,
        use_dualstack_endpoint=use_dualstack_endpoint,
        verify=verify,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        total_timeout=total_timeout,
        max_pool_connections=max_pool_connections,
        region_opt_concurrency_per_account=region_opt_concurrency_per_account,
        region_opt_concurrency_per_organization=region_opt_concurrency_per_organization,
    )
    return CallPath(
        config,
        aws,
        runtime if runtime is not None else default_runtime(),
        rate_quotas(config, rate_limiting=rate_limiting, overrides=quota_overrides),
        rng=rng if rng is not None else random.random,
    )


def changed_config(config: ClientConfig, **changes: float | int | None) -> ClientConfig:
    """``config`` with the options given (not None) changed, checked (``with_options``).

    Raises:
        ConfigurationError: a changed option is invalid.
    """
    given: dict[str, Any] = {key: value for key, value in changes.items() if value is not None}
    changed = attrs.evolve(config, **given)
    check_config(changed)
    return changed


def pool_changes(old: ClientConfig, new: ClientConfig) -> bool:
    """Whether ``new`` needs connections of its own: a pool's timeouts are baked in."""
    return (old.connect_timeout, old.read_timeout) != (new.connect_timeout, new.read_timeout)


def transport_options(config: ClientConfig) -> dict[str, Any]:
    """What either transport is built from: the endpoint, timeouts, TLS, pool and size cap."""
    return {
        "endpoint_url": config.endpoint_url,
        "connect_timeout": config.connect_timeout,
        "read_timeout": config.read_timeout,
        "verify": config.verify,
        "max_pool_connections": config.max_pool_connections,
        "max_response_bytes": config.max_response_bytes,
    }


TransportT = TypeVar("TransportT")


class ClientBase(Generic[TransportT]):
    """The options, configuration and copies shared by ``AccountClient`` and
    ``AsyncAccountClient``; a subclass says how to make its transport."""

    _path: CallPath
    _transport: TransportT
    _own_transport: bool

    def __init__(
        self,
        *,
        profile_name: str | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        max_attempts: int | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        use_fips_endpoint: bool | None = None,
        use_dualstack_endpoint: bool | None = None,
        verify: bool | str = True,
        max_pool_connections: int = DEFAULT_MAX_POOL_CONNECTIONS,
        rate_limiting: bool = True,
        quota_overrides: Mapping[str, Quota] | None = None,
        region_opt_concurrency_per_account: int = REGION_OPT_CONCURRENCY_PER_ACCOUNT,
        region_opt_concurrency_per_organization: int = REGION_OPT_CONCURRENCY_PER_ORGANIZATION,
        runtime: Runtime | None = None,
        transport: TransportT | None = None,
        rng: Callable[[], float] | None = None,
    ) -> None:
        self._path = new_call_path(
            profile_name=profile_name,
            region_name=region_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=aws_access_key_id,
            aws_secret_access_key=aws_secret_access_key,
            aws_session_token=aws_session_token,
            max_attempts=max_attempts,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            total_timeout=total_timeout,
            use_fips_endpoint=use_fips_endpoint,
            use_dualstack_endpoint=use_dualstack_endpoint,
            verify=verify,
            max_pool_connections=max_pool_connections,
            rate_limiting=rate_limiting,
            quota_overrides=quota_overrides,
            region_opt_concurrency_per_account=region_opt_concurrency_per_account,
            region_opt_concurrency_per_organization=region_opt_concurrency_per_organization,
            runtime=runtime,
            rng=rng,
        )
        self._own_transport = transport is None
        self._transport = transport if transport is not None else self._new_transport()

    def _new_transport(self) -> TransportT:
        """The transport this client makes for its configuration (none given)."""
        raise NotImplementedError

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration (endpoint, signing region, attempts, timeouts)."""
        return self._path.config

    @property
    def runtime(self) -> Runtime:
        """The limits and clock this client shares with the other clients built on it."""
        return self._path.runtime

    def with_options(
        self,
        *,
        max_attempts: int | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        total_timeout: float | None = None,
    ) -> Self:
        """A copy with some options changed, sharing credentials, runtime and clock offset.

        The copy shares the connection pool unless a timeout changes, in which
        case it gets a pool of its own (closed by its own close). A transport
        given to the constructor is always shared.

        Raises:
            ConfigurationError: an option is invalid.
        """
        config = changed_config(
            self._path.config,
            max_attempts=max_attempts,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            total_timeout=total_timeout,
        )
        clone = copy.copy(self)
        clone._path = self._path.with_config(config)
        if self._own_transport and pool_changes(self._path.config, config):
            clone._transport = clone._new_transport()
        return clone

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint_url={self._path.config.endpoint_url!r})"

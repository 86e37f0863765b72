"""Building a client's call path from its options: the same for the sync and async client."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from account_mgmt._config import ClientConfig
from account_mgmt._credentials import AwsSession
from account_mgmt._options import check_config, rate_quotas, resolve_config
from account_mgmt._quotas import Quota
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

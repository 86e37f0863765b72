"""From constructor options, environment and profile to one ``ClientConfig``.

Every option the caller leaves out is read as the AWS SDKs read it: the
environment first, then the profile, then our documented default.
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Mapping

from account_mgmt._config import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_RESPONSE_BYTES,
    GLOBAL_SIGNING_REGION,
    ClientConfig,
)
from account_mgmt._credentials import AwsSession
from account_mgmt._endpoints import (
    ACCOUNT_ENDPOINTS,
    EndpointRules,
    configured_endpoint_url,
    partition_of,
)
from account_mgmt._logging import QUOTED_CHARACTERS, bounded_repr, printable
from account_mgmt._quotas import Quota, quotas_for_partition
from account_mgmt._version import __version__
from account_mgmt.exceptions import ConfigurationError


def _config_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _positive(name: str, value: object, *, infinite_allowed: bool = False) -> None:
    # `not value > 0` also refuses NaN, which every comparison would let through.
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigurationError(f"{name} must be a positive number, got {bounded_repr(value)}")
    if math.isinf(value) and not infinite_allowed:
        raise ConfigurationError(f"{name} must be finite, got {bounded_repr(value)}")


def _count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name} must be an int >= 1, got {bounded_repr(value)}")


def _is_path(path: str) -> bool:
    try:
        return os.path.exists(path)
    except (ValueError, UnicodeError):  # a NUL or a lone surrogate: no file has that name
        return False


def check_config(config: ClientConfig) -> None:
    """Refuse values no request could be made with.

    Raises:
        ConfigurationError: naming the option.
    """
    _count("max_attempts", config.max_attempts)
    if not isinstance(config.verify, bool | str):
        raise ConfigurationError(
            f"verify must be True, False or a CA bundle path, got {type(config.verify).__name__}"
        )
    if isinstance(config.verify, str) and not _is_path(config.verify):
        # requests would only find out on the first call, with a bare OSError.
        raise ConfigurationError(
            f"verify (or AWS_CA_BUNDLE / the profile's ca_bundle): no CA bundle file or "
            f"directory at {bounded_repr(config.verify, 200)}"
        )
    _positive("connect_timeout", config.connect_timeout)
    _positive("read_timeout", config.read_timeout)
    _positive("total_timeout", config.total_timeout, infinite_allowed=True)  # no deadline
    for name in (
        "max_pool_connections",
        "region_opt_concurrency_per_account",
        "region_opt_concurrency_per_organization",
    ):
        _count(name, getattr(config, name))


def _configured_max_attempts(aws: AwsSession, default: int) -> int:
    """AWS_MAX_ATTEMPTS or the profile's max_attempts (botocore reads it as an int)."""
    try:
        configured = aws.config_variable("max_attempts")
        return default if configured in (None, "") else int(str(configured))
    except ValueError as exc:  # botocore's int() of the raw text: its message quotes it whole
        raise ConfigurationError(
            f"max_attempts (AWS_MAX_ATTEMPTS or the profile's max_attempts) must be an int "
            f">= 1: {printable(str(exc), QUOTED_CHARACTERS + 50)}"
        ) from exc


def configured_region(aws: AwsSession, region_name: str | None) -> str:
    """The Region a client is configured for: given, else AWS_REGION / the profile's
    (as the AWS SDKs read it), else us-east-1 (these services are global).

    Raises:
        ConfigurationError: the Region is not a string.
    """
    region = region_name or aws.config_variable("region") or GLOBAL_SIGNING_REGION
    if not isinstance(region, str):
        raise ConfigurationError(f"region_name must be a string, got {type(region).__name__}")
    return region


def resolve_config(
    aws: AwsSession,
    *,
    region_name: str | None,
    endpoint_url: str | None,
    max_attempts: int | None,
    use_fips_endpoint: bool | None,
    use_dualstack_endpoint: bool | None,
    verify: bool | str,
    connect_timeout: float,
    read_timeout: float,
    total_timeout: float,
    max_pool_connections: int,
    region_opt_concurrency_per_account: int,
    region_opt_concurrency_per_organization: int,
    endpoints: EndpointRules = ACCOUNT_ENDPOINTS,
    default_max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    product: str = "",
) -> ClientConfig:
    """The client's configuration, every unset option filled from environment or profile.

    ``endpoints`` says how the service's endpoint is found (Organizations'
    differs from Account Management's), ``default_max_attempts`` what
    ``max_attempts`` is when nothing sets it; ``product`` ends the User-Agent.

    Raises:
        ConfigurationError: an invalid or inconsistent option.
    """
    region = configured_region(aws, region_name)
    if endpoint_url is not None and not isinstance(endpoint_url, str):
        raise ConfigurationError(
            f"endpoint_url must be a string, got {type(endpoint_url).__name__}"
        )
    if use_fips_endpoint is None:
        use_fips_endpoint = _config_bool(aws.config_variable("use_fips_endpoint"))
    if use_dualstack_endpoint is None:
        use_dualstack_endpoint = _config_bool(aws.config_variable("use_dualstack_endpoint"))
    endpoint = endpoints.resolve(
        region_name=region,
        endpoint_url=configured_endpoint_url(
            endpoint_url, aws.profile_setting("endpoint_url"), service_env=endpoints.service_env
        ),
        use_fips_endpoint=use_fips_endpoint,
        use_dualstack_endpoint=use_dualstack_endpoint,
    )
    if verify is True:
        # AWS_CA_BUNDLE or the profile's ca_bundle, as the AWS SDKs read them.
        bundle = aws.config_variable("ca_bundle")
        verify = bundle if isinstance(bundle, str) and bundle else True
    if max_attempts is None:
        max_attempts = _configured_max_attempts(aws, default_max_attempts)
    config = ClientConfig(
        endpoint_url=endpoint.url,
        signing_region=endpoint.signing_region,
        region_name=region,
        max_attempts=max_attempts,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        total_timeout=total_timeout,
        verify=verify,
        max_pool_connections=max_pool_connections,
        max_response_bytes=DEFAULT_MAX_RESPONSE_BYTES,
        region_opt_concurrency_per_account=region_opt_concurrency_per_account,
        region_opt_concurrency_per_organization=region_opt_concurrency_per_organization,
        user_agent=(
            f"account_mgmt/{__version__} Python/{platform.python_version()} "
            f"{platform.system()}/{platform.release()}{product}"
        ),
    )
    check_config(config)
    return config


def _check_quota_overrides(overrides: object, known: Mapping[str, Quota]) -> None:
    if not isinstance(overrides, Mapping):
        raise ConfigurationError(
            "quota_overrides must be a mapping of operation name to Quota, e.g. "
            f'{{"GetAlternateContact": Quota(20, 20)}}, got {type(overrides).__name__}'
        )
    for operation, quota in overrides.items():
        name = f"quota_overrides[{bounded_repr(operation)}]"
        if operation not in known:
            raise ConfigurationError(
                f"{name}: not an Account Management operation; use the AWS name, "
                f"one of {', '.join(sorted(known))}"
            )
        if not isinstance(quota, Quota):
            raise ConfigurationError(f"{name} must be a Quota, got {type(quota).__name__}")
        _positive(f"{name}.rate", quota.rate)
        _count(f"{name}.burst", quota.burst)
        if quota.per_target_window is not None:
            _count(f"{name}.per_target_window.count", quota.per_target_window.count)
            _positive(f"{name}.per_target_window.seconds", quota.per_target_window.seconds)


def rate_quotas(
    config: ClientConfig, *, rate_limiting: bool, overrides: Mapping[str, Quota] | None
) -> dict[str, Quota]:
    """The quota the client paces each operation at; empty when pacing is off.

    Raises:
        ConfigurationError: an override names no operation, or a figure no
            bucket can pace at (a rate or window of zero, a burst below one).
    """
    documented = quotas_for_partition(partition_of(config.region_name))
    _check_quota_overrides(overrides or {}, documented)
    if not rate_limiting:
        return {}
    return {**documented, **(overrides or {})}

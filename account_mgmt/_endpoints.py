"""Where requests go and which region they are signed for.

The service's endpoint rule set (shipped with botocore) decides: one global
endpoint per partition (``account.us-east-1.amazonaws.com`` signed for
``us-east-1``; China and GovCloud have their own), with FIPS and dual-stack
variants. An explicit endpoint wins: the ``endpoint_url`` option, then
``AWS_ENDPOINT_URL_ACCOUNT``, ``AWS_ENDPOINT_URL``, then the profile's
``endpoint_url``, unless ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` is set.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final, Protocol

import botocore.endpoint_provider
import botocore.exceptions
import botocore.loaders
import botocore.utils

from account_mgmt._config import GLOBAL_SIGNING_REGION
from account_mgmt._logging import bounded_repr
from account_mgmt.exceptions import ConfigurationError

_SERVICE_ENV = "AWS_ENDPOINT_URL_ACCOUNT"
_GLOBAL_ENV = "AWS_ENDPOINT_URL"
_IGNORE_ENV = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"


class ResolvedEndpoint:
    """The base URL to send to and the region to sign for."""

    # Plain slotted classes, not attrs: attrs compiles each class's methods at
    # import (cold start, issue 13). Never assigned after construction.
    __slots__ = ("signing_region", "url")

    url: str
    signing_region: str

    def __init__(self, url: str, signing_region: str) -> None:
        self.url = url
        self.signing_region = signing_region


@functools.cache
def _provider() -> Any:
    # Loaded once per process: the rule set and partition data never change at run time.
    # Not load_service_model: it first lists every service botocore ships (~450
    # directory reads, most of a cold client's construction) to check the name.
    loader = botocore.loaders.create_loader()
    version = loader.determine_latest_version("account", "endpoint-rule-set-1")
    ruleset = loader.load_data(f"account/{version}/endpoint-rule-set-1")
    return botocore.endpoint_provider.EndpointProvider(ruleset, loader.load_data("partitions"))


def partition_of(region_name: str) -> str:
    """``aws``, ``aws-cn`` or ``aws-us-gov``: which quota table applies."""
    if region_name.startswith("cn-"):
        return "aws-cn"
    if region_name.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: localhost, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_endpoint_url(url: str) -> str:
    """The URL without a trailing slash, if it is https, or plain http to loopback.

    A URL with userinfo (``user:password@``) is refused without being quoted:
    SigV4 is the only authentication, and the password would otherwise show
    in ``repr(client)`` and in every transport error.

    Raises:
        ConfigurationError: userinfo, any other scheme, plain http to a remote
            host, no host, a port that is not a number from 1 to 65535, or a
            query or fragment.
    """
    if not isinstance(url, str):
        raise ConfigurationError(f"endpoint_url must be a string, got {type(url).__name__}")
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:  # an unclosed IPv6 bracket, a malformed netloc
        raise ConfigurationError("endpoint_url is not a URL") from exc
    if "@" in parts.netloc:
        raise ConfigurationError(
            "endpoint_url must not carry a user name or password (user:password@host); "
            "requests are authenticated by their SigV4 signature alone"
        )
    shown = bounded_repr(url, 200)
    host = parts.hostname or ""
    if not host:
        raise ConfigurationError(f"endpoint_url {shown} has no host")
    try:
        port = parts.port
    except ValueError as exc:  # out of range (99999), negative, or not a number
        raise ConfigurationError(
            f"endpoint_url {shown}: the port must be a number from 1 to 65535"
        ) from exc
    if port == 0:
        raise ConfigurationError(f"endpoint_url {shown}: the port must be a number from 1 to 65535")
    if parts.scheme == "http":
        if not is_loopback(host):
            raise ConfigurationError(
                f"endpoint_url {shown}: plain http is only allowed to a loopback host "
                "(127.0.0.0/8, ::1, localhost); use https"
            )
    elif parts.scheme != "https":
        raise ConfigurationError(f"endpoint_url {shown}: the scheme must be https")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"endpoint_url {shown} must not have a query or fragment")
    return url.rstrip("/")


def configured_endpoint_url(
    explicit: str | None,
    profile_value: object,
    environ: Mapping[str, str] | None = None,
    *,
    service_env: str = _SERVICE_ENV,
) -> str | None:
    """The endpoint URL the user configured anywhere, in AWS's precedence order:
    given, the service's variable (``service_env``), ``AWS_ENDPOINT_URL``, the profile."""
    if explicit:
        return explicit
    env = os.environ if environ is None else environ
    if env.get(_IGNORE_ENV, "").lower() == "true":
        return None
    for value in (env.get(service_env), env.get(_GLOBAL_ENV), profile_value):
        if isinstance(value, str) and value:
            return value
    return None


def resolve_endpoint(
    *,
    region_name: str,
    endpoint_url: str | None,
    use_fips_endpoint: bool,
    use_dualstack_endpoint: bool,
) -> ResolvedEndpoint:
    """Apply the rule set.

    Raises:
        ConfigurationError: the Region name is not a host label, the
            combination has no endpoint (e.g. FIPS with a custom endpoint), or
            the URL is not allowed.
    """
    try:
        # A name that is not a host label would be spliced into a regional URL
        # or a signing scope; botocore refuses it for the same reason.
        botocore.utils.validate_region_name(region_name)
    except botocore.exceptions.InvalidRegionError as exc:
        raise ConfigurationError(
            f"region_name {bounded_repr(region_name)} is not a valid Region name (letters, "
            f"digits and hyphens, as in 'us-east-1')"
        ) from exc
    params: dict[str, Any] = {
        "Region": region_name,
        "UseFIPS": use_fips_endpoint,
        "UseDualStack": use_dualstack_endpoint,
    }
    if endpoint_url is not None:
        params["Endpoint"] = check_endpoint_url(endpoint_url)
    try:
        resolved = _provider().resolve_endpoint(**params)
    except botocore.exceptions.BotoCoreError as exc:
        raise ConfigurationError(
            f"no endpoint for region_name={bounded_repr(region_name)}, use_fips_endpoint="
            f"{bounded_repr(use_fips_endpoint)}, use_dualstack_endpoint="
            f"{bounded_repr(use_dualstack_endpoint)}, endpoint_url="
            f"{bounded_repr(endpoint_url, 200)}: {exc}"
        ) from exc
    schemes = resolved.properties.get("authSchemes") or [{}]
    signing_region = schemes[0].get("signingRegion")
    if signing_region is None:
        # A custom endpoint: sign for the configured region, as botocore does.
        signing_region = region_name if region_name != "aws-global" else GLOBAL_SIGNING_REGION
    return ResolvedEndpoint(url=check_endpoint_url(resolved.url), signing_region=signing_region)


class EndpointResolver(Protocol):
    """A service's rule set: the endpoint for a Region, or a configured URL checked."""

    def __call__(
        self,
        *,
        region_name: str,
        endpoint_url: str | None,
        use_fips_endpoint: bool,
        use_dualstack_endpoint: bool,
    ) -> ResolvedEndpoint: ...


class EndpointRules:
    """How a service's endpoint is found: the variable that names it for that service
    alone (before ``AWS_ENDPOINT_URL`` and the profile), and its rule set."""

    __slots__ = ("resolve", "service_env")

    service_env: str
    """``AWS_ENDPOINT_URL_<SERVICE>``."""
    resolve: EndpointResolver

    def __init__(self, service_env: str, resolve: EndpointResolver) -> None:
        self.service_env = service_env
        self.resolve = resolve


ACCOUNT_ENDPOINTS: Final = EndpointRules(_SERVICE_ENV, resolve_endpoint)
"""The Account Management API's: AWS_ENDPOINT_URL_ACCOUNT and the account rule set."""

"""Where Organizations requests go and which region they are signed for.

Organizations is a global service with one endpoint per partition. The table
below is botocore's ``organizations`` endpoint rule set written out (a test
holds it equal to the rule set for every partition and variant): loading the
rule set would need botocore here, which only ``account_mgmt._endpoints`` may
import, and that module resolves the Account service's endpoints only.

An explicit endpoint wins, found as the AWS SDKs find it: the
``endpoint_url`` option, then ``AWS_ENDPOINT_URL_ORGANIZATIONS``, then
``AWS_ENDPOINT_URL``, then the profile's ``endpoint_url`` (the same order the
Account client follows with ``AWS_ENDPOINT_URL_ACCOUNT``), all ignored when
``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` is ``true``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from account_mgmt._config import GLOBAL_SIGNING_REGION
from account_mgmt._endpoints import (
    EndpointRules,
    ResolvedEndpoint,
    check_endpoint_url,
    partition_of,
)

SIGNING_NAME: Final = "organizations"
"""SigV4 signing name (the service model's ``endpointPrefix``; no ``signingName`` override)."""

SERVICE_ENDPOINT_ENV: Final = "AWS_ENDPOINT_URL_ORGANIZATIONS"
"""The service-specific endpoint variable (AWS SDKs: ``AWS_ENDPOINT_URL_<SERVICE_ID>``)."""


GLOBAL_ENDPOINTS: Final[Mapping[tuple[str, bool, bool], ResolvedEndpoint]] = {
    ("aws", False, False): ResolvedEndpoint(
        "https://organizations.us-east-1.amazonaws.com", "us-east-1"
    ),
    ("aws", False, True): ResolvedEndpoint("https://organizations.us-east-1.api.aws", "us-east-1"),
    ("aws", True, False): ResolvedEndpoint(
        "https://organizations-fips.us-east-1.amazonaws.com", "us-east-1"
    ),
    ("aws", True, True): ResolvedEndpoint(
        "https://organizations-fips.us-east-1.api.aws", "us-east-1"
    ),
    ("aws-cn", False, False): ResolvedEndpoint(
        "https://organizations.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"
    ),
    ("aws-cn", False, True): ResolvedEndpoint(
        "https://organizations.cn-northwest-1.api.amazonwebservices.com.cn", "cn-northwest-1"
    ),
    ("aws-cn", True, False): ResolvedEndpoint(
        "https://organizations-fips.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"
    ),
    ("aws-cn", True, True): ResolvedEndpoint(
        "https://organizations-fips.cn-northwest-1.api.amazonwebservices.com.cn", "cn-northwest-1"
    ),
    # GovCloud's one endpoint is FIPS already: the rule set answers it for both.
    ("aws-us-gov", False, False): ResolvedEndpoint(
        "https://organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"
    ),
    ("aws-us-gov", False, True): ResolvedEndpoint(
        "https://organizations.us-gov-west-1.api.aws", "us-gov-west-1"
    ),
    ("aws-us-gov", True, False): ResolvedEndpoint(
        "https://organizations.us-gov-west-1.amazonaws.com", "us-gov-west-1"
    ),
    ("aws-us-gov", True, True): ResolvedEndpoint(
        "https://organizations.us-gov-west-1.api.aws", "us-gov-west-1"
    ),
}
"""(partition, FIPS, dual-stack) -> the global endpoint and its signing region (rule set)."""


def resolve_organizations_endpoint(
    *,
    region_name: str,
    endpoint_url: str | None,
    use_fips_endpoint: bool = False,
    use_dualstack_endpoint: bool = False,
) -> ResolvedEndpoint:
    """The endpoint for ``region_name``'s partition, or ``endpoint_url`` signed for the region.

    A custom endpoint is signed for the configured region, as botocore signs
    one (the rule set gives it no signing region of its own).

    Raises:
        ConfigurationError: ``endpoint_url`` is not https (or plain http to loopback).
    """
    if endpoint_url is not None:
        signing_region = GLOBAL_SIGNING_REGION if region_name == "aws-global" else region_name
        return ResolvedEndpoint(check_endpoint_url(endpoint_url), signing_region)
    key = (partition_of(region_name), use_fips_endpoint, use_dualstack_endpoint)
    return GLOBAL_ENDPOINTS[key]


ORGANIZATIONS_ENDPOINTS: Final = EndpointRules(SERVICE_ENDPOINT_ENV, resolve_organizations_endpoint)
"""AWS_ENDPOINT_URL_ORGANIZATIONS, then the partition's global endpoint."""

"""What the emulated AWS Organizations operations answer, read from the world's tree.

Read-only: the operations an organization-wide tool needs to enumerate the
organization (issue 11). Each handler gets the world (its lock held), the
caller's account id and the validated request body, and returns the response
body or raises ``ApiError`` with Organizations' error code (HTTP 400, as the
service answers its client errors).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, Final

from account_mgmt.testing._world import (
    STATUS_FOR_STATE,
    Account,
    ApiError,
    OrganizationalUnit,
    World,
)

Handler = Callable[[World, str, dict[str, Any]], dict[str, Any]]

ACCOUNT_SERVICE_PRINCIPAL: Final = "account.amazonaws.com"
"""The service principal trusted access and delegation are registered for."""

AVAILABLE_POLICY_TYPES: Final = ({"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},)
"""What the emulated organization and its root report as enabled policy types."""


def org_error(code: str, message: str, **extra: Any) -> ApiError:
    """An Organizations client error: HTTP 400, ``Message`` in the body."""
    return ApiError(code, 400, message, **extra)


def _management(world: World) -> Account:
    return world.accounts[world.settings.management_account_id]


def _caller(world: World, caller_id: str, *, any_member: bool = False) -> Account:
    """The calling account, if it may call Organizations' read operations.

    The management account and the delegated administrator may; any member may
    call DescribeOrganization (``any_member``); other members get
    AccessDeniedException and accounts outside an organization
    AWSOrganizationsNotInUseException, as the service answers.
    """
    caller = world.accounts[caller_id]
    if caller.organization is None:
        raise org_error(
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.",
        )
    privileged = caller_id in (
        world.settings.management_account_id,
        world.settings.delegated_admin_account_id,
    )
    if caller.state != "ACTIVE" or not (privileged or any_member):
        raise org_error(
            "AccessDeniedException", "You don't have permissions to access this resource."
        )
    return caller


def _org_arn(world: World, kind: str, resource: str) -> str:
    settings = world.settings
    return (
        f"arn:aws:organizations::{settings.management_account_id}:{kind}/"
        f"{settings.organization_id}/{resource}"
    )


def _path(world: World, parent_id: str, leaf: str) -> str:
    """Organizations' ``Path``: ``o-.../r-.../ou-.../<leaf>/``."""
    return "/".join([world.settings.organization_id, *world.parent_chain(parent_id), leaf]) + "/"


def _account_document(world: World, account: Account) -> dict[str, Any]:
    field = world.settings.account_status_field
    document: dict[str, Any] = {
        "Id": account.account_id,
        "Arn": _org_arn(world, "account", account.account_id),
        "Email": account.email,
        "Name": account.name,
    }
    if field in ("Status", "both"):
        document["Status"] = STATUS_FOR_STATE[account.state]
    if field in ("State", "both"):
        document["State"] = account.state
    is_management = account.account_id == world.settings.management_account_id
    document["JoinedMethod"] = "CREATED" if not is_management else "INVITED"
    if account.joined is not None:
        document["JoinedTimestamp"] = account.joined.timestamp()
    if account.parent_id is not None:
        document["Paths"] = [_path(world, account.parent_id, account.account_id)]
    return document


def _ou_document(world: World, ou: OrganizationalUnit) -> dict[str, Any]:
    return {
        "Id": ou.ou_id,
        "Arn": _org_arn(world, "ou", ou.ou_id),
        "Name": ou.name,
        "Path": _path(world, ou.parent_id, ou.ou_id),
    }


# -- pagination ------------------------------------------------------------------------


def _encode_token(listing: str, offset: int, page: int) -> str:
    text = json.dumps({"l": listing, "o": offset, "p": page}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode_token(token: str, listing: str) -> tuple[int, int]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset, page, owner = int(state["o"]), int(state["p"]), state["l"]
    except (ValueError, binascii.Error, TypeError, KeyError):
        owner, offset, page = None, -1, -1
    if owner != listing or offset < 0 or page < 0:
        raise org_error(
            "InvalidInputException",
            "The NextToken is not valid for this request.",
            Reason="INVALID_NEXT_TOKEN",
        )
    return offset, page


def _page(
    world: World, body: dict[str, Any], listing: str, key: str, rows: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """One page of ``rows`` under ``key``, with a NextToken while more may follow.

    ``org_empty_page_every`` = N serves every N-th page (the first included) empty
    with a NextToken that resumes where it stood, as the service may.
    """
    offset, page = (0, 0)
    if body.get("NextToken"):
        offset, page = _decode_token(body["NextToken"], listing)
    every = world.settings.org_empty_page_every
    if every and page % every == 0:
        return {key: [], "NextToken": _encode_token(listing, offset, page + 1)}
    size = body.get("MaxResults") or world.settings.organizations_page_size
    answer: dict[str, Any] = {key: list(rows[offset : offset + size])}
    if offset + size < len(rows):
        answer["NextToken"] = _encode_token(listing, offset + size, page + 1)
    return answer


def _parent(world: World, parent_id: str) -> str:
    if parent_id != world.settings.root_id and parent_id not in world.ous:
        raise org_error(
            "ParentNotFoundException",
            "We can't find a root or OU with the ParentId that you specified.",
        )
    return parent_id


def _org_accounts(world: World) -> list[Account]:
    return [a for a in world.accounts.values() if a.organization == world.settings.organization_id]


# -- the operations ----------------------------------------------------------------------


def describe_organization(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    _caller(world, caller, any_member=True)
    settings = world.settings
    management = _management(world)
    return {
        "Organization": {
            "Id": settings.organization_id,
            "Arn": (
                f"arn:aws:organizations::{settings.management_account_id}:organization/"
                f"{settings.organization_id}"
            ),
            "FeatureSet": "ALL",
            "MasterAccountArn": _org_arn(world, "account", management.account_id),
            "MasterAccountId": management.account_id,
            "MasterAccountEmail": management.email,
            "AvailablePolicyTypes": [dict(p) for p in AVAILABLE_POLICY_TYPES],
        }
    }


def list_roots(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    _caller(world, caller)
    root = world.settings.root_id
    row = {
        "Id": root,
        "Arn": _org_arn(world, "root", root),
        "Name": "Root",
        "PolicyTypes": [dict(p) for p in AVAILABLE_POLICY_TYPES],
    }
    return _page(world, body, "ListRoots", "Roots", [row])


def list_organizational_units_for_parent(
    world: World, caller: str, body: dict[str, Any]
) -> dict[str, Any]:
    _caller(world, caller)
    parent = _parent(world, body["ParentId"])
    rows = [_ou_document(world, ou) for ou in world.ous.values() if ou.parent_id == parent]
    return _page(
        world, body, f"ListOrganizationalUnitsForParent:{parent}", "OrganizationalUnits", rows
    )


def list_accounts_for_parent(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    _caller(world, caller)
    parent = _parent(world, body["ParentId"])
    rows = [_account_document(world, a) for a in _org_accounts(world) if a.parent_id == parent]
    return _page(world, body, f"ListAccountsForParent:{parent}", "Accounts", rows)


def list_accounts(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    _caller(world, caller)
    rows = [_account_document(world, a) for a in _org_accounts(world)]
    return _page(world, body, "ListAccounts", "Accounts", rows)


def describe_account(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    _caller(world, caller)
    account = world.accounts.get(body["AccountId"])
    if account is None or account.organization != world.settings.organization_id:
        raise org_error(
            "AccountNotFoundException",
            "You specified an account that doesn't exist or isn't in the organization.",
        )
    return {"Account": _account_document(world, account)}


def list_tags_for_resource(world: World, caller: str, body: dict[str, Any]) -> dict[str, Any]:
    _caller(world, caller)
    resource = body["ResourceId"]
    account = world.accounts.get(resource)
    tags: dict[str, str]
    if account is not None and account.organization == world.settings.organization_id:
        tags = account.tags
    elif resource in world.ous:
        tags = world.ous[resource].tags
    elif resource == world.settings.root_id:
        tags = {}
    else:
        raise org_error(
            "TargetNotFoundException", "We can't find a root, OU, account, or policy with the "
            "TargetId that you specified.",
        )  # fmt: skip
    rows = [{"Key": key, "Value": value} for key, value in tags.items()]
    return _page(world, body, f"ListTagsForResource:{resource}", "Tags", rows)


def list_aws_service_access_for_organization(
    world: World, caller: str, body: dict[str, Any]
) -> dict[str, Any]:
    _caller(world, caller)
    rows = []
    if world.settings.trusted_access_enabled:
        enabled = _management(world).created.timestamp()
        rows.append({"ServicePrincipal": ACCOUNT_SERVICE_PRINCIPAL, "DateEnabled": enabled})
    return _page(
        world, body, "ListAWSServiceAccessForOrganization", "EnabledServicePrincipals", rows
    )


def list_delegated_administrators(
    world: World, caller: str, body: dict[str, Any]
) -> dict[str, Any]:
    _caller(world, caller)
    rows = []
    admin_id = world.settings.delegated_admin_account_id
    principal = body.get("ServicePrincipal")
    if admin_id is not None and principal in (None, ACCOUNT_SERVICE_PRINCIPAL):
        document = _account_document(world, world.accounts[admin_id])
        document.pop("Paths", None)
        document["DelegationEnabledDate"] = world.accounts[admin_id].created.timestamp()
        rows.append(document)
    return _page(
        world, body, f"ListDelegatedAdministrators:{principal}", "DelegatedAdministrators", rows
    )


ORGANIZATIONS_HANDLERS: Final[dict[str, Handler]] = {
    "DescribeAccount": describe_account,
    "DescribeOrganization": describe_organization,
    "ListAWSServiceAccessForOrganization": list_aws_service_access_for_organization,
    "ListAccounts": list_accounts,
    "ListAccountsForParent": list_accounts_for_parent,
    "ListDelegatedAdministrators": list_delegated_administrators,
    "ListOrganizationalUnitsForParent": list_organizational_units_for_parent,
    "ListRoots": list_roots,
    "ListTagsForResource": list_tags_for_resource,
}
"""The Organizations operations the emulator serves, by their AWS names."""

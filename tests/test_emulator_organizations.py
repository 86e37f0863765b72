"""The emulator's AWS Organizations face, read through boto3 and checked against botocore's
``organizations`` model: every answer parses, every member is in the model, enums and
patterns hold, and the tree enumerates to every account exactly once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.session
import pytest

from account_mgmt import AccessDeniedException, AccountClient
from account_mgmt.testing import AccountEmulator, FaultKind, WorldSettings

from ._data import SECURITY_CONTACT

MODEL = botocore.session.get_session().get_service_model("organizations")

NESTED: dict[str, Any] = {
    "member_count": 200,
    "ou_depth": 3,
    "ou_fanout": 3,
    "suspended_count": 2,
    "closed_count": 1,
    "enforce_quotas": False,
}
"""The 200-account world of the issue: OUs three deep, suspended and closed members."""


def org_client(emulator: AccountEmulator, account_id: str | None = None, **config: Any) -> Any:
    credentials = emulator.credentials_for(account_id)
    return boto3.client(
        "organizations",
        endpoint_url=emulator.url,
        region_name="us-east-1",
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        config=botocore.config.Config(
            retries={"total_max_attempts": config.pop("attempts", 1), "mode": "standard"},
            parameter_validation=config.pop("parameter_validation", True),
        ),
    )


@pytest.fixture
def emulator() -> Iterator[AccountEmulator]:
    with AccountEmulator(**NESTED) as e:
        yield e


class RawAnswers:
    """Keeps each raw JSON body boto3 receives, to check it against the model."""

    def __init__(self, client: Any) -> None:
        self.bodies: list[tuple[str, bytes]] = []
        client.meta.events.register("after-call.organizations", self._keep)

    def _keep(self, http_response: Any, model: Any, **_: Any) -> None:
        self.bodies.append((model.name, http_response.content))


def _problems(shape: Any, value: Any, path: str) -> list[str]:
    """Where ``value`` strays from ``shape``: unknown members, wrong types, enums, patterns."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        found = [f"{path}.{name}: not in the model" for name in value if name not in shape.members]
        for name, member in shape.members.items():
            if name in value:
                found += _problems(member, value[name], f"{path}.{name}")
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [
            p for i, item in enumerate(value) for p in _problems(shape.member, item, f"{path}[{i}]")
        ]
    if kind == "timestamp":
        return [] if isinstance(value, int | float) else [f"{path}: not epoch seconds"]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: not a string"]
        if shape.enum and value not in shape.enum:
            return [f"{path}: {value!r} not in {shape.enum}"]
        pattern = shape.metadata.get("pattern")
        # Python's re has no \p{..} classes (TagKey); those patterns are checked elsewhere.
        if pattern and "\\p{" not in pattern and not re.search(pattern, value):
            return [f"{path}: {value!r} does not match {pattern}"]
        return []
    return []


def _assert_model_shaped(raw: RawAnswers) -> None:
    assert raw.bodies
    for operation, body in raw.bodies:
        output = MODEL.operation_model(operation).output_shape
        assert _problems(output, json.loads(body), operation) == []


def test_every_operation_answers_in_the_models_shape(emulator: AccountEmulator) -> None:
    org = org_client(emulator)
    raw = RawAnswers(org)
    member = emulator.member_account_ids[0]
    ou = next(iter(emulator.ou_paths()))
    organization = org.describe_organization()["Organization"]
    roots = org.list_roots()["Roots"]
    ous = org.list_organizational_units_for_parent(ParentId=ou)["OrganizationalUnits"]
    accounts = org.list_accounts_for_parent(ParentId=emulator.root_id)["Accounts"]
    org.list_accounts(MaxResults=5)
    described = org.describe_account(AccountId=member)["Account"]
    tags = org.list_tags_for_resource(ResourceId=member)["Tags"]
    access = org.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    admins = org.list_delegated_administrators(ServicePrincipal="account.amazonaws.com")
    _assert_model_shaped(raw)
    assert len(raw.bodies) == 9
    assert organization["MasterAccountId"] == emulator.management_account_id
    assert organization["Id"] == "o-emulator01"
    assert [r["Id"] for r in roots] == [emulator.root_id]
    assert len(ous) == 3
    assert all(o["Path"].endswith(f"{o['Id']}/") for o in ous)
    assert emulator.management_account_id in {a["Id"] for a in accounts}
    assert described["Id"] == member
    assert described["State"] == "ACTIVE"
    assert tags == [{"Key": "Team", "Value": "team-0"}]
    assert [p["ServicePrincipal"] for p in access] == ["account.amazonaws.com"]
    assert [a["Id"] for a in admins["DelegatedAdministrators"]] == [
        emulator.delegated_admin_account_id
    ]


def test_tag_answers_match_the_models_unicode_pattern(emulator: AccountEmulator) -> None:
    # TagKey/TagValue patterns use \p{L}\p{Z}\p{N}: letters, separators, digits and _.:/=+-@
    allowed = re.compile(r"[\w\s.:/=+\-@]*")
    tags = org_client(emulator).list_tags_for_resource(ResourceId=emulator.member_account_ids[5])
    assert tags["Tags"]
    for tag in tags["Tags"]:
        assert allowed.fullmatch(tag["Key"])
        assert allowed.fullmatch(tag["Value"])


def _walk(org: Any, parent: str, page_size: int) -> tuple[list[str], int]:
    """Top-down enumeration (the issue's algorithm): account ids, and the OU depth seen."""
    accounts: list[str] = []
    for page in org.get_paginator("list_accounts_for_parent").paginate(
        ParentId=parent, PaginationConfig={"PageSize": page_size}
    ):
        accounts += [a["Id"] for a in page["Accounts"]]
    depth = 0
    for page in org.get_paginator("list_organizational_units_for_parent").paginate(
        ParentId=parent, PaginationConfig={"PageSize": page_size}
    ):
        for ou in page["OrganizationalUnits"]:
            below, below_depth = _walk(org, ou["Id"], page_size)
            accounts += below
            depth = max(depth, below_depth + 1)
    return accounts, depth


@pytest.mark.parametrize("page_size", [1, 7, 20])
def test_a_200_account_nested_world_enumerates_every_account_once(page_size: int) -> None:
    with AccountEmulator(**NESTED, org_empty_page_every=3) as emulator:
        org = org_client(emulator)
        roots = [
            r["Id"] for page in org.get_paginator("list_roots").paginate() for r in page["Roots"]
        ]
        assert roots == [emulator.root_id]
        found, depth = _walk(org, roots[0], page_size)
        listed = [
            a["Id"]
            for page in org.get_paginator("list_accounts").paginate(
                PaginationConfig={"PageSize": page_size}
            )
            for a in page["Accounts"]
        ]
    assert len(found) == len(set(found)) == 202
    assert set(found) == set(emulator.organization_account_ids) == set(listed)
    assert len(listed) == 202
    assert depth == 3
    assert not set(found) & set(emulator.standalone_account_ids)


def test_the_management_account_sits_at_the_root(emulator: AccountEmulator) -> None:
    org = org_client(emulator)
    at_root = org.list_accounts_for_parent(ParentId=emulator.root_id, MaxResults=20)["Accounts"]
    assert emulator.management_account_id in [a["Id"] for a in at_root]
    assert emulator.account_parent_id(emulator.management_account_id) == emulator.root_id


def test_account_paths_follow_the_tree(emulator: AccountEmulator) -> None:
    deepest = max(emulator.ou_paths().items(), key=lambda item: len(item[1]))[0]
    org = org_client(emulator)
    accounts = org.list_accounts_for_parent(ParentId=deepest)["Accounts"]
    assert accounts
    chain = accounts[0]["Paths"][0].split("/")
    assert chain[0] == "o-emulator01"
    assert chain[1] == emulator.root_id
    assert len([part for part in chain if part.startswith("ou-")]) == 3
    assert chain[-2] == accounts[0]["Id"]
    assert chain[-1] == ""
    assert set(emulator.accounts_under(deepest)) == {a["Id"] for a in accounts}


def test_accounts_under_a_path_are_recursive_by_default(emulator: AccountEmulator) -> None:
    org = org_client(emulator)
    top = emulator.ou_id("/OU1")
    found, _ = _walk(org, top, 20)
    assert set(found) == set(emulator.accounts_under("/OU1"))
    direct = emulator.accounts_under("/OU1", recursive=False)
    assert set(direct) < set(found)
    assert set(direct) == {a["Id"] for a in org.list_accounts_for_parent(ParentId=top)["Accounts"]}


@pytest.mark.parametrize(
    ("max_results", "reason"), [(0, "MIN_VALUE_EXCEEDED"), (21, "MAX_VALUE_EXCEEDED")]
)
def test_max_results_outside_1_to_20_is_invalid_input(
    emulator: AccountEmulator, max_results: int, reason: str
) -> None:
    # boto3 validates min 1 itself; send what a careless client would.
    org = org_client(emulator, parameter_validation=False)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        org.list_accounts(MaxResults=max_results)
    error = caught.value.response
    assert error["Error"]["Code"] == "InvalidInputException"
    assert error["Reason"] == reason
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "MaxResults" in error["Error"]["Message"]


def test_missing_parent_id_is_input_required(emulator: AccountEmulator) -> None:
    org = org_client(emulator, parameter_validation=False)
    with pytest.raises(org.exceptions.InvalidInputException) as caught:
        org.list_accounts_for_parent()
    assert caught.value.response["Reason"] == "INPUT_REQUIRED"


@pytest.mark.parametrize("token", ["garbage", "eyJsIjoiTGlzdFJvb3RzIiwibyI6MCwicCI6MX0="])
def test_a_foreign_or_garbled_next_token_is_refused(emulator: AccountEmulator, token: str) -> None:
    # The second token is a valid ListRoots token: not valid for ListAccounts.
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        org_client(emulator).list_accounts(NextToken=token)
    assert caught.value.response["Error"]["Code"] == "InvalidInputException"
    assert caught.value.response["Reason"] == "INVALID_NEXT_TOKEN"


def test_a_token_for_one_parent_is_refused_for_another() -> None:
    with AccountEmulator(member_count=30, enforce_quotas=False) as emulator:
        org = org_client(emulator)
        page = org.list_accounts_for_parent(ParentId=emulator.root_id, MaxResults=2)
        with pytest.raises(org.exceptions.InvalidInputException):
            org.list_accounts(NextToken=page["NextToken"])


def test_empty_pages_carry_a_next_token_when_asked() -> None:
    with AccountEmulator(member_count=3, enforce_quotas=False, org_empty_page_every=2) as emulator:
        org = org_client(emulator)
        first = org.list_accounts(MaxResults=20)
        second = org.list_accounts(MaxResults=20, NextToken=first["NextToken"])
        empty_ou_listing = org.list_organizational_units_for_parent(ParentId=emulator.root_id)
    assert first["Accounts"] == []
    assert first["NextToken"]
    assert len(second["Accounts"]) == 5
    assert "NextToken" not in second
    assert empty_ou_listing["OrganizationalUnits"] == []
    assert empty_ou_listing["NextToken"]


def test_pages_never_repeat_or_skip(emulator: AccountEmulator) -> None:
    org = org_client(emulator)
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"MaxResults": 20}
        if token:
            kwargs["NextToken"] = token
        page = org.list_accounts(**kwargs)
        pages += 1
        assert len(page["Accounts"]) <= 20
        seen += [a["Id"] for a in page["Accounts"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == emulator.organization_account_ids
    assert pages == 11  # 202 accounts, 20 a page


def test_state_is_carried_and_status_is_retired_by_default(emulator: AccountEmulator) -> None:
    accounts = {a["Id"]: a for a in _list_all(org_client(emulator))}
    states = {a["State"] for a in accounts.values()}
    assert states == {"ACTIVE", "SUSPENDED", "CLOSED"}
    assert all("Status" not in a for a in accounts.values())
    last = emulator.member_account_ids[-1]
    assert accounts[last]["State"] == "CLOSED" == emulator.account_state(last)
    suspended = emulator.member_account_ids[-3:-1]
    assert [accounts[a]["State"] for a in suspended] == ["SUSPENDED", "SUSPENDED"]


def _list_all(org: Any) -> list[dict[str, Any]]:
    return [a for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]]


def test_status_only_world_answers_as_old_emulators_did() -> None:
    with AccountEmulator(
        member_count=3, closed_count=1, account_status_field="Status", enforce_quotas=False
    ) as emulator:
        accounts = {a["Id"]: a for a in _list_all(org_client(emulator))}
    assert all("State" not in a for a in accounts.values())
    # Status has no CLOSED: a closed account showed as SUSPENDED.
    assert accounts[emulator.member_account_ids[-1]]["Status"] == "SUSPENDED"
    assert accounts[emulator.member_account_ids[0]]["Status"] == "ACTIVE"


def test_both_fields_during_the_transition() -> None:
    with AccountEmulator(member_count=1, account_status_field="both") as emulator:
        account = org_client(emulator).describe_account(AccountId=emulator.member_account_ids[0])
    assert account["Account"]["State"] == account["Account"]["Status"] == "ACTIVE"


def test_default_world_is_flat_and_all_active() -> None:
    with AccountEmulator(member_count=4, enforce_quotas=False) as emulator:
        org = org_client(emulator)
        ous = org.list_organizational_units_for_parent(ParentId=emulator.root_id)
        accounts = org.list_accounts_for_parent(ParentId=emulator.root_id)["Accounts"]
    assert ous["OrganizationalUnits"] == []
    assert len(accounts) == 6
    assert {a["State"] for a in accounts} == {"ACTIVE"}


def test_delegated_admin_may_enumerate(emulator: AccountEmulator) -> None:
    org = org_client(emulator, emulator.delegated_admin_account_id)
    assert len(_list_all(org)) == 202


def test_a_member_is_denied_but_may_describe_its_organization(emulator: AccountEmulator) -> None:
    org = org_client(emulator, emulator.member_account_ids[0])
    with pytest.raises(org.exceptions.AccessDeniedException) as caught:
        org.list_roots()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert org.describe_organization()["Organization"]["Id"] == "o-emulator01"


def test_a_standalone_account_is_not_in_an_organization(emulator: AccountEmulator) -> None:
    org = org_client(emulator, emulator.standalone_account_ids[0])
    with pytest.raises(org.exceptions.AWSOrganizationsNotInUseException):
        org.list_accounts()
    with pytest.raises(org.exceptions.AWSOrganizationsNotInUseException):
        org.describe_organization()


def test_unknown_parent_account_and_target(emulator: AccountEmulator) -> None:
    org = org_client(emulator)
    with pytest.raises(org.exceptions.ParentNotFoundException):
        org.list_accounts_for_parent(ParentId="ou-emu1-99999999")
    with pytest.raises(org.exceptions.AccountNotFoundException):
        org.describe_account(AccountId=emulator.standalone_account_ids[0])
    with pytest.raises(org.exceptions.TargetNotFoundException):
        org.list_tags_for_resource(ResourceId="123456789012")


def test_a_malformed_parent_id_fails_the_models_pattern(emulator: AccountEmulator) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        org_client(emulator).list_accounts_for_parent(ParentId="Prod")
    assert caught.value.response["Reason"] == "INVALID_PATTERN"


def test_an_operation_the_emulator_does_not_serve_says_so(emulator: AccountEmulator) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        org_client(emulator).list_parents(ChildId=emulator.member_account_ids[0])
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"
    assert "ListParents" in caught.value.response["Error"]["Message"]


def test_a_signature_scoped_to_another_service_is_refused(emulator: AccountEmulator) -> None:
    credentials = emulator.credentials_for()
    session = botocore.session.get_session()
    org = session.create_client(
        "organizations",
        endpoint_url=emulator.url,
        region_name="us-east-1",
        aws_access_key_id=credentials.access_key_id,
        aws_secret_access_key=credentials.secret_access_key,
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )
    org._request_signer._signing_name = "account"  # sign as the Account API's service
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        org.list_roots()
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert "organizations" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (FaultKind.THROTTLE, "TooManyRequestsException"),
        (FaultKind.CONCURRENT_MODIFICATION, "ConcurrentModificationException"),
        (FaultKind.INTERNAL_ERROR, "ServiceException"),
    ],
)
def test_injected_faults_answer_in_organizations_form(
    emulator: AccountEmulator, kind: FaultKind, code: str
) -> None:
    emulator.inject(kind, count=1, operation="ListAccountsForParent")
    org = org_client(emulator)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        org.list_accounts_for_parent(ParentId=emulator.root_id)
    assert caught.value.response["Error"]["Code"] == code
    assert org.list_accounts_for_parent(ParentId=emulator.root_id)["Accounts"]
    assert emulator.request_counts["ListAccountsForParent"] == 2


def test_boto3_retries_injected_throttling_on_organizations(emulator: AccountEmulator) -> None:
    emulator.inject(FaultKind.THROTTLE, count=2, operation="ListRoots")
    org = org_client(emulator, attempts=3)
    assert org.list_roots()["ResponseMetadata"]["RetryAttempts"] == 2
    assert emulator.request_counts["ListRoots"] == 3


def test_a_truncated_organizations_answer_is_cut_json(emulator: AccountEmulator) -> None:
    emulator.inject(FaultKind.TRUNCATED_JSON, count=1, operation="ListAccounts")
    org = org_client(emulator)
    raw = RawAnswers(org)
    answer = org.list_accounts()  # botocore reads a body it cannot decode as a bare message
    assert "Accounts" not in answer
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw.bodies[0][1])


def test_the_organizations_rate_is_enforced_when_configured() -> None:
    with AccountEmulator(
        member_count=1, organizations_requests_per_second=0.001, organizations_burst=2
    ) as emulator:
        org = org_client(emulator)
        org.list_roots()
        org.list_accounts()
        with pytest.raises(org.exceptions.TooManyRequestsException):
            org.list_roots()
        assert emulator.throttled_counts["ListRoots"] == 1


def test_organizations_requests_are_counted_per_operation(emulator: AccountEmulator) -> None:
    org = org_client(emulator)
    org.list_roots()
    org.list_roots()
    org.describe_organization()
    assert emulator.request_counts["ListRoots"] == 2
    assert emulator.request_counts["DescribeOrganization"] == 1


def test_explicit_layout_with_names_tags_and_slashes() -> None:
    settings = WorldSettings(
        member_count=6,
        ou_layout={"/Prod/Payments/EU": 2, "/Prod": 1, ("Sand/box",): 1},
        account_names={"300000000000": "payments-eu-1"},
        account_tags={"300000000001": {"CostCenter": "42"}},
        ou_tags={"/Prod": {"Owner": "platform"}},
        account_states={"300000000002": "PENDING_CLOSURE"},
    )
    with AccountEmulator(settings, enforce_quotas=False) as emulator:
        org = org_client(emulator)
        eu = emulator.ou_id("/Prod/Payments/EU")
        in_eu = org.list_accounts_for_parent(ParentId=eu)["Accounts"]
        slash = emulator.ou_id(("Sand/box",))
        top = org.list_organizational_units_for_parent(ParentId=emulator.root_id)
        prod_tags = org.list_tags_for_resource(ResourceId=emulator.ou_id("/Prod"))["Tags"]
        tags = org.list_tags_for_resource(ResourceId="300000000001")["Tags"]
        untagged = org.list_tags_for_resource(ResourceId="300000000003")["Tags"]
        in_prod = org.list_accounts_for_parent(ParentId=emulator.ou_id("/Prod"))["Accounts"]
    assert [a["Id"] for a in in_eu] == ["300000000000", "300000000001"]
    assert in_eu[0]["Name"] == "payments-eu-1"
    assert {o["Name"] for o in top["OrganizationalUnits"]} == {"Prod", "Sand/box"}
    assert slash in {o["Id"] for o in top["OrganizationalUnits"]}
    assert prod_tags == [{"Key": "Owner", "Value": "platform"}]
    assert tags == [{"Key": "CostCenter", "Value": "42"}]
    assert untagged == []
    assert [(a["Id"], a["State"]) for a in in_prod] == [("300000000002", "PENDING_CLOSURE")]
    assert set(emulator.accounts_under(emulator.root_id)) == set(emulator.organization_account_ids)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"account_status_field": "Stat"}, "account_status_field"),
        ({"org_empty_page_every": 1}, "org_empty_page_every"),
        ({"account_states": {"300000000000": "GONE"}}, "account_states"),
        ({"member_count": 2, "ou_layout": {"/A": 3}}, "ou_layout"),
        ({"member_count": 2, "suspended_count": 2, "closed_count": 1}, "suspended_count"),
        ({"ou_fanout": 0}, "ou_fanout"),
    ],
)
def test_world_settings_refuse_nonsense(options: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        WorldSettings(**options)


def test_settings_naming_unknown_accounts_are_refused() -> None:
    with pytest.raises(ValueError, match="account_names"):
        AccountEmulator(member_count=1, account_names={"399999999999": "ghost"})


# -- the Account API on accounts that are not ACTIVE ----------------------------------------


@pytest.fixture
def mgmt(emulator: AccountEmulator) -> Iterator[AccountClient]:
    with emulator.client(max_attempts=1, rate_limiting=False) as client:
        yield client


def test_account_calls_on_a_suspended_or_closed_member_are_denied(
    emulator: AccountEmulator, mgmt: AccountClient
) -> None:
    closed, suspended = emulator.member_account_ids[-1], emulator.member_account_ids[-2]
    for account_id in (closed, suspended):
        with pytest.raises(AccessDeniedException, match="not ACTIVE"):
            mgmt.put_alternate_contact(**SECURITY_CONTACT, account_id=account_id)
        with pytest.raises(AccessDeniedException):
            mgmt.list_regions(account_id=account_id)
    active = emulator.member_account_ids[0]
    mgmt.put_alternate_contact(**SECURITY_CONTACT, account_id=active)


def test_account_information_still_reports_a_closed_accounts_state(
    emulator: AccountEmulator, mgmt: AccountClient
) -> None:
    closed = emulator.member_account_ids[-1]
    assert mgmt.get_account_information(account_id=closed).account_state == "CLOSED"


def test_a_suspended_account_cannot_call_for_itself(emulator: AccountEmulator) -> None:
    suspended = emulator.member_account_ids[-2]
    with emulator.client(suspended, max_attempts=1) as client, pytest.raises(AccessDeniedException):
        client.list_regions()


def test_a_state_changed_mid_run_shows_in_both_apis(
    emulator: AccountEmulator, mgmt: AccountClient
) -> None:
    member = emulator.member_account_ids[0]
    emulator.set_account_state(member, "SUSPENDED")
    described = org_client(emulator).describe_account(AccountId=member)["Account"]
    assert described["State"] == "SUSPENDED"
    with pytest.raises(AccessDeniedException):
        mgmt.list_regions(account_id=member)
    with pytest.raises(ValueError, match="GONE"):
        emulator.set_account_state(member, "GONE")
    with pytest.raises(ValueError, match="not an account of the organization"):
        emulator.set_account_state(emulator.standalone_account_ids[0], "ACTIVE")


def test_environment_points_an_sdk_at_the_emulator(
    emulator: AccountEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = emulator.member_account_ids[0]
    for name, value in emulator.environment(emulator.delegated_admin_account_id).items():
        monkeypatch.setenv(name, value)
    session = boto3.session.Session()
    organizations = session.client("organizations")
    account = session.client("account")
    assert organizations.describe_account(AccountId=member)["Account"]["Id"] == member
    assert account.get_account_information(AccountId=member)["AccountId"] == member

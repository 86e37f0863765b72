"""The account-mgmt command line, in process: click's CliRunner against the emulator.

The subprocess tests (what --help imports, the console entry, --local) are in
test_cli_e2e.py; they cost an interpreter start each, so they are few.
"""

from __future__ import annotations

import io
import json
import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import click
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from account_mgmt import AccountClient, Quota
from account_mgmt._bulk import DEFAULT_MAX_WORKERS
from account_mgmt.cli import (
    COMMANDS,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    LazyGroup,
    WorkAbandoned,
    describe_error,
    main,
)
from account_mgmt.cli._common import (
    DEFAULT_CONCURRENCY,
    CommonOptions,
    common_options,
    fan_out,
    model_fields,
    open_runtime,
)
from account_mgmt.cli._contact_info import FIELDS, REQUIRED
from account_mgmt.cli._contacts import CONTACT_TYPES
from account_mgmt.cli._options import QuotaSetting
from account_mgmt.cli._progress import (
    PlainProgress,
    ProgressDisplay,
    RichProgress,
    bridged_waits,
    choose_progress,
)
from account_mgmt.cli._regions import REGION_OPT_STATUSES
from account_mgmt.exceptions import AccessDeniedException, ResourceNotFoundException
from account_mgmt.models import (
    AccountInformation,
    AlternateContact,
    AlternateContactType,
    ContactInformation,
    RegionOptStatus,
)
from account_mgmt.testing import AccountEmulator

SECURITY = {
    "name": "Grace Hopper",
    "title": "Rear Admiral",
    "email_address": "grace@example.com",
    "phone_number": "+1 206 555 0100",
}
CONTACT = ContactInformation(
    full_name="Ada Lovelace",
    address_line1="12 St James's Square",
    city="London",
    postal_code="SW1Y 4JH",
    country_code="GB",
    phone_number="+44 20 7946 0000",
    company_name="Analytical Engines",
)
PERSONAL = (
    "Grace Hopper",
    "Rear Admiral",
    "grace@example.com",
    "555 0100",
    "Ada Lovelace",
    "St James",
    "SW1Y",
    "7946",
    "Analytical",
)
MY_COMMANDS = ("contact-info", "contacts", "info", "regions")
"""The lazy entries this branch provides; plan/apply/accounts come from the org library."""


@pytest.fixture
def emulator() -> Iterator[AccountEmulator]:
    with AccountEmulator(member_count=3, region_transition_seconds=0.0) as running:
        yield running


@pytest.fixture
def manager(emulator: AccountEmulator) -> Iterator[AccountClient]:
    with emulator.client() as client:
        yield client


def run(emulator: AccountEmulator, *args: str, input: str | None = None) -> Result:
    """``account-mgmt ARGS --endpoint-url URL`` signed as the management account (env keys)."""
    keys = emulator.credentials_for()
    return CliRunner().invoke(
        main,
        [*args, "--endpoint-url", emulator.url],
        env={
            "AWS_ACCESS_KEY_ID": keys.access_key_id,
            "AWS_SECRET_ACCESS_KEY": keys.secret_access_key,
        },
        input=input,
    )


def assert_no_personal_value(text: str) -> None:
    for value in PERSONAL:
        assert value not in text


# -- the group --------------------------------------------------------------------------------


def test_help_lists_every_command_with_its_table_line() -> None:
    result = CliRunner().invoke(main, ["--help"])

    assert result.exit_code == EXIT_OK
    for name, (_, help_line) in COMMANDS.items():
        assert name in result.stdout
        assert help_line.split()[0] in result.stdout
    assert "Exit codes: 0 ok; 1 error" in result.stdout


@pytest.mark.parametrize("name", MY_COMMANDS)
def test_lazy_entry_loads_the_command_it_names(name: str) -> None:
    command = main.get_command(click.Context(main), name)

    assert isinstance(command, click.Command)
    assert command.name == name
    assert command.get_short_help_str(200) == COMMANDS[name][1]


def test_lazy_group_rejects_a_target_that_is_not_a_command() -> None:
    group = LazyGroup(lazy_commands={"bad": ("account_mgmt.cli._contacts:CONTACT_TYPES", "x")})

    with pytest.raises(TypeError, match="not a click command"):
        group.get_command(click.Context(group), "bad")


def _group_running(callback: object) -> LazyGroup:
    group = LazyGroup(name="account-mgmt")
    group.add_command(click.Command("boom", callback=callback))  # type: ignore[arg-type]
    return group


def test_expected_error_is_one_line_on_stderr_and_exit_1() -> None:
    def boom() -> None:
        raise AccessDeniedException(
            "not allowed", status_code=403, error_code="AccessDeniedException", request_id="r-1"
        )

    result = CliRunner().invoke(_group_running(boom), ["boom"])

    assert result.exit_code == EXIT_FAILED
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("account-mgmt: error: AccessDeniedException: not allowed")
    assert "Traceback" not in result.output


def test_unexpected_error_propagates_as_a_bug() -> None:
    def boom() -> None:
        raise RuntimeError("a bug")

    result = CliRunner().invoke(_group_running(boom), ["boom"])

    assert isinstance(result.exception, RuntimeError)


def test_interrupt_exits_130_with_the_notes_of_what_ran() -> None:
    def boom() -> None:
        interrupt = KeyboardInterrupt()
        interrupt.add_note("300000000000 ok")
        raise interrupt

    result = CliRunner().invoke(_group_running(boom), ["boom"])

    assert result.exit_code == EXIT_INTERRUPTED
    assert "interrupted" in result.stderr
    assert "300000000000 ok" in result.stderr


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ValueError("ValueError: x"), "ValueError: x"),
        (ValueError("two\nlines"), "ValueError: two lines"),
        (ValueError(), "ValueError"),
    ],
)
def test_describe_error_names_the_type_once_on_one_line(error: Exception, expected: str) -> None:
    assert describe_error(error) == expected


# -- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accounts", "12345"], "12 digits"),
        (["--all", "--accounts", "123456789012"], "--all selects every account"),
        (["--ou", "Prod"], "neither an OU path"),
        (["--exclude", "123456789012"], "--exclude needs a selection"),
        (["--all", "--exclude", "nope"], "not an account id"),
        (["--local", "--endpoint-url", "http://127.0.0.1:1"], "--local cannot be combined"),
        (["--output", "yaml"], "yaml"),
        (["--concurrency", "0"], "0"),
        (["--quota", "GetAlternateContact"], "is not NAME=RATE or NAME=RATE/BURST"),
        (["--quota", "GetAlternateContacts=5"], "not an Account Management operation"),
        (["--quota", "GetAlternateContact=0"], "the rate must be above 0"),
        (["--quota", "GetAlternateContact=5/0"], "the burst from 1 to 999999"),
        (["--quota", "Organizations=" + "9" * 400], "above 0 and finite"),
        (["--quota", "Organizations=5/2"], "Organizations takes a rate only"),
        (["--region-opt-cap", "0"], "0"),
    ],
)
def test_bad_common_option_is_a_usage_error(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["info", *args])

    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr


def test_selection_maps_paths_ids_and_files(tmp_path: Path) -> None:
    captured: list[CommonOptions] = []

    @click.command()
    @common_options()
    def probe(options: CommonOptions) -> None:
        captured.append(options)

    ids = tmp_path / "ids.txt"
    ids.write_text("# production\n123456789012 210987654321\n\n123456789012, 333333333333\n")
    result = CliRunner().invoke(
        probe,
        [
            "--accounts",
            "444444444444,123456789012",
            "--accounts-file",
            str(ids),
            "--ou",
            "/Prod/Payments/",
            "--ou",
            "ou-ab12-cdefgh34",
            "--exclude",
            "210987654321,ou-ab12-zzzzzzzz",
            "--exclude",
            "/Prod/Payments, Legacy",
        ],
    )

    assert result.exit_code == EXIT_OK, result.output
    (options,) = captured
    assert options.account_ids == ("444444444444", "123456789012", "210987654321", "333333333333")
    assert options.ou == ("/Prod/Payments", "ou-ab12-cdefgh34")
    assert options.exclude == ("210987654321", "ou-ab12-zzzzzzzz", "/Prod/Payments, Legacy")
    assert options.has_selection


def test_accounts_file_dash_reads_stdin_and_rejects_a_bad_id() -> None:
    captured: list[CommonOptions] = []

    @click.command()
    @common_options()
    def probe(options: CommonOptions) -> None:
        captured.append(options)

    read = CliRunner().invoke(probe, ["--accounts-file", "-"], input="123456789012\n")
    refused = CliRunner().invoke(probe, ["--accounts-file", "-"], input="1234 # short\n")

    assert read.exit_code == EXIT_OK, read.output
    assert captured[0].account_ids == ("123456789012",)
    assert refused.exit_code == EXIT_USAGE
    assert "account ids are 12 digits; not '1234'" in refused.stderr


def test_common_options_without_selection_take_no_selector() -> None:
    captured: list[CommonOptions] = []

    @click.command()
    @common_options(selection=False)
    def probe(options: CommonOptions) -> None:
        captured.append(options)

    refused = CliRunner().invoke(probe, ["--all"])
    accepted = CliRunner().invoke(probe, ["--output", "json", "--region", "us-gov-west-1"])

    assert refused.exit_code == EXIT_USAGE
    assert "No such option '--all'" in refused.stderr
    assert accepted.exit_code == EXIT_OK, accepted.output
    assert captured == [CommonOptions(output="json", region="us-gov-west-1")]


def test_quotas_from_options_and_environment_reach_both_clients(
    emulator: AccountEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    captured: list[CommonOptions] = []

    @click.command()
    @common_options()
    def probe(options: CommonOptions) -> None:
        captured.append(options)

    result = CliRunner().invoke(
        probe,
        ["--quota", "GetAlternateContact=40", "--quota", "EnableRegion=2.5/3",
         "--region-opt-cap", "50", "--endpoint-url", emulator.url],
        env={"ACCOUNT_MGMT_QUOTAS": "ignored=1"},  # the option wins over the variable
    )  # fmt: skip
    from_env = CliRunner().invoke(
        probe, [], env={"ACCOUNT_MGMT_QUOTAS": "Organizations=9, ListRegions=7/7"}
    )

    assert result.exit_code == EXIT_OK, result.output
    assert from_env.exit_code == EXIT_OK, from_env.output
    options, env_options = captured
    assert env_options.quotas == (
        QuotaSetting("Organizations", 9.0, None),
        QuotaSetting("ListRegions", 7.0, 7),
    )
    for name, value in emulator.environment().items():
        monkeypatch.setenv(name, value)
    with open_runtime(options) as runtime:
        quotas = runtime.client._path.quotas
        assert quotas["GetAlternateContact"] == Quota(40.0, 15)  # the documented burst kept
        assert quotas["EnableRegion"] == Quota(2.5, 3)
        assert quotas["ListRegions"] == Quota(5.0, 5)  # not named: documented
        assert runtime.client._path.config.region_opt_concurrency_per_organization == 50
    with open_runtime(attrs.evolve(options, quotas=env_options.quotas)) as runtime:
        assert runtime.organizations._path.quotas["Organizations"] == Quota(9.0, 1)
    window = QuotaSetting("StartPrimaryEmailUpdate", 2.0, None)
    china = attrs.evolve(options, quotas=(window, QuotaSetting("GetAlternateContact", 4.0, None)))
    with open_runtime(attrs.evolve(china, region="cn-north-1")) as runtime:
        quotas = runtime.client._path.quotas
        # A rate alone keeps the rest of the partition's documented quota.
        assert quotas["StartPrimaryEmailUpdate"].per_target_window is not None
        assert quotas["StartPrimaryEmailUpdate"].rate == 2.0
        assert quotas["GetAlternateContact"] == Quota(4.0, 5)  # China's burst, not 15


def test_default_concurrency_is_for_each_accounts() -> None:
    assert DEFAULT_CONCURRENCY == DEFAULT_MAX_WORKERS


def test_spelled_out_enums_match_the_models() -> None:
    assert tuple(AlternateContactType) == CONTACT_TYPES
    assert set(REGION_OPT_STATUSES) == set(RegionOptStatus)


def test_contact_info_fields_match_the_model() -> None:
    fields = attrs.fields(ContactInformation)
    assert set(FIELDS) == {f.name for f in fields}
    assert set(REQUIRED) == {f.name for f in fields if f.default is attrs.NOTHING}


# -- masking --------------------------------------------------------------------------------------


def test_model_fields_masks_what_the_model_keeps_out_of_repr() -> None:
    information = AccountInformation(
        account_id="123456789012", account_name="Payments prod", account_state="ACTIVE"
    )

    shown = model_fields(information, show_sensitive=False)

    assert shown["account_id"] == "123456789012"
    assert shown["account_name"] == "<redacted>"
    assert shown["account_created_date"] is None
    assert model_fields(information, show_sensitive=True)["account_name"] == "Payments prod"


# -- commands, standalone -----------------------------------------------------------------------


def test_contacts_get_json_reports_present_masked_and_missing(
    emulator: AccountEmulator, manager: AccountClient
) -> None:
    manager.put_alternate_contact(alternate_contact_type="SECURITY", **SECURITY)

    result = run(emulator, "contacts", "get", "--output", "json")

    assert result.exit_code == EXIT_OK, result.output
    contacts = json.loads(result.stdout)["contacts"]
    assert contacts["BILLING"] == {"state": "missing"}
    assert contacts["OPERATIONS"] == {"state": "missing"}
    assert contacts["SECURITY"] == {
        "state": "present",
        "name": "<redacted>",
        "title": "<redacted>",
        "email_address": "<redacted>",
        "phone_number": "<redacted>",
    }
    assert_no_personal_value(result.output)


def test_contacts_get_show_sensitive_prints_the_values(
    emulator: AccountEmulator, manager: AccountClient
) -> None:
    manager.put_alternate_contact(alternate_contact_type="SECURITY", **SECURITY)

    result = run(emulator, "contacts", "get", "--type", "security", "--show-sensitive")

    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.startswith("SECURITY    present  name=Grace Hopper; title=Rear Admiral")
    assert "BILLING" not in result.stdout


def test_contacts_set_writes_every_type_given(
    emulator: AccountEmulator, manager: AccountClient
) -> None:
    result = run(
        emulator,
        "contacts",
        "set",
        "--type",
        "BILLING",
        "--type",
        "operations",
        "--name",
        SECURITY["name"],
        "--title",
        SECURITY["title"],
        "--email",
        SECURITY["email_address"],
        "--phone-number",
        SECURITY["phone_number"],
    )

    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.splitlines() == ["BILLING     set", "OPERATIONS  set"]
    for contact_type in ("BILLING", "OPERATIONS"):
        contact = manager.get_alternate_contact(alternate_contact_type=contact_type)
        assert contact == AlternateContact(alternate_contact_type=contact_type, **SECURITY)


def test_contacts_set_bad_value_sends_nothing_and_exits_1(emulator: AccountEmulator) -> None:
    result = run(
        emulator,
        "contacts",
        "set",
        "--type",
        "SECURITY",
        "--name",
        "n",
        "--title",
        "t",
        "--email",
        "not-an-address",
        "--phone",
        "1",
    )

    assert result.exit_code == EXIT_FAILED
    assert result.stderr.startswith("account-mgmt: error: ParamValidationError: ")
    assert "email_address" in result.stderr
    assert "not-an-address" not in result.stderr  # a sensitive member's value is never quoted
    assert emulator.request_counts["PutAlternateContact"] == 0


def test_contacts_delete_reports_deleted_and_absent(
    emulator: AccountEmulator, manager: AccountClient
) -> None:
    manager.put_alternate_contact(alternate_contact_type="SECURITY", **SECURITY)

    result = run(
        emulator,
        "contacts",
        "delete",
        "--type",
        "SECURITY",
        "--type",
        "BILLING",
        "--output",
        "json",
    )
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(result.stdout) == {
        "contacts": {"BILLING": {"state": "absent"}, "SECURITY": {"state": "deleted"}}
    }
    with pytest.raises(ResourceNotFoundException):
        manager.get_alternate_contact(alternate_contact_type="SECURITY")


def test_contact_info_get_without_one_is_null(emulator: AccountEmulator) -> None:
    result = run(emulator, "contact-info", "get", "--output", "json")

    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(result.stdout) == {"contact_information": None, "verification_status": None}


def test_contact_info_set_from_aws_cli_file_with_option_override(
    emulator: AccountEmulator, manager: AccountClient, tmp_path: Path
) -> None:
    document = tmp_path / "contact.json"
    wire = {
        "FullName": "Someone Else",
        "AddressLine1": CONTACT.address_line1,
        "City": CONTACT.city,
        "PostalCode": CONTACT.postal_code,
        "CountryCode": CONTACT.country_code,
        "PhoneNumber": CONTACT.phone_number,
        "CompanyName": CONTACT.company_name,
    }
    document.write_text(json.dumps({"ContactInformation": wire}))

    result = run(
        emulator,
        "contact-info",
        "set",
        "--from-file",
        str(document),
        "--full-name",
        CONTACT.full_name,
    )

    assert result.exit_code == EXIT_OK, result.output
    assert manager.get_contact_information().contact_information == CONTACT


def test_contact_info_get_masks_every_field(
    emulator: AccountEmulator, manager: AccountClient
) -> None:
    manager.put_contact_information(contact_information=CONTACT)

    masked = run(emulator, "contact-info", "get")
    shown = run(emulator, "contact-info", "get", "--show-sensitive", "--output", "json")

    assert masked.exit_code == EXIT_OK, masked.output
    assert "full_name:" in masked.stdout
    assert "<redacted>" in masked.stdout
    assert_no_personal_value(masked.output)
    assert json.loads(shown.stdout)["contact_information"]["full_name"] == CONTACT.full_name


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"full_name": "x", "fax": "1"}, "unknown field 'fax'"),
        ({"full_name": 5}, "expected a string"),
        ({"contact_information": {"full_name": "<redacted>"}}, "--show-sensitive"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_contact_info_set_bad_file_is_a_usage_error(
    emulator: AccountEmulator, tmp_path: Path, document: object, message: str
) -> None:
    path = tmp_path / "contact.json"
    path.write_text(json.dumps(document))

    result = run(emulator, "contact-info", "set", "--from-file", str(path))

    assert result.exit_code == EXIT_USAGE
    assert message in result.stderr
    assert emulator.request_counts["PutContactInformation"] == 0


def test_contact_info_set_names_missing_required_fields(emulator: AccountEmulator) -> None:
    result = run(emulator, "contact-info", "set", "--full-name", "x", "--city", "y")

    assert result.exit_code == EXIT_USAGE
    assert "--address-line1, --postal-code, --country-code, --phone-number" in result.stderr


def test_regions_enable_wait_then_status_and_list(emulator: AccountEmulator) -> None:
    enabled = run(emulator, "regions", "enable", "--region-name", "af-south-1", "--wait")
    status = run(
        emulator, "regions", "status", "--region-name", "af-south-1", "--region-name", "us-east-1"
    )
    listed = run(emulator, "regions", "list", "--status", "enabled", "--output", "json")

    assert enabled.exit_code == EXIT_OK, enabled.output
    assert enabled.stdout == "af-south-1  ENABLED\n"
    assert status.stdout.splitlines() == ["af-south-1  ENABLED", "us-east-1   ENABLED_BY_DEFAULT"]
    assert json.loads(listed.stdout) == {
        "regions": [{"region_name": "af-south-1", "region_opt_status": "ENABLED"}]
    }


def test_regions_disable_of_a_default_region_fails_with_its_type(
    emulator: AccountEmulator,
) -> None:
    result = run(emulator, "regions", "disable", "--region-name", "us-east-1")

    assert result.exit_code == EXIT_FAILED
    assert result.stderr.startswith("account-mgmt: error: ValidationException")


def test_verbose_logs_requests_with_credentials_redacted(emulator: AccountEmulator) -> None:
    result = run(emulator, "info", "-vv")

    assert result.exit_code == EXIT_OK, result.output
    assert "account-mgmt: DEBUG account_mgmt: POST /getAccountInformation" in result.stderr
    assert "'Authorization': '<redacted>'" in result.stderr
    assert emulator.credentials_for().secret_access_key not in result.output
    assert logging.getLogger("account_mgmt").handlers == []  # removed after the command


def test_info_masks_the_account_name(emulator: AccountEmulator) -> None:
    result = run(emulator, "info", "--output", "json")

    assert result.exit_code == EXIT_OK, result.output
    shown = json.loads(result.stdout)
    assert shown["account_id"] == emulator.management_account_id
    assert shown["account_name"] == "<redacted>"
    assert shown["account_state"] == "ACTIVE"


# -- fan-out --------------------------------------------------------------------------------------


@attrs.frozen
class _Account:
    id: str


@attrs.frozen
class _Skipped:
    account_id: str
    reason: str


@attrs.frozen
class _Targets:
    """Targets as the org library hands them over (see ORG_CONTRACT): the management
    account is called without an account id."""

    accounts: Sequence[_Account]
    skipped: Sequence[_Skipped]
    management_account_id: str

    def call_account_id(self, account_id: str) -> str | None:
        return None if account_id == self.management_account_id else account_id


def _fan_out_contacts(
    emulator: AccountEmulator, options: CommonOptions, targets: _Targets
) -> list[object]:
    with open_runtime(options) as runtime:
        client = runtime.client

        def action(account_id: str | None) -> dict[str, object]:
            contact = client.get_alternate_contact(
                alternate_contact_type="SECURITY", account_id=account_id
            )
            return model_fields(contact, show_sensitive=False)

        return list(fan_out(runtime, targets, action, label="contacts get", concurrency=2))


def test_fan_out_reports_every_account_in_order_and_streams_json_lines(
    emulator: AccountEmulator, manager: AccountClient, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = emulator.credentials_for()
    members = emulator.member_account_ids
    outsider = emulator.standalone_account_ids[0]
    for account_id in (emulator.management_account_id, members[0]):
        manager.put_alternate_contact(
            alternate_contact_type="SECURITY",
            account_id=None if account_id == emulator.management_account_id else account_id,
            **SECURITY,
        )
    targets = _Targets(
        accounts=[
            _Account(emulator.management_account_id),
            _Account(members[0]),
            _Account(outsider),
        ],
        skipped=[_Skipped(members[1], "SUSPENDED")],
        management_account_id=emulator.management_account_id,
    )
    options = CommonOptions(endpoint_url=emulator.url, output="json")

    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", keys.access_key_id)
        env.setenv("AWS_SECRET_ACCESS_KEY", keys.secret_access_key)
        results = _fan_out_contacts(emulator, options, targets)

    statuses = [(r.account_id, r.status) for r in results]  # type: ignore[attr-defined]
    assert statuses == [
        (members[1], "skipped"),
        (emulator.management_account_id, "ok"),
        (members[0], "ok"),
        (outsider, "failed"),
    ]
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert lines[0] == {
        "type": "account",
        "account_id": members[1],
        "status": "skipped",
        "reason": "SUSPENDED",
    }
    by_account = {line["account_id"]: line for line in lines}
    assert by_account[outsider]["error"]["type"] == "AccessDeniedException"
    assert by_account[members[0]]["result"]["email_address"] == "<redacted>"
    assert "[3/3]" in captured.err  # plain progress lines: stderr is not a terminal
    assert_no_personal_value(captured.out + captured.err)


@pytest.mark.usefixtures("default_sigint")
def test_interrupted_fan_out_returns_at_once_listing_what_ran() -> None:
    release = threading.Event()

    def action(account_id: str | None) -> dict[str, object]:
        if account_id == "300000000001":
            # Ctrl-C while this account is in flight: a real SIGINT to the main
            # thread, which wakes it from its wait as a terminal's would.
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            release.wait(timeout=60)
        return {}

    targets = _Targets(
        accounts=[_Account(f"30000000000{i}") for i in range(3)],
        skipped=[],
        management_account_id="111111111111",
    )
    with (
        open_runtime(CommonOptions(quiet=True)) as runtime,
        pytest.raises(WorkAbandoned) as raised,
    ):
        fan_out(runtime, targets, action, label="test", concurrency=1)
    release.set()

    (note,) = raised.value.__notes__
    lines = note.splitlines()
    assert lines[0].endswith("in flight (their last request may or may not have landed; "
                             "a rerun converges), 1 never started:")  # fmt: skip
    assert lines[1] in ("300000000000 ok", "300000000000 in flight")
    assert lines[2:] == ["300000000001 in flight"]
    assert isinstance(raised.value.__cause__, KeyboardInterrupt)


# -- progress --------------------------------------------------------------------------------


def test_plain_progress_prints_a_line_per_finished_account_and_wait() -> None:
    stream = io.StringIO()
    progress = PlainProgress(2, "regions enable", stream=stream)

    progress.event("300000000000", "started")
    progress.event("300000000000", "waiting_quota", for_seconds=0.1)  # too many to print
    progress.event("300000000000", "waiting_region_slot")
    progress.event("300000000000", "waiting_region_switch", "af-south-1")
    progress.event("300000000000", "done")
    progress.event("300000000001", "failed", "AccessDeniedException")

    assert stream.getvalue().splitlines() == [
        "account-mgmt: regions enable: 300000000000 waiting on a Region slot",
        "account-mgmt: regions enable: 300000000000 waiting on a Region switch: af-south-1",
        "account-mgmt: regions enable: [1/2] 300000000000 done",
        "account-mgmt: regions enable: [2/2] 300000000001 failed: AccessDeniedException",
    ]


def test_rich_progress_shows_done_failed_and_waiting() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=160, color_system=None)
    progress = RichProgress(4, "plan", console=console)

    progress.event("a", "done")
    progress.event("b", "failed")
    progress.event("c", "waiting_quota")
    progress.event("d", "waiting_region_slot")
    progress.event("e", "waiting_region_switch")
    progress.close()
    progress.close()

    drawn = stream.getvalue().replace("\r", "\n").splitlines()
    final = [line for line in drawn if "plan" in line][-1]
    assert "2/4" in final
    assert (
        "1 failed, 3 in flight, 1 waiting on a quota, 1 waiting on a Region slot, "
        "1 waiting on a Region switch"
    ) in final


class _Recording(ProgressDisplay):
    def __init__(self) -> None:
        super().__init__(1, "test")
        self.events: list[tuple[str, str, str | None]] = []

    def _draw(self, account_id: str, phase: str, detail: str | None) -> None:
        self.events.append((account_id, phase, detail))


def test_wait_bridge_turns_the_librarys_wait_records_into_events() -> None:
    display = _Recording()
    with (
        AccountEmulator(member_count=1, region_transition_seconds=0.2) as emulator,
        emulator.client(
            quota_overrides={"GetAccountInformation": Quota(50, 1)},
            region_opt_concurrency_per_account=1,
        ) as client,
        bridged_waits(display) as waits,
    ):
        client.get_account_information()  # before working(): not an account's wait
        waits.working("300000000000")
        for _ in range(2):
            client.get_account_information()
        client.enable_region(region_name="af-south-1")
        client.enable_region(region_name="ap-east-1")  # the account's one slot is taken
        waits.working(None)
        client.get_account_information()

    assert ("300000000000", "waiting_quota", "GetAccountInformation") in display.events
    assert ("300000000000", "waiting_region_slot", "ap-east-1") in display.events
    assert {event[0] for event in display.events} == {"300000000000"}
    assert logging.getLogger("account_mgmt").level == logging.NOTSET  # restored


def test_a_quota_wait_stops_counting_after_its_length() -> None:
    now = [100.0]
    progress = ProgressDisplay(3, "get", clock=lambda: now[0])

    progress.event("a", "waiting_quota", for_seconds=0.5)
    progress.event("b", "waiting_region_slot")
    waiting = progress.status()
    now[0] += 1.0

    assert waiting == "0 failed, 2 in flight, 1 waiting on a quota, 1 waiting on a Region slot"
    assert progress.status() == "0 failed, 2 in flight, 1 waiting on a Region slot"


@pytest.mark.parametrize(
    ("quiet", "output", "expected"),
    [(True, "text", "none"), (False, "text", "plain"), (False, "json", "plain")],
)
def test_choose_progress_without_a_terminal(quiet: bool, output: str, expected: str) -> None:
    assert choose_progress(quiet=quiet, output=output) == expected

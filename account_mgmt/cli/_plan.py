"""``account-mgmt plan FILE`` and ``account-mgmt apply FILE``: converge accounts to a
desired-state file (format: ``account_mgmt.org._spec``).

The file is loaded and checked before anything is sent; every problem is
printed, one a line with file and line, and the command exits 1.

plan exit codes (as ``terraform plan -detailed-exitcode``): 0 nothing would
change, 2 changes are pending, 1 an error or an account that could not be
planned. apply: 0 every account converged, 1 otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from account_mgmt._config import DEFAULT_POLL_INTERVAL
from account_mgmt.cli import EXIT_FAILED, EXIT_OK, EXIT_PLAN_HAS_CHANGES, describe_error
from account_mgmt.cli._common import (
    DEFAULT_CONCURRENCY,
    CommonOptions,
    Runtime,
    common_options,
    emit_json_line,
    finish,
    note,
    open_runtime,
)

if TYPE_CHECKING:
    from account_mgmt.org import ApplyResult, DesiredState, Plan, ProgressEvent, Targets

_FILE_HELP = """\
\b
FILE is YAML or JSON:
  alternate_contacts: {SECURITY: {name, title, email_address, phone_number}, BILLING: absent}
  contact_information: {full_name, address_line1, city, postal_code, country_code, phone_number}
  regions: {af-south-1: enabled}
  organizational_units: {/Prod: {...overrides...}}
  accounts: {"111111111111": {...overrides...}}
Without --accounts, --accounts-file, --ou or --all: the caller's own account.
"""


def _load(file: str) -> DesiredState:
    from account_mgmt.org import DesiredStateError, load_desired_state

    try:
        return load_desired_state(file)
    except DesiredStateError as exc:
        note(f"{len(exc.problems)} problem(s) in {file}; nothing was sent:")
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        finish(EXIT_FAILED)


def _targets(runtime: Runtime) -> Targets:
    from account_mgmt.org import Targets

    targets = runtime.targets()
    if targets is not None:
        return targets
    own = runtime.client.get_account_information().account_id
    if own is None:
        raise click.ClickException("GetAccountInformation did not name the caller's account")
    return Targets.for_caller(own)


def _progress_sink(display: Any) -> Callable[[ProgressEvent], None]:
    def sink(event: ProgressEvent) -> None:
        display.event(event.account_id, event.phase, event.detail)

    return sink


def _make_plan(runtime: Runtime, targets: Targets, desired: DesiredState) -> Plan:
    from account_mgmt.org import plan as make_plan

    workers = runtime.options.concurrency or DEFAULT_CONCURRENCY
    with runtime.progress(len(targets.accounts), "plan") as display:
        return make_plan(
            runtime.client,
            targets,
            desired,
            max_workers=workers,
            on_progress=_progress_sink(display),
        )


def _print_plan(plan: Plan, options: CommonOptions) -> None:
    for account in plan.accounts:
        if account.error is not None:
            click.echo(f"{account.account_id}  failed  {describe_error(account.error)}")
            continue
        if not account.changes and not account.problems:
            continue
        click.echo(account.account_id)
        for change in account.changes:
            click.echo(f"    {change.describe(show_sensitive=options.show_sensitive)}")
        for problem in account.problems:
            key = f" {problem.key}" if problem.key else ""
            click.echo(f"    cannot: {problem.kind}{key}: {problem.message}")
    for skipped in plan.skipped:
        click.echo(f"{skipped.account_id}  skipped  {skipped.reason}")


def _plan_summary(plan: Plan) -> str:
    changing = sum(1 for a in plan.accounts if a.changes)
    return (
        f"plan: {len(plan.changes)} change(s) in {changing} of {len(plan.accounts)} account(s); "
        f"{len(plan.failed)} failed; {len(plan.skipped)} skipped"
    )


def _plan_exit_code(plan: Plan) -> int:
    if plan.failed:
        return EXIT_FAILED
    return EXIT_PLAN_HAS_CHANGES if plan.has_changes else EXIT_OK


@click.command("plan", epilog=_FILE_HELP)
@click.argument("file", type=click.Path(dir_okay=False))
@common_options()
def plan(file: str, options: CommonOptions) -> None:
    """Show what applying FILE would change in each selected account.

    Personal values are masked unless --show-sensitive. With --output json,
    one object: {"changes": [{account_id, kind, key, action, fields, before,
    after}], "problems": [...], "failed": [...], "skipped": [...], "summary"}.
    Exit 0: nothing would change; 2: changes pending; 1: an error.
    """
    desired = _load(file)
    with open_runtime(options) as runtime:
        targets = _targets(runtime)
        result = _make_plan(runtime, targets, desired)
    if options.output == "json":
        document = result.to_json(show_sensitive=options.show_sensitive)
        document["summary"] = _plan_summary(result)
        emit_json_line(document)
    else:
        _print_plan(result, options)
        note(_plan_summary(result))
    finish(_plan_exit_code(result))


def _print_outcomes(result: ApplyResult, options: CommonOptions) -> None:
    width = max((len(o.outcome) for o in result.outcomes), default=0)
    for outcome in result.outcomes:
        line = f"{outcome.account_id}  {outcome.outcome:<{width}}"
        if outcome.outcome == "skipped":
            line += f"  {outcome.reason}"
        elif outcome.changes:
            line += f"  {len(outcome.changes)} change(s)"
        if outcome.error is not None:
            line += f"  {describe_error(outcome.error)}"
        click.echo(line)
        for change in outcome.failed_changes:
            click.echo(f"    failed: {change.describe(show_sensitive=options.show_sensitive)}")
        for problem in outcome.problems:
            key = f" {problem.key}" if problem.key else ""
            click.echo(f"    cannot: {problem.kind}{key}: {problem.message}")


@click.command("apply", epilog=_FILE_HELP)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation on a terminal.")
@click.option(
    "--no-wait",
    is_flag=True,
    help="Do not wait for Region switches to finish (they go on in AWS).",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.0, min_open=True, max=3600.0),
    default=DEFAULT_POLL_INTERVAL,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between reads of a switching Region's status (less often when many "
    "accounts wait: their reads stay within GetRegionOptStatus's quota); not with --no-wait.",
)
@common_options()
def apply(
    file: str, yes: bool, no_wait: bool, poll_interval: float, options: CommonOptions
) -> None:
    """Make each selected account match FILE: plan, confirm, then change only what differs.

    Continues past failures; ends with one line per account: changed,
    unchanged, failed (with the error) or skipped. Safe to run again after
    an interruption: it plans from the live state. Exit 0 when every account
    converged, 1 otherwise. With --output json, one object
    {"converged", "outcomes": [...]}.
    """
    from account_mgmt.org import apply as apply_plan

    desired = _load(file)
    with open_runtime(options) as runtime:
        targets = _targets(runtime)
        planned = _make_plan(runtime, targets, desired)
        if options.output == "text":
            _print_plan(planned, options)
            note(_plan_summary(planned))
        if planned.has_changes and not yes and sys.stdin.isatty():
            click.confirm("Apply these changes?", abort=True, err=True)
        workers = runtime.options.concurrency or DEFAULT_CONCURRENCY
        with runtime.progress(len(planned.accounts), "apply") as display:
            result = apply_plan(
                runtime.client,
                planned,
                max_workers=workers,
                on_progress=_progress_sink(display),
                wait_for_regions=not no_wait,
                poll_interval=poll_interval,
            )
    if options.output == "json":
        emit_json_line(result.to_json(show_sensitive=options.show_sensitive))
    else:
        _print_outcomes(result, options)
        note(
            f"apply: {result.count('changed')} changed, {result.count('unchanged')} unchanged, "
            f"{result.count('failed')} failed, {result.count('skipped')} skipped"
        )
    finish(EXIT_OK if result.converged else EXIT_FAILED)

"""``account-mgmt regions list|status|enable|disable``: Region opt-in, one account or many.

Enable and disable go through the client's Region gate, which keeps at most
6 switches in flight per account and 20 per organization: past a cap a
worker waits for a switch to settle. Their default concurrency is therefore
the organization cap, so that waiting workers never leave the cap idle.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import click

from account_mgmt.cli._common import (
    OUTPUT_HELP,
    CommonOptions,
    Result,
    common_options,
    finish,
    open_runtime,
    run_per_account,
)

REGION_OPT_STATUSES: Final = ("ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT")
"""RegionOptStatus's values, spelled here so that --help needs no library import."""

SWITCH_CONCURRENCY: Final = 20
"""Accounts in flight for enable/disable: the organization's cap on Region switches
(REGION_OPT_CONCURRENCY_PER_ORGANIZATION, the reference guide's 20)."""

_REGION_NAME_HELP: Final = "Region code, e.g. af-south-1 (repeatable)."


@click.group()
def regions() -> None:
    """List Regions and read, enable or disable opt-in Regions."""


@regions.command("list", epilog=OUTPUT_HELP)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(REGION_OPT_STATUSES, case_sensitive=False),
    help="Only Regions in this status (repeatable).",
)
@common_options()
def list_(options: CommonOptions, statuses: tuple[str, ...]) -> None:
    """List every Region with its opt-in status (ListRegions, all pages).

    In JSON each result is {"regions": [{"region_name", "region_opt_status"}]}.
    """
    wanted = [status.upper() for status in statuses] or None
    with open_runtime(options) as runtime:
        client = runtime.client

        def action(account_id: str | None) -> Result:
            listed = client.iter_regions(account_id=account_id, region_opt_status_contains=wanted)
            return {"regions": [_region(r.region_name, r.region_opt_status) for r in listed]}

        exit_code = run_per_account(runtime, action, label="regions list", render=_render)
    finish(exit_code)


@regions.command("status", epilog=OUTPUT_HELP)
@click.option("--region-name", "region_names", multiple=True, required=True, help=_REGION_NAME_HELP)
@common_options()
def status(options: CommonOptions, region_names: tuple[str, ...]) -> None:
    """Show the opt-in status of Regions (GetRegionOptStatus).

    In JSON each result is {"regions": [{"region_name", "region_opt_status"}]}.
    """
    names = tuple(dict.fromkeys(region_names))
    with open_runtime(options) as runtime:
        client = runtime.client

        def action(account_id: str | None) -> Result:
            read = [
                client.get_region_opt_status(region_name=n, account_id=account_id) for n in names
            ]
            return {"regions": [_region(r.region_name, r.region_opt_status) for r in read]}

        exit_code = run_per_account(runtime, action, label="regions status", render=_render)
    finish(exit_code)


def _switch_options(func: click.decorators.FC) -> click.decorators.FC:
    func = click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        metavar="SECONDS",
        help="With --wait: give up after this long (default: the library's, 3600).",
    )(func)
    func = click.option("--wait", is_flag=True, help="Return only once every Region has settled.")(
        func
    )
    return click.option(
        "--region-name", "region_names", multiple=True, required=True, help=_REGION_NAME_HELP
    )(func)


@regions.command("enable", epilog=OUTPUT_HELP)
@_switch_options
@common_options()
def enable(
    options: CommonOptions, region_names: tuple[str, ...], wait: bool, timeout: float | None
) -> None:
    """Opt in to Regions (EnableRegion); nothing is sent for a Region already on.

    Without --wait the result shows each Region's status right after the
    request (usually ENABLING); with --wait, once it is ENABLED. A Region that
    cannot be opted in to fails the account with ValidationException.
    """
    _switch(options, "enable", tuple(dict.fromkeys(region_names)), wait=wait, timeout=timeout)


@regions.command("disable", epilog=OUTPUT_HELP)
@_switch_options
@common_options()
def disable(
    options: CommonOptions, region_names: tuple[str, ...], wait: bool, timeout: float | None
) -> None:
    """Opt out of Regions (DisableRegion); nothing is sent for a Region already off.

    Without --wait the result shows each Region's status right after the
    request (usually DISABLING); with --wait, once it is DISABLED.
    """
    _switch(options, "disable", tuple(dict.fromkeys(region_names)), wait=wait, timeout=timeout)


def _switch(
    options: CommonOptions,
    direction: str,
    names: tuple[str, ...],
    *,
    wait: bool,
    timeout: float | None,
) -> None:
    from account_mgmt.models import RegionOptStatus

    settled = (
        (RegionOptStatus.ENABLED, RegionOptStatus.ENABLED_BY_DEFAULT)
        if direction == "enable"
        else (RegionOptStatus.DISABLED,)
    )
    with open_runtime(options) as runtime:
        client = runtime.client
        switch = client.enable_region if direction == "enable" else client.disable_region
        limits = {} if timeout is None else {"timeout": timeout}

        def action(account_id: str | None) -> Result:
            # Every Region is asked for before any is waited on: an account's
            # switches then run side by side, not one after another.
            for name in names:
                switch(region_name=name, account_id=account_id)
            if wait:
                read = [
                    client.wait_for_region_opt_status(
                        region_name=name, statuses=settled, account_id=account_id, **limits
                    )
                    for name in names
                ]
            else:
                read = [
                    client.get_region_opt_status(region_name=name, account_id=account_id)
                    for name in names
                ]
            return {"regions": [_region(r.region_name, r.region_opt_status) for r in read]}

        exit_code = run_per_account(
            runtime,
            action,
            label=f"regions {direction}",
            render=_render,
            concurrency=SWITCH_CONCURRENCY,
        )
    finish(exit_code)


def _region(name: str | None, opt_status: str | None) -> dict[str, object]:
    return {"region_name": name, "region_opt_status": opt_status}


def _render(result: Result) -> Iterator[str]:
    listed = result.get("regions")
    assert isinstance(listed, list)
    width = max((len(str(r["region_name"])) for r in listed), default=0)
    for region in listed:
        yield f"{region['region_name']!s:<{width}}  {region['region_opt_status']}"

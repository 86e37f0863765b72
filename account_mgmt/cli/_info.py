"""``account-mgmt info``: GetAccountInformation for one account or many."""

from __future__ import annotations

import click

from account_mgmt.cli._common import (
    OUTPUT_HELP,
    CommonOptions,
    Result,
    common_options,
    finish,
    model_fields,
    open_runtime,
    render_fields,
    run_per_account,
)


@click.command(epilog=OUTPUT_HELP)
@common_options()
def info(options: CommonOptions) -> None:
    """Show account id, name, creation date and state.

    Reads GetAccountInformation. The account name is masked unless
    --show-sensitive (the service model marks it sensitive). In JSON each
    result is {"account_id", "account_name", "account_created_date" (ISO
    8601), "account_state"}.
    """
    with open_runtime(options) as runtime:
        client = runtime.client

        def action(account_id: str | None) -> Result:
            information = client.get_account_information(account_id=account_id)
            return model_fields(information, show_sensitive=options.show_sensitive)

        exit_code = run_per_account(runtime, action, label="info", render=render_fields)
    finish(exit_code)

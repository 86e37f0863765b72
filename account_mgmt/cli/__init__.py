"""``account-mgmt``: the command line over the client and the organization tooling.

Subcommands load lazily from ``COMMANDS`` (name -> ``module:attribute``), so
``account-mgmt --help`` imports click and nothing heavy: no botocore,
requests or rich. Each command module imports the library inside its
callback, when it runs.

Conventions every command keeps (see ``EPILOG``): stdout carries data,
stderr progress and diagnostics; an expected error (any ``AccountError``)
is one line on stderr naming its type, never a traceback; exit codes are
stable.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, Final

import click

from account_mgmt._version import __version__

__all__ = [
    "COMMANDS",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PLAN_HAS_CHANGES",
    "EXIT_USAGE",
    "LazyGroup",
    "WorkAbandoned",
    "describe_error",
    "main",
]

EXIT_OK: Final = 0
"""Everything asked for was done (for plan: nothing would change)."""
EXIT_FAILED: Final = 1
"""An error, or at least one account failed (for apply: not converged)."""
EXIT_USAGE: Final = 2
"""Bad command line: click's own code for a usage error."""
EXIT_PLAN_HAS_CHANGES: Final = 2
"""``plan`` only: it ran and something would change (as ``terraform plan -detailed-exitcode``)."""
EXIT_INTERRUPTED: Final = 130
"""Ctrl-C: 128 + SIGINT, as shells report it."""

COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "accounts": (
        "account_mgmt.cli._accounts:accounts",
        "List the organization's accounts and which ones a selection targets.",
    ),
    "apply": ("account_mgmt.cli._plan:apply", "Make the accounts match a desired-state file."),
    "contact-info": (
        "account_mgmt.cli._contact_info:contact_info",
        "Read or replace the primary contact information.",
    ),
    "contacts": (
        "account_mgmt.cli._contacts:contacts",
        "Read, set or delete alternate contacts (BILLING, OPERATIONS, SECURITY).",
    ),
    "info": ("account_mgmt.cli._info:info", "Show account id, name, creation date and state."),
    "plan": (
        "account_mgmt.cli._plan:plan",
        "Show what applying a desired-state file would change.",
    ),
    "regions": (
        "account_mgmt.cli._regions:regions",
        "List Regions and read, enable or disable opt-in Regions.",
    ),
}
"""Every subcommand: name -> (``module:attribute`` of its click command, one-line help).

The one-line help is listed by ``account-mgmt --help`` without importing the module.
"""

EPILOG: Final = """\
\b
Every command takes the common options after its name:
  --profile NAME        AWS profile (default: the AWS SDKs' credential chain)
  --endpoint-url URL    endpoint for Account and Organizations alike
  --region NAME         signing Region/partition, only for non-global setups
  --local               act on a built-in emulator, as its management account
  --quota OP=RATE       pace above a documented quota AWS raised (OP=RATE/BURST)
  --region-opt-cap N    Region switches at once in the organization (20)
  --accounts ID,ID      --accounts-file FILE   --ou PATH|ID (repeatable)
  --all                 --exclude ID|PATH,...  --concurrency N
  --output text|json    --show-sensitive       --quiet   -v/--verbose
Without --accounts/--accounts-file/--ou/--all a command acts on the
caller's own account (standalone mode).

\b
stdout is data; stderr is progress and diagnostics.
Exit codes: 0 ok; 1 error, or some account failed; 2 usage error
(for plan: 2 also means changes are pending); 130 interrupted.
"""


class WorkAbandoned(KeyboardInterrupt):
    """Ctrl-C stopped a fan-out whose worker threads are still in calls or waits.

    The notes list what finished and what was in flight. Those threads are
    not waited for (a Region wait can last an hour): the process ends with
    ``os._exit`` once the report is written.
    """


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when invoked or asked for help.

    ``lazy_commands`` maps each name to ``(module:attribute, one-line help)``;
    listing the commands uses the one-line help and imports nothing.
    """

    def __init__(
        self, *args: Any, lazy_commands: dict[str, tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, tuple[str, str]] = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        target, _ = self.lazy_commands[cmd_name]
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_line) for name, (_, help_line) in sorted(self.lazy_commands.items())]
        eager = [name for name in super().list_commands(ctx) if name not in self.lazy_commands]
        for name in eager:
            command = super().get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkAbandoned as exc:
            _report_interrupt(exc)
            sys.stdout.flush()
            sys.stderr.flush()
            # Exiting normally would join the worker threads, each in a call or wait.
            os._exit(EXIT_INTERRUPTED)
        except KeyboardInterrupt as exc:
            _report_interrupt(exc)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if not _is_expected(exc):
                raise  # a bug: its traceback is what a report needs
            click.echo(f"account-mgmt: error: {describe_error(exc)}", err=True)
            ctx.exit(EXIT_FAILED)


def describe_error(exc: BaseException | None) -> str:
    """``Type: message`` on one line; the type named once even when the message starts with it
    (service errors' messages do)."""
    name = type(exc).__name__
    message = " ".join(str(exc).split())
    if message.startswith(f"{name}: ") or message == name:
        return message
    return f"{name}: {message}" if message else name


def _is_expected(exc: BaseException) -> bool:
    # Looked up, not imported: if the library was never loaded, no AccountError
    # can have been raised, and --help must not pay for importing it.
    exceptions = sys.modules.get("account_mgmt.exceptions")
    return exceptions is not None and isinstance(exc, exceptions.AccountError)


def _report_interrupt(exc: KeyboardInterrupt) -> None:
    click.echo("account-mgmt: interrupted", err=True)
    # The notes say which accounts ran and how: the caller needs that to know
    # what was changed before the interrupt.
    for note in getattr(exc, "__notes__", ()):
        click.echo(note, err=True)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="account-mgmt")
def main() -> None:
    """Manage AWS accounts' contacts, Regions and desired state, one account or an organization.

    \b
    Examples:
      account-mgmt info
      account-mgmt contacts get --all --output json
      account-mgmt regions enable --region-name af-south-1 --ou /Prod --wait
      account-mgmt plan desired.yaml --all
    """

"""Output: data on stdout (text or JSON), diagnostics on stderr, personal values masked."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, NoReturn

import attrs
import click

from account_mgmt.cli import EXIT_FAILED, EXIT_OK, describe_error
from account_mgmt.models import REDACTED

if TYPE_CHECKING:
    from attrs import AttrsInstance

    from account_mgmt.cli._options import CommonOptions

Result = Mapping[str, object]
"""What an action returns for one account: JSON-ready, personal values masked already."""
Render = Callable[[Result], Iterable[str]]
"""Turns a result into the text lines printed for it."""


@attrs.frozen(kw_only=True)
class AccountResult:
    """One account's outcome in a fan-out."""

    account_id: str
    status: Literal["ok", "failed", "skipped"]
    result: Result | None = None
    """What the action returned (masked already), when ``ok``."""
    error: BaseException | None = None
    """Why it failed, when ``failed``."""
    reason: str | None = None
    """Why it was not targeted, when ``skipped`` (e.g. ``SUSPENDED``)."""

    def to_json(self) -> dict[str, object]:
        """The JSON line for this account (``"type": "account"``)."""
        line: dict[str, object] = {
            "type": "account",
            "account_id": self.account_id,
            "status": self.status,
        }
        if self.status == "ok":
            line["result"] = dict(self.result or {})
        elif self.status == "failed":
            line["error"] = error_json(self.error)
        else:
            line["reason"] = self.reason
        return line


def error_json(error: BaseException | None) -> dict[str, object]:
    """``{"type": ..., "message": ...}``: the library's messages carry no secrets."""
    name = type(error).__name__
    text = describe_error(error)
    return {"type": name, "message": text[len(name) + 2 :] if text.startswith(name + ": ") else ""}


def finish(exit_code: int) -> NoReturn:
    """End the command with ``exit_code`` (click turns this into the process's status)."""
    raise click.exceptions.Exit(exit_code)


def note(message: str) -> None:
    """A diagnostic line on stderr, prefixed with the program's name."""
    click.echo(f"account-mgmt: {message}", err=True)


def emit_json_line(obj: Mapping[str, object]) -> None:
    """One compact JSON object and a newline on stdout, flushed: a JSON line."""
    click.echo(json.dumps(obj, default=_json_default, separators=(",", ":")))


def emit_single(options: CommonOptions, result: Result, render: Render) -> None:
    """A standalone result on stdout: ``render``'s lines, or one indented JSON object."""
    if options.output == "json":
        click.echo(json.dumps(result, default=_json_default, indent=2))
    else:
        for line in render(result):
            click.echo(line)


def emit_results(
    options: CommonOptions, results: Sequence[AccountResult], render: Render, *, label: str
) -> int:
    """Every account's outcome on stdout (text blocks; with JSON the lines were
    streamed already, so only the summary line), a summary, and the exit code:
    EXIT_FAILED if any account failed, else EXIT_OK."""
    counts = {
        status: sum(1 for r in results if r.status == status)
        for status in ("ok", "failed", "skipped")
    }
    if options.output == "json":
        emit_json_line({"type": "summary", "command": label, "accounts": len(results), **counts})
    else:
        for result in results:
            click.echo(f"{result.account_id}  {result.status}", nl=False)
            if result.status == "ok":
                click.echo()
                for line in render(result.result or {}):
                    click.echo(f"    {line}")
            elif result.status == "failed":
                click.echo(f"  {describe_error(result.error)}")
            else:
                click.echo(f"  {result.reason}")
        note(
            f"{label}: {len(results)} accounts: {counts['ok']} ok, {counts['failed']} failed, "
            f"{counts['skipped']} skipped"
        )
    return EXIT_FAILED if counts["failed"] else EXIT_OK


def _json_default(value: object) -> object:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def masked(value: object, *, sensitive: bool, show_sensitive: bool) -> object:
    """``value``, or ``<redacted>`` if it is a sensitive value that is set and not asked for."""
    if sensitive and not show_sensitive and value is not None:
        return REDACTED
    return value


def model_fields(model: AttrsInstance, *, show_sensitive: bool) -> dict[str, object]:
    """An attrs model's fields as a dict, the ones the model keeps out of its repr
    (the service model's ``sensitive`` members) masked unless ``show_sensitive``."""
    return {
        field.name: masked(
            getattr(model, field.name),
            sensitive=field.repr is not True,
            show_sensitive=show_sensitive,
        )
        for field in attrs.fields(type(model))
    }


def render_fields(result: Result) -> Iterator[str]:
    """Text lines ``name: value`` for a flat result, unset values left out."""
    width = max((len(key) for key in result), default=0)
    for key, value in result.items():
        if value is None:
            continue
        shown = value.isoformat() if isinstance(value, datetime.datetime) else value
        yield f"{key + ':':<{width + 1}} {shown}"

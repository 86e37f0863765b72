"""Which accounts an organization-wide job acts on.

The organization is walked top-down, as the reference asks: ListRoots, then
ListOrganizationalUnitsForParent recursively and ListAccountsForParent for
each parent; never ListParents per account. A selection of OU paths only
resolves each path segment by segment and walks just those subtrees.

OU paths are written from the root: ``/`` is the root, ``/Prod/Payments`` the
OU ``Payments`` inside the root's OU ``Prod``, names matched exactly (case
included). OU names may contain ``/``: write it ``\\/`` in a path, and a
backslash ``\\\\`` (so the OU named ``a/b`` under the root is ``/a\\/b``).

Only ACTIVE accounts are targeted; every other selected account is reported
in ``Targets.skipped`` with its state, never dropped silently. The management
account is targeted like any other, but calls for it go without
``account_id`` (``Targets.call_account_id``), since the Account Management
API refuses the management account's own id.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from account_mgmt.exceptions import ConfigurationError, ParamValidationError
from account_mgmt.org._client import OrganizationsClient
from account_mgmt.org._models import ROOT_PATH, OrgAccount, Organization, OrganizationalUnit

ACCOUNT_ID_PATTERN: Final = re.compile(r"\d{12}")
"""An account id (the Account Management model's ``AccountId``)."""

OU_ID_PATTERN: Final = re.compile(r"(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})")
"""A root or OU id (the Organizations model's ``ParentId``)."""

ACTIVE: Final = "ACTIVE"
"""The one account state the jobs act on (Organizations ``AccountState``)."""

SKIPPED_EXCLUDED: Final = "excluded"
"""``SkippedAccount.reason`` of an account left out by ``exclude``."""

SKIPPED_NOT_IN_ORGANIZATION: Final = "not in the organization"
"""``SkippedAccount.reason`` of an id named explicitly that the organization does not hold."""


def parse_ou_path(path: str) -> tuple[str, ...]:
    """The OU names along ``path`` from the root (``()`` for ``/``).

    Raises:
        ParamValidationError: not starting with ``/``, an empty segment, or a
            dangling backslash.
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise ParamValidationError(
            [("ou_path", "format", f"{path!r} must start with '/' (the root)")]
        )
    body = path[1:]
    if body.endswith("/") and not body.endswith("\\/"):
        body = body[:-1]
    if not body:
        return ()
    segments: list[str] = []
    current: list[str] = []
    escaped = False
    for char in body:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "/":
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        raise ParamValidationError(
            [("ou_path", "format", f"{path!r} ends in a lone backslash (write '\\\\')")]
        )
    segments.append("".join(current))
    if any(not segment for segment in segments):
        raise ParamValidationError([("ou_path", "format", f"{path!r} has an empty OU name")])
    return tuple(segments)


def format_ou_path(names: Sequence[str]) -> str:
    """The path of the OU reached by ``names`` from the root, ``/`` and ``\\`` escaped."""
    if not names:
        return ROOT_PATH
    return "".join("/" + name.replace("\\", "\\\\").replace("/", "\\/") for name in names)


def normalize_ou_path(path: str) -> str:
    """``path`` in its one canonical spelling (no trailing ``/``, minimal escapes)."""
    return format_ou_path(parse_ou_path(path))


def is_under(path: str, ancestor: str) -> bool:
    """Whether the OU at ``path`` is ``ancestor`` or inside it (both canonical)."""
    if ancestor == ROOT_PATH:
        return True
    head, tail = parse_ou_path(path), parse_ou_path(ancestor)
    return head[: len(tail)] == tail


def read_account_ids_file(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The account ids in a text file: one a line, ``#`` starts a comment, blanks ignored.

    Raises:
        ParamValidationError: every line that is not a 12-digit id, with its number.
        ConfigurationError: the file cannot be read.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"cannot read the account ids file {os.fspath(path)!r}: {exc}"
        ) from exc
    ids: list[str] = []
    problems: list[tuple[str, str, str]] = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if ACCOUNT_ID_PATTERN.fullmatch(text) is None:
            problems.append(
                (f"{os.fspath(path)}:{number}", "pattern", f"{text!r} is not a 12-digit account id")
            )
        else:
            ids.append(text)
    if problems:
        raise ParamValidationError(problems)
    return tuple(dict.fromkeys(ids))


@attrs.frozen(kw_only=True)
class AccountSelection:
    """Which accounts to act on; the union of what is named, minus ``exclude``."""

    all_accounts: bool = False
    """Every account of the organization."""
    ou_paths: tuple[str, ...] = ()
    """OU paths (``/Prod/Payments``): the accounts under them."""
    ou_ids: tuple[str, ...] = ()
    """Root or OU ids (``ou-xxxx-xxxxxxxx``, ``r-xxxx``): the accounts under them."""
    account_ids: tuple[str, ...] = ()
    """Accounts named by id (``--accounts``, ``--accounts-file``)."""
    exclude: tuple[str, ...] = ()
    """Account ids, OU paths or OU ids to leave out (OUs with everything under them)."""
    recursive: bool = True
    """Whether an OU selects the accounts of its child OUs too."""

    def check(self) -> None:
        """Raise ``ParamValidationError`` listing every malformed part; nothing is sent."""
        problems: list[tuple[str, str, str]] = []
        for name in ("ou_paths", "ou_ids", "account_ids", "exclude"):
            if isinstance(getattr(self, name), str):
                problems.append((name, "type", "expected a tuple of strings, got one string"))
        if problems:
            raise ParamValidationError(problems)
        if not (self.all_accounts or self.ou_paths or self.ou_ids or self.account_ids):
            problems.append(
                (
                    "selection",
                    "required",
                    "name the accounts: all, OU paths, OU ids or account ids",
                )
            )
        for index, account_id in enumerate(self.account_ids):
            if ACCOUNT_ID_PATTERN.fullmatch(str(account_id)) is None:
                problems.append(
                    (f"account_ids[{index}]", "pattern", f"{account_id!r} is not 12 digits")
                )
        for index, ou_id in enumerate(self.ou_ids):
            if OU_ID_PATTERN.fullmatch(str(ou_id)) is None:
                problems.append(
                    (f"ou_ids[{index}]", "pattern", f"{ou_id!r} is not a root or OU id")
                )
        for index, path in enumerate(self.ou_paths):
            try:
                parse_ou_path(path)
            except ParamValidationError as exc:
                problems.extend((f"ou_paths[{index}]", r, d) for _, r, d in exc.violations)
        for index, item in enumerate(self.exclude):
            text = str(item)
            if text.startswith("/"):
                try:
                    parse_ou_path(text)
                except ParamValidationError as exc:
                    problems.extend((f"exclude[{index}]", r, d) for _, r, d in exc.violations)
            elif not (ACCOUNT_ID_PATTERN.fullmatch(text) or OU_ID_PATTERN.fullmatch(text)):
                problems.append(
                    (
                        f"exclude[{index}]",
                        "pattern",
                        f"{text!r} is not an account id, an OU path or an OU id",
                    )
                )
        if problems:
            raise ParamValidationError(problems)


@attrs.frozen(kw_only=True)
class SkippedAccount:
    """A selected account the job leaves alone, and why."""

    account_id: str
    reason: str
    """The account's state (``SUSPENDED``...), ``excluded`` or ``not in the organization``."""
    account: OrgAccount | None = None


@attrs.frozen(kw_only=True)
class Targets:
    """The accounts a job acts on, in account-id order, and those it skips."""

    organization: Organization | None
    """None when the accounts were named by id with no organization to ask."""
    accounts: tuple[OrgAccount, ...]
    skipped: tuple[SkippedAccount, ...] = ()
    caller_account_id: str | None = None
    """The caller's own account when it is targeted in standalone mode (``for_caller``)."""

    @classmethod
    def for_caller(cls, account_id: str) -> Targets:
        """The caller's own account alone, called in standalone mode (no ``account_id``)."""
        return cls(
            organization=None,
            accounts=(OrgAccount(id=account_id, state=ACTIVE),),
            caller_account_id=account_id,
        )

    @property
    def account_ids(self) -> tuple[str, ...]:
        return tuple(account.id for account in self.accounts)

    def call_account_id(self, account_id: str) -> str | None:
        """The ``account_id`` to pass the Account Management API for this account:
        None for the management account (standalone call), else the id."""
        if account_id == self.caller_account_id:
            return None
        if self.organization is not None and account_id == self.organization.management_account_id:
            return None
        return account_id

    def account(self, account_id: str) -> OrgAccount | None:
        """The targeted account with this id, if any."""
        return next((a for a in self.accounts if a.id == account_id), None)


@attrs.frozen
class _Placed:
    account: OrgAccount
    ancestors: tuple[str, ...]
    """Root and OU ids from the root down to the account's parent."""


class _Walker:
    """Walks (parts of) the tree once, remembering what it saw."""

    def __init__(self, client: OrganizationsClient) -> None:
        self.client = client
        self.ous: dict[str, OrganizationalUnit] = {}
        self.placed: dict[str, _Placed] = {}
        self._children: dict[str, list[OrganizationalUnit]] = {}

    def children(self, parent_id: str, parent_path: str) -> list[OrganizationalUnit]:
        if parent_id not in self._children:
            names = parse_ou_path(parent_path)
            found = [
                attrs.evolve(ou, path=format_ou_path((*names, ou.name)))
                for ou in self.client.iter_organizational_units_for_parent(parent_id=parent_id)
            ]
            self._children[parent_id] = found
            self.ous.update((ou.id, ou) for ou in found)
        return self._children[parent_id]

    def walk(self, parent_id: str, path: str, ancestors: tuple[str, ...], recursive: bool) -> None:
        """Every account under ``parent_id`` (depth-first, iteratively)."""
        pending = [(parent_id, path, ancestors)]
        while pending:
            node, node_path, above = pending.pop()
            here = (*above, node)
            for account in self.client.iter_accounts_for_parent(parent_id=node):
                self.placed[account.id] = _Placed(
                    attrs.evolve(account, parent_id=node, ou_path=node_path), here
                )
            if recursive:
                pending.extend(
                    (ou.id, ou.path or "", here) for ou in reversed(self.children(node, node_path))
                )

    def resolve(self, root_id: str, path: str) -> tuple[str, tuple[str, ...]]:
        """The id of the OU at ``path`` and its ancestors' ids.

        Raises:
            ParamValidationError: no OU has that path.
        """
        node, node_path = root_id, ROOT_PATH
        above: tuple[str, ...] = ()
        for name in parse_ou_path(path):
            match = next((ou for ou in self.children(node, node_path) if ou.name == name), None)
            if match is None:
                raise ParamValidationError(
                    [
                        (
                            "ou_path",
                            "not_found",
                            f"no OU named {name!r} under {node_path!r} (resolving {path!r}; "
                            "names are matched exactly)",
                        )
                    ]
                )
            above = (*above, node)
            node, node_path = match.id, match.path or ""
        return node, above


def select_accounts(
    selection: AccountSelection, organizations: OrganizationsClient | None
) -> Targets:
    """The accounts ``selection`` names: ACTIVE ones targeted, the rest skipped with a reason.

    With ``organizations`` None only ``account_ids`` can be used; their state
    is then unknown and they are all targeted.

    Raises:
        ParamValidationError: a malformed selection, an OU path or id the
            organization does not have, or OUs without an organizations client.
        AccountError: Organizations failed (after retries).
    """
    selection.check()
    excluded_ids = {x for x in selection.exclude if ACCOUNT_ID_PATTERN.fullmatch(x)}
    if organizations is None:
        if selection.all_accounts or selection.ou_paths or selection.ou_ids:
            raise ParamValidationError(
                [("selection", "organization", "OUs and 'all' need an Organizations client")]
            )
        if any(not ACCOUNT_ID_PATTERN.fullmatch(x) for x in selection.exclude):
            raise ParamValidationError(
                [("exclude", "organization", "excluding OUs needs an Organizations client")]
            )
        ids = list(dict.fromkeys(selection.account_ids))
        return Targets(
            organization=None,
            accounts=tuple(OrgAccount(id=i) for i in sorted(ids) if i not in excluded_ids),
            skipped=tuple(
                SkippedAccount(account_id=i, reason=SKIPPED_EXCLUDED)
                for i in sorted(ids)
                if i in excluded_ids
            ),
        )

    organization = organizations.describe_organization()
    root = next(iter(organizations.iter_roots()), None)
    if root is None:
        raise ParamValidationError([("selection", "organization", "the organization has no root")])
    walker = _Walker(organizations)
    whole_tree = selection.all_accounts or bool(selection.account_ids) or bool(selection.ou_ids)
    if whole_tree or any(OU_ID_PATTERN.fullmatch(x) for x in selection.exclude):
        walker.walk(root.id, ROOT_PATH, (), recursive=True)

    chosen: dict[str, _Placed] = {}

    def under(node_id: str, recursive: bool) -> Iterable[_Placed]:
        for placed in walker.placed.values():
            if (placed.ancestors[-1] == node_id) if not recursive else node_id in placed.ancestors:
                yield placed

    if selection.all_accounts:
        chosen.update(walker.placed)
    for path in selection.ou_paths:
        node, above = walker.resolve(root.id, path)
        if not whole_tree:
            walker.walk(node, normalize_ou_path(path), above, selection.recursive)
        chosen.update((p.account.id, p) for p in under(node, selection.recursive))
    for ou_id in selection.ou_ids:
        if ou_id != root.id and ou_id not in walker.ous:
            raise ParamValidationError(
                [("ou_ids", "not_found", f"the organization has no root or OU {ou_id!r}")]
            )
        chosen.update((p.account.id, p) for p in under(ou_id, selection.recursive))
    skipped: list[SkippedAccount] = []
    for account_id in selection.account_ids:
        if account_id in walker.placed:
            chosen[account_id] = walker.placed[account_id]
        else:
            skipped.append(
                SkippedAccount(account_id=account_id, reason=SKIPPED_NOT_IN_ORGANIZATION)
            )

    excluded_nodes: set[str] = set()
    for item in selection.exclude:
        if item.startswith("/"):
            try:
                excluded_nodes.add(walker.resolve(root.id, item)[0])
            except ParamValidationError:
                continue  # excluding what is not there leaves nothing out
        elif OU_ID_PATTERN.fullmatch(item):
            excluded_nodes.add(item)
    accounts: list[OrgAccount] = []
    for account_id in sorted(chosen):
        placed = chosen[account_id]
        account = placed.account
        if account_id in excluded_ids or excluded_nodes.intersection(placed.ancestors):
            skipped.append(
                SkippedAccount(account_id=account_id, reason=SKIPPED_EXCLUDED, account=account)
            )
        elif account.state != ACTIVE:
            skipped.append(
                SkippedAccount(
                    account_id=account_id, reason=account.state or "UNKNOWN", account=account
                )
            )
        else:
            accounts.append(account)
    return Targets(
        organization=organization,
        accounts=tuple(accounts),
        skipped=tuple(sorted(skipped, key=lambda s: s.account_id)),
    )

"""An in-memory AWS Organizations behind the ``Transport`` seam, for org tests.

It answers the JSON 1.1 enumeration operations from a small tree, pages at
most ``page_size`` items (with an empty page carrying a ``NextToken`` in
front of every real page when ``empty_pages``), and records every request.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence

import attrs

from account_mgmt._http import HttpRequest, HttpResponse


@attrs.define
class FakeAccount:
    parent_id: str
    state: str = "ACTIVE"
    name: str = "acct"
    email: str = "root@example.com"
    legacy_status_only: bool = False


class FakeOrganizations:
    """A scripted Organizations service; ``errors`` are answered (in order) before the rest."""

    def __init__(
        self,
        *,
        management_account_id: str = "111111111111",
        page_size: int = 20,
        empty_pages: bool = False,
    ) -> None:
        self.root_id = "r-abcd"
        self.management_account_id = management_account_id
        self.ous: dict[str, tuple[str, str]] = {}  # id -> (name, parent id)
        self.accounts: dict[str, FakeAccount] = {}
        self.page_size = page_size
        self.empty_pages = empty_pages
        self.errors: list[tuple[int, str]] = []  # (status, code) answered next
        self.requests: list[HttpRequest] = []
        self.closed = False

    # -- building the tree ----------------------------------------------------------

    def add_ou(self, ou_id: str, name: str, parent_id: str | None = None) -> str:
        self.ous[ou_id] = (name, parent_id or self.root_id)
        return ou_id

    def add_account(self, account_id: str, parent_id: str | None = None, **kw: object) -> str:
        self.accounts[account_id] = FakeAccount(parent_id=parent_id or self.root_id, **kw)  # type: ignore[arg-type]
        return account_id

    @property
    def operations(self) -> Counter[str]:
        return Counter(r.headers["X-Amz-Target"].split(".", 1)[1] for r in self.requests)

    # -- Transport ----------------------------------------------------------------------

    def close(self) -> None:
        self.closed = True

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        self.requests.append(request)
        if self.errors:
            status, code = self.errors.pop(0)
            return self._answer(status, {"__type": code, "Message": f"{code} from the fake"})
        operation = request.headers["X-Amz-Target"].split(".", 1)[1]
        body = json.loads(request.body)
        if operation == "DescribeOrganization":
            return self._answer(
                200,
                {
                    "Organization": {
                        "Id": "o-fake000001",
                        "MasterAccountId": self.management_account_id,
                        "MasterAccountEmail": "mgmt@example.com",
                        "FeatureSet": "ALL",
                    }
                },
            )
        if operation == "ListRoots":
            return self._page(body, "Roots", [{"Id": self.root_id, "Name": "Root"}])
        parent = body.get("ParentId")
        if parent != self.root_id and parent not in self.ous:
            return self._answer(400, {"__type": "ParentNotFoundException", "Message": "no"})
        if operation == "ListOrganizationalUnitsForParent":
            items = [
                {"Id": ou_id, "Name": name, "Arn": f"arn:{ou_id}"}
                for ou_id, (name, parent_id) in self.ous.items()
                if parent_id == parent
            ]
            return self._page(body, "OrganizationalUnits", items)
        if operation == "ListAccountsForParent":
            accounts: list[dict[str, object]] = []
            for account_id, account in self.accounts.items():
                if account.parent_id != parent:
                    continue
                item: dict[str, object] = {
                    "Id": account_id,
                    "Name": account.name,
                    "Email": account.email,
                    "JoinedTimestamp": 1700000000.0,
                }
                legacy = {"ACTIVE": "ACTIVE", "SUSPENDED": "SUSPENDED"}.get(account.state)
                if account.legacy_status_only:
                    item["Status"] = legacy or account.state
                else:
                    item["State"] = account.state
                    item["Status"] = "SUSPENDED" if account.state == "ACTIVE" else "ACTIVE"
                accounts.append(item)
            return self._page(body, "Accounts", accounts)
        return self._answer(400, {"__type": "InvalidInputException", "Message": operation})

    def _page(
        self, body: dict[str, object], key: str, items: Sequence[Mapping[str, object]]
    ) -> HttpResponse:
        assert isinstance(body.get("MaxResults"), int)
        assert 1 <= int(body["MaxResults"]) <= 20  # type: ignore[call-overload]
        token = body.get("NextToken")
        position, empty_done = 0, False
        if isinstance(token, str):
            position_text, _, flag = token.partition(":")
            position, empty_done = int(position_text), flag == "e"
        if self.empty_pages and not empty_done:
            return self._answer(200, {key: [], "NextToken": f"{position}:e"})
        size = min(self.page_size, int(body["MaxResults"]))  # type: ignore[call-overload]
        chunk = list(items[position : position + size])
        answer: dict[str, object] = {key: chunk}
        if position + size < len(items):
            answer["NextToken"] = f"{position + size}:"
        return self._answer(200, answer)

    @staticmethod
    def _answer(status: int, document: dict[str, object]) -> HttpResponse:
        return HttpResponse(
            status_code=status,
            headers={"content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "rid-1"},
            body=json.dumps(document).encode(),
        )

"""Walking every page of a listing, for the sync and the async client alike.

``list_regions`` returns one page; ``iter_regions`` yields every ``Region`` by
following ``next_token`` with the largest page the service allows, so an
organization-wide audit makes as few calls as possible. ``PageWalk`` is the
walk's bookkeeping, shared by both clients' iterators and the Organizations
listings: it decides the next token and ends a walk the service would
otherwise never let end.
"""

from __future__ import annotations

from typing import Final

from account_mgmt.exceptions import PaginationError

MAX_PAGE_SIZE: Final = 50
"""The largest ``MaxResults`` ListRegions accepts (service model bound)."""

MAX_PAGES: Final = 1000
"""Pages one walk may fetch: AWS has a few dozen Regions, so even one a page
ends far below this; a service handing out a fresh token forever does not.
Paced at ListRegions' 5/s, the cap is reached in about 200 s, within the
default ``total_timeout`` of one call."""


class PageWalk:
    """Where a walk over a listing's pages stands: the tokens seen, the pages fetched."""

    def __init__(self, operation: str = "ListRegions", *, max_pages: int = MAX_PAGES) -> None:
        self._operation = operation
        self._max_pages = max_pages
        self._pages = 0
        self._seen: set[str] = set()

    def next_token(self, token: str | None) -> str | None:
        """The token to fetch the next page with, given the one a page carried (``token``);
        None when that page was the last. An empty page with a token is not the end.

        Raises:
            PaginationError: the service repeated a token (the walk would loop
                forever), or the walk reached ``max_pages``.
        """
        self._pages += 1
        if not token:
            return None
        if token in self._seen:
            raise PaginationError(
                f"{self._operation} returned a page token it had already returned; stopping"
            )
        if self._pages >= self._max_pages:
            raise PaginationError(
                f"{self._operation} was still handing out page tokens after {self._pages} "
                "pages; stopping"
            )
        self._seen.add(token)
        return token

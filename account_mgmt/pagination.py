"""Walking every page of ListRegions, for the sync and the async client alike.

``list_regions`` returns one page; ``iter_regions`` yields every ``Region`` by
following ``next_token`` with the largest page the service allows, so an
organization-wide audit makes as few calls as possible. ``PageWalk`` is the
walk's bookkeeping, shared by both clients' iterators: it decides the next
token and ends a walk the service would otherwise never let end.
"""

from __future__ import annotations

from typing import Final

from account_mgmt.exceptions import PaginationError
from account_mgmt.models import ListRegionsResponse

MAX_PAGE_SIZE: Final = 50
"""The largest ``MaxResults`` ListRegions accepts (service model bound)."""

MAX_PAGES: Final = 1000
"""Pages one walk may fetch: AWS has a few dozen Regions, so even one a page
ends far below this; a service handing out a fresh token forever does not.
Paced at ListRegions' 5/s, the cap is reached in about 200 s, within the
default ``total_timeout`` of one call."""


class PageWalk:
    """Where a walk over ListRegions pages stands: the tokens seen, the pages fetched."""

    def __init__(self, *, max_pages: int = MAX_PAGES) -> None:
        self._max_pages = max_pages
        self._pages = 0
        self._seen: set[str] = set()

    def next_token(self, page: ListRegionsResponse) -> str | None:
        """The token to fetch the page after ``page`` with; None when ``page`` was the last.

        Raises:
            PaginationError: the service repeated a token (the walk would loop
                forever), or the walk reached ``max_pages``.
        """
        self._pages += 1
        token = page.next_token
        if not token:
            return None
        if token in self._seen:
            raise PaginationError(
                "ListRegions returned a page token it had already returned; stopping"
            )
        if self._pages >= self._max_pages:
            raise PaginationError(
                f"ListRegions was still handing out page tokens after {self._pages} pages; "
                "stopping (there are far fewer Regions than that)"
            )
        self._seen.add(token)
        return token

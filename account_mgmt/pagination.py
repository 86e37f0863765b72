"""Walking every page of ListRegions.

``AccountClient.list_regions`` returns one page; ``AccountClient.iter_regions``
yields every ``Region`` by following ``next_token`` with the largest page the
service allows, so an organization-wide audit makes as few calls as possible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from account_mgmt.exceptions import PaginationError
from account_mgmt.models import ListRegionsResponse, Region

MAX_PAGE_SIZE: Final = 50
"""The largest ``MaxResults`` ListRegions accepts (service model bound)."""


def iterate_regions(fetch_page: Callable[[str | None], ListRegionsResponse]) -> Iterator[Region]:
    """Yield every Region, page by page, calling ``fetch_page(next_token)`` lazily.

    Raises:
        PaginationError: the service handed back a token it had already
            returned, which would otherwise loop forever.
    """
    seen: set[str] = set()
    token: str | None = None
    while True:
        page = fetch_page(token)
        yield from page.regions
        token = page.next_token
        if not token:
            return
        if token in seen:
            raise PaginationError(
                "ListRegions returned a page token it had already returned; stopping"
            )
        seen.add(token)

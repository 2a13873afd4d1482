"""Walking the pages of a list endpoint in the style its configuration declares; the style is
never guessed from the answers.

- ``offset``: ``offset`` and ``limit`` parameters. With ``total_path`` naming the total, the
  walk stops when the offset reaches it (a server that caps the page size still gets read to
  the end); otherwise on an empty page, or on a short page once confirmed (below).
- ``page``: a page number starting at ``first_page`` and, if ``size_param`` is set, a page
  size. Stops on an empty page, at ``total_pages_path``, once ``count_path`` (the number of
  records the vendor declares) is read, on a short page once confirmed, and, with
  ``end_on_not_found``, on a 404 past the last page (Django REST framework's "Invalid page").
- ``next_link``: the URL of the next page at ``next_path`` in the body, absolute or relative
  to the page's URL; it must stay on the same host (our credentials go with it).
- ``cursor``: a token at ``cursor_path`` sent back as ``cursor_param``; stops when it is
  null, empty or absent.
- ``single``: one request.

No silent success: a vendor may return fewer records than asked because of a cap of its own,
so a short page that nothing else confirms as the last (no total, no count) is followed by
one more request; if that page holds records, the walk goes on, and the page says so in its
``note`` (ask the vendor's size to save the extra request). A walk that ends without knowing
it read everything (the next link or cursor at its path absent from a page of records; an
empty page or a 404 before the declared count was reached) marks its last page with
``doubt``: the sync reports it, never as a plain "ok".

Every walk ends with a page marked ``last`` (if a full page is followed by nothing, the empty
page that shows it is yielded too), so a caller can commit its cursor with the last page.

Where the records, totals and links are in a body is a path (``connectors.jsonpath``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from checker.errors import PageNotFoundError, SourceError
from checker.i18n import _
from connectors.http import full_url
from connectors.jsonpath import MISSING, lookup

Fetch = Callable[[str, Mapping[str, str]], Any]
"""Gets the parsed JSON body of ``url`` with query parameters."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OffsetPagination(_Strict):
    style: Literal["offset"]
    offset_param: str = "offset"
    limit_param: str = "limit"
    limit: int = Field(default=100, ge=1)
    total_path: str | None = None


class PagePagination(_Strict):
    style: Literal["page"]
    page_param: str = "page"
    size_param: str | None = "page_size"
    size: int = Field(default=100, ge=1)
    first_page: int = 1
    total_pages_path: str | None = None
    count_path: str | None = Field(default=None, description="records declared in all")
    end_on_not_found: bool = Field(default=False, description="404 past the last page")


class NextLinkPagination(_Strict):
    style: Literal["next_link"]
    next_path: str = "next"


class CursorPagination(_Strict):
    style: Literal["cursor"]
    cursor_path: str = "next_cursor"
    cursor_param: str = "cursor"


class SinglePagination(_Strict):
    style: Literal["single"]


Pagination = Annotated[
    OffsetPagination | PagePagination | NextLinkPagination | CursorPagination | SinglePagination,
    Field(discriminator="style"),
]


@dataclass(frozen=True)
class Page:
    """One page read: its number (from 1), the request that got it, and its items."""

    number: int
    url: str
    params: dict[str, str]
    items: list[Any]
    total: int | None = None
    last: bool = False
    doubt: str | None = None
    note: str | None = None


def walk_pages(
    fetch: Fetch,
    url: str,
    params: Mapping[str, str],
    pagination: Pagination,
    records_path: str,
) -> Iterator[Page]:
    """Every page of ``url``, the last one marked ``last``."""
    if isinstance(pagination, OffsetPagination):
        return _offset(fetch, url, dict(params), pagination, records_path)
    if isinstance(pagination, PagePagination):
        return _pages(fetch, url, dict(params), pagination, records_path)
    if isinstance(pagination, NextLinkPagination):
        return _next_links(fetch, url, dict(params), pagination, records_path)
    if isinstance(pagination, CursorPagination):
        return _cursor(fetch, url, dict(params), pagination, records_path)
    return _single(fetch, url, dict(params), records_path)


def _offset(
    fetch: Fetch, url: str, params: dict[str, str], style: OffsetPagination, records_path: str
) -> Iterator[Page]:
    offset, number, ending = 0, 1, _Ending(style.limit)
    while True:
        query = {**params, style.offset_param: str(offset), style.limit_param: str(style.limit)}
        body = fetch(url, query)
        items = _items(body, records_path, number)
        total = _count_at(body, style.total_path, number)
        offset += len(items)
        doubt = note = None
        if total is not None:
            last = not items or offset >= total
            doubt = _short_of(number, offset, total) if not items else None
        else:
            last, note = ending.after(len(items))
        yield Page(number, url, query, items, total, last, doubt, note)
        if last:
            return
        number += 1


def _pages(
    fetch: Fetch, url: str, params: dict[str, str], style: PagePagination, records_path: str
) -> Iterator[Page]:
    number, read, ending = 1, 0, _Ending(style.size if style.size_param else None)
    count: int | None = None
    size = {style.size_param: str(style.size)} if style.size_param else {}
    while True:
        query = {**params, style.page_param: str(style.first_page + number - 1), **size}
        try:
            body = fetch(url, query)
        except PageNotFoundError:
            if not style.end_on_not_found or number == 1:
                raise
            yield Page(number, url, query, [], None, True, _short_of(number, read, count))
            return
        items = _items(body, records_path, number)
        read += len(items)
        pages = _count_at(body, style.total_pages_path, number)
        count = _count_at(body, style.count_path, number)
        doubt = note = None
        if count is not None:
            last = not items or read >= count
            doubt = _short_of(number, read, count) if not items else None
        elif pages is not None:
            last = not items or number >= pages
        else:
            last, note = ending.after(len(items))
        yield Page(number, url, query, items, count, last, doubt, note)
        if last:
            return
        number += 1


class _Ending:
    """When a page-size walk with nothing else to go by ends: on an empty page, or on a short
    one that the next request confirms (it comes back empty). A page of records after a short
    one shows the vendor's own cap: that size is then what "short" means."""

    def __init__(self, asked: int | None) -> None:
        self.asked, self.cap, self.probing = asked, 0, 0

    def after(self, count: int) -> tuple[bool, str | None]:
        """(is this page the last, a note for it)."""
        note = None
        if self.probing:
            if not count:
                return True, None
            self.cap = self.probing
            note = _(
                "the vendor returns at most {cap} records a page although {asked} were asked; "
                "set the page size to {cap}"
            ).format(cap=self.cap, asked=self.asked)
        self.probing = 0
        if not count:
            return True, note
        size = self.cap or self.asked
        if size is None or count >= size:
            return False, note
        if self.cap:
            return True, note
        self.probing = count
        return False, note


def _short_of(number: int, read: int, declared: int | None) -> str | None:
    if declared is None or read >= declared:
        return None
    message = _(
        "page {number}: the walk ended after {read} records, the source declared {declared}"
    )
    return message.format(number=number, read=read, declared=declared)


def _next_links(
    fetch: Fetch, url: str, params: dict[str, str], style: NextLinkPagination, records_path: str
) -> Iterator[Page]:
    number, query, seen = 1, params, {str(full_url(url, params))}
    while True:
        body = fetch(url, query)
        items = _items(body, records_path, number)
        link = lookup(body, style.next_path)
        last = link in (MISSING, None, "")
        doubt = _unread(number, style.next_path, "next link") if link is MISSING and items else None
        yield Page(number, url, query, items, None, last, doubt)
        if last:
            return
        url, query = _follow(url, query, link, number), {}
        if url in seen:
            message = _("page {number}: the next link {url} leads to a page already read")
            raise SourceError(message.format(number=number, url=url))
        seen.add(url)
        number += 1


def _unread(number: int, path: str, what: str) -> str:
    if what == "cursor":
        message = _(
            "page {number}: a page of records without a cursor at {path}; "
            "the walk stopped there and may have missed pages"
        )
    else:
        message = _(
            "page {number}: a page of records without a next link at {path}; "
            "the walk stopped there and may have missed pages"
        )
    return message.format(number=number, path=repr(path))


def _follow(url: str, params: Mapping[str, str], link: Any, number: int) -> str:
    if not isinstance(link, str):
        message = _("page {number}: the next link is not a URL: {link}")
        raise SourceError(message.format(number=number, link=repr(link)))
    here = full_url(url, params)
    there = here.join(link)
    if (there.scheme, there.host, there.port) != (here.scheme, here.host, here.port):
        message = _(
            "page {number}: the next link leaves {here} for {there}; refused, our credentials "
            "would go with it"
        )
        raise SourceError(
            message.format(
                number=number,
                here=f"{here.scheme}://{here.host}",
                there=f"{there.scheme}://{there.host}",
            )
        )
    return str(there)


def _cursor(
    fetch: Fetch, url: str, params: dict[str, str], style: CursorPagination, records_path: str
) -> Iterator[Page]:
    number, query, seen = 1, params, set[str]()
    while True:
        body = fetch(url, query)
        items = _items(body, records_path, number)
        token = lookup(body, style.cursor_path)
        last = token in (MISSING, None, "")
        doubt = _unread(number, style.cursor_path, "cursor") if token is MISSING and items else None
        yield Page(number, url, query, items, None, last, doubt)
        if last:
            return
        if str(token) in seen:
            message = _("page {number}: the cursor {token} repeats an earlier one")
            raise SourceError(message.format(number=number, token=repr(token)))
        seen.add(str(token))
        query = {**params, style.cursor_param: str(token)}
        number += 1


def _single(fetch: Fetch, url: str, params: dict[str, str], records_path: str) -> Iterator[Page]:
    body = fetch(url, params)
    yield Page(1, url, params, _items(body, records_path, 1), None, True)


def _items(body: Any, records_path: str, number: int) -> list[Any]:
    found = lookup(body, records_path)
    if found is None:
        return []
    if not isinstance(found, list):
        if records_path:
            message = _("page {number}: no list of records at {path} in the response")
        else:
            message = _("page {number}: no list of records as the body of the response")
        raise SourceError(message.format(number=number, path=repr(records_path)))
    return found


def _count_at(body: Any, path: str | None, number: int) -> int | None:
    if path is None:
        return None
    found = lookup(body, path)
    if isinstance(found, bool) or not isinstance(found, int) or found < 0:
        message = _("page {number}: no count at {path} in the response: {found}")
        raise SourceError(message.format(number=number, path=repr(path), found=repr(found)))
    return found

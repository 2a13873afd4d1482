"""Walking the pages of a list endpoint in the style its configuration declares; the style is
never guessed from the answers.

- ``offset``: ``offset`` and ``limit`` parameters. The walk stops on an empty page, and on a
  short page unless ``total_path`` names the total, in which case it stops when the offset
  reaches it (a server that caps the page size then still gets read to the end).
- ``page``: a page number starting at ``first_page`` and, if ``size_param`` is set, a page
  size. Stops on an empty page, on a short page, or at ``total_pages_path``.
- ``next_link``: the URL of the next page at ``next_path`` in the body, absolute or relative
  to the page's URL; it must stay on the same host (our credentials go with it).
- ``cursor``: a token at ``cursor_path`` sent back as ``cursor_param``; stops when it is
  null, empty or absent.
- ``single``: one request.

Every walk ends with a page marked ``last`` (if a full page is followed by nothing, the empty
page that shows it is yielded too), so a caller can commit its cursor with the last page.

Where the records, totals and links are in a body is a path (``connectors.jsonpath``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from checker.errors import SourceError
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
    offset, number = 0, 1
    while True:
        query = {**params, style.offset_param: str(offset), style.limit_param: str(style.limit)}
        body = fetch(url, query)
        items = _items(body, records_path, number)
        total = _count_at(body, style.total_path, number)
        offset += len(items)
        ended = offset >= total if total is not None else len(items) < style.limit
        last = not items or ended
        yield Page(number, url, query, items, total, last)
        if last:
            return
        number += 1


def _pages(
    fetch: Fetch, url: str, params: dict[str, str], style: PagePagination, records_path: str
) -> Iterator[Page]:
    number = 1
    size = {style.size_param: str(style.size)} if style.size_param else {}
    while True:
        query = {**params, style.page_param: str(style.first_page + number - 1), **size}
        body = fetch(url, query)
        items = _items(body, records_path, number)
        pages = _count_at(body, style.total_pages_path, number)
        short = bool(size) and len(items) < style.size
        last = not items or (number >= pages if pages is not None else short)
        yield Page(number, url, query, items, None, last)
        if last:
            return
        number += 1


def _next_links(
    fetch: Fetch, url: str, params: dict[str, str], style: NextLinkPagination, records_path: str
) -> Iterator[Page]:
    number, query, seen = 1, params, {str(full_url(url, params))}
    while True:
        body = fetch(url, query)
        items = _items(body, records_path, number)
        link = lookup(body, style.next_path)
        last = link in (MISSING, None, "")
        yield Page(number, url, query, items, None, last)
        if last:
            return
        url, query = _follow(url, query, link, number), {}
        if url in seen:
            raise SourceError(f"page {number}: the next link {url} leads to a page already read")
        seen.add(url)
        number += 1


def _follow(url: str, params: Mapping[str, str], link: Any, number: int) -> str:
    if not isinstance(link, str):
        raise SourceError(f"page {number}: the next link is not a URL: {link!r}")
    here = full_url(url, params)
    there = here.join(link)
    if (there.scheme, there.host, there.port) != (here.scheme, here.host, here.port):
        raise SourceError(
            f"page {number}: the next link leaves {here.scheme}://{here.host} for "
            f"{there.scheme}://{there.host}; refused, our credentials would go with it"
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
        yield Page(number, url, query, items, None, last)
        if last:
            return
        if str(token) in seen:
            raise SourceError(f"page {number}: the cursor {token!r} repeats an earlier one")
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
        where = f"at {records_path!r}" if records_path else "as the body"
        raise SourceError(f"page {number}: no list of records {where} in the response")
    return found


def _count_at(body: Any, path: str | None, number: int) -> int | None:
    if path is None:
        return None
    found = lookup(body, path)
    if isinstance(found, bool) or not isinstance(found, int) or found < 0:
        raise SourceError(f"page {number}: no count at {path!r} in the response: {found!r}")
    return found

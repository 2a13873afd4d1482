from __future__ import annotations

from functools import partial

import httpx
import pytest

from checker.errors import PageNotFoundError, SourceError
from connectors.http import RetryPolicy, fetch_json
from connectors.jsonpath import MISSING, lookup
from connectors.pagination import (
    CursorPagination,
    NextLinkPagination,
    OffsetPagination,
    PagePagination,
    SinglePagination,
    walk_pages,
)

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

BASE = "https://dms.example/api/v1/files"
AGENCY = {"agency": "000.00.01.H99"}


@pytest.fixture
def fetch():
    with httpx.Client() as client:
        yield partial(fetch_json, client, policy=RetryPolicy(max_attempts=1), sleep=None)


def walk(fetch, pagination, records_path="items", url=BASE, params=AGENCY):
    return list(walk_pages(fetch, url, params, pagination, records_path))


def items(*ids):
    return [{"id": i} for i in ids]


def sent(httpx_mock):
    return [dict(r.url.params) for r in httpx_mock.get_requests()]


def test_offset_pages_stop_when_the_offset_reaches_the_total(httpx_mock, fetch):
    for offset, ids in ((0, "ab"), (2, "cd"), (4, "e")):
        httpx_mock.add_response(
            url=f"{BASE}?agency=000.00.01.H99&offset={offset}&limit=2",
            json={"items": items(*ids), "total": 5},
        )
    pages = walk(fetch, OffsetPagination(style="offset", limit=2, total_path="total"))
    assert [[i["id"] for i in p.items] for p in pages] == [["a", "b"], ["c", "d"], ["e"]]
    assert [(p.number, p.total, p.last) for p in pages] == [
        (1, 5, False),
        (2, 5, False),
        (3, 5, True),
    ]
    assert pages[1].params == {"agency": "000.00.01.H99", "offset": "2", "limit": "2"}


def test_offset_pages_with_a_total_go_on_past_a_page_the_server_shortened(httpx_mock, fetch):
    httpx_mock.add_response(
        url=f"{BASE}?offset=0&limit=10", json={"items": items(1, 2), "total": 3}
    )
    httpx_mock.add_response(url=f"{BASE}?offset=2&limit=10", json={"items": items(3), "total": 3})
    pages = walk(fetch, OffsetPagination(style="offset", limit=10, total_path="total"), params={})
    assert len(pages) == 2


def test_offset_pages_without_a_total_stop_on_a_short_page_an_empty_one_confirms(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?offset=0&limit=2", json={"items": items(1, 2)})
    httpx_mock.add_response(url=f"{BASE}?offset=2&limit=2", json={"items": items(3)})
    httpx_mock.add_response(url=f"{BASE}?offset=3&limit=2", json={"items": []})
    pages = walk(fetch, OffsetPagination(style="offset", limit=2), params={})
    assert [(len(p.items), p.last) for p in pages] == [(2, False), (1, False), (0, True)]
    assert not any(p.doubt or p.note for p in pages)


def test_a_vendor_capping_its_pages_below_the_size_asked_is_read_to_the_end(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?offset=0&limit=10", json={"items": items(1, 2)})
    httpx_mock.add_response(url=f"{BASE}?offset=2&limit=10", json={"items": items(3, 4)})
    httpx_mock.add_response(url=f"{BASE}?offset=4&limit=10", json={"items": items(5)})
    pages = walk(fetch, OffsetPagination(style="offset", limit=10), params={})
    assert [i["id"] for p in pages for i in p.items] == [1, 2, 3, 4, 5]
    assert pages[-1].last and pages[-1].doubt is None
    assert pages[1].note == (
        "the vendor returns at most 2 records a page although 10 were asked; set the page size to 2"
    )


def test_a_full_last_page_is_followed_by_an_empty_page_marked_last(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?offset=0&limit=2", json={"items": items(1, 2)})
    httpx_mock.add_response(url=f"{BASE}?offset=2&limit=2", json={"items": []})
    pages = walk(fetch, OffsetPagination(style="offset", limit=2), params={})
    assert [(len(p.items), p.last) for p in pages] == [(2, False), (0, True)]


def test_page_numbers_start_at_the_configured_first_page(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?trang=0&so_dong=2", json={"rows": items(1, 2)})
    httpx_mock.add_response(url=f"{BASE}?trang=1&so_dong=2", json={"rows": items(3)})
    httpx_mock.add_response(url=f"{BASE}?trang=2&so_dong=2", json={"rows": []})
    style = PagePagination(
        style="page", page_param="trang", size_param="so_dong", size=2, first_page=0
    )
    pages = walk(fetch, style, "rows", params={})
    assert [(p.number, p.params["trang"], p.last) for p in pages] == [
        (1, "0", False),
        (2, "1", False),
        (3, "2", True),
    ]


def test_page_numbers_stop_at_the_total_number_of_pages(httpx_mock, fetch):
    body = {"data": {"rows": items(1), "pages": 2}}
    httpx_mock.add_response(url=f"{BASE}?page=1", json=body)
    httpx_mock.add_response(url=f"{BASE}?page=2", json=body)
    style = PagePagination(style="page", size_param=None, total_pages_path="data.pages")
    assert len(walk(fetch, style, "data.rows", params={})) == 2


def test_next_links_relative_and_absolute_are_followed(httpx_mock, fetch):
    httpx_mock.add_response(
        url=f"{BASE}?agency=000.00.01.H99", json={"items": items(1), "links": {"next": "?p=2"}}
    )
    httpx_mock.add_response(
        url=f"{BASE}?p=2", json={"items": items(2), "links": {"next": f"{BASE}?p=3"}}
    )
    httpx_mock.add_response(url=f"{BASE}?p=3", json={"items": items(3), "links": {"next": None}})
    pages = walk(fetch, NextLinkPagination(style="next_link", next_path="links.next"))
    assert [(p.url, p.last) for p in pages] == [
        (BASE, False),
        (f"{BASE}?p=2", False),
        (f"{BASE}?p=3", True),
    ]


def test_a_next_link_to_another_host_is_refused(httpx_mock, fetch):
    httpx_mock.add_response(json={"items": [], "next": "https://elsewhere.example/steal"})
    with pytest.raises(SourceError, match=r"leaves https://dms\.example for https://elsewhere"):
        walk(fetch, NextLinkPagination(style="next_link"), params={})


def test_a_next_link_back_to_a_page_already_read_is_an_error(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?p=1", json={"items": [], "next": "?p=2"})
    httpx_mock.add_response(url=f"{BASE}?p=2", json={"items": [], "next": "?p=1"})
    with pytest.raises(SourceError, match="leads to a page already read"):
        walk(fetch, NextLinkPagination(style="next_link"), url=f"{BASE}?p=1", params={})


def test_a_cursor_token_is_sent_back_until_it_is_null(httpx_mock, fetch):
    httpx_mock.add_response(
        url=f"{BASE}?agency=000.00.01.H99", json={"items": items(1), "meta": {"next": "t1"}}
    )
    httpx_mock.add_response(
        url=f"{BASE}?agency=000.00.01.H99&after=t1", json={"items": items(2), "meta": {"next": ""}}
    )
    style = CursorPagination(style="cursor", cursor_path="meta.next", cursor_param="after")
    pages = walk(fetch, style)
    assert [p.last for p in pages] == [False, True]
    assert sent(httpx_mock)[1] == {"agency": "000.00.01.H99", "after": "t1"}


def test_a_repeated_cursor_is_an_error(httpx_mock, fetch):
    httpx_mock.add_response(url=BASE, json={"items": [], "next_cursor": "t1"})
    httpx_mock.add_response(url=f"{BASE}?cursor=t1", json={"items": [], "next_cursor": "t1"})
    with pytest.raises(SourceError, match="cursor 't1' repeats"):
        walk(fetch, CursorPagination(style="cursor"), params={})


def test_a_single_request_reads_a_bare_list(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?agency=000.00.01.H99", json=items(1, 2))
    (page,) = walk(fetch, SinglePagination(style="single"), "")
    assert (page.number, len(page.items), page.last) == (1, 2, True)


def test_a_response_without_the_list_is_a_source_error(httpx_mock, fetch):
    httpx_mock.add_response(json={"error": "maintenance"})
    with pytest.raises(SourceError, match="page 1: no list of records at 'items'"):
        walk(fetch, SinglePagination(style="single"), params={})


def test_lookup_follows_dotted_paths_indexes_and_lists():
    data = {"a": {"b": [{"c": 1}, {"c": 2}, {"d": 3}]}, "n": None}
    assert lookup(data, "a.b.1.c") == 2
    assert lookup(data, "a.b[].c") == [1, 2]
    assert lookup(data, "n") is None
    assert lookup(data, "n.x") is None
    assert lookup(data, "a.x") is MISSING
    assert lookup(data, "a.b.7") is MISSING
    assert lookup(data, "") is data


def drf(ids, count, next_url=None):
    """A page as Django REST framework writes it (Mayan EDMS's API)."""
    return {"count": count, "next": next_url, "previous": None, "results": items(*ids)}


def test_page_numbers_end_on_a_404_past_the_last_page(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?page=1&page_size=2", json=drf("ab", 4))
    httpx_mock.add_response(url=f"{BASE}?page=2&page_size=2", json=drf("cd", 4))
    httpx_mock.add_response(
        url=f"{BASE}?page=3&page_size=2", status_code=404, json={"detail": "Invalid page."}
    )
    style = PagePagination(style="page", size=2, end_on_not_found=True)
    pages = walk(fetch, style, "results", params={})
    assert [(len(p.items), p.last, p.doubt) for p in pages] == [
        (2, False, None),
        (2, False, None),
        (0, True, None),
    ]


def test_a_404_on_the_first_page_is_an_error_even_when_404_ends_walks(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?page=1&page_size=2", status_code=404)
    style = PagePagination(style="page", size=2, end_on_not_found=True)
    with pytest.raises(PageNotFoundError, match="404"):
        walk(fetch, style, "results", params={})


def test_a_404_without_end_on_not_found_fails_the_walk(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?page=1&page_size=2", json=drf("ab", 3))
    httpx_mock.add_response(url=f"{BASE}?page=2&page_size=2", status_code=404)
    with pytest.raises(PageNotFoundError):
        walk(fetch, PagePagination(style="page", size=2), "results", params={})


def test_page_numbers_stop_once_the_declared_count_is_read(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?page=1&page_size=2", json=drf("ab", 3))
    httpx_mock.add_response(url=f"{BASE}?page=2&page_size=2", json=drf("c", 3))
    style = PagePagination(style="page", size=2, count_path="count", end_on_not_found=True)
    pages = walk(fetch, style, "results", params={})
    assert [(p.total, p.last, p.doubt) for p in pages] == [(3, False, None), (3, True, None)]


def test_a_declared_count_goes_on_past_pages_the_vendor_capped(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?page=1&page_size=100", json=drf("ab", 3))
    httpx_mock.add_response(url=f"{BASE}?page=2&page_size=100", json=drf("c", 3))
    style = PagePagination(style="page", count_path="count")
    assert [p.last for p in walk(fetch, style, "results", params={})] == [False, True]


def test_a_404_before_the_declared_count_is_read_is_a_doubt(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?page=1&page_size=2", json=drf("ab", 5))
    httpx_mock.add_response(url=f"{BASE}?page=2&page_size=2", status_code=404)
    style = PagePagination(style="page", size=2, count_path="count", end_on_not_found=True)
    pages = walk(fetch, style, "results", params={})
    assert pages[-1].last
    assert pages[-1].doubt == "page 2: the walk ended after 2 records, the source declared 5"


def test_an_empty_page_before_the_total_is_reached_is_a_doubt(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}?offset=0&limit=2", json={"items": items(1, 2), "n": 9})
    httpx_mock.add_response(url=f"{BASE}?offset=2&limit=2", json={"items": [], "n": 9})
    pages = walk(fetch, OffsetPagination(style="offset", limit=2, total_path="n"), params={})
    assert pages[-1].doubt == "page 2: the walk ended after 2 records, the source declared 9"


def test_a_page_of_records_without_its_next_link_is_a_doubt(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}", json={"results": items(1, 2)})
    pages = walk(fetch, NextLinkPagination(style="next_link"), "results", params={})
    assert pages[-1].last
    assert "without a next link at 'next'" in (pages[-1].doubt or "")


def test_a_null_next_link_ends_the_walk_without_doubt(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}", json=drf("ab", 2))
    pages = walk(fetch, NextLinkPagination(style="next_link"), "results", params={})
    assert pages[-1].last and pages[-1].doubt is None

from __future__ import annotations

from functools import partial

import httpx
import pytest
from pydantic import ValidationError

from checker.errors import SourceAuthError, SourceError
from connectors.details import Detail, attach_details
from connectors.http import RetryPolicy, fetch_json
from connectors.pagination import NextLinkPagination

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

BASE = "http://mayan.test/api/v4"


@pytest.fixture
def fetch():
    with httpx.Client() as client:
        yield partial(fetch_json, client, policy=RetryPolicy(max_attempts=1), sleep=None)


def detail(**changes):
    settings = {
        "attach_as": "metadata",
        "path": "documents/{id}/metadata/",
        "records_path": "results",
        "pagination": NextLinkPagination(style="next_link"),
    }
    return Detail(**{**settings, **changes})


def value(name, text):
    return {"metadata_type": {"name": name}, "value": text}


def test_each_records_paged_sub_request_is_attached_to_it(httpx_mock, fetch):
    httpx_mock.add_response(
        url=f"{BASE}/documents/1/metadata/",
        json={
            "count": 2,
            "next": f"{BASE}/documents/1/metadata/?page=2",
            "results": [value("a", "1")],
        },
    )
    httpx_mock.add_response(
        url=f"{BASE}/documents/1/metadata/?page=2",
        json={"count": 2, "next": None, "results": [value("b", "2")]},
    )
    httpx_mock.add_response(
        url=f"{BASE}/documents/2/metadata/", json={"count": 0, "next": None, "results": []}
    )
    done = attach_details(fetch, BASE, [detail()], [{"id": 1}, {"id": 2}], "2")
    assert done.items == [
        {"id": 1, "metadata": [value("a", "1"), value("b", "2")]},
        {"id": 2, "metadata": []},
    ]
    assert (done.failures, done.doubts) == ({}, [])


def test_a_record_whose_sub_request_fails_is_set_aside_the_others_kept(httpx_mock, fetch):
    httpx_mock.add_response(
        url=f"{BASE}/documents/1/metadata/", status_code=404, json={"detail": "Not found."}
    )
    httpx_mock.add_response(url=f"{BASE}/documents/2/metadata/", json={"results": []})
    done = attach_details(fetch, BASE, [detail()], [{"id": 1}, {"id": 2}, {"no": "id"}], "2")
    assert done.items[1] == {"id": 2, "metadata": []}
    assert sorted(done.failures) == [0, 2]
    assert "documents/1/metadata/: HTTP 404 Not Found" in done.failures[0].reason
    assert done.failures[2].reason == "{id}: missing, so the detail request cannot be made"


def test_a_value_filling_a_path_is_one_encoded_segment_and_agency_fills_parameters(
    httpx_mock, fetch
):
    httpx_mock.add_response(url=f"{BASE}/docs/a%2Fb%20c/meta?org=H41", json={"results": []})
    extra = {"path": "docs/{ref.code}/meta", "extra_params": {"org": "{agency}"}}
    done = attach_details(fetch, BASE, [detail(**extra)], [{"ref": {"code": "a/b c"}}], "H41")
    assert done.items == [{"ref": {"code": "a/b c"}, "metadata": []}]


def test_a_sub_request_refused_credentials_fail_the_walk(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}/documents/1/metadata/", status_code=401)
    with pytest.raises(SourceAuthError):
        attach_details(fetch, BASE, [detail()], [{"id": 1}], "2")


def test_a_source_down_during_sub_requests_fails_the_walk(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}/documents/1/metadata/", status_code=503)
    with pytest.raises(SourceError, match="gave up after 1 attempt"):
        attach_details(fetch, BASE, [detail()], [{"id": 1}], "2")


def test_a_sub_request_page_without_its_next_link_is_a_doubt(httpx_mock, fetch):
    httpx_mock.add_response(url=f"{BASE}/documents/1/metadata/", json={"results": [1]})
    done = attach_details(fetch, BASE, [detail()], [{"id": 1}], "2")
    assert done.items == [{"id": 1, "metadata": [1]}]
    assert done.doubts == [
        "detail metadata: page 1: a page of records without a next link at 'next'; "
        "the walk stopped there and may have missed pages"
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"attach_as": "meta-data"}, "attach_as"),
        ({"concurrency": 0}, "concurrency"),
        ({"path": "documents/{id/"}, "a brace without its pair"),
        ({"path": "documents/{a[b}/"}, "neither name"),
    ],
)
def test_a_detail_that_cannot_work_is_refused(changes, message):
    with pytest.raises(ValidationError, match=message):
        detail(**changes)

from __future__ import annotations

import pytest

from checker.errors import RecordError
from connectors.mapping import Endpoint
from connectors.pagination import Page
from connectors.watch import Watch

pytestmark = pytest.mark.usefixtures("english")  # the messages these tests spell out

ENDPOINT = Endpoint(
    name="docs",
    record="incoming",
    path="docs",
    fields={"external_id": "id", "arrived_at": "meta.arrived", "subject": "title"},
    constants={"channel": "paper"},
    incremental_field="arrived_at",
)


def page(number, items, **marks):
    return Page(number, "http://h/docs", {}, items, None, marks.pop("last", False), **marks)


def late(reason="meta.arrived: 'x' does not match ISO 8601", field="meta.arrived"):
    return RecordError(reason, field=field)


def test_a_field_every_record_of_a_page_fails_on_is_named_once_for_all_pages():
    watch = Watch()
    for number in (1, 2):
        items = [{"id": i, "meta": {"arrived": "x"}} for i in range(3)]
        watch.page(ENDPOINT, "A", page(number, items), items, [late()] * 3)
    assert watch.warnings() == [
        "docs: field subject (path 'title') matched nothing in any of the 6 records read",
        "docs: every record of 2 page(s) (6 records) failed on meta.arrived, "
        "e.g. meta.arrived: 'x' does not match ISO 8601",
    ]


def test_a_page_where_some_records_pass_or_fail_on_different_fields_names_no_field():
    watch = Watch()
    items = [{"id": 1, "title": "t", "meta": {"arrived": "x"}}, {"id": 2, "title": "t"}]
    watch.page(ENDPOINT, "A", page(1, items), items, [late()])
    watch.page(ENDPOINT, "A", page(2, items), items, [late(), late("id: missing", "id")])
    assert watch.warnings() == []


def test_doubts_and_notes_of_pages_are_said_once_with_where():
    watch = Watch()
    for _ in range(2):
        watch.page(ENDPOINT, "A", page(1, [], doubt="page 1: stopped", note="capped"), [], [])
    assert watch.warnings() == ["docs, agency A: page 1: stopped", "docs, agency A: capped"]


def test_an_empty_walk_warns_only_where_records_were_read_before():
    watch = Watch()
    watch.walk_ended(ENDPOINT, "A", 0, had_some=False)
    watch.walk_ended(ENDPOINT, "B", 3, had_some=True)
    assert watch.warnings() == []
    watch.walk_ended(ENDPOINT, "C", 0, had_some=True)
    assert watch.warnings() == [
        "docs, agency C: the source returned no records where an earlier sync read some "
        "(check the credentials' scheme, the path and filters)"
    ]

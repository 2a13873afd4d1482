"""Per-record sub-requests: for each record of a list page, one more request (itself paged)
whose records are attached to it, as generic document-management systems keep the
records-office fields in per-document custom metadata.

A ``Detail`` in an endpoint's mapping names the path of the sub-request relative to the
source's base URL, with placeholders filled from the record (``documents/{id}/metadata/``)
and ``{agency}``; where its records are, how it pages, and the key under which the list of
its records is attached to the record (``metadata``), for the endpoint's ``fields`` to read
(``metadata[metadata_type.name=so_ky_hieu].value``).

The records of one page are detailed with at most ``concurrency`` requests in flight. A
sub-request that fails for one record (a 4xx, a placeholder the record does not fill) sets
that record aside with the reason; a source that is down (retries exhausted) or refuses our
credentials fails the walk as a list page would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checker.errors import PageError, RecordError
from checker.i18n import _, current_language, use_language
from connectors.jsonpath import MISSING, lookup
from connectors.pagination import Fetch, Pagination, SinglePagination, walk_pages
from connectors.templates import AGENCY, check_templates, fill


class Detail(BaseModel):
    """One sub-request made for each record, its records attached under ``attach_as``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attach_as: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    path: str = Field(min_length=1)
    records_path: str = "results"
    pagination: Pagination = SinglePagination(style="single")
    extra_params: dict[str, str] = {}
    concurrency: int = Field(default=4, ge=1, le=32)

    @model_validator(mode="after")
    def _placeholders_filled(self) -> Detail:
        where = _("detail {name}").format(name=self.attach_as)
        check_templates(where, (self.path, *self.extra_params.values()), record_paths=True)
        return self


@dataclass
class Detailed:
    """A page's records with their sub-requests' records attached; the records that could
    not be detailed (by index, with the reason) and what the sub-request walks doubted."""

    items: list[Any]
    failures: dict[int, RecordError] = field(default_factory=dict)
    doubts: list[str] = field(default_factory=list)


def attach_details(
    fetch: Fetch,
    base_url: str,
    details: Sequence[Detail],
    items: list[Any],
    agency: str,
) -> Detailed:
    """``items`` with each detail's records attached, ``concurrency`` requests at a time."""
    result = Detailed(list(items))
    for detail in details:
        with ThreadPoolExecutor(
            max_workers=detail.concurrency,
            initializer=use_language,  # the sub-requests' messages in the caller's language
            initargs=(current_language(),),
        ) as pool:
            work = partial_detail(fetch, base_url, detail, agency)
            outcomes = list(pool.map(work, result.items))
        for index, (raw, outcome) in enumerate(zip(result.items, outcomes, strict=True)):
            if index in result.failures:
                continue
            if isinstance(outcome, RecordError):
                result.failures[index] = outcome
                continue
            found, doubts = outcome
            result.items[index] = {**raw, detail.attach_as: found}
            result.doubts.extend(d for d in doubts if d not in result.doubts)
    return result


_Outcome = tuple[list[Any], list[str]] | RecordError


def partial_detail(
    fetch: Fetch, base_url: str, detail: Detail, agency: str
) -> Callable[[Any], _Outcome]:
    """The sub-request of one record: its records and doubts, or why it failed."""

    def work(raw: Any) -> _Outcome:
        if not isinstance(raw, dict):
            message = _("detail {name}: the record is not a JSON object")
            return RecordError(message.format(name=detail.attach_as))
        try:
            url = f"{base_url}/{fill(detail.path, _values(raw, agency), in_path=True).lstrip('/')}"
            params = {k: fill(v, _values(raw, agency), in_path=False) for k, v in _params(detail)}
        except RecordError as exc:
            return exc
        found: list[Any] = []
        doubts: list[str] = []
        try:
            for page in walk_pages(fetch, url, params, detail.pagination, detail.records_path):
                found.extend(page.items)
                if page.doubt:
                    doubt = _("detail {name}: {doubt}")
                    doubts.append(doubt.format(name=detail.attach_as, doubt=page.doubt))
        except PageError as exc:
            message = _("detail {name}: {error}").format(name=detail.attach_as, error=exc)
            return RecordError(message, field=detail.attach_as)
        return found, doubts

    return work


def _params(detail: Detail) -> list[tuple[str, str]]:
    return list(detail.extra_params.items())


def _values(raw: dict[str, Any], agency: str) -> Callable[[str], str]:
    def value_of(name: str) -> str:
        if name == AGENCY:
            return agency
        value = lookup(raw, name)
        if value is MISSING or value is None or value == "" or isinstance(value, dict | list):
            if value is MISSING:
                message = _("{{{name}}}: missing, so the detail request cannot be made")
                raise RecordError(message.format(name=name))
            message = _("{{{name}}}: {value}, so the detail request cannot be made")
            raise RecordError(message.format(name=name, value=repr(value)))
        return str(value).lower() if isinstance(value, bool) else str(value)

    return value_of

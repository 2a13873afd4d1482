"""Per-document facts, worked out from the statuses and kept in the document row.

Measuring every agency at once needs, for each document, what its statuses say: whether it
was recalled, whether the agency refused it, the first day it acknowledged it, whether every
recipient acknowledged an outgoing document. Worked out in every measuring query these
joins cost more than the aggregates themselves (``benchmarks/metrics_province.py``); so
they are worked out once, here, into the ``fact_*`` columns of the row
(``checker.store.models``), which the direction indexes cover. Writers mark the rows whose facts
may have changed stale (``checker.store.derived``); :func:`refresh_facts` works out exactly those
rows, and measuring calls it first, so a measurement never reads a stale fact.

Which statuses count is the agency registry's business: an incoming document's statuses are
those its agency sent under any of its codes (main or alternative), or under the document's
own code when the registry does not know it.

Each step is kept as the day it was done (Vietnam local time; NULL when it was not), so that
measuring as of a day counts only the steps done by then (``metrics.scope.done_by``).

- ``fact_recalled``: 1 when the software marks the document recalled, when it is known only
  from recall messages (BussinessDocType 1, ``checker.store.versions``), or when a recall
  was sent (a recall message, or status 13 from its sender) and accepted: for an incoming
  document, the agency's last answer to it is status 15 (accepted), not 16 (refused) or
  none; for an outgoing one, every recipient's is. A recall not yet answered, or refused,
  leaves the document where it was. NULL marks the row stale (``checker.store.models``).
- ``fact_recalled_on``: the day the recall took effect: the earliest of the day the software
  last updated the record it marks recalled (``updated_at``; the document's own day when it
  gives none), the document's day when it is known only from recalls, and the day the
  recall was accepted (for an outgoing document, the day its last recipient did).
- ``fact_filed``: 1 when the software reports the document filed into a file, 0 when it
  reports it not filed, NULL when the software reported nothing or marks it recalled. The
  software gives no day for it.
- incoming only: ``fact_refused_on`` (status 02 sent back), ``fact_registered_on`` (a
  registration time on the software, or status 03, the earlier), ``fact_assigned_on`` (an
  assignment time, or status 04, 05 or 06, the earlier), ``fact_acknowledged_on`` (the first
  day of a status 01 or 03), ``fact_submitted_on`` (the day of the submission time on the
  software, else of the first status 04). A status without a time counts as known on the day
  the document arrived, except for the acknowledgement and the submission, judged against a
  deadline: such a status gives them no day.
- outgoing only: ``fact_acknowledged_all_on``: sent through the axis and every incoming copy
  acknowledged (status 01 or 03) by its recipient, on the day the last of them first did.
- outgoing only: ``fact_number``: the document's number in its year's sequence: its code
  number when that is a plain number from 1 (at most 9 digits) and the row holds a number
  of its own (:func:`numbered`); NULL otherwise.
- ``fact_same_day`` and ``fact_next_day``: the deadlines counted from the row's start day
  (arrival; for an outgoing document, signing) on the stored working-day calendar
  (``metrics.workdays``), NULL when the day is not in it. Writing calendar days that differ
  from the stored ones marks the rows starting on them stale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.sql.selectable import NamedFromClause

from checker.store.models import AGENCY_CODE, DOCUMENT, EVENT
from checker.store.records import AXIS
from metrics.workdays import Deadlines, local_day

ACKNOWLEDGED = ("01", "03")
REFUSED = ("02",)
REGISTERED = ("03",)
SUBMITTED = ("04",)
ASSIGNED = ("04", "05", "06")
RECALL = "13"
CHANGE_ACCEPTED = "15"  # the recipient accepts a recall or an update
CHANGE_REFUSED = "16"  # the recipient refuses it
RECALL_ONLY = 1
"""``business_type`` of a document known only from recall messages: it repeats the number of
a document counted elsewhere, and is left out (``checker.store.versions``)."""
_NO_TIME = datetime(1900, 1, 1)


CHUNK = 1_000_000
"""Stale rows worked out per statement: a nightly run's rows in one, a whole store (the
first measuring run after an upgrade) in ranges of ids, so that no statement's joins and
sorts grow with the store."""


FactsProgress = Callable[[int, int], None]
"""Told after each range of stale rows: the rows worked out so far, and how many were stale."""


def refresh_facts(
    connection: Connection, chunk: int = CHUNK, progress: FactsProgress | None = None
) -> int:
    """Work out the facts of every stale row; returns how many rows were worked out."""
    ranges, stale = _ranges(connection, chunk)
    refreshed = 0
    for low, high in ranges:
        # outgoing rows first: their facts read the incoming copies, which on PostgreSQL are
        # slower to read once updated in the same transaction (each has two versions then)
        for facts in (
            _outbound(low, high).subquery("facts"),
            _inbound(low, high).subquery("facts"),
        ):
            columns = {c.name: c for c in facts.c if c.name.startswith("fact_")}
            result = connection.execute(
                update(DOCUMENT).where(DOCUMENT.c.id == facts.c.id).values(**columns)
            )
            refreshed += result.rowcount
        if progress is not None:
            progress(refreshed, stale)
    return refreshed


def _ranges(connection: Connection, chunk: int) -> tuple[list[tuple[int, int | None]], int]:
    """Ranges of ids holding ``chunk`` stale rows each (the last one open-ended), read from
    the partial index of stale rows (none when no row is stale), and the stale rows in all."""
    ranked = select(
        DOCUMENT.c.id,
        func.row_number().over(order_by=DOCUMENT.c.id).label("rank"),
        func.count().over().label("stale"),
    ).where(DOCUMENT.c.fact_recalled.is_(None))
    ranks = ranked.subquery("stale")
    firsts = connection.execute(
        select(ranks.c.id, ranks.c.stale)
        .where((ranks.c.rank - 1) % chunk == 0)
        .order_by(ranks.c.id)
    ).all()
    bounds = [*(first.id for first in firsts), None]
    return list(pairwise(bounds)), firsts[0].stale if firsts else 0


def _stale(doc: NamedFromClause, low: int, high: int | None) -> ColumnElement[bool]:
    """The row is stale and its id in ``[low, high)``: listed from the small partial index
    of stale rows (``checker.store.models``), which the planner would not pick for the joins of
    the facts."""
    stale = select(DOCUMENT.c.id).where(DOCUMENT.c.fact_recalled.is_(None), DOCUMENT.c.id >= low)
    if high is not None:
        stale = stale.where(DOCUMENT.c.id < high)
    return doc.c.id.in_(stale)


def _direction(table: NamedFromClause, direction: str) -> ColumnElement[bool]:
    # a literal, as the direction's partial indexes require (checker.store.models)
    is_direction: ColumnElement[bool] = table.c.direction == literal_column(f"'{direction}'")
    return is_direction


def _inbound(low: int, high: int | None) -> Select[Any]:
    """The facts of the stale incoming rows of ids ``[low, high)``, from the statuses their
    agency sent."""
    doc = DOCUMENT.alias("doc")
    own = AGENCY_CODE.alias("own")
    mate = AGENCY_CODE.alias("mate")
    event = EVENT.alias("event")
    # every code of the row's agency (its own code alone when unregistered), and what each
    # sent back on the document
    statuses = (
        doc.outerjoin(own, own.c.code == doc.c.organ_id)
        .outerjoin(mate, mate.c.agency_code == own.c.agency_code)
        .outerjoin(
            event,
            and_(
                event.c.doc_key == doc.c.doc_key,
                event.c.actor_id == func.coalesce(mate.c.code, doc.c.organ_id),
            ),
        )
    )

    def sent(codes: Sequence[str]) -> ColumnElement[bool]:
        return func.max(case((event.c.status_code.in_(codes), 1), else_=0)) == 1

    def first(codes: Sequence[str]) -> ColumnElement[Any]:
        return func.min(case((event.c.status_code.in_(codes), event.c.occurred_on)))

    def done(codes: Sequence[str]) -> ColumnElement[Any]:
        # a status without a day counts as known on the day the document arrived
        day = func.coalesce(event.c.occurred_on, doc.c.doc_date)
        return func.min(case((event.c.status_code.in_(codes), day)))

    deadlines = Deadlines.alias()
    source = deadlines.join(statuses, doc.c.doc_date)
    submitted_at = doc.c.submitted_at
    grouped: list[ColumnElement[Any]] = [doc.c.id, doc.c.doc_key, doc.c.recalled]
    grouped += [doc.c.business_type, doc.c.recall_sent, doc.c.organ_id, own.c.agency_code]
    agency = func.coalesce(own.c.agency_code, doc.c.organ_id)
    grouped += [deadlines.same_day, deadlines.next_day]
    grouped += [doc.c.registered_at, submitted_at, doc.c.assigned_at]
    grouped += [doc.c.external_id, doc.c.file_code, doc.c.updated_at, doc.c.doc_date]
    accepted_on = _accepted_on(doc.c.doc_key, agency, doc.c.doc_date)
    return (
        select(
            doc.c.id,
            _flag(_recalled(doc, _accepted(doc.c.doc_key, agency))).label("fact_recalled"),
            _filed(doc).label("fact_filed"),
            _recalled_on(doc, accepted_on).label("fact_recalled_on"),
            done(REFUSED).label("fact_refused_on"),
            _earliest(local_day(doc.c.registered_at), done(REGISTERED)).label("fact_registered_on"),
            _earliest(local_day(doc.c.assigned_at), done(ASSIGNED)).label("fact_assigned_on"),
            first(ACKNOWLEDGED).label("fact_acknowledged_on"),
            case(
                (submitted_at.is_not(None), local_day(submitted_at)), else_=first(SUBMITTED)
            ).label("fact_submitted_on"),
            deadlines.same_day.label("fact_same_day"),
            deadlines.next_day.label("fact_next_day"),
        )
        .select_from(source)
        .where(_direction(doc, "in"), _stale(doc, low, high))
        .group_by(*grouped)
    )


def _outbound(low: int, high: int | None) -> Select[Any]:
    """The facts of the stale outgoing rows of ids ``[low, high)``."""
    doc = DOCUMENT.alias("doc")
    acknowledged_all = and_(doc.c.channel == AXIS, _every_recipient_acknowledged(doc))
    # every incoming copy was acknowledged: on the day the last one was (the day the document
    # was issued when it has no copy at all)
    acknowledged_all_on = func.coalesce(_last_acknowledged_on(doc), doc.c.doc_date)
    accepted_on = case(
        (_every_recipient_accepted(doc), func.coalesce(_last_accepted_on(doc), doc.c.doc_date))
    )
    deadlines = Deadlines.alias()
    return (
        select(
            doc.c.id,
            _flag(_recalled(doc, _every_recipient_accepted(doc))).label("fact_recalled"),
            _recalled_on(doc, accepted_on).label("fact_recalled_on"),
            _filed(doc).label("fact_filed"),
            case((acknowledged_all, acknowledged_all_on)).label("fact_acknowledged_all_on"),
            _number(doc).label("fact_number"),
            deadlines.same_day.label("fact_same_day"),
            deadlines.next_day.label("fact_next_day"),
        )
        .select_from(deadlines.join(doc, local_day(doc.c.signed_at)))
        .where(_direction(doc, "out"), _stale(doc, low, high))
    )


def numbered(doc: NamedFromClause = DOCUMENT) -> ColumnElement[bool]:
    """Rows that hold a number of the sequence: every document but one known only from
    recall messages, recalled ones included (a recalled document used its number;
    ``checker.store.upsert`` marks a recalled record of the software as BussinessDocType 1
    as well)."""
    return or_(doc.c.business_type != RECALL_ONLY, doc.c.recalled)


def _number(doc: NamedFromClause) -> ColumnElement[Any]:
    code_number = doc.c.code_number
    plain = and_(func.length(code_number).between(1, 9), func.trim(code_number, "0123456789") == "")
    number = case((and_(numbered(doc), plain), cast(code_number, Integer)))
    return case((number >= 1, number))


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _recalled(doc: NamedFromClause, accepted: ColumnElement[bool]) -> ColumnElement[bool]:
    """Recalled by the software, known only from recalls, or recalled and ``accepted``
    (looked at only when a recall was sent: the case puts that test first)."""
    recall_accepted = case((_recall_sent(doc), _flag(accepted)), else_=0) == 1
    return or_(doc.c.recalled, doc.c.business_type == RECALL_ONLY, recall_accepted)


def _recalled_on(doc: NamedFromClause, accepted_on: ColumnElement[Any]) -> ColumnElement[Any]:
    """The day the document's recall took effect (NULL when :func:`_recalled` is false): the
    earliest of the day the software last updated a record it marks recalled (the document's
    own day when the record gives no update time), the document's day when it is known only
    from recalls, and ``accepted_on`` (the day the recall was accepted, NULL when it was not)
    when a recall was sent."""
    software = case((doc.c.recalled, func.coalesce(local_day(doc.c.updated_at), doc.c.doc_date)))
    # the software's recalled records are marked known only from recalls as well (numbered)
    only_recalls = and_(doc.c.business_type == RECALL_ONLY, not_(doc.c.recalled))
    recall_only = case((only_recalls, doc.c.doc_date))
    accepted = case((_recall_sent(doc), accepted_on))
    return _earliest(software, recall_only, accepted)


def _earliest(*days: ColumnElement[Any]) -> ColumnElement[Any]:
    """The earliest of ``days`` that are not NULL (NULL when all are), on every database
    (SQLite's ``min`` of several values is NULL when one is)."""
    earliest = days[0]
    for day in days[1:]:
        earliest = case(
            (earliest.is_(None), day),
            (day.is_(None), earliest),
            (day < earliest, day),
            else_=earliest,
        )
    return earliest


def _recall_sent(doc: NamedFromClause) -> ColumnElement[bool]:
    """A recall message about the document was read, or someone (its sender) recalled it
    through the axis (status 13): one seek in the small partial index of recall statuses
    (``checker.store.models``)."""
    status_13 = exists(
        select(1).where(
            EVENT.c.status_code == literal_column(f"'{RECALL}'"),
            EVENT.c.doc_key == doc.c.doc_key,
        )
    )
    return or_(doc.c.recall_sent, status_13)


def _accepted(doc_key: ColumnElement[Any], agency: ColumnElement[Any]) -> ColumnElement[bool]:
    """``agency`` (an agency code, or an unregistered organisation code) accepted a change
    of the document (status 15) and refused none at the same time or after (status 16)."""
    return exists(_acceptances(doc_key, agency, literal(1)))


def _accepted_on(
    doc_key: ColumnElement[Any], agency: ColumnElement[Any], doc_date: ColumnElement[Any]
) -> ColumnElement[Any]:
    """The first day ``agency`` accepted a change of the document as :func:`_accepted` says
    (a status without a day: ``doc_date``, the day the document arrived); NULL when it did
    not."""
    accept = _acceptances(doc_key, agency, None)
    day = func.coalesce(accept.selected_columns.occurred_on, doc_date)
    return accept.with_only_columns(func.min(day)).scalar_subquery()


def _acceptances(
    doc_key: ColumnElement[Any], agency: ColumnElement[Any], column: ColumnElement[Any] | None
) -> Select[Any]:
    """The statuses 15 of ``agency`` on the document with no status 16 of the agency at the
    same time or after, selecting ``column`` (else the day of the acceptance)."""
    accept, refuse = EVENT.alias("accept"), EVENT.alias("refuse")
    accept_by, refuse_by = AGENCY_CODE.alias("accept_by"), AGENCY_CODE.alias("refuse_by")
    no_time = literal(_NO_TIME, DateTime)
    accepting = func.coalesce(accept_by.c.agency_code, accept.c.actor_id)
    # said of the acceptance only: the enclosing query's columns would not correlate here
    later_refusal = exists(
        select(1)
        .select_from(refuse.outerjoin(refuse_by, refuse_by.c.code == refuse.c.actor_id))
        .where(
            refuse.c.doc_key == accept.c.doc_key,
            refuse.c.status_code == CHANGE_REFUSED,
            func.coalesce(refuse_by.c.agency_code, refuse.c.actor_id) == accepting,
            func.coalesce(refuse.c.occurred_at, no_time)
            >= func.coalesce(accept.c.occurred_at, no_time),
        )
    )
    selected = accept.c.occurred_on if column is None else column
    return (
        select(selected)
        .select_from(accept.outerjoin(accept_by, accept_by.c.code == accept.c.actor_id))
        .where(
            accept.c.doc_key == doc_key,
            accept.c.status_code == CHANGE_ACCEPTED,
            accepting == agency,
            not_(later_refusal),
        )
    )


def _every_recipient_accepted(doc: NamedFromClause) -> ColumnElement[bool]:
    """Every incoming copy of the outgoing document had its recall accepted by its
    recipient (matched through the registry, or by the exact code if unregistered)."""
    copy = DOCUMENT.alias("recalled_copy")
    copy_agency = AGENCY_CODE.alias("recalled_copy_agency")
    recipient = func.coalesce(copy_agency.c.agency_code, copy.c.organ_id)
    unaccepted_copy = exists(
        select(1)
        .select_from(copy.outerjoin(copy_agency, copy_agency.c.code == copy.c.organ_id))
        .where(
            copy.c.direction == "in",
            copy.c.doc_key == doc.c.doc_key,
            not_(_accepted(copy.c.doc_key, recipient)),
        )
    )
    return not_(unaccepted_copy)


def _last_accepted_on(doc: NamedFromClause) -> ColumnElement[Any]:
    """The day the last recipient of the outgoing document accepted its recall (each
    recipient on the first day it did, :func:`_accepted_on`); meaningful only when every
    recipient did (:func:`_every_recipient_accepted`)."""
    copy = DOCUMENT.alias("accepted_copy")
    copy_agency = AGENCY_CODE.alias("accepted_copy_agency")
    recipient = func.coalesce(copy_agency.c.agency_code, copy.c.organ_id)
    return (
        select(func.max(_accepted_on(copy.c.doc_key, recipient, copy.c.doc_date)))
        .select_from(copy.outerjoin(copy_agency, copy_agency.c.code == copy.c.organ_id))
        .where(copy.c.direction == "in", copy.c.doc_key == doc.c.doc_key)
        .scalar_subquery()
    )


def _filed(doc: NamedFromClause) -> ColumnElement[Any]:
    reported = and_(doc.c.external_id.is_not(None), not_(doc.c.recalled))
    filed = and_(doc.c.file_code.is_not(None), doc.c.file_code != "")
    return case((not_(reported), None), (filed, 1), else_=0)


def _every_recipient_acknowledged(doc: NamedFromClause) -> ColumnElement[bool]:
    """No incoming copy of the outgoing document lacks an acknowledgement from its
    recipient (matched through the registry, or by the exact code if unregistered)."""
    copy = DOCUMENT.alias("copy")
    copy_agency = AGENCY_CODE.alias("copy_agency")
    actor = AGENCY_CODE.alias("ack_actor")
    recipient = func.coalesce(copy_agency.c.agency_code, copy.c.organ_id)
    acknowledged = exists(
        select(1)
        .select_from(EVENT.outerjoin(actor, actor.c.code == EVENT.c.actor_id))
        .where(
            EVENT.c.doc_key == copy.c.doc_key,
            EVENT.c.status_code.in_(ACKNOWLEDGED),
            func.coalesce(actor.c.agency_code, EVENT.c.actor_id) == recipient,
        )
    )
    unacknowledged_copy = exists(
        select(1)
        .select_from(copy.outerjoin(copy_agency, copy_agency.c.code == copy.c.organ_id))
        .where(copy.c.direction == "in", copy.c.doc_key == doc.c.doc_key, not_(acknowledged))
    )
    return not_(unacknowledged_copy)


def _last_acknowledged_on(doc: NamedFromClause) -> ColumnElement[Any]:
    """The day the last recipient of the outgoing document acknowledged it, each on the day
    of its first status 01 or 03 (a status without a day: the day its copy arrived);
    meaningful only when every recipient did (:func:`_every_recipient_acknowledged`)."""
    copy = DOCUMENT.alias("acknowledged_copy")
    copy_agency = AGENCY_CODE.alias("acknowledged_copy_agency")
    actor = AGENCY_CODE.alias("first_ack_actor")
    recipient = func.coalesce(copy_agency.c.agency_code, copy.c.organ_id)
    first_acknowledged = (
        select(func.min(func.coalesce(EVENT.c.occurred_on, copy.c.doc_date)))
        .select_from(EVENT.outerjoin(actor, actor.c.code == EVENT.c.actor_id))
        .where(
            EVENT.c.doc_key == copy.c.doc_key,
            EVENT.c.status_code.in_(ACKNOWLEDGED),
            func.coalesce(actor.c.agency_code, EVENT.c.actor_id) == recipient,
        )
        .scalar_subquery()
    )
    return (
        select(func.max(first_acknowledged))
        .select_from(copy.outerjoin(copy_agency, copy_agency.c.code == copy.c.organ_id))
        .where(copy.c.direction == "in", copy.c.doc_key == doc.c.doc_key)
        .scalar_subquery()
    )

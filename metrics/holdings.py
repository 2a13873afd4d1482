"""What the store holds, said for people when there is nothing to measure: the span of its
documents and files, and whether one agency has any document or file in a period.

``checker score`` says it when no metric counted anything (``checker.scoring.coverage``),
``checker evidence`` when a metric lists nothing for an agency.
"""

from __future__ import annotations

from sqlalchemy import Connection, exists, func, literal, select, union

from checker.i18n import _
from checker.store.models import AGENCY_CODE, DOCUMENT, RECORD_FILE
from metrics.period import Period


def what_the_store_holds(connection: Connection) -> str:
    """ "the store is empty", or "the store holds documents dated … and files of …"."""
    first, last = connection.execute(
        select(func.min(DOCUMENT.c.doc_date), func.max(DOCUMENT.c.doc_date))
    ).one()
    years = connection.execute(
        select(func.min(RECORD_FILE.c.year), func.max(RECORD_FILE.c.year))
    ).one()
    held = []
    if first is not None:
        documents = _("documents dated {first} to {last}")
        held.append(documents.format(first=first.isoformat(), last=last.isoformat()))
    if years[0] is not None:
        files = _("files of {first} to {last}") if years[1] != years[0] else _("files of {first}")
        held.append(files.format(first=years[0], last=years[1]))
    if not held:
        return _("the store is empty")
    return _("the store holds {what}").format(what=_(" and ").join(held))


def agency_holds_any(connection: Connection, agency_code: str, period: Period) -> bool:
    """True when the store holds a document dated in ``period`` or a file of one of its
    years for the agency, under its main code or any of its other codes."""
    codes = union(
        select(AGENCY_CODE.c.code).where(AGENCY_CODE.c.agency_code == agency_code),
        select(literal(agency_code)),
    )
    document = exists().where(
        DOCUMENT.c.organ_id.in_(codes), DOCUMENT.c.doc_date.between(period.start, period.end)
    )
    record_file = exists().where(
        RECORD_FILE.c.organ_id.in_(codes),
        RECORD_FILE.c.year.between(period.start.year, period.end.year),
    )
    return bool(connection.scalar(select(document | record_file)))

"""What a scoring run measured: which families of metrics (incoming documents, outgoing
documents, files, transfers) had anything to count in the period.

A run that measured nothing at all would grade and rank every agency on manual points alone,
and, being the latest, become the run ``checker report`` shows: ``check_measured`` refuses
it, so no such run is ever stored.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from checker.errors import NoDataError
from checker.i18n import N_, _
from checker.store.models import DOCUMENT, RECORD_FILE
from metrics.period import Period
from metrics.values import MetricValue

FAMILIES = {
    "inbound": N_("incoming documents"),
    "outbound": N_("outgoing documents"),
    "files": N_("files and file lists"),
    "transfers": N_("transfers to the archives"),
}
"""Each family of metrics (the prefix of their ids), named for people."""


def unmeasured_families(values: Sequence[MetricValue]) -> list[str]:
    """The families of metrics with nothing to count for any agency, by their names in the
    reader's language."""
    measured = {v.metric_id.split(".", 1)[0] for v in values if v.measured}
    return [_(name) for family, name in FAMILIES.items() if family not in measured]


def check_measured(
    connection: Connection, period: Period, values: Sequence[MetricValue], sources: Sequence[str]
) -> None:
    """A ``NoDataError`` when no metric had anything to count for any agency in ``period``,
    saying what the store does hold."""
    if any(v.measured for v in values):
        return
    listed = ", ".join(sources) or _("none")
    message = _(
        "nothing was measured for {period}: no incoming or outgoing documents, files or "
        "transfers of the registry's agencies fall in that period (sources of the deployment: "
        "{sources}; {held}), so no run was stored"
    )
    raise NoDataError(
        message.format(
            period=period.label(), sources=listed, held=_what_the_store_holds(connection)
        )
    )


def _what_the_store_holds(connection: Connection) -> str:
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

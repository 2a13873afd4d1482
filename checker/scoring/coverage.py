"""What a scoring run measured: which families of metrics (incoming documents, outgoing
documents, files, transfers) had anything to count in the period.

A run that measured nothing at all would grade and rank every agency on manual points alone,
and, being the latest, become the run ``checker report`` shows: ``check_measured`` refuses
it, so no such run is ever stored.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from checker.errors import NoDataError
from checker.i18n import N_, _
from metrics.holdings import what_the_store_holds
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
        message.format(period=period.label(), sources=listed, held=what_the_store_holds(connection))
    )

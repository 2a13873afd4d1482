"""What a scoring run scored with, kept with the run: the criteria sets (with their content
hashes) and the registry (names, groups) as they were, and how far the store had been
written. Reports are built from the run, not from today's files, and say when the store has
changed since (the evidence commands then list what the store holds now)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, insert, select

from checker.config import Deployment
from checker.errors import StorageError
from checker.i18n import _
from checker.scoring.assessment import criteria_hash
from checker.scoring.criteria import CriteriaSet
from checker.store.models import AGENCY_RESULT, DOCUMENT, MESSAGE, RUN, RUN_SNAPSHOT


def _store_mark(connection: Connection) -> tuple[int, int]:
    last = connection.scalar(select(func.coalesce(func.max(MESSAGE.c.id), 0)))
    documents = connection.scalar(select(func.count()).select_from(DOCUMENT))
    return int(last or 0), int(documents or 0)


def store_snapshot(
    connection: Connection,
    run_id: int,
    deployment: Deployment,
    criteria_by_group: Mapping[str, CriteriaSet],
) -> None:
    """Keep the run's criteria sets and registry, and the store's mark, with the run."""
    sets = {c.id: c for c in criteria_by_group.values()}
    criteria = {
        id_: {"hash": criteria_hash(c), "set": c.model_dump(mode="json", by_alias=True)}
        for id_, c in sets.items()
    }
    registry = {
        "city": deployment.city,
        "groups": [g.model_dump(mode="json") for g in deployment.groups],
        "agencies": [a.model_dump(mode="json") for a in deployment.agencies],
    }
    last, documents = _store_mark(connection)
    connection.execute(
        insert(RUN_SNAPSHOT).values(
            run_id=run_id,
            criteria=json.dumps(criteria, ensure_ascii=False),
            registry_json=json.dumps(registry, ensure_ascii=False),
            last_message_id=last,
            documents=documents,
        )
    )


def run_criteria(connection: Connection, run_id: int) -> dict[str, CriteriaSet] | None:
    """The criteria sets a run scored with, by id; None for a run kept without them."""
    query = select(RUN_SNAPSHOT.c.criteria).where(RUN_SNAPSHOT.c.run_id == run_id)
    text = connection.scalar(query)
    if text is None:
        return None
    stored = json.loads(text)
    return {
        id_: CriteriaSet.model_validate(body["set"], context={"metrics": _any_metric()})
        for id_, body in stored.items()
    }


class _AnyMetric(frozenset[str]):
    """Every metric id is known: a kept set is read as it was, even if a metric was renamed."""

    def __contains__(self, item: object) -> bool:
        return True


def _any_metric() -> frozenset[str]:
    return _AnyMetric()


@dataclass(frozen=True)
class RunSummary:
    id: int
    kind: str
    period_start: date
    period_end: date
    as_of: date | None
    started_at: datetime
    agencies: int
    criteria: dict[str, str]  # id → content hash ({} for a run kept without them)
    groups: list[str]
    store_change: str | None  # what was written since the run, or None


def store_change(
    connection: Connection, run_id: int, mark: tuple[int, int] | None = None
) -> str | None:
    """What was written to the store since the run, in words; None when nothing was."""
    query = select(RUN_SNAPSHOT.c.last_message_id, RUN_SNAPSHOT.c.documents)
    kept = connection.execute(query.where(RUN_SNAPSHOT.c.run_id == run_id)).first()
    if kept is None:
        return None
    last, documents = mark or _store_mark(connection)
    if (last, documents) == (kept.last_message_id, kept.documents):
        return None
    return _(
        "the store changed since run {run}: {documents} documents, messages up to #{last} "
        "(the run saw up to #{seen}); the evidence commands list what the store holds now"
    ).format(
        run=run_id,
        documents=f"{documents - kept.documents:+d}",
        last=last,
        seen=kept.last_message_id,
    )


def list_runs(connection: Connection) -> list[RunSummary]:
    """Every run, newest first."""
    query = select(AGENCY_RESULT.c.run_id, func.count()).group_by(AGENCY_RESULT.c.run_id)
    counts: dict[int, int] = {int(r[0]): int(r[1]) for r in connection.execute(query)}
    kept = {r.run_id: r for r in connection.execute(select(RUN_SNAPSHOT))}
    mark = _store_mark(connection)
    runs = []
    for run in connection.execute(select(RUN).order_by(RUN.c.id.desc())).mappings():
        snapshot = kept.get(run["id"])
        criteria = (
            {k: v["hash"] for k, v in json.loads(snapshot.criteria).items()} if snapshot else {}
        )
        groups = [g["id"] for g in json.loads(snapshot.registry_json)["groups"]] if snapshot else []
        runs.append(
            RunSummary(
                run["id"],
                run["kind"],
                run["period_start"],
                run["period_end"],
                run["as_of"],
                run["started_at"],
                int(counts.get(run["id"], 0)),
                criteria,
                groups,
                store_change(connection, run["id"], mark),
            )
        )
    return runs


def show_run(connection: Connection, run_id: int) -> RunSummary:
    found = next((r for r in list_runs(connection) if r.id == run_id), None)
    if found is None:
        message = _("there is no scoring run {run} in the store: see `checker runs list`")
        raise StorageError(message.format(run=run_id))
    return found

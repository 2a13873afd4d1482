"""The agency registry in the store: the deployment's agencies and every code they carry.

Measuring joins documents to agencies through these rows, so the registry in force is the
one written here just before a scoring run. Which statuses count for a document depends on
the codes its agency carries, so a registry whose codes changed marks every document's
facts stale (``checker.store.derived``). Which observations are one document depends on
them too (a sender seen by its edXML organ id in one system and by its software code in
another is one sender, ``checker.store.identity``): a registry whose codes changed has
the observations it reads otherwise reconciled again (``checker.store.reconcile.rekey``).
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from checker.config import Deployment
from checker.store.derived import mark_all_stale
from checker.store.identity import registered
from checker.store.models import AGENCY, AGENCY_CODE
from checker.store.reconcile import rekey


def write_registry(connection: Connection, deployment: Deployment) -> None:
    """Replace the stored registry with the deployment's."""
    query = select(AGENCY_CODE.c.code, AGENCY_CODE.c.agency_code)
    stored = {(code, agency) for code, agency in connection.execute(query)}
    wanted = {(c, a.code) for a in deployment.agencies for c in a.all_codes}
    if stored != wanted:
        mark_all_stale(connection)
    connection.execute(delete(AGENCY_CODE))
    connection.execute(delete(AGENCY))
    if deployment.agencies:
        _insert(connection, deployment, wanted)
    if stored != wanted:
        rekey(connection, registered(stored))


def _insert(connection: Connection, deployment: Deployment, wanted: set[tuple[str, str]]) -> None:
    agencies = [
        {
            "code": a.code,
            "name": a.name,
            "group_id": a.group,
            "group_name": deployment.group(a.group).name,
            "criteria": deployment.group(a.group).criteria,
        }
        for a in deployment.agencies
    ]
    codes = [{"code": c, "agency_code": a} for c, a in sorted(wanted)]
    connection.execute(insert(AGENCY), agencies)
    connection.execute(insert(AGENCY_CODE), codes)

"""The agency registry in the store: the deployment's agencies and every code they carry.

Measuring joins documents to agencies through these rows, so the registry in force is the
one written here just before a scoring run.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert

from checker.config import Deployment
from checker.models import AGENCY, AGENCY_CODE


def write_registry(connection: Connection, deployment: Deployment) -> None:
    """Replace the stored registry with the deployment's."""
    connection.execute(delete(AGENCY_CODE))
    connection.execute(delete(AGENCY))
    if not deployment.agencies:
        return
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
    codes = [{"code": c, "agency_code": a.code} for a in deployment.agencies for c in a.all_codes]
    connection.execute(insert(AGENCY), agencies)
    connection.execute(insert(AGENCY_CODE), codes)

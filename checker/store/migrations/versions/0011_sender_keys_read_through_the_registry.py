"""observations' sender codes are read through the agency registry

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 03:40:00

The code key of an observation (``checker.store.identity``) now reads the sender, and the
agency an observation belongs to, through the agency registry: a code of a registered
agency is its main code, so one document written with the edXML organ id by one system and
with the software's code by another is one document. The keys stored before were the codes
as written. The stored registry is emptied, so the next command that writes the registry
(every one that measures or lists evidence) finds it changed and works the keys out again,
reconciling the observations they join (``checker.store.reconcile.rekey``) and marking the
documents' facts stale, as any change of the registry does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM agency_code"))
    op.execute(sa.text("DELETE FROM agency"))


def downgrade() -> None:
    # the registry is written again before measuring; the keys stay as they were worked out
    pass

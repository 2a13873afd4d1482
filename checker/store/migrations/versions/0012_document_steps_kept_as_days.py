"""a document's steps kept as the days they were done, so a measurement as of a day counts
only the steps done by then

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 04:20:00

The facts refused, registered, assigned and acknowledged by every recipient were 1/0 flags;
they become the days those steps were done (``fact_*_on``, NULL when not done), and the day
a recall took effect is kept beside the recalled flag, which stays the staleness marker
(``checker.store.models``). Every row is marked stale: the next measuring run works the
facts out again (``metrics.facts``). The direction indexes cover the new columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

FLAGS = ["fact_refused", "fact_registered", "fact_assigned", "fact_acknowledged_all"]
DAYS = [f"{flag}_on" for flag in FLAGS] + ["fact_recalled_on"]


def _measured(recalled: str) -> list[str]:
    measured = ["organ_id", "doc_date", "channel", "priority", recalled, "fact_filed"]
    return [*measured, "fact_same_day", "fact_next_day"]


def _direction_indexes(batch_op: BatchOperations, suffix: str, recalled: str) -> None:
    inbound = [*_measured(recalled), f"fact_refused{suffix}", f"fact_registered{suffix}"]
    inbound += [f"fact_assigned{suffix}", "fact_acknowledged_on", "fact_submitted_on"]
    outbound = [*_measured(recalled), "signed_at", "issued_at", "digitally_signed"]
    outbound += [f"fact_acknowledged_all{suffix}", "fact_number", "code_notation"]
    for name, columns, direction in (
        ("ix_document_inbound", inbound, "in"),
        ("ix_document_outbound", outbound, "out"),
    ):
        where = sa.text(f"direction = '{direction}'")
        batch_op.create_index(
            name, [*columns, "direction"], unique=False, sqlite_where=where, postgresql_where=where
        )


def _change(dropped: list[str], added: list[str], suffix: str, recalled: str) -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_inbound")
        batch_op.drop_index("ix_document_outbound")
        for name in dropped:
            batch_op.drop_column(name)
        for name in added:
            type_ = sa.Date() if name.endswith("_on") else sa.Integer()
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("document", schema=None) as batch_op:
        _direction_indexes(batch_op, suffix, recalled)
    # every row stale: its facts are worked out again by the next measuring run
    op.execute(sa.text("UPDATE document SET fact_recalled = NULL"))


def upgrade() -> None:
    _change(FLAGS, DAYS, "_on", "fact_recalled_on")


def downgrade() -> None:
    _change(DAYS, FLAGS, "", "fact_recalled")

"""working-day calendar and covering indexes for measuring

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 05:31:49.812699
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INBOUND_COLUMNS = ["organ_id", "doc_date", "doc_key", "channel", "priority", "recalled"]
INBOUND_COLUMNS += ["business_type", "registered_at", "submitted_at", "assigned_at", "direction"]
OUTBOUND_COLUMNS = ["organ_id", "doc_date", "doc_key", "channel", "priority", "recalled"]
OUTBOUND_COLUMNS += ["business_type", "signed_at", "issued_at", "digitally_signed"]
OUTBOUND_COLUMNS += ["code_number", "code_notation", "direction"]


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("working_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calendar_day_working_index", ["working_index", "working", "day"], unique=False
        )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_measure")
        batch_op.create_index(
            "ix_document_inbound",
            INBOUND_COLUMNS,
            unique=False,
            sqlite_where=sa.text("direction = 'in'"),
            postgresql_where=sa.text("direction = 'in'"),
        )
        batch_op.create_index(
            "ix_document_outbound",
            OUTBOUND_COLUMNS,
            unique=False,
            sqlite_where=sa.text("direction = 'out'"),
            postgresql_where=sa.text("direction = 'out'"),
        )
    with op.batch_alter_table("document_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_recall",
            ["status_code", "doc_key"],
            unique=False,
            sqlite_where=sa.text("status_code = '13'"),
            postgresql_where=sa.text("status_code = '13'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("document_event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_recall")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_outbound")
        batch_op.drop_index("ix_document_inbound")
        batch_op.create_index(
            "ix_document_measure",
            ["direction", "organ_id", "doc_date", "channel", "doc_key"],
            unique=False,
        )
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_day_working_index")
    op.drop_table("calendar_day")

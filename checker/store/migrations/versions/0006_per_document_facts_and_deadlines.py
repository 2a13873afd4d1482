"""per-document facts kept in the document row, deadlines kept in the calendar, covering
indexes for the file and transfer metrics

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 10:05:00

The facts start NULL, which marks every existing row stale: the next measuring run works
them out (``metrics.facts``). The calendar rows are written again before each measuring
run, so the table is created anew with its deadline columns.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FLAGS = ["fact_recalled", "fact_filed", "fact_refused", "fact_registered", "fact_assigned"]
DAYS = ["fact_acknowledged_on", "fact_submitted_on", "fact_same_day", "fact_next_day"]
FACTS = [*FLAGS, *DAYS, "fact_acknowledged_all", "fact_number"]
MEASURED = ["organ_id", "doc_date", "channel", "priority", "fact_recalled", "fact_filed"]
MEASURED += ["fact_same_day", "fact_next_day"]
INBOUND = [*MEASURED, "fact_refused", "fact_registered", "fact_assigned"]
INBOUND += ["fact_acknowledged_on", "fact_submitted_on", "direction"]
OUTBOUND = [*MEASURED, "signed_at", "issued_at", "digitally_signed", "fact_acknowledged_all"]
OUTBOUND += ["fact_number", "code_notation", "direction"]

OLD_MEASURED = ["organ_id", "doc_date", "doc_key", "channel", "priority", "recalled"]
OLD_MEASURED += ["business_type"]
OLD_INBOUND = [*OLD_MEASURED, "registered_at", "submitted_at", "assigned_at", "direction"]
OLD_OUTBOUND = [*OLD_MEASURED, "signed_at", "issued_at", "digitally_signed"]
OLD_OUTBOUND += ["code_number", "code_notation", "direction"]


def _direction_indexes(batch_op: BatchOperations, inbound: list[str], outbound: list[str]) -> None:
    for name, columns, direction in (
        ("ix_document_inbound", inbound, "in"),
        ("ix_document_outbound", outbound, "out"),
    ):
        where = sa.text(f"direction = '{direction}'")
        batch_op.create_index(
            name, columns, unique=False, sqlite_where=where, postgresql_where=where
        )


def _calendar_day(*deadlines: sa.Column[date]) -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("working_index", sa.Integer(), nullable=False),
        *deadlines,
        sa.PrimaryKeyConstraint("day"),
    )


RECORD_FILE_MEASURED = ["organ_id", "file_code", "year", "listed", "electronic"]
RECORD_FILE_MEASURED += ["metadata_complete", "retention_years", "construction"]
RECORD_FILE_MEASURED += ["final_settlement_on", "work_ended_on"]
TRANSFER_MEASURED = ["organ_id", "kind", "file_code", "status", "transferred_on"]


def upgrade() -> None:
    op.create_index("ix_record_file_measure", "record_file", RECORD_FILE_MEASURED, unique=False)
    op.create_index("ix_transfer_measure", "transfer", TRANSFER_MEASURED, unique=False)
    with op.batch_alter_table("document", schema=None) as batch_op:
        for name in FACTS:
            type_ = sa.Date() if name in DAYS else sa.Integer()
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_inbound")
        batch_op.drop_index("ix_document_outbound")
        _direction_indexes(batch_op, INBOUND, OUTBOUND)
        stale = sa.text("fact_recalled IS NULL")
        batch_op.create_index(
            "ix_document_stale",
            ["id"],
            unique=False,
            sqlite_where=stale,
            postgresql_where=stale,
        )
    op.drop_table("calendar_day")
    _calendar_day(
        sa.Column("same_day", sa.Date(), nullable=False),
        sa.Column("next_day", sa.Date(), nullable=False),
    )
    op.create_index(
        "ix_calendar_day_deadlines", "calendar_day", ["day", "same_day", "next_day"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_transfer_measure", table_name="transfer")
    op.drop_index("ix_record_file_measure", table_name="record_file")
    op.drop_table("calendar_day")
    _calendar_day()
    op.create_index(
        "ix_calendar_day_working_index",
        "calendar_day",
        ["working_index", "working", "day"],
        unique=False,
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_stale")
        batch_op.drop_index("ix_document_outbound")
        batch_op.drop_index("ix_document_inbound")
        _direction_indexes(batch_op, OLD_INBOUND, OLD_OUTBOUND)
    with op.batch_alter_table("document", schema=None) as batch_op:
        for name in reversed(FACTS):
            batch_op.drop_column(name)

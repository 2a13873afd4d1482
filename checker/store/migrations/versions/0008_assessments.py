"""assessments (scorecards with append-only entries) and run snapshots

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-28 22:00:00

A scorecard per agency, year and criteria set; every entry on it (measured points frozen at
pre-fill, self, inspection team and agreed scores, notes) is a row of its own, never updated.
A run's snapshot keeps the criteria sets and the registry it scored with.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("criteria_id", sa.String(), nullable=False),
        sa.Column("criteria_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(), nullable=True),
        sa.Column("counted_as_zero", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_code", "year", "criteria_id"),
    )
    op.create_table(
        "assessment_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("points", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("entered_by", sa.String(), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("numerator", sa.Integer(), nullable=True),
        sa.Column("denominator", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_assessment_entry_cell",
        "assessment_entry",
        ["assessment_id", "criterion_id", "id"],
        unique=False,
    )
    op.create_table(
        "run_snapshot",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.String(), nullable=False),
        sa.Column("registry_json", sa.String(), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"]),
        sa.PrimaryKeyConstraint("run_id"),
    )


def downgrade() -> None:
    op.drop_table("run_snapshot")
    op.drop_index("ix_assessment_entry_cell", table_name="assessment_entry")
    op.drop_table("assessment_entry")
    op.drop_table("assessment")

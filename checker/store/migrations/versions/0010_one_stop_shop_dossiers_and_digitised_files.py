"""one-stop-shop dossiers and digitised files

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 00:40:48

The dossiers of administrative procedures on the one-stop-shop software (Phần mềm Một cửa),
kept under the agency that handles them, and the agency archive's files on the archive
software's digitisation register (số hóa).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _provenance() -> list[sa.Column[object]]:
    return [
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("locator", sa.String(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "digitised_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.String(), nullable=False),
        sa.Column("file_code", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("digitised_on", sa.Date(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        *_provenance(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organ_id", "file_code", name="uq_digitised_file_natural"),
    )
    op.create_index(
        "ix_digitised_file_measure",
        "digitised_file",
        ["organ_id", "file_code", "digitised_on"],
        unique=False,
    )
    op.create_table(
        "dossier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.String(), nullable=False),
        sa.Column("dossier_code", sa.String(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("asked_for", sa.String(), nullable=False),
        sa.Column("procedure_code", sa.String(), nullable=True),
        sa.Column("procedure_name", sa.String(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("electronic_file", sa.Boolean(), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=False),
        *_provenance(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organ_id", "dossier_code", name="uq_dossier_natural"),
    )
    op.create_index(
        "ix_dossier_measure",
        "dossier",
        ["organ_id", "returned_at", "status", "due_at", "electronic_file"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_dossier_measure", table_name="dossier")
    op.drop_table("dossier")
    op.drop_index("ix_digitised_file_measure", table_name="digitised_file")
    op.drop_table("digitised_file")

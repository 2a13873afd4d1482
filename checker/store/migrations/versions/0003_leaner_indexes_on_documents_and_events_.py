"""leaner indexes on documents and events for faster ingest

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 05:17:30.953801
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_doc_key")
        batch_op.drop_index("ix_document_sender_code")
        batch_op.drop_constraint("uq_document_natural", type_="unique")
        batch_op.create_unique_constraint(
            "uq_document_natural", ["doc_key", "direction", "organ_id"]
        )
        batch_op.create_index(
            "ix_document_sender_code",
            ["sender_id", "code"],
            unique=False,
            sqlite_where=sa.text("direction = 'out'"),
            postgresql_where=sa.text("direction = 'out'"),
        )
    with op.batch_alter_table("document_event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_unlinked")


def downgrade() -> None:
    with op.batch_alter_table("document_event", schema=None) as batch_op:
        batch_op.create_index("ix_event_unlinked", ["ref_sender_id", "ref_code"], unique=False)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("ix_document_sender_code")
        batch_op.drop_constraint("uq_document_natural", type_="unique")
        batch_op.create_unique_constraint(
            "uq_document_natural", ["direction", "organ_id", "doc_key"]
        )
        batch_op.create_index("ix_document_sender_code", ["sender_id", "code"], unique=False)
        batch_op.create_index("ix_document_doc_key", ["doc_key"], unique=False)

"""covering indexes on agency codes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 06:19:59.251696
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency_code", schema=None) as batch_op:
        batch_op.drop_index("ix_agency_code_agency_code")
        batch_op.create_index("ix_agency_code_agency_code", ["agency_code", "code"], unique=False)
        batch_op.create_index("ix_agency_code_covering", ["code", "agency_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agency_code", schema=None) as batch_op:
        batch_op.drop_index("ix_agency_code_covering")
        batch_op.drop_index("ix_agency_code_agency_code")
        batch_op.create_index("ix_agency_code_agency_code", ["agency_code"], unique=False)

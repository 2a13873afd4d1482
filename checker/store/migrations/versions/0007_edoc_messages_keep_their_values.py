"""edoc messages keep what they do, when and their values; documents know a recall was sent

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 22:10:00

A recall, an update or a replacement carries the DocumentId of the document it acts on, so
an edoc message is identified by its DocumentId, its BussinessDocType and its time, and
keeps the values it carried: a document's rows are worked out from all its messages
(``checker.store.versions``). The messages stored before keep their place: each gets the
values of the outgoing row it made and a key of the new form, so reading its file again
is still a duplicate. Every document is marked stale, as the recall rule changed.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BATCH = 5000

_MESSAGE = sa.table(
    "message",
    sa.column("id", sa.Integer()),
    sa.column("message_key", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("doc_key", sa.String()),
    sa.column("business_type", sa.Integer()),
    sa.column("sent_at", sa.DateTime()),
    sa.column("record", sa.Text()),
)
_TEXTS = ["sender_id", "sender_name", "code_number", "code_notation", "doc_type", "type_name"]
_TEXTS += ["subject", "channel"]
_VALUES = [*_TEXTS, "promulgation_date", "due_date", "sent_at", "priority", "business_type"]
_DOCUMENT = sa.table(
    "document",
    sa.column("direction", sa.String()),
    sa.column("doc_key", sa.String()),
    sa.column("external_id", sa.String()),
    sa.column("recipients", sa.String()),
    sa.column("flags", sa.String()),
    *(sa.column(name, sa.String()) for name in _TEXTS),
    sa.column("promulgation_date", sa.Date()),
    sa.column("due_date", sa.Date()),
    sa.column("sent_at", sa.DateTime()),
    sa.column("priority", sa.Integer()),
    sa.column("business_type", sa.Integer()),
    sa.column("fact_recalled", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("doc_key", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("business_type", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("record", sa.Text(), nullable=True))
        batch_op.create_index("ix_message_doc_key", ["doc_key"], unique=False)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recall_sent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _keep_the_values_of_stored_messages(op.get_bind())
    op.get_bind().execute(sa.update(_DOCUMENT).values(fact_recalled=None))


def _keep_the_values_of_stored_messages(connection: sa.Connection) -> None:
    """Each edoc message stored before gets the values of the outgoing row it made."""
    document, message = _DOCUMENT.c, _MESSAGE.c
    key = sa.func.substr(message.message_key, 6)  # after "edoc|"
    query = (
        sa.select(message.id, *(document[name] for name in _VALUES))
        .add_columns(document.doc_key, document.recipients, document.flags)
        .select_from(
            _MESSAGE.join(
                _DOCUMENT,
                sa.and_(
                    document.doc_key == key,
                    document.direction == "out",
                    document.external_id.is_(None),
                ),
            )
        )
        .where(message.kind == "edoc", message.doc_key.is_(None))
        .order_by(message.id)
    )
    rows = [dict(row) for row in connection.execute(query).mappings()]
    for start in range(0, len(rows), _BATCH):
        updates = [_message_values(row) for row in rows[start : start + _BATCH]]
        connection.execute(
            sa.update(_MESSAGE)
            .where(message.id == sa.bindparam("message_id"))
            .values(
                message_key=sa.bindparam("new_key"),
                doc_key=sa.bindparam("new_doc_key"),
                business_type=sa.bindparam("new_business_type"),
                sent_at=sa.bindparam("new_sent_at"),
                record=sa.bindparam("new_record"),
            ),
            updates,
        )


def _message_values(row: dict[str, Any]) -> dict[str, Any]:
    sent_at: datetime | None = row["sent_at"]
    values = {name: _json_value(row[name]) for name in _VALUES}
    values["doc_key"] = row["doc_key"]
    values["recipient_ids"] = [r for r in (row["recipients"] or "").split(";") if r]
    values["flags"] = [f for f in (row["flags"] or "").split("; ") if f]
    when = sent_at.isoformat() if sent_at else ""
    return {
        "message_id": row["id"],
        "new_key": f"edoc|{row['doc_key']}|{row['business_type']}|{when}",
        "new_doc_key": row["doc_key"],
        "new_business_type": row["business_type"],
        "new_sent_at": sent_at,
        "new_record": json.dumps(values, ensure_ascii=False),
    }


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("recall_sent")
    connection = op.get_bind()
    message = _MESSAGE.c
    # several messages about one document collapse to one key: keep the first
    first = (
        sa.select(sa.func.min(message.id))
        .where(message.kind == "edoc")
        .group_by(message.doc_key)
        .scalar_subquery()
    )
    connection.execute(sa.delete(_MESSAGE).where(message.kind == "edoc", message.id.not_in(first)))
    connection.execute(
        sa.update(_MESSAGE)
        .where(message.kind == "edoc")
        .values(message_key=sa.literal("edoc|") + message.doc_key)
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_doc_key")
        batch_op.drop_column("record")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("business_type")
        batch_op.drop_column("doc_key")

"""documents are reconciled from each system's observations (edXML, software, register)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 01:00:00

One document reaches the store through the axis, the document-management software and the
register export: each system's copy is kept as an observation (``document_source``) and the
document row is reconciled from them (``checker.store.reconcile``), with the system each
lifecycle time came from and the values systems disagree on. Every document stored before
becomes the observation of the system that wrote it (edXML when no software id is known, a
register when its source says so, else the software), with its identity keys
(``checker.store.identity``); documents stored twice before are reconciled when one of their
systems is read again.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from checker.store.identity import code_key, id_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BATCH = 5000
_VALUES = [
    "direction", "organ_id", "doc_key", "sender_id", "sender_name", "recipients", "code",
    "code_number", "code_notation", "doc_type", "type_name", "subject", "promulgation_date",
    "due_date", "sent_at", "doc_date", "priority", "business_type", "recall_sent", "channel",
    "flags", "source", "locator", "fetched_at", "external_id", "arrival_number", "arrived_at",
    "registered_at", "submitted_at", "assigned_at", "signed_at", "issued_at",
    "digitally_signed", "file_code", "recalled", "updated_at",
]  # fmt: skip
_KEYS = ["kind", "source_key", "document_key"]
_TYPED = {"doc_key", "source", "external_id", "promulgation_date"}
_DOCUMENT = sa.table(
    "document",
    *(sa.column(name) for name in _VALUES if name not in _TYPED),
    *(sa.column(name, sa.String()) for name in ("doc_key", "source", "external_id", "sources")),
    sa.column("promulgation_date", sa.Date()),
)
_SOURCE = sa.table(
    "document_source",
    *(sa.column(name) for name in _VALUES if name not in _TYPED),
    *(sa.column(name, sa.String()) for name in ("doc_key", "source", "external_id")),
    *(sa.column(name, sa.String()) for name in ("kind", "source_key", "document_key")),
    *(sa.column(name, sa.String()) for name in ("id_key", "code_key")),
    sa.column("promulgation_date", sa.Date()),
    sa.column("id", sa.Integer()),
)


def upgrade() -> None:
    op.create_table(
        "document_source",
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("organ_id", sa.String(), nullable=False),
        sa.Column("doc_key", sa.String(), nullable=False),
        sa.Column("sender_id", sa.String(), nullable=False),
        sa.Column("sender_name", sa.String(), nullable=True),
        sa.Column("recipients", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=True),
        sa.Column("code_number", sa.String(), nullable=True),
        sa.Column("code_notation", sa.String(), nullable=True),
        sa.Column("doc_type", sa.String(), nullable=True),
        sa.Column("type_name", sa.String(), nullable=True),
        sa.Column("subject", sa.String(), nullable=True),
        sa.Column("promulgation_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("business_type", sa.Integer(), nullable=False),
        sa.Column("recall_sent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("flags", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("locator", sa.String(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("external_id", sa.String(), nullable=True),
        sa.Column("arrival_number", sa.String(), nullable=True),
        sa.Column("arrived_at", sa.DateTime(), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("digitally_signed", sa.Boolean(), nullable=True),
        sa.Column("file_code", sa.String(), nullable=True),
        sa.Column("recalled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("id_key", sa.String(), nullable=True),
        sa.Column("code_key", sa.String(), nullable=True),
        sa.Column("document_key", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "source_key", "kind", "direction", "organ_id", name="uq_document_source_natural"
        ),
    )
    with op.batch_alter_table("document_source", schema=None) as batch_op:
        batch_op.create_index("ix_document_source_code_key", ["code_key"], unique=False)
        batch_op.create_index(
            "ix_document_source_document", ["document_key", "direction", "organ_id"], unique=False
        )
        batch_op.create_index("ix_document_source_id_key", ["id_key"], unique=False)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sources", sa.String(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("field_sources", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("disagreements", sa.Text(), nullable=True))
    _observations_of_stored_documents(op.get_bind())


def _kind(document: Any) -> Any:
    return sa.case(
        (document.external_id.is_(None), "edxml"),
        (document.source.like("register%"), "register"),
        else_="dms",
    )


def _observations_of_stored_documents(connection: sa.Connection) -> None:
    """Each stored document becomes the observation of the system that wrote it."""
    document = _DOCUMENT.c
    source_key = sa.case(
        (document.external_id.is_(None), document.doc_key),
        else_=document.source + sa.literal(":") + document.external_id,
    )
    select_values = [*(document[name] for name in _VALUES), _kind(document), source_key]
    select_values.append(document.doc_key)
    connection.execute(
        sa.insert(_SOURCE).from_select([*_VALUES, *_KEYS], sa.select(*select_values))
    )
    connection.execute(sa.update(_DOCUMENT).values(sources=_kind(document)))
    _identity_keys(connection)


def _identity_keys(connection: sa.Connection) -> None:
    """The identity keys of the observations, in ranges of ids."""
    c = _SOURCE.c
    last = 0
    while True:
        rows = connection.execute(
            sa.select(c.id, c.kind, c.doc_key, c.source_key, c.sender_id, c.code)
            .add_columns(c.promulgation_date)
            .where(c.id > last)
            .order_by(c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        keys = [
            {
                "row_id": row.id,
                "new_id_key": id_key(
                    row.doc_key if row.doc_key != row.source_key or row.kind == "edxml" else None
                ),
                "new_code_key": code_key(row.sender_id, row.code, row.promulgation_date),
            }
            for row in rows
        ]
        connection.execute(
            sa.update(_SOURCE)
            .where(c.id == sa.bindparam("row_id"))
            .values(id_key=sa.bindparam("new_id_key"), code_key=sa.bindparam("new_code_key")),
            keys,
        )


def _carries_id(row: Any) -> bool:
    """edXML keys documents by DocumentId; the software, when it knew none, by its own id."""
    return bool(row.kind == "edxml" or row.doc_key != row.source_key)


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("disagreements")
        batch_op.drop_column("field_sources")
        batch_op.drop_column("sources")
    op.drop_table("document_source")

"""Records that connectors hand to the store.

A connector turns outside data (edXML messages, API pages, register rows) into these
validated models; the store writes them. They carry the organisation codes exactly as the
source gave them: the agency registry is applied only when measuring.

Times are naive datetimes in Vietnam local time (Asia/Ho_Chi_Minh, UTC+7), the time every
source states and the clock on which "the same day" is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

AXIS = "axis"
"""Channel of a document carried by the interconnection axis (edXML)."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentRecord(_Record):
    """A document as sent: an outgoing document of its sender and an incoming document
    of each recipient."""

    doc_key: str = Field(min_length=1, description="DocumentId, or sender,date,code if absent")
    sender_id: str = Field(min_length=1)
    sender_name: str | None = None
    recipient_ids: tuple[str, ...] = Field(min_length=1)
    code_number: str | None = None
    code_notation: str | None = None
    doc_type: str | None = None
    type_name: str | None = None
    subject: str | None = None
    promulgation_date: date | None = None
    due_date: date | None = None
    sent_at: datetime | None = None
    priority: int = 0
    business_type: int = 0
    channel: str = AXIS
    flags: tuple[str, ...] = ()

    @property
    def code(self) -> str | None:
        """Number and notation as written on the document, e.g. ``7816/VPCP-TTĐT``."""
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation


class StatusRecord(_Record):
    """A status message: ``actor_id`` reports ``status_code`` on a document it received."""

    actor_id: str = Field(min_length=1)
    doc_key: str | None = None
    ref_sender_id: str | None = None
    ref_code: str | None = None
    status_code: str = Field(pattern=r"^\d{2}$")
    description: str | None = None
    occurred_at: datetime | None = None
    flags: tuple[str, ...] = ()


class Quarantined(_Record):
    """An input that could not be used, set aside with the reason."""

    source: str
    locator: str
    reason: str
    excerpt: str = ""
    content_hash: str = ""


Record = DocumentRecord | StatusRecord


@dataclass(frozen=True)
class Read:
    """One message a connector read: the record and where it came from."""

    locator: str
    record: Record

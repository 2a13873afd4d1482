"""Small builders of records for tests."""

from __future__ import annotations

from datetime import datetime

from checker.store.records import DocumentRecord, Read, StatusRecord


def doc(
    number: int,
    sender: str = "000.00.01.H99",
    recipients: tuple[str, ...] = ("000.00.02.H99",),
    sent_at: datetime = datetime(2025, 3, 3, 9, 0),
    channel: str = "axis",
) -> Read:
    record = DocumentRecord(
        doc_key=f"{sender},{sent_at:%Y/%m/%d},{number}/SNV-VP",
        sender_id=sender,
        recipient_ids=recipients,
        code_number=str(number),
        code_notation="SNV-VP",
        subject=f"V/v thử nghiệm {number}",
        promulgation_date=sent_at.date(),
        sent_at=sent_at,
        channel=channel,
    )
    return Read(f"/edxml/edoc-{number}.edxml", record)


def status(
    document: Read,
    actor: str,
    code: str,
    at: datetime,
    by_code_only: bool = False,
) -> Read:
    record = document.record
    assert isinstance(record, DocumentRecord)
    result = StatusRecord(
        actor_id=actor,
        doc_key=None if by_code_only else record.doc_key,
        ref_sender_id=record.sender_id,
        ref_code=record.code,
        status_code=code,
        occurred_at=at,
    )
    return Read(f"/edxml/status-{record.code_number}-{actor}-{code}.edxml", result)

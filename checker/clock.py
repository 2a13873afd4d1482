"""The one clock: Vietnam's time zone and "now".

Every time checker stores is naive Vietnam local time (UTC+7), the clock on which "the same
day" of Decree 30 is judged. Vietnam has kept UTC+7 without daylight saving since 1975, so a
fixed offset is exact for every record we hold and needs no time zone database (Windows has
none by default).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
"""Vietnam's time zone (Asia/Ho_Chi_Minh)."""


def vietnam_now() -> datetime:
    """The current Vietnam local time, naive and to the second, as the store keeps times."""
    return datetime.now(VIETNAM).replace(tzinfo=None, microsecond=0)


def today() -> date:
    """Today's date in Vietnam."""
    return datetime.now(VIETNAM).date()


def to_vietnam(moment: datetime) -> datetime:
    """``moment`` as naive Vietnam local time; a naive ``moment`` already is."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment
    return moment.astimezone(VIETNAM).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """The date in Vietnam of ``moment``; a naive ``moment`` is already Vietnam local time."""
    return to_vietnam(moment).date()


def as_aware(moment: datetime) -> datetime:
    """A naive Vietnam local time with its offset (``...+07:00``), as APIs are told it."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VIETNAM)

"""Numbers and dates as the reader writes them. Vietnamese: a comma before the decimals, a
dot between thousands (91,5; 12.345), days as 30/06/2025. English: the reverse marks
(91.5; 12,345), days as 2025-06-30 (no day-month order to guess)."""

from __future__ import annotations

from datetime import date, datetime

from checker.i18n import Language

_DAY = {Language.vi: "%d/%m/%Y", Language.en: "%Y-%m-%d"}
_MOMENT = {Language.vi: "%H:%M %d/%m/%Y", Language.en: "%Y-%m-%d %H:%M"}


def number(value: float | int | None, language: Language, empty: str = "—") -> str:
    """``12345.5`` → ``12.345,5`` in Vietnamese, ``12,345.5`` in English; ``None`` → ``—``."""
    if value is None:
        return empty
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if language is Language.en:
        return text
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(value: float | None, language: Language, empty: str = "—") -> str:
    return empty if value is None else f"{number(round(value, 1), language)}%"


def day(value: date | None, language: Language, empty: str = "—") -> str:
    return empty if value is None else value.strftime(_DAY[language])


def moment(value: datetime, language: Language) -> str:
    return value.strftime(_MOMENT[language])

"""Numbers as people in Vietnam write them: a comma before the decimals, a dot between
thousands (91,5; 12.345)."""

from __future__ import annotations


def vi_number(value: float | int | None, empty: str = "—") -> str:
    """``91.5`` → ``91,5``; ``12345`` → ``12.345``; ``None`` → ``—``."""
    if value is None:
        return empty
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def vi_percent(value: float | None, empty: str = "—") -> str:
    return empty if value is None else f"{vi_number(round(value, 1))}%"

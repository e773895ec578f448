"""The one clock every rule reads, so tests can move time without touching the system clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """Return the current time, aware, in UTC (or the frozen time in tests)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    """Return today's date in UTC."""
    return now().date()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Freeze the clock at an aware datetime for the duration of the block."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("freeze the clock with an aware datetime")
    previous, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous

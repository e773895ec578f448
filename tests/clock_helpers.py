"""Moving the clock past a ballot's close, instead of moving the ballot's window into the past."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from core import clock


def just_after_close(ballot) -> datetime:
    """Return the first whole second at which the ballot is closed."""
    return ballot.closes_at + timedelta(seconds=1)


def after_close(ballot) -> AbstractContextManager[None]:
    """Freeze the clock one second after the ballot's close for the duration of the block."""
    return clock.frozen(just_after_close(ballot))

"""The one clock. Every "now" and "today" of the system comes from here, so a page, the
API, the scan and a test that passes its own `now` all agree on what day it is.

Datetimes are aware and in UTC; "today" is the calendar day in Beijing (a deadline ends
at 24:00 Asia/Shanghai of its last day, whatever the server's zone).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Optional

from engine.legaltime import TZ


def now() -> datetime:
    return datetime.now(timezone.utc)


def today(at: Optional[datetime] = None) -> date:
    """The Beijing calendar day of `at` (default: now)."""
    return (at or now()).astimezone(TZ).date()

"""The deadline scan (minimal: marks passed deadlines missed). Issue 8 grows it into
alerts, escalation and delivery."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.models import Deadline


def scan(session: Session, now: datetime) -> dict:
    res = session.execute(
        update(Deadline).where(Deadline.status == "open", Deadline.ends_at <= now)
        .values(status="missed"))
    session.commit()
    return {"now": now.isoformat(), "missed": res.rowcount}

"""Moving a case's legal periods when a step is taken: start, meet, cancel.

Each started period is one `Deadline` row recording the anchor, the rule pack and the
article it was computed under, so a page or a printed form can always say why a date is
what it is. Every row written (started, met, cancelled, missed, recomputed) is appended
to the evidence log as it then stands (`log`), so a row edited afterwards is detected.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import evidence
from engine.bilingual import Bi
from engine.definition import Procedure
from engine.models import Case, Deadline, Event
from engine.rulepacks import PACKS

OPEN, MET, MISSED, CANCELLED, SUPERSEDED = "open", "met", "missed", "cancelled", "superseded"
# A superseded period was replaced by the same duty started again (a meeting rescheduled
# moves its notice period); it keeps its alerts and history but no longer counts.
STATUS_LABELS = {OPEN: Bi("进行中", "running"), MET: Bi("已履行", "met"),
                 MISSED: Bi("已逾期", "overdue"), CANCELLED: Bi("已取消", "cancelled"),
                 SUPERSEDED: Bi("已撤销（改期）", "withdrawn (rescheduled)")}


def anchor_date(anchor: str, data: dict, today: date) -> Optional[date]:
    if anchor == "@event":
        return today
    v = data.get(anchor)
    if not v:
        return None
    return v if isinstance(v, date) else date.fromisoformat(str(v)[:10])


@dataclass(frozen=True)
class PastDue:
    """A deadline that would be overdue the moment its period starts."""
    key: str
    label: str
    due_date: date
    citation: str
    days_late: int


def already_past(defn: Procedure, data: dict, pack: str, today: date,
                 starts: Iterable[str]) -> list[PastDue]:
    """The periods `starts` would run from `data` that ended before `today` (a case
    opened late, e.g. a filing registered weeks after signing): computed as `move` does,
    written nowhere, so a page can ask before the case is born overdue."""
    out = []
    for key in starts:
        spec = defn.deadline(key)
        try:
            anchor = anchor_date(spec.anchor, data, today)
        except ValueError:
            continue            # an unreadable date: the schema will say so
        found = spec.due(pack, anchor) if anchor is not None else None
        if found is None:
            continue
        due, period = found
        if due.date < today:
            out.append(PastDue(key, spec.label, due.date, period.citation,
                               (today - due.date).days))
    return out


def move(session: Session, defn: Procedure, case: Case, ev: Event, data: dict, pack: str,
         today: date, now: datetime, *, starts: Iterable[str] = (), meets: Iterable[str] = (),
         cancels: Iterable[str] = (), final: bool = False) -> list[Deadline]:
    meets, cancels, starts = set(meets), set(cancels), list(starts)
    closing = meets | cancels | set(starts)
    current: list[Deadline] = []
    if closing or final:
        current = list(session.scalars(
            select(Deadline).where(Deadline.case_id == case.id,
                                   Deadline.status.in_((OPEN, MISSED)))))
    restarted = set(starts)
    changed = []
    for d in current:
        if d.key in restarted:
            # Starting a period again replaces the running or missed one: the duty moved
            # (a meeting rescheduled, a filing resubmitted after a correction).
            d.status, d.closed_at = SUPERSEDED, now
            changed.append(d)
        elif d.key in meets:
            d.status, d.closed_at = MET, now
            d.late = today > d.due_date
            changed.append(d)
        elif d.status == OPEN and (d.key in cancels or final):
            d.status, d.closed_at = CANCELLED, now
            changed.append(d)
    created = []
    for key in starts:
        spec = defn.deadline(key)
        anchor = anchor_date(spec.anchor, data, today)
        found = spec.due(pack, anchor) if anchor is not None else None
        if found is None:
            continue            # no such duty under this rule pack, or nothing to run from
        due, period = found
        row = Deadline(case_id=case.id, key=key, label=spec.label, party=spec.party,
                       direction=spec.direction, anchor_date=anchor, amount=period.amount,
                       unit=period.unit, due_date=due.date, ends_at=due.ends_at,
                       provisional=due.provisional, status=OPEN, rulepack=pack,
                       citation=period.citation, basis=due.basis,
                       started_event_id=ev.id, closed_at=None, late=False, created_at=now)
        session.add(row)
        created.append(row)
    log(session, changed + created)
    return created


def log(session: Session, rows: list[Deadline]) -> None:
    """Write the rows and append each, as it now stands, to the evidence log."""
    if rows:
        session.flush()
        evidence.log_rows(session, Deadline, rows)


def pack_label(pack: str) -> str:
    return PACKS.get(pack, pack)

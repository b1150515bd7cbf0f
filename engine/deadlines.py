"""Moving a case's legal periods when a step is taken: start, meet, cancel.

Each started period is one `Deadline` row recording the anchor, the rule pack and the
article it was computed under, so a page or a printed form can always say why a date is
what it is.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    for d in current:
        if d.key in restarted:
            # Starting a period again replaces the running or missed one: the duty moved
            # (a meeting rescheduled, a filing resubmitted after a correction).
            d.status, d.closed_at = SUPERSEDED, now
        elif d.key in meets:
            d.status, d.closed_at = MET, now
            d.late = today > d.due_date
        elif d.status == OPEN and (d.key in cancels or final):
            d.status, d.closed_at = CANCELLED, now
    created = []
    if starts:
        session.flush()          # the starting event's id is recorded on each period
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
                       started_event_id=ev.id, created_at=now)
        session.add(row)
        created.append(row)
    return created


def pack_label(pack: str) -> str:
    return PACKS.get(pack, pack)

"""Cases the deadline scan opens by itself, as the system (after it has marked the missed
deadlines):

- a procedure that declares `recurs` (engine.definition.Recurrence) gets, every quarter,
  one case per estate that has an enterprise (the quarterly assessment of each project);
- a procedure that declares `from_missed` gets a case for each missed deadline of an
  enterprise (a bad credit record proposed from the fact).

Each is opened once: its external number (engine.external_refs: "2026Q4:estate:enterprise",
"deadline:<id>") is unique, written with the case in one transaction.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, cast, exists, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock, evidence, registry, runtime
from engine.access import SYSTEM
from engine.deadlines import MISSED
from engine.external_refs import ExternalRef
from engine.models import Case, Deadline, Estate

BATCH = 200
FROM_MISSED_PER_RUN = 2000      # the rest on the next scan


def quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _taken(session: Session, procedure: str, numbers: list[str]) -> set[str]:
    if not numbers:
        return set()
    return set(session.scalars(select(ExternalRef.number).where(
        ExternalRef.procedure == procedure, ExternalRef.number.in_(numbers))))


def _open(session: Session, defn, estate: Estate, data: dict, number: str, now: datetime, *,
          enterprise_id, parent_case_id=None) -> None:
    case = runtime._open_in_tx(session, defn, estate, SYSTEM, data, now, check_role=False,
                               enterprise_id=enterprise_id, parent_case_id=parent_case_id)
    ref = ExternalRef(procedure=defn.name, number=number, case_id=case.id, created_at=now)
    session.add(ref)
    session.flush()
    evidence.log_rows(session, ExternalRef, [ref])


def _in_batches(session: Session, work: list) -> int:
    """Open each (defn, estate, data, number, enterprise, parent) in transactions of BATCH;
    a batch another scan wrote first is skipped (its numbers are taken)."""
    opened = 0
    for i in range(0, len(work), BATCH):
        chunk = work[i:i + BATCH]
        try:
            with runtime.unit_of_work(session):
                for defn, estate, data, number, ent, parent, now in chunk:
                    _open(session, defn, estate, data, number, now, enterprise_id=ent, parent_case_id=parent)
            opened += len(chunk)
        except IntegrityError:
            continue
    return opened


def open_recurring(session: Session, now: datetime) -> int:
    today = clock.today(now)
    period = quarter(today)
    work = []
    for defn in registry.all_current().values():
        if defn.recurs is None:
            continue
        estates = session.scalars(select(Estate).where(Estate.enterprise_id.is_not(None))
                                  .order_by(Estate.id)).all()
        numbers = {e.id: f"{period}:{e.id}:{e.enterprise_id}" for e in estates}
        taken = _taken(session, defn.name, list(numbers.values()))
        for e in estates:
            if numbers[e.id] not in taken:
                work.append((defn, e, defn.recurs.data(period, e), numbers[e.id], e.enterprise_id, None, now))
    session.rollback()
    return _in_batches(session, work)


def propose_from_missed(session: Session, now: datetime) -> int:
    work = []
    for defn in registry.all_current().values():
        if defn.from_missed is None:
            continue
        # Only the missed deadlines no case was opened for yet (an anti-join on the
        # external number), so the backlog of earlier scans costs nothing.
        number = literal("deadline:") + cast(Deadline.id, String)
        done = exists(select(ExternalRef.id).where(ExternalRef.procedure == defn.name,
                                                   ExternalRef.number == number))
        rows = session.execute(
            select(Deadline, Case).join(Case, Case.id == Deadline.case_id)
            .where(Deadline.status == MISSED, Deadline.party == "enterprise",
                   Case.enterprise_id.is_not(None), Case.procedure != defn.name, ~done)
            .order_by(Deadline.id).limit(FROM_MISSED_PER_RUN)).all()
        numbers = {d.id: f"deadline:{d.id}" for d, _ in rows}
        for d, c in rows:
            data = defn.from_missed({"procedure": c.procedure, "key": d.key, "label": d.label,
                                     "due_date": d.due_date.isoformat(), "citation": d.citation,
                                     "case_id": c.id})
            if data:
                work.append((defn, c.estate, data, numbers[d.id], c.enterprise_id, c.id, now))
    session.rollback()
    return _in_batches(session, work)


def run(session: Session, now: datetime) -> dict:
    return {"recurring": open_recurring(session, now), "from_missed": propose_from_missed(session, now)}

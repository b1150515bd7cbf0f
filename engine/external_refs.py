"""External numbers of cases: a 12345 hotline order's number, a platform's reference.

A platform that posts a case with its own number (`open_once`) gets the case it opened
the first time whenever it posts that number again: the (procedure, number) pair is
unique in the database, written in the same transaction as the case, so two copies
racing open one case between them. A procedure may name the opening field that holds the
number (`Opening.external_key`); the number is then written there too, and a payload that
says otherwise is refused.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock, evidence, registry, runtime
from engine.access import Actor
from engine.bilingual import Bi
from engine.errors import NotFound, PayloadInvalid
from engine.models import Base, Case, Estate, utcnow


class ExternalRef(Base):
    __tablename__ = "external_refs"
    __table_args__ = (UniqueConstraint("procedure", "number", name="uq_external_refs_procedure_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __evidence__ = "external_ref"


def find(session: Session, procedure: str, number: str) -> Optional[int]:
    """The case opened under this external number, if any."""
    return session.scalar(select(ExternalRef.case_id).where(
        ExternalRef.procedure == procedure, ExternalRef.number == number.strip()))


def open_once(session: Session, procedure: str, estate_id: int, actor: Actor, data: Optional[dict],
              number: str, *, now: Optional[datetime] = None) -> tuple[Case, bool]:
    """(the case, whether it was opened now): opened with its external number, or the
    case an earlier post of the same number opened."""
    number = (number or "").strip()
    if not number or len(number) > 100:
        raise PayloadInvalid({"external_no": [Bi("外部编号应为 1 至 100 个字符",
                                                 "The external number must be 1 to 100 characters")]})
    found = find(session, procedure, number)
    if found is not None:
        return session.get(Case, found), False
    now = now or clock.now()
    defn = registry.current(procedure)
    data = dict(data or {})
    key = defn.opening.external_key
    if key:
        given = str(data.get(key) or "").strip()
        if given and given != number:
            raise PayloadInvalid({key: [Bi(f"与外部编号 {number} 不一致", f"differs from the external number {number}")]})
        data[key] = number
    try:
        with runtime.unit_of_work(session):
            estate = session.get(Estate, estate_id)
            if estate is None:
                raise NotFound(Bi("物业管理区域不存在", "No such estate"))
            case = runtime._open_in_tx(session, defn, estate, actor, data, now)
            ref = ExternalRef(procedure=procedure, number=number, case_id=case.id, created_at=now)
            session.add(ref)
            session.flush()
            evidence.log_rows(session, ExternalRef, [ref])
    except IntegrityError:
        # Another post of the same number won the race: answer with its case.
        found = find(session, procedure, number)
        if found is None:
            raise
        return session.get(Case, found), False
    return case, True

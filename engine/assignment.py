"""承办人: the named officer of an organisation who handles a case for it.

Each organisation involved in a case (the street office reviewing it, the enterprise
submitting its materials...) may name one of its own active users as the case's 承办人,
and name another later (改派). The current choice is one row per (case, organisation);
every assignment is also an audit note in the case's trail (`engine.runtime.note`, the
one write path for what happens to a case), so who handled it when stays on record and
in the evidence log."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock, runtime
from engine.access import Actor, may_see_case
from engine.bilingual import Bi
from engine.errors import NotFound, NotPermitted, PayloadInvalid
from engine.models import Base, Case, User

TRIGGER = "assign"
LABEL = runtime.NOTES[TRIGGER]


class CaseAssignment(Base):
    __tablename__ = "case_assignments"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"),
                                         primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"),
                                                 primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def officers(session: Session, actor: Actor) -> list[User]:
    """The active users of the actor's organisation, who may be named 承办人."""
    if actor.org_id is None:
        return []
    return list(session.scalars(select(User).where(User.organisation_id == actor.org_id,
                                                   User.active.is_(True))
                                .order_by(User.display_name, User.id)))


def current(session: Session, case_id: int, org_id: Optional[int]) -> Optional[User]:
    """The organisation's 承办人 of the case, if it named one."""
    if org_id is None:
        return None
    row = session.get(CaseAssignment, (case_id, org_id))
    return session.get(User, row.user_id) if row else None


def assign(session: Session, case_id: int, user_id: int, actor: Actor, *,
           now: Optional[datetime] = None):
    """Name (or change) the actor's organisation's 承办人 of a case; returns the note
    event. Refuses (nothing written) a case the actor may not see, an actor without an
    organisation, and a user who is not an active member of it."""
    now = now or clock.now()
    with runtime.unit_of_work(session):
        case = session.get(Case, case_id)
        if case is None or not may_see_case(actor, case):
            raise NotFound(Bi("案件不存在", "No such case"))
        if actor.org_id is None:
            raise NotPermitted(Bi("只有机关或单位的工作人员可以指派承办人",
                                  "Only the staff of an organisation may assign its officer"))
        user = session.get(User, user_id)
        if user is None or user.organisation_id != actor.org_id or not user.active:
            raise PayloadInvalid({"user_id": [Bi("请选择本单位在岗的工作人员",
                                                 "Choose an active member of your organisation")]})
        row = session.get(CaseAssignment, (case.id, actor.org_id))
        previous = session.get(User, row.user_id) if row else None
        if previous is not None and previous.id == user.id:
            raise PayloadInvalid({"user_id": [Bi(f"{user.display_name}已是本案承办人",
                                                 f"{user.display_name} already handles this case")]})
        if row is None:
            row = CaseAssignment(case_id=case.id, organisation_id=actor.org_id)
            session.add(row)
        row.user_id, row.assigned_by_id, row.assigned_at = user.id, actor.user_id, now
        payload = {"assignee": user.display_name, "assignee_id": user.id,
                   "organisation": actor.org_name,
                   "previous": previous.display_name if previous else None}
        ev = runtime.note(session, case, TRIGGER, LABEL, payload, actor, now=now)
        from engine import notices
        notices.assigned(session, case, ev, actor, user.id, now)
        return ev


def assigned_condition(user_id: int):
    """Cases the user is 承办人 of (for the worklist's and case list's "mine")."""
    return Case.id.in_(select(CaseAssignment.case_id).where(CaseAssignment.user_id == user_id))

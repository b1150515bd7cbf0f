"""Notices of hand-offs (办理通知): when a step passes a case to another organisation —
an item returned, a correction requested, a filing accepted or refused, a case assigned
— whoever must act next (or, when the case ends, whoever opened it) is told, in the
in-app inbox with a read state per user, and by e-mail through the outbox.

Who must act next is read from the declaration: the roles of the steps the law expects
from the new state (optional branches left out), each resolved to the estate's
organisation as alerts are (`engine.alerts.resolve`). The acting organisation is never
told of its own step. Notices are written in the step's transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Optional

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, and_, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock, registry
from engine.access import Actor
from engine.models import Base, Case, Event, User
from engine.timefmt import cn_date


class Notice(Base):
    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # The step that caused it; no foreign key: a notice is a message, not evidence, and
    # must never stand in the way of the audit's own checks on events.
    event_id: Mapped[Optional[int]] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"),
                                                           index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    path: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NoticeRead(Base):
    __tablename__ = "notice_reads"
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _estate_orgs(case: Case) -> dict:
    e = case.estate
    return {"street_office_id": e.street_office_id, "community_id": e.community_id,
            "committee_id": e.committee_id, "bureau_id": e.bureau_id,
            "developer_id": e.developer_id}


def next_organisations(session: Session, case: Case, actor: Actor) -> set[int]:
    """The organisations that must act next on the case (or, once it has ended, the one
    that opened it), the actor's own left out."""
    from engine.alerts import resolve
    defn = registry.get(case.procedure, case.version)
    roles = {r for t in defn.transitions if case.state in t.sources and not t.optional
             for r in t.roles}
    from engine.runtime import available_actions
    orgs = set()
    for role in sorted(roles):
        r, org = resolve(role, case.enterprise_id, _estate_orgs(case))
        if not org or org in orgs or org == actor.org_id:
            continue
        # Only an organisation the guards let act (an assembly contract is filed by the
        # street office, a pre-phase one by the bureau), asked as the engine asks.
        who = Actor(None, "", "", r, org)
        if any(a.allowed and not a.transition.optional
               for a in available_actions(session, case, who)):
            orgs.add(org)
    if defn.state(case.state).final and case.opened_by_id:
        opener = session.get(User, case.opened_by_id)
        if opener is not None and opener.organisation_id:
            orgs.add(opener.organisation_id)
    orgs.discard(actor.org_id)
    return orgs


def _write(session: Session, case: Case, ev: Event, title: str, body: str, now: datetime, *,
           orgs: Iterable[int] = (), users: Iterable[int] = ()) -> list[Notice]:
    from engine.scan import queue_mail
    path = f"/cases/{case.id}"
    rows = [Notice(case_id=case.id, event_id=ev.id, organisation_id=o, title=title[:300],
                   body=body, path=path, created_at=now) for o in sorted(orgs)]
    rows += [Notice(case_id=case.id, event_id=ev.id, user_id=u, title=title[:300], body=body,
                    path=path, created_at=now) for u in sorted(users)]
    session.add_all(rows)
    session.flush()
    queue_mail(session, [{"id": None, "organisation_id": n.organisation_id, "title": n.title,
                          "body": n.body} for n in rows if n.organisation_id], now)
    for n in rows:
        if n.user_id:
            u = session.get(User, n.user_id)
            if u is not None and u.email:
                from engine.alerts import OutboxMessage
                session.add(OutboxMessage(alert_id=None, to_addr=u.email, subject=n.title,
                                          body=n.body, status="pending", attempts=0,
                                          next_attempt_at=now, last_error="", created_at=now))
    return rows


def _text(case: Case, ev: Event, actor: Actor) -> tuple[str, str]:
    defn = registry.get(case.procedure, case.version)
    title = f"{defn.title}（案件 {case.id}）：{ev.label}"
    who = " · ".join(x for x in (actor.org_name, actor.name) if x)
    state = next((s.label for s in defn.states if s.name == case.state), case.state)
    body = (f"{case.estate.name}：{who}于{cn_date(clock.today(ev.created_at))}办理「{ev.label}」，"
            f"案件现为「{state}」。\n案件页面：/cases/{case.id}")
    return title, body


def after_step(session: Session, case: Case, ev: Event, actor: Actor, now: datetime) -> list[Notice]:
    """Tell whoever the step hands the case to (called by the write path)."""
    orgs = next_organisations(session, case, actor)
    if not orgs:
        return []
    title, body = _text(case, ev, actor)
    return _write(session, case, ev, title, body, now, orgs=orgs)


def assigned(session: Session, case: Case, ev: Event, actor: Actor, user_id: int,
             now: datetime) -> list[Notice]:
    """Tell an officer a case was assigned to them (unless they assigned it themselves)."""
    if user_id == actor.user_id:
        return []
    title, body = _text(case, ev, actor)
    return _write(session, case, ev, title, body, now, users=[user_id])


# -- the inbox ---------------------------------------------------------------------------

def _for(actor: Actor):
    conds = [Notice.user_id == actor.user_id] if actor.user_id else []
    if actor.org_id:
        conds.append(Notice.organisation_id == actor.org_id)
    return or_(*conds) if conds else Notice.id.is_(None)


def visible(actor: Actor):
    """The notices addressed to the user or the user's organisation, with whether this
    user has read each (select of (Notice, read_at))."""
    return (select(Notice, NoticeRead.read_at)
            .outerjoin(NoticeRead, and_(NoticeRead.notice_id == Notice.id,
                                        NoticeRead.user_id == (actor.user_id or 0)))
            .where(_for(actor)))


def unread_count(session: Session, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    read = select(NoticeRead.notice_id).where(NoticeRead.user_id == actor.user_id)
    return session.scalar(select(func.count(Notice.id))
                          .where(_for(actor), Notice.id.not_in(read))) or 0


def mark_read(session: Session, actor: Actor, notice_ids: Iterable[int], now: datetime) -> int:
    """Mark notices read for this user only (a colleague still sees them unread)."""
    if actor.user_id is None:
        return 0
    ids = set(session.scalars(select(Notice.id).where(_for(actor), Notice.id.in_(set(notice_ids)))))
    done = set(session.scalars(select(NoticeRead.notice_id).where(
        NoticeRead.user_id == actor.user_id, NoticeRead.notice_id.in_(ids))))
    session.add_all(NoticeRead(notice_id=i, user_id=actor.user_id, read_at=now)
                    for i in sorted(ids - done))
    session.commit()
    return len(ids - done)

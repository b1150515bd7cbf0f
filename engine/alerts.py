"""Alerts about legal deadlines: who is told, when, and the rows that remember it.

The scan (engine.scan) decides *that* a deadline is due soon, overdue or overdue long
enough to escalate; this module says *who* is told (the party that must act, then its
supervisors one level up at a time), with which words, and keeps two tables:

- `Alert`: one row per (deadline, stage), addressed to an organisation. The unique
  constraint on (deadline_id, stage) is what makes a repeated or concurrent scan write
  nothing new: inserts use ON CONFLICT DO NOTHING on both SQLite and PostgreSQL.
  Acknowledgement (签收) is per organisation: one officer signs for the office.
- `OutboxMessage`: one e-mail per (alert, address), written in the same transaction as
  its alert and sent later by engine.mailer (claimed before sending, marked after).

The windows (due soon, escalation) are declared on each procedure
(`engine.definition.AlertWindows`), in working days counted on engine.legaltime's
calendar, so a holiday never eats the warning period.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional

from sqlalchemy import (BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, func, select)
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import evidence, legaltime, registry
from engine.access import Actor
from engine.bilingual import Bi, embed, english, join
from engine.definition import AlertWindows
from engine.models import Base, Deadline, utcnow
from engine.roles import SUPERVISOR_KIND, role_label
from engine.timefmt import cn_date

DUE_SOON, OVERDUE, ESCALATED, SUPERVISION = "due_soon", "overdue", "escalated", "supervision"
KIND_LABELS = {DUE_SOON: Bi("即将到期", "due soon"), OVERDUE: Bi("已逾期", "overdue"),
               ESCALATED: Bi("逾期升级督办", "escalated"),
               SUPERVISION: Bi("逾期督办通知", "supervision notice")}

_ID = BigInteger().with_variant(Integer, "sqlite")


# -- windows ---------------------------------------------------------------------------

def windows(overrides: Optional[Mapping[str, Any]] = None) -> dict[str, AlertWindows]:
    """Each registered procedure's alert windows as declared on it (workflows/), with a
    deployment's overrides applied: app config ALERT_THRESHOLDS =
    {"procedure": {"due_soon": 5, "escalate": [5, 15]}}."""
    out = {}
    for name, defn in registry.all_current().items():
        base = defn.alerts
        over = (overrides or {}).get(name)
        if isinstance(over, AlertWindows):
            base = over
        elif over:
            base = AlertWindows(int(over.get("due_soon", base.due_soon)),
                                tuple(int(x) for x in over.get("escalate", base.escalate)),
                                base.basis)
        out[name] = base
    return out


def window_for(wins: Mapping[str, AlertWindows], procedure: str) -> AlertWindows:
    return wins.get(procedure) or AlertWindows()


# -- working days ----------------------------------------------------------------------

def _calendar():
    """The process-wide legal calendar; the caches below are keyed by it, so installing
    a newly imported holiday arrangement (engine.legaltime.install) is seen at once."""
    current = getattr(legaltime, "current", None)
    return current() if current else None


def is_workday(d: date) -> bool:
    return bool(legaltime.is_workday(d))


@lru_cache(maxsize=65536)
def _workdays_before(cal, d: date, n: int) -> date:
    while n > 0:
        d -= timedelta(days=1)
        if is_workday(d):
            n -= 1
    return d


@lru_cache(maxsize=65536)
def _workdays_after(cal, d: date, n: int) -> date:
    while n > 0:
        d += timedelta(days=1)
        if is_workday(d):
            n -= 1
    return d


def workdays_before(d: date, n: int) -> date:
    """The working day that is `n` working days before `d` (d itself when n == 0)."""
    return _workdays_before(_calendar(), d, n)


def workdays_after(d: date, n: int) -> date:
    """The `n`-th working day after `d` (d itself when n == 0)."""
    return _workdays_after(_calendar(), d, n)


def due_soon_until(today: date, w: AlertWindows) -> date:
    """The last day of deadlines that are "due soon" today: the one definition, used by
    every page, the API and the scan (engine.queries)."""
    return workdays_after(today, w.due_soon)


def escalation_days(due: date, th: AlertWindows) -> list[date]:
    """The day each escalation level becomes due."""
    return [workdays_after(due, n) for n in th.escalate]


# -- who is told -----------------------------------------------------------------------

ROLE_COLUMN = {
    "street_office": "street_office_id", "community": "community_id",
    "committee": "committee_id", "housing_bureau": "bureau_id", "developer": "developer_id",
    # Not the estate's: the department a case was transferred to (the scan adds it).
    "department": "department_id",
}


def org_for_role(role: str, enterprise_id: Optional[int], estate: Mapping[str, Any]) -> Optional[int]:
    """The organisation that plays `role` in a case: the case's party for `enterprise`,
    the estate's organisation of that kind for every other role."""
    if role == "enterprise":
        return enterprise_id
    col = ROLE_COLUMN.get(role)
    return estate.get(col) if col else None


def resolve(role: str, enterprise_id: Optional[int], estate: Mapping[str, Any]) -> tuple[str, Optional[int]]:
    """(role, organisation) that receives an alert meant for `role`; when the estate has
    no such organisation (e.g. no owners' committee yet) the supervisor above it is told."""
    seen = set()
    r: Optional[str] = role
    while r and r not in seen:
        seen.add(r)
        org = org_for_role(r, enterprise_id, estate)
        if org:
            return r, org
        r = SUPERVISOR_KIND.get(r)
    return role, None


def escalation_chain(party: str, escalate_to: Iterable[str], levels: int) -> list[str]:
    """Supervisors' roles for levels 1..levels: the definition's `escalate_to` when it
    declares one, else SUPERVISOR_KIND walked up from the party."""
    chain = list(escalate_to)
    if not chain:
        r = party
        while len(chain) < levels and SUPERVISOR_KIND.get(r):
            r = SUPERVISOR_KIND[r]
            chain.append(r)
    return chain[:levels]


# -- models ----------------------------------------------------------------------------

class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("deadline_id", "stage", name="uq_alerts_deadline_stage"),
        Index("ix_alerts_org_unread", "organisation_id", "acknowledged_at"),
    )
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))          # due_soon/overdue/escalated/supervision
    stage: Mapped[str] = mapped_column(String(40))         # unique per deadline: dedup key
    level: Mapped[int] = mapped_column(Integer, default=0)  # 0 the party, 1.. supervisors
    final: Mapped[bool] = mapped_column(Boolean, default=False)  # no further alert follows
    # On the "overdue" alert only: the day the next escalation level falls due (NULL when
    # none is left). The escalation pass reads this index instead of every missed deadline.
    next_check: Mapped[Optional[date]] = mapped_column(Date, index=True)
    role: Mapped[str] = mapped_column(String(32))           # role of the recipient
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[Optional[datetime]] = mapped_column()
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    # Who was told what and when, and who signed for it, is evidence; `next_check` is
    # only the scan's bookmark.
    __evidence__ = "alert"
    __evidence_exclude__ = ("next_check",)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


class OutboxMessage(Base):
    """An e-mail waiting to be sent, being sent, sent, or given up on (kept, never deleted)."""
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("alert_id", "to_addr", name="uq_outbox_alert_to"),
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    alert_id: Mapped[Optional[int]] = mapped_column(ForeignKey("alerts.id"))
    to_addr: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending/sending/sent/failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[Optional[datetime]] = mapped_column()
    claim_token: Mapped[Optional[str]] = mapped_column(String(32))
    sent_at: Mapped[Optional[datetime]] = mapped_column()
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The scan walks open and missed deadlines in (due_date, id) order from a cursor; with
# `id` in the index PostgreSQL reads them in order and stops at the batch size instead of
# sorting every match (SQLite's indexes end with the rowid already). Declared here, with
# the alerts migration that creates it, so the table's owner module stays untouched.
Index("ix_deadlines_scan", Deadline.status, Deadline.due_date, Deadline.id)


# -- wording ---------------------------------------------------------------------------


def compose(kind: str, *, level: int, role: str, estate_name: str, procedure_title: str,
            case_id: int, label: str, due: date, citation: str, consequence: str = "",
            party: str = "") -> tuple[Bi, Bi]:
    """(title, body) of an alert: the Chinese is what is stored and e-mailed; the
    English side (from `Bi` arguments: title, label, consequence) is what the inbox shows
    in English. The estate's name and the citation (it quotes the law) are quoted as they
    are."""
    title_en, label_en = english(procedure_title), english(label)
    where = Bi(f"{estate_name} · {procedure_title}（案件 {case_id}）",
               f"{embed(estate_name)} · {title_en} (case {case_id})")
    if kind == DUE_SOON:
        who = role_label(party or role)
        title = Bi(f"【即将到期】{where}：{label}将于{cn_date(due)}届满",
                   f"[Due soon] {where.en}: {label_en} ends on {due.isoformat()}")
        first = Bi(f"{label}将于{cn_date(due)}24时届满，请{who}在期限内办理。",
                   f"{label_en} ends at 24:00 on {due.isoformat()}; the {who.en} should act "
                   "before then.")
    elif kind == OVERDUE:
        title = Bi(f"【已逾期】{where}：{label}已于{cn_date(due)}届满",
                   f"[Overdue] {where.en}: {label_en} ended on {due.isoformat()}")
        first = Bi(f"{label}已于{cn_date(due)}24时届满，尚未履行，请立即办理。",
                   f"{label_en} ended at 24:00 on {due.isoformat()} and has not been met; "
                   "act at once.")
    else:
        who, to = role_label(party), role_label(role)
        title = Bi(f"【逾期升级·第{level}级】{where}：{label}逾期未履行",
                   f"[Escalated, level {level}] {where.en}: {label_en} is overdue")
        first = Bi(f"{label}已于{cn_date(due)}届满，应由{who}办理，至今未履行，"
                   f"现提请{to}督办。",
                   f"{label_en} ended on {due.isoformat()}; the {who.en} has not acted, "
                   f"so the {to.en} is asked to supervise.")
    lines = [first, Bi(f"依据：{citation}", f"Basis: {embed(citation)}")]
    if consequence:
        lines.append(Bi(f"逾期后果：{consequence}", f"If missed: {english(consequence)}"))
    lines.append(Bi(f"案件页面：/cases/{case_id}", f"Case page: /cases/{case_id}"))
    return title, join(lines, "\n", "\n")


# -- reading ---------------------------------------------------------------------------

def visible_alerts(actor: Actor):
    """Select of the alerts addressed to the actor's organisation (admin: all)."""
    q = select(Alert)
    if actor.role != "admin":
        q = q.where(Alert.organisation_id == (actor.org_id if actor.org_id else -1))
    return q


def unread_count(session: Session, actor: Actor) -> int:
    """Alerts not yet acknowledged by the actor's organisation (the nav badge)."""
    if actor is None or (actor.role != "admin" and not actor.org_id):
        return 0
    q = select(func.count(Alert.id)).where(Alert.acknowledged_at.is_(None))
    if actor.role != "admin":
        q = q.where(Alert.organisation_id == actor.org_id)
    return int(session.scalar(q) or 0)


def acknowledge(session: Session, alert_id: int, actor: Actor, *, now: Optional[datetime] = None) -> bool:
    """Sign for an alert on behalf of the actor's organisation. False when it is not
    the actor's (or does not exist); idempotent (the first signature stands). Commits."""
    alert = session.scalar(visible_alerts(actor).where(Alert.id == alert_id))
    if alert is None or actor.role == "admin" and alert.organisation_id is not None:
        return False
    _sign(session, Alert.id == alert.id, actor, now)
    return True


def acknowledge_all(session: Session, actor: Actor, *, now: Optional[datetime] = None) -> int:
    if actor.role == "admin" or not actor.org_id:
        return 0
    return _sign(session, Alert.organisation_id == actor.org_id, actor, now)


def _sign(session: Session, which, actor: Actor, now: Optional[datetime]) -> int:
    """Mark the unsigned alerts matching `which` as signed, log each; commits."""
    t = Alert.__table__
    try:
        rows = session.connection().execute(
            t.update().where(which, t.c.acknowledged_at.is_(None))
            .values(acknowledged_at=now or utcnow(), acknowledged_by_id=actor.user_id)
            .returning(*t.columns)).mappings().all()
        evidence.log_rows(session, Alert, rows)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(rows)


# -- the administrators ----------------------------------------------------------------

def notify_admins(session: Session, subject: str, body: str, *,
                  now: Optional[datetime] = None) -> int:
    """Queue an e-mail to every active administrator about something only they can put
    right (e.g. a stored file that no longer hashes to what was issued), once per
    subject and address. Commits; returns how many were queued."""
    from engine.models import User
    now = now or utcnow()
    addrs = [a for a in session.scalars(select(User.email).where(
        User.role == "admin", User.active.is_(True), User.email.is_not(None)).order_by(User.id))
        if a]
    sent = set(session.scalars(select(OutboxMessage.to_addr).where(
        OutboxMessage.subject == subject[:300], OutboxMessage.to_addr.in_(addrs)))) if addrs else set()
    rows = [OutboxMessage(alert_id=None, to_addr=a, subject=subject[:300], body=body,
                          status="pending", attempts=0, next_attempt_at=now, last_error="",
                          created_at=now) for a in addrs if a not in sent]
    session.add_all(rows)
    session.commit()
    return len(rows)

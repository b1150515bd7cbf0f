"""The deadline scan: due soon, overdue (marked missed), escalated; each alert once.

Run from cron or a systemd timer (`flask deadlines scan [--now ISO]`), never from a web
worker. Safe when several hosts run it at the same moment:

- PostgreSQL: each batch selects its deadline rows `FOR UPDATE OF deadlines SKIP LOCKED`,
  so concurrent scanners share the work instead of waiting on each other;
- SQLite: each batch's transaction starts with `BEGIN IMMEDIATE` (the database's single
  writer), so a second scanner waits (busy_timeout) and then sees the first one's work;
- on both, alerts are inserted with ON CONFLICT DO NOTHING against the unique
  (deadline_id, stage), so even a race that got past the locks writes each alert once.

Three passes, each in batches walked by a cursor, so a row left unchanged (or skipped
because another host holds it) is not fetched twice in one run:

1. open deadlines whose last day has ended (index (status, due_date)) → status "missed",
   an "overdue" alert to the party that must act, and one audit event per case
   (engine.runtime.note) naming them;
2. open deadlines within their procedure's warning period (same index) → "due soon";
3. missed deadlines whose next escalation day has come → an "escalated" alert per level,
   to the supervisors one level up at a time. This pass reads the overdue alert's
   `next_check` (indexed), not the missed deadlines, so years of old missed deadlines
   cost nothing; a deadline met or cancelled meanwhile just has its `next_check` cleared.

A deadline met after it was missed keeps its alerts and its audit event; the engine
marks it `late` (engine.deadlines), so it stays visible as late in the history.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping, Optional

from sqlalchemy import and_, bindparam, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from engine import clock, evidence, registry
from engine.queries import due_soon_condition
from engine.alerts import (DUE_SOON, ESCALATED, OVERDUE, Alert, OutboxMessage, compose,
                           due_soon_until, escalation_chain, escalation_days, resolve,
                           window_for, windows as alert_windows)
from engine.definition import AlertWindows
from engine.deadlines import MISSED, OPEN
from engine.errors import NotFound, StaleCase
from engine.runtime import _is_race
from engine.access import DEPARTMENT_KEY
from engine.models import Case, Deadline, Estate, Organisation, User

BATCH = 500
RETRIES = 5

# Estates are read per batch by primary key (`_estates`), not joined: with the join the
# planner's row estimates for the "no alert yet" filter made it loop over all estates.
_COLS = (Deadline.id, Deadline.case_id, Deadline.key, Deadline.label, Deadline.party,
         Deadline.due_date, Deadline.citation, Case.procedure, Case.version,
         Case.enterprise_id, Case.estate_id)
_ESTATE_COLS = (Estate.id, Estate.name, Estate.street_office_id, Estate.community_id,
                Estate.committee_id, Estate.bureau_id, Estate.developer_id)


@dataclass
class _Ctx:
    session: Session
    now: datetime
    today: date
    windows: Mapping[str, AlertWindows]
    postgres: bool
    batch: int
    estates: dict = field(default_factory=dict)


# -- helpers -----------------------------------------------------------------------------

def _begin_write(ctx: _Ctx) -> None:
    """Start the batch's transaction; on SQLite take the write lock at BEGIN."""
    s = ctx.session
    if s.in_transaction():
        s.commit()
    if not ctx.postgres:
        s.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _insert(ctx: _Ctx, model):
    return (postgresql.insert(model) if ctx.postgres else sqlite.insert(model))


def _locked(ctx: _Ctx, q):
    return q.with_for_update(skip_locked=True, of=Deadline) if ctx.postgres else q


def _after(cursor):
    if cursor is None:
        return true()
    d, i = cursor
    # The plain `due_date >= d` lets the planner walk the (status, due_date) index from
    # the cursor on; the OR alone would make it filter every row of that status.
    return and_(Deadline.due_date >= d,
                or_(Deadline.due_date > d, and_(Deadline.due_date == d, Deadline.id > i)))


def _base(ctx: _Ctx, cursor):
    return (select(*_COLS).join(Case, Case.id == Deadline.case_id).where(_after(cursor))
            .order_by(Deadline.due_date, Deadline.id).limit(ctx.batch))


def _estates(ctx: _Ctx, rows) -> None:
    """Read the batch's estates not seen yet in this run (one query by primary key)."""
    missing = {r.estate_id for r in rows} - set(ctx.estates)
    if missing:
        for e in ctx.session.execute(select(*_ESTATE_COLS).where(Estate.id.in_(missing))):
            ctx.estates[e.id] = {"name": e.name, "street_office_id": e.street_office_id,
                                 "community_id": e.community_id, "committee_id": e.committee_id,
                                 "bureau_id": e.bureau_id, "developer_id": e.developer_id}


_defn_cache: dict = {}


def _spec(procedure: str, version: int, key: str):
    """(procedure title, deadline declaration or None)."""
    k = (procedure, version, key)
    if k not in _defn_cache:
        try:
            defn = registry.get(procedure, version)
        except NotFound:
            _defn_cache[k] = (procedure, None)
        else:
            try:
                spec = defn.deadline(key)
            except KeyError:
                spec = None
            _defn_cache[k] = (defn.title, spec)
    return _defn_cache[k]


def _alert(ctx: _Ctx, row, kind: str, level: int, role: str, final: bool) -> dict:
    """The row of one alert (next_check None: the missed pass sets it on "overdue")."""
    title_p, spec = _spec(row.procedure, row.version, row.key)
    estate = ctx.estates.get(row.estate_id) or {}
    if role == "department":
        estate = {**estate, "department_id": _department_of(ctx, row.case_id)}
    role, org = resolve(role, row.enterprise_id, estate)
    title, body = compose(kind, level=level, role=role, estate_name=estate.get("name", ""),
                          procedure_title=title_p, case_id=row.case_id, label=row.label,
                          due=row.due_date, citation=row.citation,
                          consequence=spec.consequence if spec else "", party=row.party)
    stage = kind if kind != ESCALATED else f"{ESCALATED}_{level}"
    return dict(deadline_id=row.id, case_id=row.case_id, kind=kind, stage=stage, level=level,
                final=final, role=role, organisation_id=org, title=title[:300], body=body,
                due_date=row.due_date, created_at=ctx.now, next_check=None)


def _department_of(ctx: _Ctx, case_id: int):
    """The department a case was transferred to (few alerts are a department's)."""
    data = ctx.session.scalar(select(Case.data).where(Case.id == case_id)) or {}
    return data.get(DEPARTMENT_KEY)


def _chain(row, th: AlertWindows) -> list[str]:
    _, spec = _spec(row.procedure, row.version, row.key)
    return escalation_chain(row.party, spec.escalate_to if spec else (), len(th.escalate))


def write_alerts(ctx: _Ctx, rows: list[dict]) -> list[dict]:
    """Insert alerts that do not exist yet, queue their e-mails; returns the new ones."""
    if not rows:
        return []
    t = Alert.__table__
    ins = (_insert(ctx, t).on_conflict_do_nothing(index_elements=["deadline_id", "stage"])
           .returning(*t.columns))
    # Core executemany: compiled once (cached), sent as multi-row batches with RETURNING.
    new = [dict(r._mapping) for r in ctx.session.connection().execute(ins, rows)]
    evidence.log_rows(ctx.session, Alert, new)
    queue_mail(ctx.session, new, ctx.now)
    return new


def queue_mail(s: Session, alerts: list[dict], now: datetime) -> int:
    """One outbox row per (alert, address): the organisation's address, or else the
    addresses of its active users. `alerts`: dicts with id, organisation_id, title, body.
    Runs in the caller's transaction, so an alert and its e-mails commit together."""
    orgs = {a["organisation_id"] for a in alerts if a["organisation_id"]}
    if not orgs:
        return 0
    pg = s.get_bind().dialect.name == "postgresql"
    to: dict[int, list[str]] = defaultdict(list)
    for oid, email in s.execute(select(Organisation.id, Organisation.email)
                                .where(Organisation.id.in_(orgs))):
        if email:
            to[oid].append(email)
    missing = orgs - set(to)
    if missing:
        for oid, email in s.execute(select(User.organisation_id, User.email).where(
                User.organisation_id.in_(missing), User.active.is_(True),
                User.email.is_not(None)).order_by(User.id)):
            if email and email not in to[oid]:
                to[oid].append(email)
    msgs = [dict(alert_id=a["id"], to_addr=addr, subject=a["title"], body=a["body"],
                 status="pending", attempts=0, next_attempt_at=now, last_error="",
                 created_at=now)
            for a in alerts for addr in to.get(a["organisation_id"], ())]
    if msgs:
        ins = (postgresql.insert if pg else sqlite.insert)(OutboxMessage.__table__)
        s.connection().execute(ins.on_conflict_do_nothing(index_elements=["alert_id", "to_addr"]),
                               msgs)
    return len(msgs)


def _note_missed(ctx: _Ctx, rows) -> None:
    """One audit event per case naming the deadlines that became missed."""
    from engine.runtime import note
    by_case: dict[int, list] = defaultdict(list)
    for r in rows:
        by_case[r.case_id].append({"deadline_id": r.id, "key": r.key, "label": r.label,
                                   "due_date": r.due_date.isoformat()})
    cases = ctx.session.scalars(select(Case).where(Case.id.in_(list(by_case))).order_by(Case.id))
    for case in cases:
        items = by_case[case.id]
        note(ctx.session, case, "deadline_missed",
             "期限届满未履行：" + "、".join(i["label"] for i in items)[:80],
             {"deadlines": items}, now=ctx.now)


def _batches(ctx: _Ctx, counts: dict, fetch, handle, key=lambda r: (r.due_date, r.id)) -> None:
    """Run fetch/handle per batch, one transaction each, retrying a batch that lost an
    optimistic-lock race with a user's step on one of its cases. `handle` returns the
    counts it adds; they are added once its transaction has committed. `key` gives the
    cursor after a batch, so rows left as they were (or skipped) are never fetched twice."""
    cursor = None
    while True:
        for attempt in range(RETRIES):
            _begin_write(ctx)
            try:
                rows = ctx.session.execute(fetch(ctx, cursor)).all()
                if not rows:
                    ctx.session.commit()
                    return
                delta = handle(rows)
                ctx.session.commit()
                break
            except (StaleDataError, StaleCase, IntegrityError, OperationalError) as exc:
                ctx.session.rollback()
                if not _is_race(exc) or attempt == RETRIES - 1:
                    raise
        for k, v in delta.items():
            counts[k] += v
        cursor = key(rows[-1])


def _next_escalation(ctx: _Ctx, row, th: AlertWindows, chain: list[str]) -> Optional[date]:
    """The first escalation day still ahead of today (None when none is left)."""
    for day in escalation_days(row.due_date, th)[:len(chain)]:
        if day > ctx.today:
            return day
    return None


# -- pass 1: open deadlines whose last day has ended ---------------------------------------

def q_missed(ctx: _Ctx, cursor):
    return _locked(ctx, _base(ctx, cursor).where(Deadline.status == OPEN,
                                                 Deadline.due_date < ctx.today))


def _pass_missed(ctx: _Ctx, counts: dict) -> None:
    def handle(rows):
        _estates(ctx, rows)
        ids = [r.id for r in rows]
        t = Deadline.__table__
        missed = ctx.session.connection().execute(
            t.update().where(t.c.id.in_(ids), t.c.status == OPEN).values(status=MISSED)
            .returning(*t.columns)).mappings().all()
        evidence.log_rows(ctx.session, Deadline, missed)
        alerts = []
        for r in rows:
            th = window_for(ctx.windows, r.procedure)
            chain = _chain(r, th)
            a = _alert(ctx, r, OVERDUE, 0, r.party, final=not chain)
            # The escalation pass picks it up from its first escalation day on (today
            # included, so a deadline found long after its day is escalated in this run).
            days = escalation_days(r.due_date, th)[:len(chain)]
            a["next_check"] = days[0] if days else None
            alerts.append(a)
        new = write_alerts(ctx, alerts)
        _note_missed(ctx, rows)
        return {OVERDUE: len(new), "missed": len(rows)}

    _batches(ctx, counts, q_missed, handle)


# -- pass 2: open deadlines inside their warning period ------------------------------------

def q_due_soon(ctx: _Ctx, cursor):
    # The read side's definition (engine.queries.due_soon_condition); the plain bound on
    # the widest window first lets the planner walk the (status, due_date) index.
    widest = max([w.due_soon for w in ctx.windows.values()] + [AlertWindows().due_soon])
    ends = due_soon_until(ctx.today, AlertWindows(due_soon=widest))
    # "No due-soon alert yet" as a scalar subquery, not NOT EXISTS: PostgreSQL turns NOT
    # EXISTS into an anti-join whose plan depends on the alerts table's statistics, and
    # right after a scan has written many alerts (before autovacuum analyses them) it
    # picks a nested loop over every due-soon alert ever written: seconds, not
    # milliseconds. The subquery is always one probe of uq_alerts_deadline_stage per row.
    already = (select(Alert.id).where(Alert.deadline_id == Deadline.id, Alert.stage == DUE_SOON)
               .limit(1).scalar_subquery())
    return _locked(ctx, _base(ctx, cursor).where(
        Deadline.due_date <= ends, due_soon_condition(ctx.today, ctx.windows), already.is_(None)))


def _pass_due_soon(ctx: _Ctx, counts: dict) -> None:
    def handle(rows):
        _estates(ctx, rows)
        alerts = [_alert(ctx, r, DUE_SOON, 0, r.party, final=False) for r in rows]
        return {DUE_SOON: len(write_alerts(ctx, alerts))}

    _batches(ctx, counts, q_due_soon, handle)


# -- pass 3: missed deadlines whose next escalation day has come ----------------------------

def q_escalate(ctx: _Ctx, cursor):
    """Driven by the overdue alert's `next_check` (indexed): only deadlines with an
    escalation due are read, however many old missed deadlines the database holds."""
    q = (select(*_COLS, Deadline.status.label("status"), Alert.id.label("alert_id"))
         .select_from(Alert).join(Deadline, Deadline.id == Alert.deadline_id)
         .join(Case, Case.id == Deadline.case_id)
         .where(Alert.stage == OVERDUE, Alert.next_check <= ctx.today,
                Alert.id > (cursor or 0))
         .order_by(Alert.id).limit(ctx.batch))
    return _locked(ctx, q)


_SET_NEXT = (Alert.__table__.update().where(Alert.__table__.c.id == bindparam("aid"))
             .values(next_check=bindparam("nc")))


def _pass_escalate(ctx: _Ctx, counts: dict) -> None:
    def handle(rows):
        _estates(ctx, rows)
        alerts, nexts = [], []
        for r in rows:
            if r.status != MISSED:           # met late or cancelled meanwhile: no more
                nexts.append({"aid": r.alert_id, "nc": None})
                continue
            th = window_for(ctx.windows, r.procedure)
            chain = _chain(r, th)
            for level, (role, day) in enumerate(zip(chain, escalation_days(r.due_date, th)), 1):
                if ctx.today >= day:
                    alerts.append(_alert(ctx, r, ESCALATED, level, role, final=level == len(chain)))
            nexts.append({"aid": r.alert_id, "nc": _next_escalation(ctx, r, th, chain)})
        new = write_alerts(ctx, alerts)
        ctx.session.connection().execute(_SET_NEXT, nexts)
        return {ESCALATED: len(new)}

    _batches(ctx, counts, q_escalate, handle, key=lambda r: r.alert_id)


def scan(session: Session, now: datetime, *, thresholds: Optional[Mapping[str, Any]] = None,
         smtp=None, batch: int = BATCH, open_cases: bool = False) -> dict:
    """Scan every deadline as of `now`; returns a JSON-able summary. With `smtp` (an
    engine.mailer.SMTPConfig) the queued e-mails are sent afterwards. With `open_cases`
    (the scheduled `flask deadlines scan`) it then opens the cases the procedures declare
    it opens (engine.recurring: quarterly assessments, credit records from missed deadlines)."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    ctx = _Ctx(session, now, clock.today(now), alert_windows(thresholds),
               session.get_bind().dialect.name == "postgresql", batch)
    counts = {"missed": 0, OVERDUE: 0, DUE_SOON: 0, ESCALATED: 0}
    _pass_missed(ctx, counts)
    _pass_due_soon(ctx, counts)
    _pass_escalate(ctx, counts)
    from engine import recurring, register_duties
    register = register_duties.scan(session, ctx.today, now, windows=ctx.windows)
    summary = {"now": now.isoformat(), "today": ctx.today.isoformat(), **counts,
               "alerts": counts[OVERDUE] + counts[DUE_SOON] + counts[ESCALATED], **register}
    if open_cases:
        summary["cases"] = recurring.run(session, now)
    if smtp is not None:
        from engine.mailer import deliver
        summary["mail"] = deliver(session, smtp, now=now)
    else:
        from engine.mailer import pending_count
        summary["mail"] = {"queued": pending_count(session), "sent": 0,
                           "note": "未配置 SMTP，邮件留在发件箱待发送"}
    return summary

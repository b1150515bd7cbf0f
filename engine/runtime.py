"""The one path every action takes: `advance` (and `open_case`, its first step).

authorise → validate the payload → check the state → guards → fire on the shared
machine → write the event, move deadlines, issue documents → commit once. Any refusal
or failure rolls everything back. Pages, API, CLI and tests all call these functions.
"""
from __future__ import annotations

import copy
import functools
from contextlib import contextmanager
import dataclasses
from types import SimpleNamespace
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Optional, Sequence

from marshmallow import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, class_mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import make_transient_to_detached
from sqlalchemy.orm.exc import StaleDataError

from engine import (clock, deadlines as deadline_rules, documents, evidence, files as file_store,
                    links, machines, readers, register, registry)
from engine.access import SYSTEM, Actor, may_see_case, may_see_estate
from engine.audit import GENESIS, event_hash
from engine.bilingual import Bi, embed, join, labelled
from engine.definition import GuardContext, Opening, Procedure, Transition
from engine.errors import (GuardRefused, InvalidTransition, NotFound, NotPermitted,
                           PayloadInvalid, StaleCase)
from engine.models import Attachment, Case, Estate, Event
from engine.roles import role_label
from engine.rulepacks import pack_for_estate
from engine.schema import today_is

__all__ = ["Actor", "advance", "open_case", "available_actions", "ActionInfo",
           "issuers", "SYSTEM", "note", "unit_of_work", "load_case"]


def issuers(session: Session) -> list[Callable[..., None]]:
    """The document issuers of this session's application. Documents are rendered
    outside the engine (forms/); the application puts its issuer in the session's
    `info` (web.db), so two applications in one process never share one.
    Signature: issuer(session, case, event, kind, actor, now) -> None (adds rows, no commit)."""
    return session.info.setdefault("issuers", [])


@dataclass(frozen=True)
class ActionInfo:
    trigger: str
    label: str
    allowed: bool
    reason: str
    transition: Transition


def _roles_text(roles) -> Bi:
    return join((role_label(r) for r in roles), "、", " or ")


def _only_by(roles) -> Bi:
    who = _roles_text(roles)
    return Bi(f"只能由{who}办理", f"only the {who.en} may do this")


def _check_role(step: Transition | Opening, roles, actor: Actor) -> None:
    if actor.role != "system" and actor.role not in roles:
        label, who = labelled(step), _roles_text(roles)
        raise NotPermitted(Bi(f"「{label}」只能由{who}办理",
                              f"only the {who.en} may take the step “{label.en}”"))


CASE_NOT_FOUND = Bi("案件不存在", "No such case")

# The audit notes the engine writes itself (no procedure's step), by trigger, as pages name
# them; a note's stored label may add detail (which deadlines, which document).
NOTES = {
    "attach": Bi("上传附件", "files uploaded"),
    "deadline_missed": Bi("期限届满未履行", "deadline missed"),
    "deadline_recomputed": Bi("期限重新计算", "deadline recomputed"),
    "supervision_notice": Bi("下发逾期督办通知书", "overdue supervision notice issued"),
    "reissue_document": Bi("重新出具文书", "document reissued"),
    "assign": Bi("指派承办人", "officer assigned"),
}
OUTSIDE_JURISDICTION = Bi("此案件不在您的管辖范围内", "This case is outside your jurisdiction")
NOT_YOUR_CASE = Bi("这不是贵单位的案件，无权查看或办理",
                   "This is not your organisation's case; you may neither see nor act on it")


def _check_case_access(actor: Actor, case: Case) -> None:
    if not may_see_case(actor, case):
        raise NotPermitted(OUTSIDE_JURISDICTION if actor.role != "enterprise" else NOT_YOUR_CASE)


FACT_KEY = "fact_date"
# The earliest fact date the system accepts: nothing it records happened before the
# property-management regulations it applies (物业管理条例 2003).
FACT_FLOOR = date(1990, 1, 1)


def _split_fact(payload: Optional[dict]) -> tuple[dict, Any]:
    """(the step's payload, the `fact_date` it carried, if any)."""
    payload = dict(payload or {})
    return payload, payload.pop(FACT_KEY, None)


def _fact_date(spec, typed: dict, given: Any, recorded_on: date,
               previous: Optional[date]) -> date:
    """The day the step's act happened: the declared payload field, else the `fact_date`
    given, else the day it is recorded. Refused when in the future or before the
    previous step's fact (nothing written)."""
    label = labelled(spec, "fact_label")
    if spec.fact:
        fact = typed.get(spec.fact)
        key = spec.fact
    else:
        key = FACT_KEY
        fact = None
        if given not in (None, ""):
            if isinstance(given, date):
                fact = given
            else:
                try:
                    fact = date.fromisoformat(str(given).strip()[:10])
                except ValueError:
                    raise PayloadInvalid({key: [Bi("日期格式不正确，应为 年-月-日（如 2026-10-08）",
                                                   "Invalid date; write year-month-day "
                                                   "(e.g. 2026-10-08)")]}) from None
    if fact is None:
        return recorded_on
    if fact > recorded_on:
        raise PayloadInvalid({key: [Bi(f"{label} {fact.isoformat()} 晚于今日（{recorded_on.isoformat()}），"
                                       "不能登记尚未发生的事实",
                                       f"The {label.en} {fact.isoformat()} is after today "
                                       f"({recorded_on.isoformat()}): what has not happened "
                                       "cannot be recorded")]})
    if fact < FACT_FLOOR:
        raise PayloadInvalid({key: [Bi(f"{label} {fact.isoformat()} 早于 {FACT_FLOOR.isoformat()}，请核对",
                                       f"The {label.en} {fact.isoformat()} is before "
                                       f"{FACT_FLOOR.isoformat()}; check it")]})
    if previous is not None and fact < previous:
        raise PayloadInvalid({key: [Bi(f"{label} {fact.isoformat()} 早于本案上一步骤的发生日期 "
                                       f"{previous.isoformat()}，请核对",
                                       f"The {label.en} {fact.isoformat()} is before the day the "
                                       f"case's previous step happened ({previous.isoformat()}); "
                                       "check it")]})
    return fact


@functools.cache
def _schema(schema_cls):
    """One instance per payload schema: building one copies its fields, which costs more
    than a load (instances keep no state between loads)."""
    return schema_cls()


def _load_payload(schema_cls, payload: Optional[dict], today: date) -> tuple[dict, dict]:
    """(typed values for guards, JSON-safe values for storage); dates are judged
    plausible against the day the step is recorded."""
    payload = dict(payload or {})
    if schema_cls is None:
        return {}, {}
    schema = _schema(schema_cls)
    try:
        with today_is(today):
            loaded = schema.load(payload)
    except ValidationError as exc:
        raise PayloadInvalid(exc.normalized_messages()) from None
    return loaded, schema.dump(loaded)


def _lookup(session: Session):
    """The read-only organisation look-up a declaration's guards and links may use."""
    return functools.partial(links.organisation, session)


def _reader(session: Session):
    """The read-only views of the register and the ballots (engine.readers)."""
    return functools.partial(readers.read, session)


def _run_guards(guards, ctx: GuardContext, *, with_payload: bool = True) -> list[str]:
    reasons = []
    for g in guards:
        if g.uses_payload and not with_payload:
            continue
        why = g.check(ctx)
        if why:
            reasons.append(why)
    return reasons


_EVENTS = Event.__table__
_CASES = Case.__table__
_INSERT_EVENT = _EVENTS.insert()
_UPDATE_CASE = (
    _CASES.update()
    .where(_CASES.c.id == bindparam("b_id"), _CASES.c.lock_version == bindparam("b_seen"))
    .values(state=bindparam("state"), data=bindparam("data"), updated_at=bindparam("updated_at"),
            lock_version=bindparam("lock_version"), event_seq=bindparam("event_seq"),
            event_head=bindparam("event_head"), fact_date=bindparam("fact_date"))
)


def _append_event(session: Session, case: Case, *, trigger: str, label: str,
                  from_state: Optional[str], to_state: str, actor: Actor,
                  payload: dict, now: datetime, fact_date: Optional[date] = None) -> Event:
    """Insert the next event of the case's hash chain and return it as a persistent
    ORM object. The case row carries the chain's head (event_seq, event_head), so no
    read of the last event is needed; the unique (case_id, seq) makes a concurrent
    append fail."""
    seq, prev = (case.event_seq or 0) + 1, case.event_head or GENESIS
    row = dict(case_id=case.id, seq=seq, trigger=trigger, label=label,
               from_state=from_state, to_state=to_state, actor_id=actor.user_id,
               actor_name=actor.name, organisation_id=actor.org_id,
               organisation_name=actor.org_name, role=actor.role, payload=payload,
               created_at=now, fact_date=fact_date or clock.today(now), prev_hash=prev)
    row["hash"] = event_hash(SimpleNamespace(**row))
    # Written with Core (the ORM unit of work costs more than the step itself), then
    # attached to the session as the existing row it now is.
    row["id"] = session.connection().execute(_INSERT_EVENT, row).inserted_primary_key[0]
    # Nothing navigates from an event, so it stays out of the session (cheaper).
    return _as_loaded(session, Event, row, attach=False)


def _set_committed(obj, **values) -> None:
    """Record values the database now holds (written by Core) as the object's loaded
    state: straight into the instance dict, as the ORM's loader does."""
    obj.__dict__.update(values)


def _write_case(session: Session, case: Case, ev: Event, *, state: str, data: dict,
                now: datetime, opened: bool = False, fact_date: Optional[date] = None) -> None:
    """The optimistic-lock UPDATE that moves the case's head to `ev` (it matches only the
    version this step read), and the event's leaf in the evidence log, which records
    what the case row must hold after it: state, a digest of its data, its version and
    its latest fact date (`fact_date`, default the event's). When `opened`, the case's
    own facts (procedure, estate, parties) are logged too."""
    seen = case.lock_version
    fact_date = fact_date or ev.fact_date
    res = session.connection().execute(_UPDATE_CASE, {
        "b_id": case.id, "b_seen": seen, "state": state, "data": data, "updated_at": now,
        "lock_version": seen + 1, "event_seq": ev.seq, "event_head": ev.hash,
        "fact_date": fact_date})
    if res.rowcount != 1:
        raise StaleCase()
    _set_committed(case, state=state, data=data, updated_at=now, lock_version=seen + 1,
                   event_seq=ev.seq, event_head=ev.hash, fact_date=fact_date)
    leaves = evidence.entries_for(Event, [ev], extra={"_case": {
        "state": state, "data": evidence.digest(data), "lock_version": seen + 1,
        "fact_date": fact_date}})
    if opened:
        leaves += evidence.entries_for(Case, [case])
    evidence.append_entries(session, leaves)


def _attach(session: Session, case: Case, ev: Event, actor: Actor, files) -> list[Attachment]:
    rows = []
    for f in files or ():
        ctype = f.content_type
        sha = file_store.store(session, f.data)
        rows.append(Attachment(case_id=case.id, event_id=ev.id, item=f.item,
                               filename=file_store.clean_name(f.filename, ctype),
                               content_type=ctype, size=len(f.data), sha256=sha,
                               uploaded_by_id=actor.user_id, created_at=ev.created_at))
    if rows:
        session.add_all(rows)
        session.flush()          # ids, for the step's effect and the log
        evidence.log_rows(session, Attachment, rows)
    return rows


def _issue(session, case, ev, kinds, actor, now) -> None:
    found = issuers(session) if kinds else ()
    if found:
        session.flush()          # documents refer to the event that issued them
    for kind in kinds:
        for issuer in found:
            issuer(session, case, ev, kind, actor, now)


def _commit(session: Session) -> None:
    try:
        session.commit()
    except (StaleDataError, IntegrityError, OperationalError) as exc:
        session.rollback()
        if _is_race(exc):
            raise StaleCase() from exc
        raise


def _is_race(exc: BaseException) -> bool:
    """Another writer committed to the same case first."""
    if isinstance(exc, (StaleDataError, StaleCase)):
        return True
    msg = str(exc).lower()
    if isinstance(exc, IntegrityError):
        return "uq_events_case_seq" in msg or "events.case_id, events.seq" in msg
    if isinstance(exc, OperationalError):
        return "locked" in msg or "could not serialize" in msg or "deadlock" in msg
    return False


@contextmanager
def unit_of_work(session: Session):
    """One commit for everything done inside; on any failure a rollback, with a lost
    race reported as StaleCase. Every write path of the engine runs in one."""
    try:
        yield session
    except BaseException as exc:
        session.rollback()
        if _is_race(exc):
            raise StaleCase() from exc
        raise
    _commit(session)


# -- opening -------------------------------------------------------------------------

def _open_in_tx(session: Session, defn: Procedure, estate: Estate, actor: Actor,
                data: Optional[dict], now: datetime, *, check_role: bool = True,
                parent_case_id: Optional[int] = None,
                enterprise_id: Optional[int] = None, files=(),
                fact_date: Optional[date] = None) -> Case:
    op: Opening = defn.opening
    if check_role:
        _check_role(op, op.roles, actor)
        if not may_see_estate(actor, estate):
            raise NotPermitted(Bi("该物业管理区域不在您的管辖范围内",
                                  "This estate is outside your jurisdiction"))
    data, given = _split_fact(data)
    recorded_on = clock.today(now)
    typed, stored = _load_payload(op.schema, data, recorded_on)
    if op.exclusive:
        _refuse_a_second(session, defn, estate)
    if op.refused_when:
        register.refuse(session, op.refused_when, estate)
    pack = pack_for_estate(estate).pack
    today = fact_date or _fact_date(op, typed, given, recorded_on, None)
    ctx = GuardContext(case_data={}, payload=typed, actor=actor, estate=estate,
                       rulepack=pack, today=today, recorded_on=recorded_on,
                       lookup=_lookup(session), read=_reader(session))
    reasons = _run_guards(op.guards, ctx)
    if reasons:
        raise GuardRefused(reasons)
    case_data: dict = {}
    if op.effect:
        op.effect(ctx, case_data)
    else:
        case_data.update(stored)
    if enterprise_id is None and op.party == "estate":
        enterprise_id = actor.org_id if actor.role == "enterprise" else estate.enterprise_id
    case = Case(procedure=defn.name, version=defn.version, estate_id=estate.id,
                state=defn.initial, data=case_data, enterprise_id=enterprise_id,
                parent_case_id=parent_case_id, opened_by_id=actor.user_id,
                created_at=now, updated_at=now, fact_date=today)
    case.estate = estate
    session.add(case)
    session.flush()
    ev = _append_event(session, case, trigger="open", label=op.label, from_state=None,
                       to_state=defn.initial, actor=actor, payload=stored, now=now,
                       fact_date=today)
    _write_case(session, case, ev, state=defn.initial, data=case_data, now=now, opened=True)
    _attach(session, case, ev, actor, files)
    _write_register(session, op.registers, case, estate, case_data, pack, today, actor, ev, now)
    deadline_rules.move(session, defn, case, ev, case_data, pack, today, now,
                        starts=op.starts)
    _issue(session, case, ev, op.issues, actor, now)
    return case


def _write_register(session, writes, case, estate, data, pack, today, actor, ev, now) -> None:
    """The step's declared register writes, in its transaction, dated by its fact."""
    if writes:
        register.apply(session, writes, case, estate, data, pack, register.Recorder(
            fact_date=today, actor=actor, now=now, event_id=ev.id, case_id=case.id))


def _refuse_a_second(session: Session, defn: Procedure, estate: Estate) -> None:
    """An exclusive procedure has at most one running case per estate. The estate's row
    is locked first (PostgreSQL), so two officers opening at once cannot both pass; on
    SQLite the single writer does the same."""
    finals = {s.name for d in registry.all_versions() if d.name == defn.name
              for s in d.states if s.final}
    q = select(Estate.id).where(Estate.id == estate.id)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(q.with_for_update())
    running = session.execute(
        select(Case.id, Case.version, Case.state).where(
            Case.procedure == defn.name, Case.estate_id == estate.id,
            Case.state.notin_(finals)).order_by(Case.id).limit(1)).first()
    if running is not None:
        cid, version, state = running
        label, title = labelled(registry.get(defn.name, version).state(state)), labelled(defn, "title")
        raise GuardRefused([Bi(f"{estate.name}已有在办的「{title}」案件（案件 {cid}，{label}），"
                               "同一物业管理区域不能同时办理两件；请在该案件中继续办理",
                               f"{embed(estate.name)} already has a running case of “{title.en}” "
                               f"(case {cid}, {label.en}); an estate cannot have two at once, so "
                               "go on with that case")])


def open_case(session: Session, procedure: str, estate_id: int, actor: Actor,
              data: Optional[dict] = None, *, now: Optional[datetime] = None,
              files: Sequence[file_store.FileIn] = ()) -> Case:
    """Open a case of the current version of `procedure` for an estate."""
    now = now or clock.now()
    with unit_of_work(session):
        defn = registry.current(procedure)
        estate = session.get(Estate, estate_id)
        if estate is None:
            raise NotFound(Bi("物业管理区域不存在", "No such estate"))
        case = _open_in_tx(session, defn, estate, actor, data, now, files=files)
    return case


# -- advancing -----------------------------------------------------------------------

def advance(session: Session, case_id: int, trigger: str, actor: Actor,
            payload: Optional[dict] = None, *, lock_version: Optional[int] = None,
            now: Optional[datetime] = None,
            files: Sequence[file_store.FileIn] = ()) -> Case:
    """Take one step of a case. Returns the case after commit; raises an EngineError
    subclass (nothing written) when the step is refused."""
    now = now or clock.now()
    with unit_of_work(session):
        case = _advance_in_tx(session, case_id, trigger, actor, payload, lock_version, now, files)
    return case


_ESTATES = Estate.__table__
_LOAD_CASE = (select(_CASES, _ESTATES)
              .join_from(_CASES, _ESTATES, _CASES.c.estate_id == _ESTATES.c.id)
              .where(_CASES.c.id == bindparam("b_id")))
_NCASE = len(_CASES.columns)
_CASE_KEYS = [c.key for c in _CASES.columns]
_ESTATE_KEYS = [c.key for c in _ESTATES.columns]


def load_case(session: Session, case_id: int) -> Optional[Case]:
    """The case and its estate in one round trip, attached to the session as loaded
    rows (the ORM's own loading machinery costs more than the rest of a step). `advance`
    reads the case this way; a caller that checks the case first in the same
    transaction (the API's 404 for cases the caller may not see) saves advance the read."""
    key = session.identity_key(Case, case_id)
    if key in session.identity_map:
        return session.get(Case, case_id)
    row = session.connection().execute(_LOAD_CASE, {"b_id": case_id}).first()
    if row is None:
        return None
    case = _as_loaded(session, Case, dict(zip(_CASE_KEYS, row[:_NCASE])))
    estate = session.identity_map.get(session.identity_key(Estate, case.estate_id))
    if estate is None:
        estate = _as_loaded(session, Estate, dict(zip(_ESTATE_KEYS, row[_NCASE:])))
    set_committed_value(case, "estate", estate)
    return case


def _as_loaded(session: Session, cls, values: dict, *, attach: bool = True):
    """An ORM object for a row just read or written, attached to the session as if the
    ORM had loaded it: filled the way the ORM's loader fills it (straight into the
    instance dict, no attribute events), then marked persistent without SQL."""
    obj = class_mapper(cls).class_manager.new_instance()
    obj.__dict__.update(values)
    if attach:
        make_transient_to_detached(obj)
        session.add(obj)
    return obj


def _advance_in_tx(session, case_id, trigger, actor, payload, lock_version, now, files) -> Case:
    case = load_case(session, case_id)
    if case is None:
        raise NotFound(CASE_NOT_FOUND)
    _check_case_access(actor, case)
    if lock_version is not None and int(lock_version) != case.lock_version:
        raise StaleCase()
    defn = registry.get(case.procedure, case.version)
    t = defn.transition(trigger)
    if t is None:
        raise NotFound(Bi(f"「{defn.title}」没有名为 {trigger} 的操作",
                          f"{labelled(defn, 'title').en} has no step named {trigger}"))
    # 1. authorise
    _check_role(t, t.roles, actor)
    # 2. payload, and the day the act happened
    payload, given = _split_fact(payload)
    recorded_on = clock.today(now)
    typed, stored = _load_payload(t.schema, payload, recorded_on)
    today = _fact_date(t, typed, given, recorded_on, case.fact_date)
    # 3. state
    if not machines.can_fire(defn, trigger, case.state):
        raise InvalidTransition(_state_refusal(defn, t, case.state))
    # 4. guards
    estate = case.estate
    pack = pack_for_estate(estate).pack
    ctx = GuardContext(case_data=case.data, payload=typed, actor=actor, estate=estate,
                       rulepack=pack, today=today, recorded_on=recorded_on, case=case,
                       files=tuple(files or ()), lookup=_lookup(session), read=_reader(session))
    reasons = _run_guards(t.guards, ctx)
    if reasons:
        raise GuardRefused(reasons)
    # 5. fire on the shared machine
    before = case.state
    after = machines.fire(defn, trigger, before)
    # 6. event, files, data, deadlines, linked cases, documents
    ev = _append_event(session, case, trigger=trigger, label=t.label, from_state=before,
                       to_state=after, actor=actor, payload=stored, now=now, fact_date=today)
    rows = _attach(session, case, ev, actor, files)
    new_data = copy.deepcopy(case.data)
    if t.effect:
        # The effect sees the stored attachments (e.g. to list them under a checklist item).
        t.effect(dataclasses.replace(ctx, attachments=tuple(rows)), new_data)
    else:
        new_data.update(stored)
    _write_case(session, case, ev, state=after, data=new_data, now=now)
    _write_register(session, t.registers, case, estate, new_data, pack, today, actor, ev, now)
    deadline_rules.move(session, defn, case, ev, new_data, pack, today, now,
                        starts=t.starts, meets=t.meets, cancels=t.cancels,
                        final=defn.state(after).final)
    documents.void_earlier(session, case.id, t.voids)
    for link in t.opens:
        linked_defn = registry.current(link.procedure)
        payloads = link.data(ctx, new_data)
        ent = new_data.get(link.enterprise_key) if link.enterprise_key else None
        for payload in (payloads if link.many else [payloads]):
            _open_in_tx(session, linked_defn, estate, actor, payload, now,
                        check_role=False, parent_case_id=case.id,
                        enterprise_id=int(ent) if ent else case.enterprise_id, fact_date=today)
    _issue(session, case, ev, t.issues, actor, now)
    from engine import notices      # whoever the step hands the case to is told
    notices.after_step(session, case, ev, actor, now)
    return case


def _state_refusal(defn: Procedure, t: Transition, state: str) -> Bi:
    where = [labelled(defn.state(s)) for s in t.sources]
    now, step = labelled(defn.state(state)), labelled(t)
    return Bi(f"案件当前状态为「{now}」，不能办理「{step}」"
              f"（仅在{'、'.join(f'「{w}」' for w in where)}状态下可办理）",
              f"the case is “{now.en}”, so “{step.en}” cannot be taken "
              f"(only when it is {' or '.join(f'“{w.en}”' for w in where)})")


def note(session: Session, case: Case, trigger: str, label: str, payload: dict,
         actor: Actor = SYSTEM, *, now: Optional[datetime] = None,
         issues: Sequence[str] = ()) -> Event:
    """Append an audit event that does not move the case (a deadline recomputed after a
    holiday arrangement was published, a supervision notice, an upload), issuing the
    named documents. The caller commits, inside `unit_of_work`."""
    now = now or clock.now()
    ev = _append_event(session, case, trigger=trigger, label=label,
                       from_state=case.state, to_state=case.state, actor=actor,
                       payload=payload, now=now)
    # A note happens on the day it is recorded; the case's latest fact date stays the
    # latest of its acts.
    _write_case(session, case, ev, state=case.state, data=case.data, now=now,
                fact_date=max(filter(None, (case.fact_date, ev.fact_date))))
    _issue(session, case, ev, tuple(issues), actor, now)
    return ev


# -- listing -------------------------------------------------------------------------

def available_actions(session: Session, case: Case, actor: Actor, *,
                      now: Optional[datetime] = None) -> list[ActionInfo]:
    """The steps possible from the case's state, each allowed or not with the reason.

    Guards that depend on the payload are checked only when the step is taken."""
    now = now or clock.now()
    defn = registry.get(case.procedure, case.version)
    seeing = may_see_case(actor, case)
    estate = case.estate
    ctx = GuardContext(case_data=case.data, payload={}, actor=actor, estate=estate,
                       rulepack=pack_for_estate(estate).pack, today=clock.today(now),
                       recorded_on=clock.today(now), case=case, lookup=_lookup(session), read=_reader(session))
    out = []
    for t in defn.transitions_from(case.state):
        reason = ""
        if not seeing:
            reason = OUTSIDE_JURISDICTION
        elif actor.role not in t.roles:
            reason = _only_by(t.roles)
        else:
            reasons = _run_guards(t.guards, ctx, with_payload=False)
            reason = join(reasons) if reasons else ""
        out.append(ActionInfo(t.trigger, t.label, not reason, reason, t))
    return out

"""The read side: the one place that answers "what is overdue, what is due soon, what is
on my list, how many" for every page, the JSON API, the inbox and the scan.

Definitions (each decided here and nowhere else):

- **overdue**: a deadline that is `missed`, or still `open` after its last day;
- **due soon**: an `open` deadline whose last day is today or within the procedure's
  declared warning window (`AlertWindows.due_soon` working days, engine.alerts);
- **late**: a deadline met after its last day;
- **to-do** (工作台 / `GET /api/v1/worklist`): the visible cases, on every definition
  version, where the actor may take a step now; an item step of a checklist counts only
  when some item waits for it.

Everything is filtered by jurisdiction (engine.access) in SQL, so no page can count what
its user may not see. "Today" comes from engine.clock unless the caller passes a day.
Counts are of deadlines: one case with two overdue duties owes two things.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Mapping, Optional, Sequence

from sqlalchemy import and_, bindparam, case, func, literal_column, or_, select, true, union_all
from sqlalchemy.orm import Session, contains_eager

from engine import clock, materials, registry
from engine.access import Actor, case_condition, estate_condition, visible_cases
from engine.alerts import due_soon_until, window_for
from engine.deadlines import MET, MISSED, OPEN
from engine.definition import AlertWindows
from engine.models import Case, Deadline, Estate, Organisation
from engine.runtime import ActionInfo, available_actions

OVERDUE, DUE_SOON, LATE = "overdue", "due_soon", "late"
WHICH = (OVERDUE, DUE_SOON, LATE)


# -- the definitions ----------------------------------------------------------------------

def overdue_condition(today: date):
    return or_(Deadline.status == MISSED, and_(Deadline.status == OPEN, Deadline.due_date < today))


def due_soon_condition(today: date, windows: Mapping[str, AlertWindows]):
    """Open, not yet past, within its procedure's window (needs Case joined)."""
    names = sorted(windows)
    ends = [(Case.procedure == n, due_soon_until(today, windows[n])) for n in names]
    end = case(*ends, else_=due_soon_until(today, AlertWindows())) if ends else \
        due_soon_until(today, AlertWindows())
    return and_(Deadline.status == OPEN, Deadline.due_date >= today, Deadline.due_date <= end)


def late_condition():
    return and_(Deadline.status == MET, Deadline.late == true())


def condition(which: str, today: date, windows: Mapping[str, AlertWindows]):
    if which == OVERDUE:
        return overdue_condition(today)
    if which == DUE_SOON:
        return due_soon_condition(today, windows)
    if which == LATE:
        return late_condition()
    raise ValueError(f"unknown deadline list {which!r} (one of {', '.join(WHICH)})")


def is_overdue(d: Deadline, today: date) -> bool:
    return d.status == MISSED or (d.status == OPEN and d.due_date < today)


def is_due_soon(d: Deadline, procedure: str, today: date,
                windows: Mapping[str, AlertWindows]) -> bool:
    return (d.status == OPEN and today <= d.due_date
            <= due_soon_until(today, window_for(windows, procedure)))


# -- scope (the dashboard's drill-down) ------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """Narrows what is counted: a street office, a community, an estate, a procedure."""
    street_office: Optional[int] = None
    community: Optional[int] = None
    estate: Optional[int] = None
    procedure: str = ""

    def conditions(self) -> list:
        c = []
        if self.street_office:
            c.append(Estate.street_office_id == self.street_office)
        if self.community:
            c.append(Estate.community_id == self.community)
        if self.estate:
            c.append(Estate.id == self.estate)
        if self.procedure:
            c.append(Case.procedure == self.procedure)
        return c

    def args(self, **over) -> dict:
        """As query-string arguments (for links that keep the scope), with changes."""
        d = {"street_office": self.street_office, "community": self.community,
             "estate": self.estate, "procedure": self.procedure}
        d.update(over)
        return {k: v for k, v in d.items() if v not in (None, "")}


EVERYTHING = Scope()

GROUPS = {"street_office": Estate.street_office_id, "community": Estate.community_id,
          "estate": Estate.id, "procedure": Case.procedure}


def _visible_deadlines(actor: Actor, scope: Scope):
    return (select(Deadline).join(Case, Case.id == Deadline.case_id)
            .join(Estate, Estate.id == Case.estate_id)
            .where(case_condition(actor), *scope.conditions()))


# -- counts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    overdue: int = 0
    due_soon: int = 0
    late: int = 0


def _window_groups(today: date, windows: Mapping[str, AlertWindows]) -> list[tuple[date, list[str]]]:
    """The procedures grouped by the last day of their due-soon window, widest last; the
    last group with no names is every other procedure (the default window)."""
    by_end: dict[date, list[str]] = {}
    for n in sorted(windows):
        by_end.setdefault(due_soon_until(today, windows[n]), []).append(n)
    return sorted(by_end.items()) + [(due_soon_until(today, AlertWindows()), [])]


# What a deadline row of the tally counts for (see _tally).
_OVERDUE, _SOON, _LATE = literal_column("1"), literal_column("2"), literal_column("3")


def _tally(today: date, windows: Mapping[str, AlertWindows], *, late: bool = True, due_soon: bool = True):
    """(rows, overdue, due soon, late): the deadlines that may count, each read by its own
    range of the status/due-date index (a UNION ALL, so no planner starts from the cases
    and tests every deadline), with the aggregates to apply once they are joined to their
    case. Due soon is open from today to the widest window's last day; each procedure's
    own window is applied on the joined case."""
    Dl = Deadline
    rows = [select(Dl.case_id, Dl.due_date, _OVERDUE.label("kind")).where(Dl.status == MISSED),
            select(Dl.case_id, Dl.due_date, _OVERDUE.label("kind")).where(Dl.status == OPEN, Dl.due_date < today)]
    groups = _window_groups(today, windows) if due_soon else []
    if groups:
        # Open from today to the widest window's last day, each case's procedure's own
        # window applied here, so only the deadlines due soon are joined further.
        named = [(Case.procedure.in_(names), end) for end, names in groups if names]
        end = case(*named, else_=groups[-1][0]) if named else groups[-1][0]
        rows.append(select(Dl.case_id, Dl.due_date, _SOON.label("kind")).join(Case, Case.id == Dl.case_id).where(
            Dl.status == OPEN, Dl.due_date >= today, Dl.due_date <= max(e for e, _ in groups), Dl.due_date <= end))
    if late:
        rows.append(select(Dl.case_id, Dl.due_date, _LATE.label("kind")).where(late_condition()))
    sub = union_all(*rows).subquery()
    od = func.count(case((sub.c.kind == _OVERDUE, 1)))
    ds = lt = None
    if groups:
        ds = func.count(case((sub.c.kind == _SOON, 1)))
    if late:
        lt = func.count(case((sub.c.kind == _LATE, 1)))
    return sub, od, ds, lt


def _tallied(sub, actor: Actor, scope: Scope):
    return (select(sub).join(Case, Case.id == sub.c.case_id)
            .join(Estate, Estate.id == Case.estate_id).where(case_condition(actor), *scope.conditions()))


def counts(session: Session, actor: Actor, windows: Mapping[str, AlertWindows], *,
           today: Optional[date] = None, scope: Scope = EVERYTHING) -> Counts:
    """How many visible deadlines are overdue, due soon, and were met late."""
    today = today or clock.today()
    sub, od, ds, lt = _tally(today, windows)
    q = _tallied(sub, actor, scope).with_only_columns(od, ds, lt)
    o, s, late = session.execute(q).one()
    return Counts(int(o or 0), int(s or 0), int(late or 0))


def counts_by(session: Session, actor: Actor, windows: Mapping[str, AlertWindows], group: str,
              *, today: Optional[date] = None, scope: Scope = EVERYTHING) -> list[tuple[Any, int, int]]:
    """(key, overdue, due soon) per street office, community, estate or procedure."""
    today = today or clock.today()
    col = GROUPS[group]
    sub, od, ds, _ = _tally(today, windows, late=False)
    q = (_tallied(sub, actor, scope).with_only_columns(col, od, ds).group_by(col)
         .having(or_(od > 0, ds > 0)))
    return [(k, int(o or 0), int(s or 0)) for k, o, s in session.execute(q)]


def deadlines(session: Session, actor: Actor, which: str, windows: Mapping[str, AlertWindows], *,
              today: Optional[date] = None, scope: Scope = EVERYTHING, limit: Optional[int] = None,
              offset: int = 0) -> tuple[list, int]:
    """(rows of (Deadline, Case, Estate) in order of last day, total) for one list."""
    today = today or clock.today()
    cond = condition(which, today, windows)
    base = _visible_deadlines(actor, scope).where(cond)
    total = session.scalar(base.with_only_columns(func.count(Deadline.id)))
    q = (base.add_columns(Case, Estate).order_by(Deadline.due_date, Deadline.id).offset(offset))
    if limit is not None:
        q = q.limit(limit)
    return session.execute(q).all(), int(total or 0)


def deadline_ids(session: Session, actor: Actor, which: str, windows: Mapping[str, AlertWindows], *,
                 today: Optional[date] = None, scope: Scope = EVERYTHING) -> set[int]:
    today = today or clock.today()
    q = _visible_deadlines(actor, scope).where(condition(which, today, windows))
    return set(session.scalars(q.with_only_columns(Deadline.id)))


_DEADLINES = Deadline.__table__
_CASE_DEADLINES = (select(_DEADLINES).where(_DEADLINES.c.case_id == bindparam("case_id"))
                   .order_by(_DEADLINES.c.id))


def case_deadlines(session: Session, case_id: int) -> list:
    """One case's deadlines in the order they were started, as read-only rows with the
    model's attribute names (a plain read: a case's JSON carries them on every step)."""
    return session.connection().execute(_CASE_DEADLINES, {"case_id": case_id}).all()


def overdue_case_ids(session: Session, case_ids: Sequence[int], today: Optional[date] = None) -> set[int]:
    """Which of these cases owe something overdue."""
    if not case_ids:
        return set()
    today = today or clock.today()
    return set(session.scalars(select(Deadline.case_id).where(
        Deadline.case_id.in_(list(case_ids)), overdue_condition(today))))


def overdue_cases(today: date):
    """The ids of the cases owing something overdue (with repeats), each branch of the
    definition read from its own range of the status/due-date index."""
    return union_all(select(Deadline.case_id).where(Deadline.status == MISSED),
                     select(Deadline.case_id).where(Deadline.status == OPEN, Deadline.due_date < today))


def overdue_case_condition(today: Optional[date] = None):
    """SQL condition on Case: the case owes something overdue (for case lists). One set
    computed once per statement, not a test per case."""
    today = today or clock.today()
    return Case.id.in_(overdue_cases(today))


# -- the to-do list ------------------------------------------------------------------------

MAX_TODO = 300       # cases whose actions are evaluated for one list


@dataclass
class WorkItem:
    case: Case
    actions: list[ActionInfo]                 # what the law expects next
    overdue: bool = False
    next_due: Optional[date] = None
    also: list[ActionInfo] = field(default_factory=list)   # optional branches (也可办理)


def _actionable_condition(role: str):
    """Cases in a state where some step is open to `role`, on every definition version
    (a case keeps the version it started on). A cheap pre-filter; guards are checked per
    case by available_actions."""
    conds = []
    for defn in registry.all_versions():
        states = sorted({s for t in defn.transitions if role in t.roles for s in t.sources})
        if states:
            conds.append(and_(Case.procedure == defn.name, Case.version == defn.version,
                              Case.state.in_(states)))
    return or_(*conds) if conds else None


def _item_step_has_work(case: Case, trigger: str) -> bool:
    """A checklist's item step is work only when some item waits for it."""
    wanted = materials.WAITS_IN.get(trigger)
    defn = registry.get(case.procedure, case.version)
    if wanted is None or not defn.materials:
        return True
    return any(v.status in wanted for v in materials.checklist(defn, case))


def worklist(session: Session, actor: Actor, *, now: Optional[datetime] = None,
             limit: int = MAX_TODO, mine: bool = False) -> list[WorkItem]:
    """The cases the actor can act on now with the steps allowed, overdue ones first,
    then by the nearest open deadline, then most recently changed; with `mine`, only
    those the actor is 承办人 of."""
    now = now or clock.now()
    today = clock.today(now)
    cond = _actionable_condition(actor.role)
    if cond is None:
        return []
    if mine:
        from engine.assignment import assigned_condition
        cond = and_(cond, assigned_condition(actor.user_id or 0))
    rows = session.scalars(visible_cases(actor).where(cond).options(contains_eager(Case.estate))
                           .order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit)).all()
    items = []
    for c in rows:
        acts = [a for a in available_actions(session, c, actor, now=now)
                if a.allowed and _item_step_has_work(c, a.trigger)]
        expected = [a for a in acts if not a.transition.optional]
        if expected:
            items.append(WorkItem(c, expected,
                                  also=[a for a in acts if a.transition.optional]))
    if items:
        ids = [i.case.id for i in items]
        late = overdue_case_ids(session, ids, today)
        nxt = dict(session.execute(
            select(Deadline.case_id, func.min(Deadline.due_date))
            .where(Deadline.case_id.in_(ids), Deadline.status.in_((OPEN, MISSED)))
            .group_by(Deadline.case_id)).all())
        for i in items:
            i.overdue = i.case.id in late
            i.next_due = nxt.get(i.case.id)
        order = {i.case.id: n for n, i in enumerate(items)}
        items.sort(key=lambda i: (not i.overdue, i.next_due or date.max, order[i.case.id]))
    return items


# -- cases per procedure, overdue per unit ----------------------------------------------------

@dataclass
class ProcedureCount:
    procedure: str
    total: int = 0
    running: int = 0
    overdue: int = 0


def procedure_counts(session: Session, actor: Actor, *, today: Optional[date] = None) -> list[ProcedureCount]:
    """Visible cases per procedure: all, still running, owing something overdue."""
    today = today or clock.today()
    q = (visible_cases(actor).with_only_columns(Case.procedure, Case.version, Case.state,
                                                func.count(Case.id))
         .group_by(Case.procedure, Case.version, Case.state))
    out: dict[str, ProcedureCount] = {}
    for proc, version, state, n in session.execute(q):
        row = out.setdefault(proc, ProcedureCount(proc))
        row.total += n
        if not registry.is_final(proc, version, state):
            row.running += n
    oq = (visible_cases(actor).where(overdue_case_condition(today))
          .with_only_columns(Case.procedure, func.count(Case.id)).group_by(Case.procedure))
    for proc, n in session.execute(oq):
        if proc in out:
            out[proc].overdue = n
    return sorted(out.values(), key=lambda r: r.procedure)


# The unit a supervisor follows: the bureau its street offices, a street office its
# communities, a community its estates.
SUPERVISED_UNIT = {
    "housing_bureau": "street_office", "admin": "street_office",
    "street_office": "community", "community": "estate",
}


def overdue_by_unit(session: Session, actor: Actor, *, today: Optional[date] = None
                    ) -> tuple[Optional[str], list[tuple[str, Optional[int], int]]]:
    """(unit, [(name, id, overdue deadlines)]) for supervisors, most overdue first."""
    unit = SUPERVISED_UNIT.get(actor.role)
    if unit is None:
        return None, []
    today = today or clock.today()
    col = GROUPS[unit]
    sub, od, _, _ = _tally(today, {}, late=False, due_soon=False)
    q = _tallied(sub, actor, EVERYTHING).with_only_columns(col, od).group_by(col)
    rows = session.execute(q).all()
    names = names_of(session, unit, [r[0] for r in rows])
    return unit, sorted(((names.get(k, "—"), k, n) for k, n in rows), key=lambda r: (-r[2], r[0]))


def names_of(session: Session, unit: str, keys) -> dict:
    """Display names for the keys of a grouping (organisations, estates, procedures)."""
    keys = [k for k in keys if k]
    if not keys:
        return {}
    if unit == "estate":
        return dict(session.execute(select(Estate.id, Estate.name).where(Estate.id.in_(keys))).all())
    if unit == "procedure":
        defs = registry.all_current()
        return {k: defs[k].title if k in defs else k for k in keys}
    return dict(session.execute(select(Organisation.id, Organisation.name)
                                .where(Organisation.id.in_(keys))).all())


# -- ledgers (台账): the cases of a procedure kept as a register ---------------------------------

def _ledger_groups():
    # A complaint names the enterprise it is about in its data, a ledger entry as its party.
    return {"street_office": Estate.street_office_id, "community": Estate.community_id,
            "estate": Estate.id,
            "enterprise": func.coalesce(Case.enterprise_id, Case.data["enterprise_id"].as_integer()),
            "category": Case.data["category"].as_string()}


LEDGER_GROUPS = ("street_office", "community", "estate", "enterprise", "category")


@dataclass
class LedgerCount:
    key: Any
    total: int = 0
    running: int = 0
    overdue: int = 0

    @property
    def closed(self) -> int:
        return self.total - self.running


def _finals(procedure: str) -> list[tuple[int, str]]:
    return [(d.version, s.name) for d in registry.all_versions() if d.name == procedure
            for s in d.states if s.final]


def _running_condition(procedure: str):
    finals = _finals(procedure)
    if not finals:
        return true()
    return ~or_(*[and_(Case.version == v, Case.state == st) for v, st in finals])


def ledger_counts(session: Session, actor: Actor, procedure: str, group: str, *,
                  today: Optional[date] = None, scope: Scope = EVERYTHING) -> list[LedgerCount]:
    """(key, all, still open, owing something overdue) of a procedure's visible cases,
    per street office, community, estate, enterprise or category; most overdue first."""
    today = today or clock.today()
    col = _ledger_groups()[group]
    running = _running_condition(procedure)
    base = visible_cases(actor).where(Case.procedure == procedure, *scope.conditions())
    q = (base.with_only_columns(col, func.count(Case.id), func.count(case((running, Case.id))))
         .group_by(col))
    rows = {k: LedgerCount(k, t or 0, r or 0) for k, t, r in session.execute(q)}
    # Overdue from the few overdue deadlines (their status/due-date index), not a test per case.
    oq = base.where(overdue_case_condition(today)).with_only_columns(col, func.count(Case.id)).group_by(col)
    for k, o in session.execute(oq):
        if k in rows:
            rows[k].overdue = o or 0
    return sorted(rows.values(), key=lambda r: (-r.overdue, -r.running, str(r.key)))


def ledger_entries(session: Session, actor: Actor, procedure: str, *, group: str = "",
                   key: Any = None, which: str = "", today: Optional[date] = None,
                   scope: Scope = EVERYTHING, limit: int = MAX_TODO) -> tuple[list, int]:
    """(rows of (Case, Estate, overdue, next open deadline), total) of a procedure's visible
    cases, optionally of one group's key and only `open`, `finished` or `overdue` ones;
    overdue first, then by the nearest deadline, then newest."""
    today = today or clock.today()
    base = visible_cases(actor).where(Case.procedure == procedure, *scope.conditions())
    if group:
        base = base.where(_ledger_groups()[group] == key)
    if which == "open":
        base = base.where(_running_condition(procedure))
    elif which == "finished":
        base = base.where(~_running_condition(procedure))
    elif which == "overdue":
        base = base.where(overdue_case_condition(today))
    nxt = (select(func.min(Deadline.due_date)).where(Deadline.case_id == Case.id,
                                                     Deadline.status.in_((OPEN, MISSED)))
           .correlate(Case).scalar_subquery())
    late = overdue_case_condition(today)
    # The total rides along with the page (a window count is taken before the limit), so
    # the cases are selected once; no rows means there are none.
    q = (base.add_columns(Estate, late, nxt, func.count().over())
         .order_by(late.desc(), nxt.is_(None), nxt, Case.id.desc()).limit(limit))
    rows = session.execute(q).all()
    return [tuple(r[:-1]) for r in rows], int(rows[0][-1]) if rows else 0


def credit_cases(session: Session, actor: Actor, enterprise_ids: Optional[Sequence[int]] = None) -> list[Case]:
    """The visible cases of the procedures that count in an enterprise's credit
    (`Procedure.credit`), of these enterprises (all when None), oldest first."""
    names = sorted({d.name for d in registry.all_versions() if d.credit is not None})
    if not names:
        return []
    q = visible_cases(actor).where(Case.procedure.in_(names), Case.enterprise_id.is_not(None))
    if enterprise_ids is not None:
        q = q.where(Case.enterprise_id.in_(list(enterprise_ids)))
    return list(session.scalars(q.options(contains_eager(Case.estate)).order_by(Case.id)))


# -- the register as the 调度表 reads it ----------------------------------------------------

@dataclass
class EstateFacts:
    """What the progress table (调度表) needs of one estate: its row, the final states
    its cases reached (newest last) and the procedures with a case still running."""
    estate: Estate
    reached: list[tuple[str, str]] = field(default_factory=list)     # (procedure, state)
    running: set[str] = field(default_factory=set)                   # procedures
    open_cases: int = 0
    overdue: int = 0
    due_soon: int = 0
    # What the register knows: its profile (management mode, the 调度表's columns) and the
    # kind of committee in office (owners / management), if any.
    profile: Any = None
    committee_kind: Optional[str] = None


def estate_facts(session: Session, actor: Actor, windows: Mapping[str, AlertWindows], *,
                 today: Optional[date] = None) -> list[EstateFacts]:
    today = today or clock.today()
    estates = session.scalars(select(Estate).where(estate_condition(actor))
                              .order_by(Estate.street_office_id, Estate.community_id, Estate.id)).all()
    facts = {e.id: EstateFacts(e) for e in estates}
    if not facts:
        return []
    ids = list(facts)
    for eid, proc, version, state in session.execute(
            select(Case.estate_id, Case.procedure, Case.version, Case.state)
            .where(Case.estate_id.in_(ids)).order_by(Case.updated_at, Case.id)):
        f = facts[eid]
        if registry.is_final(proc, version, state):
            f.reached.append((proc, state))
        else:
            f.running.add(proc)
            f.open_cases += 1
    od, ds = overdue_condition(today), due_soon_condition(today, windows)
    for eid, o, s in session.execute(
            select(Case.estate_id, func.count(case((od, Deadline.id))), func.count(case((ds, Deadline.id))))
            .select_from(Deadline).join(Case, Case.id == Deadline.case_id)
            .where(Case.estate_id.in_(ids), or_(od, ds)).group_by(Case.estate_id)):
        facts[eid].overdue, facts[eid].due_soon = o, s
    from engine.register_models import Committee, EstateProfile
    for p in session.scalars(select(EstateProfile).where(EstateProfile.estate_id.in_(ids))):
        facts[p.estate_id].profile = p
    for eid, kind in session.execute(select(Committee.estate_id, Committee.kind).where(
            Committee.estate_id.in_(ids), Committee.status == "active").order_by(Committee.id)):
        facts[eid].committee_kind = kind
    return list(facts.values())


__all__ = ["OVERDUE", "DUE_SOON", "LATE", "WHICH", "Scope", "EVERYTHING", "GROUPS", "Counts",
           "counts", "counts_by", "deadlines", "deadline_ids", "overdue_condition",
           "due_soon_condition", "late_condition", "is_overdue", "is_due_soon", "worklist",
           "WorkItem", "procedure_counts", "overdue_by_unit", "names_of", "estate_facts",
           "EstateFacts", "overdue_case_ids", "overdue_case_condition", "SUPERVISED_UNIT",
           "LEDGER_GROUPS", "LedgerCount", "ledger_counts", "ledger_entries", "credit_cases"]


# -- the register ----------------------------------------------------------------------------

def register_duties(session: Session, actor: Actor, *, today: Optional[date] = None,
                    windows: Optional[Mapping[str, AlertWindows]] = None) -> list:
    """The duties the register raises today that the actor owes or supervises
    (engine.register_duties): an enterprise sees those it owes or is told of; every
    other role those of the estates in its jurisdiction."""
    from engine.register_duties import open_duties
    today = today or clock.today()
    if actor.role == "enterprise":
        return [d for d in open_duties(session, today, windows=windows)
                if actor.org_id and actor.org_id in d.organisations]
    return open_duties(session, today, where=estate_condition(actor), windows=windows)


def register_duty_counts(session: Session, actor: Actor, *, today: Optional[date] = None,
                         windows: Optional[Mapping[str, AlertWindows]] = None) -> dict[str, int]:
    today = today or clock.today()
    duties = register_duties(session, actor, today=today, windows=windows)
    overdue = sum(d.overdue(today) for d in duties)
    return {OVERDUE: overdue, DUE_SOON: len(duties) - overdue}


@dataclass(frozen=True)
class Uncovered:
    estate: Estate
    since: Optional[date]
    days: Optional[int]


def uncovered_estates(session: Session, actor: Actor, *, today: Optional[date] = None) -> list[Uncovered]:
    """Estates the register says have no property management (无物业管理), with the day
    that became true (from the history; unknown when it never changed) and for how long."""
    from engine.register_models import NO_MANAGEMENT, EstateProfile
    today = today or clock.today()
    rows = session.execute(
        select(Estate, EstateProfile.mode_since)
        .outerjoin(EstateProfile, EstateProfile.estate_id == Estate.id)
        .where(estate_condition(actor),
               or_(EstateProfile.management_mode == NO_MANAGEMENT,
                   and_(EstateProfile.estate_id.is_(None), Estate.enterprise_id.is_(None))))
        .order_by(EstateProfile.mode_since, Estate.id)).all()
    return [Uncovered(e, since, (today - since).days if since else None) for e, since in rows]


# Changes in management that the monthly statistics count (《浉河区物业管理实施细则》
# 第十五条: 每月统计辖区住宅小区物业管理变化情况), read from the register's history.
CHANGE_KINDS = ("new_estate", "enterprise_changed", "became_unmanaged", "committee_formed",
                "committee_ended")


def monthly_changes(session: Session, actor: Actor, first: date, last: date) -> list[dict]:
    """Per street office, the changes in management whose fact took effect between
    `first` and `last` (inclusive), counted from the register's history: estates newly
    registered, enterprise changed, became 无物业管理, committee in office, term ended."""
    import json as _json
    from engine.register_models import NO_MANAGEMENT, RegisterChange
    rows = session.execute(
        select(RegisterChange.entity, RegisterChange.field, RegisterChange.old, RegisterChange.new,
               RegisterChange.estate_id, Estate.street_office_id, Estate.name)
        .join(Estate, Estate.id == RegisterChange.estate_id)
        .where(estate_condition(actor), RegisterChange.fact_date >= first,
               RegisterChange.fact_date <= last)
        .order_by(RegisterChange.fact_date, RegisterChange.id)).all()
    out: dict[int, dict] = {}
    seen: set = set()
    for entity, fld, old, new, estate_id, office_id, name in rows:
        new_v = _json.loads(new) if new is not None else None
        kind = None
        if entity == "estate" and fld == "name" and old is None:
            kind = "new_estate"
        elif entity == "estate" and fld == "enterprise_id" and old is not None:
            kind = "enterprise_changed"
        elif entity == "estate" and fld == "management_mode" and new_v == NO_MANAGEMENT:
            kind = "became_unmanaged"
        elif entity == "committee" and fld == "status" and new_v == "active":
            kind = "committee_formed"
        elif entity == "committee" and fld == "status" and new_v in ("term_ended", "dissolved"):
            kind = "committee_ended"
        if kind is None or (kind, estate_id) in seen:
            continue
        seen.add((kind, estate_id))
        d = out.setdefault(office_id, {"street_office_id": office_id, **{k: [] for k in CHANGE_KINDS}})
        d[kind].append(name)
    names = names_of(session, "street_office", list(out))
    for d in out.values():
        d["street_office"] = names.get(d["street_office_id"], "")
    return sorted(out.values(), key=lambda d: d["street_office"])

"""Typed declarations of a statutory procedure, and their validation.

A definition is plain data: `workflows/` builds `Procedure` objects from the classes
below and nothing here touches a database. `Procedure.validate()` runs when a definition
is registered, so an inconsistent procedure never reaches a running case.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from marshmallow import Schema

from engine.errors import DefinitionError
from engine.roles import ROLES

UNITS = ("day", "workday", "month", "year")
NATIONAL = "national"


@dataclass(frozen=True)
class State:
    name: str
    label: str                     # zh, shown to users
    final: bool = False
    label_en: str = ""


@dataclass(frozen=True)
class Period:
    """One rule pack's length of a legal period, with the article that fixes it.

    Tag unverified rules in the citation itself, e.g. "…暂行办法（待核实）", so the
    uncertainty reaches every page and form that shows the deadline.
    """
    amount: int
    unit: str
    citation: str


@dataclass(frozen=True)
class Deadline:
    """A legal period that a step starts and a later step meets.

    `anchor` names the date the period runs from: a key of the case's data (e.g.
    "signed_on") or "@event" for the day the starting step was taken. `direction`
    "after" counts forward (Civil Code arts. 201-203); "before" gives the latest day
    that is N days before the anchor ("filed 10 days before the announcement").
    `rules` maps a rule pack to its period; a pack missing here falls back to
    "national"; a pack mapped to None means no such duty in that pack.
    """
    key: str
    label: str
    anchor: str
    rules: Mapping[str, Optional[Period]]
    party: str                      # role that must act before the deadline
    direction: str = "after"
    consequence: str = ""           # what happens if it is missed, in words
    escalate_to: tuple[str, ...] = ()   # supervisors' roles, in order
    label_en: str = ""
    consequence_en: str = ""

    def period_for(self, pack: str) -> Optional[Period]:
        if pack in self.rules:
            return self.rules[pack]
        return self.rules.get(NATIONAL)


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at. `payload` is empty when actions are only listed.

    `payload` holds the loaded (typed) values of the step's schema; `case_data` the
    case's stored JSON data (dates as ISO strings). `value`/`date` read the payload
    first, then the case's data. `files` are the step's uploads (guards may require or
    check them); an effect also sees `attachments`, the rows they were stored as.
    """
    case_data: Mapping[str, Any]
    payload: Mapping[str, Any]
    actor: Any
    estate: Any
    rulepack: str
    today: Any
    case: Any = None
    files: tuple = ()          # the step's uploads (engine.files.FileIn), as submitted
    attachments: tuple = ()    # their stored Attachment rows (with ids), seen by effects

    def value(self, key: str, default: Any = None) -> Any:
        if key in self.payload:
            return self.payload[key]
        return self.case_data.get(key, default)

    def date(self, key: str):
        from datetime import date as _date
        v = self.value(key)
        if v is None or isinstance(v, _date):
            return v
        return _date.fromisoformat(str(v)[:10])


@dataclass(frozen=True)
class Guard:
    """A legal condition of a step. `check` returns None when met, else the reason."""
    description: str
    check: Callable[[GuardContext], Optional[str]]
    uses_payload: bool = False


def guard(description: str, *, uses_payload: bool = False):
    """Decorator: `@guard("…")` turns a check function into a `Guard`."""
    def wrap(fn: Callable[[GuardContext], Optional[str]]) -> Guard:
        return Guard(description, fn, uses_payload)
    return wrap


Effect = Callable[[GuardContext, dict], None]   # mutates the case's data in place


@dataclass(frozen=True)
class Link:
    """A step that opens a case of another procedure (e.g. signing the pre-phase
    contract opens its contract filing). `data` builds the new case's opening payload
    from the step's context and the case's data after the step."""
    procedure: str
    data: Callable[[GuardContext, dict], dict]
    enterprise_key: str = ""     # key of the case data holding the party enterprise's id


@dataclass(frozen=True)
class Transition:
    trigger: str
    label: str
    sources: tuple[str, ...]
    dest: Optional[str]              # None: the state does not change (an item-level step)
    roles: tuple[str, ...]
    schema: Optional[type[Schema]] = None
    guards: tuple[Guard, ...] = ()
    starts: tuple[str, ...] = ()
    meets: tuple[str, ...] = ()
    cancels: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()     # document kinds issued by this step (forms/)
    effect: Optional[Effect] = None  # default: the payload is merged into the case's data
    label_en: str = ""
    opens: tuple[Link, ...] = ()     # cases of other procedures this step opens


@dataclass(frozen=True)
class Opening:
    """How a case of the procedure is opened: who may, and with what data.

    `party` says which enterprise is the case's party (and so may see it):
    "estate" — the opening enterprise, else the estate's current provider (filings,
    exits, inspections); "none" — no enterprise (tenders, where bidders must not see
    each other's case, 招标投标法 art. 22; the owners' own procedures)."""
    roles: tuple[str, ...]
    label: str
    schema: Optional[type[Schema]] = None
    guards: tuple[Guard, ...] = ()
    starts: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    effect: Optional[Effect] = None
    party: str = "estate"
    label_en: str = ""


@dataclass(frozen=True)
class Material:
    """One item of a materials checklist (e.g. the handover list of an exiting enterprise)."""
    key: str
    label: str
    required: bool = True
    basis: str = ""                # the article it rests on (quoted in Chinese)
    label_en: str = ""


@dataclass(frozen=True)
class Procedure:
    name: str
    version: int
    title: str
    basis: str
    states: tuple[State, ...]
    initial: str
    opening: Opening
    transitions: tuple[Transition, ...]
    deadlines: tuple[Deadline, ...] = ()
    materials: tuple[Material, ...] = ()
    title_en: str = ""
    summary: str = ""
    summary_en: str = ""
    extra_roles: tuple[str, ...] = field(default=())

    # -- look-ups -------------------------------------------------------------------
    @property
    def key(self) -> tuple[str, int]:
        return (self.name, self.version)

    def state(self, name: str) -> State:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    def transition(self, trigger: str) -> Optional[Transition]:
        return self._by_trigger().get(trigger)

    def deadline(self, key: str) -> Deadline:
        for d in self.deadlines:
            if d.key == key:
                return d
        raise KeyError(key)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def _by_trigger(self) -> dict[str, Transition]:
        cached = self.__dict__.get("_trigger_index")
        if cached is None:
            cached = {t.trigger: t for t in self.transitions}
            object.__setattr__(self, "_trigger_index", cached)
        return cached

    # -- validation -----------------------------------------------------------------
    def validate(self) -> "Procedure":
        """Raise DefinitionError listing every inconsistency; return self when sound."""
        problems: list[str] = []
        where = f"procedure {self.name} v{self.version}"
        names = [s.name for s in self.states]
        state_set = set(names)
        if len(state_set) != len(names):
            problems.append("duplicate state names")
        if self.initial not in state_set:
            problems.append(f"initial state {self.initial!r} is not declared")
        triggers = [t.trigger for t in self.transitions]
        dupes = {t for t in triggers if triggers.count(t) > 1}
        if dupes:
            problems.append(f"duplicate triggers {sorted(dupes)}")
        if "open" in triggers:
            problems.append("trigger 'open' is reserved for opening a case")
        deadline_keys = {d.key for d in self.deadlines}
        material_keys = [m.key for m in self.materials]
        if len(set(material_keys)) != len(material_keys):
            problems.append("duplicate material keys")

        def check_roles(owner: str, roles):
            if not roles:
                problems.append(f"{owner}: no role may take it")
            for r in roles:
                if r not in ROLES:
                    problems.append(f"{owner}: unknown role {r!r} (known: {', '.join(ROLES)})")

        def check_deadline_refs(owner: str, keys):
            for k in keys:
                if k not in deadline_keys:
                    problems.append(f"{owner}: unknown deadline {k!r}")

        check_roles("opening", self.opening.roles)
        if self.opening.party not in ("estate", "none"):
            problems.append(f"opening: party must be 'estate' or 'none', not {self.opening.party!r}")
        check_deadline_refs("opening", self.opening.starts)
        for t in self.transitions:
            owner = f"transition {t.trigger!r}"
            if not t.sources:
                problems.append(f"{owner}: no source state")
            for s in t.sources:
                if s not in state_set:
                    problems.append(f"{owner}: unknown source state {s!r}")
                elif self.state(s).final:
                    problems.append(f"{owner}: leaves final state {s!r}")
            if t.dest is not None and t.dest not in state_set:
                problems.append(f"{owner}: unknown destination state {t.dest!r}")
            check_roles(owner, t.roles)
            check_deadline_refs(owner, t.starts + t.meets + t.cancels)
        for d in self.deadlines:
            owner = f"deadline {d.key!r}"
            if d.direction not in ("after", "before"):
                problems.append(f"{owner}: direction must be 'after' or 'before'")
            if d.party not in ROLES:
                problems.append(f"{owner}: unknown party role {d.party!r}")
            for r in d.escalate_to:
                if r not in ROLES:
                    problems.append(f"{owner}: unknown escalation role {r!r}")
            if NATIONAL not in d.rules:
                problems.append(f"{owner}: no national rule (map it to None if there is no national duty)")
            for pack, p in d.rules.items():
                if p is None:
                    continue
                if p.unit not in UNITS:
                    problems.append(f"{owner} [{pack}]: unit {p.unit!r} not one of {UNITS}")
                if not isinstance(p.amount, int) or p.amount < 0:
                    problems.append(f"{owner} [{pack}]: amount must be a non-negative integer")
                if not (p.citation or "").strip():
                    problems.append(f"{owner} [{pack}]: no citation of the article that fixes it")
            starters = [t for t in self.transitions if d.key in t.starts]
            if d.key not in self.opening.starts and not starters:
                problems.append(f"{owner}: no step starts it")
        # Reachability from the initial state over declared transitions.
        if self.initial in state_set:
            seen, todo = {self.initial}, deque([self.initial])
            while todo:
                cur = todo.popleft()
                for t in self.transitions_from(cur):
                    if t.dest and t.dest not in seen:
                        seen.add(t.dest)
                        todo.append(t.dest)
            for s in self.states:
                if s.name not in seen:
                    problems.append(f"state {s.name!r} ({s.label}) is unreachable from {self.initial!r}")
        for s in self.states:
            if not s.final and not any(t.dest not in (None, s.name)
                                        for t in self.transitions_from(s.name)):
                problems.append(f"non-final state {s.name!r} ({s.label}) has no way out")
        if problems:
            raise DefinitionError(f"{where} is invalid:\n  - " + "\n  - ".join(problems))
        return self

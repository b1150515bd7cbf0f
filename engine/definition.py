"""Typed declarations of a statutory procedure, and their validation.

A definition is plain data: `workflows/` builds `Procedure` objects from the classes
below and nothing here touches a database. `Procedure.validate()` runs when a definition
is registered, so an inconsistent procedure never reaches a running case.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Mapping, Optional

from marshmallow import Schema

from engine import legaltime
from engine.errors import DefinitionError
from engine.roles import ROLES
from engine.rulepacks import PACKS as RULE_PACKS

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

    @property
    def article(self) -> str:
        """The citation without the quoted text: 《…》第…条…, for a sentence that names it."""
        return self.citation.split("：", 1)[0]


@dataclass(frozen=True)
class AlertWindows:
    """The alerting rhythm of a procedure's deadlines, in working days (a holiday never
    eats a warning period). `due_soon`: a deadline is "due soon" from this many working
    days before its last day, on every page, in the API and in the scan alike.
    `escalate`: working days overdue after which the 1st, 2nd… supervisor is told (the
    alert is written on that working day); an empty tuple: never escalated.

    These windows are administrative practice, not law: `basis` says so on the record.
    """
    due_soon: int = 3
    escalate: tuple[int, ...] = (3, 10)
    basis: str = "督办预警设置（非法定期限，可由部署配置调整）"


@dataclass(frozen=True)
class DeadlineSpec:
    """A legal period that a step starts and a later step meets (the declaration; the
    running period of a case is the database row `engine.models.Deadline`).

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

    def due(self, pack: str, anchor: date):
        """(engine.legaltime.LegalDate, Period) of this period run from `anchor` under
        `pack`, or None when the pack has no such duty."""
        period = self.period_for(pack)
        if period is None:
            return None
        if self.direction == "before":
            when = legaltime.latest_before(anchor, period.amount, period.unit)
        else:
            when = legaltime.period_end(anchor, period.amount, period.unit)
        return when, period


@dataclass(frozen=True)
class DocumentSpec:
    """A document a procedure issues: to whom it is addressed and on what legal basis.

    `kind` names the printed layout (forms/). `addressee` is the role of the case the
    document is addressed to ("" for a public notice to all owners, posted in the
    estate). `issuer` is the role that issues it whoever takes the step ("" for the
    acting organisation). `basis` maps a rule pack to the articles the form cites (a pack
    missing here falls back to "national"); `quotes` names the procedure's deadlines
    whose citation and last day the form also quotes, so each article is written once,
    on its declaration, and never into a template.
    """
    kind: str
    title: str
    addressee: str = ""
    title_en: str = ""
    basis: Mapping[str, str] = field(default_factory=dict)
    quotes: tuple[str, ...] = ()
    issuer: str = ""
    public: bool = False       # a public notice (公告), posted in the estate for all owners

    def basis_for(self, pack: str) -> str:
        if pack in self.basis:
            return self.basis[pack]
        return self.basis.get(NATIONAL, "")


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at. `payload` is empty when actions are only listed.

    `today` is the day the step's act happened (its fact date: the meeting held, the
    contract signed), which is the day it is recorded unless the user dates it earlier;
    periods run from it. `recorded_on` is the day it is being recorded.

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
    recorded_on: Any = None
    files: tuple = ()          # the step's uploads (engine.files.FileIn), as submitted
    attachments: tuple = ()    # their stored Attachment rows (with ids), seen by effects
    # Read-only look-up of an organisation, supplied by the runtime so that declarations
    # never touch the database themselves: lookup(org_id=None, name="", kind="").
    lookup: Optional[Callable[..., Any]] = None
    # Read-only views of the engine's other records (engine.readers): the owners'
    # register, a vote's ballots, another case's outcome; read(name, **kw) -> plain data.
    read: Optional[Callable[..., Any]] = None

    def organisation(self, org_id: Any = None, *, name: str = "", kind: str = "") -> Any:
        """The organisation with this id, or else with exactly this name (and kind);
        None when there is none, the name is ambiguous, or nothing to look in."""
        if self.lookup is None:
            return None
        return self.lookup(org_id=org_id, name=name, kind=kind)

    def other_case(self, case_id: Any) -> Any:
        """Facts of the case with this id (id, procedure, estate_id, state, final), or None."""
        if self.read is None:
            return None
        return self.read("case_facts", case_id=case_id)

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
    data: Callable[[GuardContext, dict], Any]
    enterprise_key: str = ""     # key of the case data holding the party enterprise's id
    # `data` returns a list of payloads, one case each (e.g. a ledger entry per failed
    # item of an inspection; none when nothing is to be opened).
    many: bool = False


# What a step may write into the register (engine.register runs each, in the step's
# transaction): the name of the write → the register fields it reads from the case's data.
REGISTER_WRITES: dict[str, tuple[str, ...]] = {
    "first_committee_elected": ("elected_on", "members"),
    "successor_committee_elected": ("elected_on", "members"),
    "committee_officers": ("chair", "vice_chair"),
    "committee_filed": ("filed_on",),
    "interim_committee": ("elected_on", "members"),
    "enterprise_changed": ("successor_id", "since"),
    "contract_registered": ("kind", "contract_no", "signed_on", "term_start", "term_end",
                            "fee", "enterprise_id"),
    "contract_submitted": (),
    "contract_filed": (),
    "contract_refused": (),
    "handover_recorded": ("handed_over_on",),
}


# Register facts an opening may be refused on (engine.register.refusals checks them).
REFUSALS = ("committee_in_office", "owners_chose_enterprise")


@dataclass(frozen=True)
class RegisterWrite:
    """A change a step makes to the register (台账), e.g. a filed committee becomes the
    estate's committee. `fields` maps a register field of the write to the key of the
    case's data (after the step) that holds it; `term` gives, per rule pack, the longest
    term of a committee it creates, citing its article."""
    what: str
    fields: Mapping[str, str] = field(default_factory=dict)
    term: Mapping[str, "Period"] = field(default_factory=dict)


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
    voids: tuple[str, ...] = ()      # earlier documents of these kinds become void (已作废)
    effect: Optional[Effect] = None  # default: the payload is merged into the case's data
    label_en: str = ""
    opens: tuple[Link, ...] = ()     # cases of other procedures this step opens
    # The day the act happened: a payload date field naming it (e.g. "signed_on"), else the
    # optional `fact_date` every step accepts, labelled `fact_label` (default: today).
    fact: str = ""
    fact_label: str = "办理日期"
    fact_label_en: str = "date of the act"
    registers: tuple[RegisterWrite, ...] = ()   # what the step writes into the register
    # A branch the law allows but nothing requires now (rescheduling, escalating, a
    # management committee instead of an assembly): offered apart, never counted as to-do.
    optional: bool = False
    # A branch that cannot be undone (refusing a filing, withdrawing, escalating): the page
    # marks it and asks for confirmation before it is taken.
    one_way: bool = False


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
    # At most one running case of the procedure per estate (e.g. one first assembly); a
    # second is refused naming the first.
    exclusive: bool = False
    # The opening field holding an external platform's number (a 12345 order's), which
    # engine.external_refs keeps unique per procedure.
    external_key: str = ""
    fact: str = ""
    fact_label: str = "办理日期"
    fact_label_en: str = "date of the act"
    registers: tuple[RegisterWrite, ...] = ()
    # Register facts that forbid opening (e.g. a first assembly where a committee is in
    # office), checked by engine.register with the refusal naming what stands in the way.
    refused_when: tuple[str, ...] = ()


@dataclass(frozen=True)
class Material:
    """One item of a materials checklist (e.g. the handover list of an exiting enterprise).
    `basis` maps a rule pack to the articles requiring the item (a pack missing falls back
    to "national"), so an estate sees its own province's article and no other's."""
    key: str
    label: str
    required: bool = True
    basis: Mapping[str, str] = field(default_factory=dict)
    label_en: str = ""

    def basis_for(self, pack: str) -> str:
        if pack in self.basis:
            return self.basis[pack]
        return self.basis.get(NATIONAL, "")


# What a register duty runs over (engine.register_duties knows each).
DUTY_SUBJECTS = {
    "committee_term": "an owners' committee in office, from the end of its term",
    "contract_unfiled": "a signed contract not filed and with no filing case, from its signing",
    "contract_term": "a service contract, from the end of its term",
}


@dataclass(frozen=True)
class RegisterDuty:
    """A duty the register raises by itself, found by the daily scan whether or not
    anybody opened a case (a committee's term running out, a contract never filed).
    The procedure that declares it is the one whose running case answers it: while such
    a case runs for the estate (or, for a contract, its own case), nobody is alerted.

    `deadline.anchor` names the register field the period runs from (term_end,
    signed_on); its rules give the period and article per rule pack, its party the role
    that owes it; `told` are the roles told besides the party. The duty is shown from
    `notice_days` calendar days before its last day (0: from the procedure's due-soon
    window)."""
    key: str
    subject: str
    deadline: DeadlineSpec
    told: tuple[str, ...] = ()
    notice_days: int = 0


@dataclass(frozen=True)
class Recurrence:
    """Cases the deadline scan opens by itself, as the system: every `every` ("quarter")
    one case per estate that has an enterprise, for that estate and enterprise (e.g. the
    quarterly assessment of each project). `data(period, estate)` builds the opening
    payload; `period` reads like "2026Q4". Opened once per period, estate and enterprise."""
    every: str
    data: Callable[[str, Any], dict]
    basis: str = ""


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
    deadlines: tuple[DeadlineSpec, ...] = ()
    materials: tuple[Material, ...] = ()
    title_en: str = ""
    summary: str = ""
    summary_en: str = ""
    extra_roles: tuple[str, ...] = field(default=())
    alerts: AlertWindows = field(default_factory=AlertWindows)
    documents: tuple[DocumentSpec, ...] = ()
    duties: tuple[RegisterDuty, ...] = ()     # register duties its running case answers
    # Its cases make a ledger (台账) kept by street office, estate and enterprise: the
    # complaint register, the problem ledger (pages and the weekly report list them).
    ledger: bool = False
    recurs: Optional[Recurrence] = None
    # What a case contributes to its enterprise's credit record, from its state and data
    # (None: nothing, e.g. a bad record still open to objection).
    credit: Optional[Callable[[str, Mapping[str, Any]], Any]] = None
    # Facts the system knows that open a case of this procedure by themselves: called by
    # the deadline scan with each missed deadline of an enterprise (its procedure, key,
    # label, due date, citation, case id), it returns the opening payload or None.
    from_missed: Optional[Callable[[Mapping[str, Any]], Optional[dict]]] = None

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

    def deadline(self, key: str) -> DeadlineSpec:
        for d in self.deadlines:
            if d.key == key:
                return d
        raise KeyError(key)

    def document(self, kind: str) -> DocumentSpec:
        for d in self.documents:
            if d.kind == kind:
                return d
        raise KeyError(kind)

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
        for m in self.materials:
            if not (m.basis.get(NATIONAL) or "").strip():
                problems.append(f"material {m.key!r}: no national basis")

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

        document_kinds = [d.kind for d in self.documents]
        if len(set(document_kinds)) != len(document_kinds):
            problems.append("duplicate document kinds")

        def check_documents(owner: str, kinds):
            for k in kinds:
                if k not in document_kinds:
                    problems.append(f"{owner}: issues {k!r}, which the procedure does not declare "
                                    f"(declared: {', '.join(document_kinds) or 'none'})")

        def check_packs(owner: str, packs):
            for pack in packs:
                if pack not in RULE_PACKS:
                    problems.append(f"{owner}: unknown rule pack {pack!r} (known: {', '.join(RULE_PACKS)})")

        def check_fact(owner: str, key: str, schema):
            if not key:
                return
            flds = schema().fields if schema is not None else {}
            if key not in flds or type(flds[key]).__name__ != "Date":
                problems.append(f"{owner}: fact date {key!r} is not a date field of its payload")

        def check_registers(owner: str, writes):
            for w in writes:
                if w.what not in REGISTER_WRITES:
                    problems.append(f"{owner}: unknown register write {w.what!r} "
                                    f"(known: {', '.join(REGISTER_WRITES)})")
                    continue
                for f in w.fields:
                    if f not in REGISTER_WRITES[w.what]:
                        problems.append(f"{owner}: register write {w.what!r} has no field {f!r}")
                check_packs(f"{owner}: register write {w.what!r}", w.term)
                for pack, p in w.term.items():
                    if p is None or p.unit not in UNITS or not (p.citation or "").strip():
                        problems.append(f"{owner}: register write {w.what!r} [{pack}]: "
                                        "a term needs a unit and its article")

        check_fact("opening", self.opening.fact, self.opening.schema)
        check_registers("opening", self.opening.registers)
        for cond in self.opening.refused_when:
            if cond not in REFUSALS:
                problems.append(f"opening: unknown register refusal {cond!r} "
                                f"(known: {', '.join(REFUSALS)})")
        for m in self.materials:
            check_packs(f"material {m.key!r}", m.basis)
        check_roles("opening", self.opening.roles)
        if self.opening.party not in ("estate", "none"):
            problems.append(f"opening: party must be 'estate' or 'none', not {self.opening.party!r}")
        check_deadline_refs("opening", self.opening.starts)
        check_documents("opening", self.opening.issues)
        for doc in self.documents:
            owner = f"document {doc.kind!r}"
            if doc.addressee and doc.addressee not in ROLES:
                problems.append(f"{owner}: unknown addressee role {doc.addressee!r}")
            if doc.issuer and doc.issuer not in ROLES:
                problems.append(f"{owner}: unknown issuer role {doc.issuer!r}")
            if not (doc.basis.get(NATIONAL) or "").strip():
                problems.append(f"{owner}: no national legal basis")
            check_packs(owner, doc.basis)
            check_deadline_refs(owner, doc.quotes)
            if not any(doc.kind in t.issues for t in self.transitions) and doc.kind not in self.opening.issues:
                problems.append(f"{owner}: no step issues it")
        a = self.alerts
        if not isinstance(a.due_soon, int) or a.due_soon < 0 or any(
                not isinstance(n, int) or n < 0 for n in a.escalate) or list(a.escalate) != sorted(a.escalate):
            problems.append("alerts: windows must be non-negative whole working days, escalations in order")
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
            check_documents(owner, t.issues + t.voids)
            check_fact(owner, t.fact, t.schema)
            check_registers(owner, t.registers)
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
            check_packs(owner, d.rules)
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
        if self.recurs is not None and self.recurs.every not in ("quarter",):
            problems.append(f"recurs: every must be 'quarter', not {self.recurs.every!r}")
        for s in self.states:
            if not s.final and not any(t.dest not in (None, s.name)
                                        for t in self.transitions_from(s.name)):
                problems.append(f"non-final state {s.name!r} ({s.label}) has no way out")
        for duty in self.duties:
            owner = f"register duty {duty.key!r}"
            if duty.subject not in DUTY_SUBJECTS:
                problems.append(f"{owner}: unknown subject {duty.subject!r} (known: {', '.join(DUTY_SUBJECTS)})")
            d = duty.deadline
            if d.party not in ROLES or any(r not in ROLES for r in duty.told + d.escalate_to):
                problems.append(f"{owner}: unknown role")
            if NATIONAL not in d.rules:
                problems.append(f"{owner}: no national rule (map it to None if there is no national duty)")
            check_packs(owner, d.rules)
            for pack, p in d.rules.items():
                if p is not None and (p.unit not in UNITS or not (p.citation or "").strip()):
                    problems.append(f"{owner} [{pack}]: a period needs a unit and its article")
        if problems:
            raise DefinitionError(f"{where} is invalid:\n  - " + "\n  - ".join(problems))
        return self

"""The register's one write path and its history.

`change(session, obj, values, rec)` sets fields of a register entry (an estate, its
profile, an enterprise's profile, a committee, a contract) and appends one
`RegisterChange` per field that really changed, with the fact date, who recorded it and
when, and the event that caused it, each also a leaf of the evidence log
(engine.evidence) in the caller's transaction. `as_of` reads what the register said on
a given day from that history.

Steps of the procedures write the register by declaration (`RegisterWrite` on a
transition or an opening, in workflows/): `apply` runs each declared write inside the
step's transaction (engine.runtime); the handlers below know the register, never a
procedure or a state.
"""
from __future__ import annotations

import dataclasses
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, evidence, legaltime
from engine.access import SYSTEM, Actor
from engine.bilingual import Bi
from engine.definition import REGISTER_WRITES, Period, RegisterWrite
from engine.errors import GuardRefused, PayloadInvalid
from engine.models import Case, Estate, Organisation
from engine.register_models import (ENGAGED, NO_MANAGEMENT, Committee, CommitteeMember,
                                    Contract, EnterpriseProfile, EstateProfile,
                                    RegisterChange)

SELF_MANAGED = "业主自行管理"
# Nothing the register records happened before the regulations it applies.
FACT_FLOOR = date(1990, 1, 1)


@dataclass(frozen=True)
class Recorder:
    """Who records a change, the day the fact took effect, and what caused it."""
    fact_date: date
    actor: Actor = SYSTEM
    now: Optional[datetime] = None
    event_id: Optional[int] = None
    case_id: Optional[int] = None
    note: str = ""


def _entity(obj) -> tuple[str, int, Optional[int]]:
    """(entity, entity id, estate id) of a register row."""
    if isinstance(obj, Estate):
        return "estate", obj.id, obj.id
    if isinstance(obj, EstateProfile):
        return "estate", obj.estate_id, obj.estate_id
    if isinstance(obj, EnterpriseProfile):
        return "enterprise", obj.organisation_id, None
    if isinstance(obj, Organisation):
        return obj.kind if obj.kind == "enterprise" else "organisation", obj.id, None
    if isinstance(obj, Committee):
        return "committee", obj.id, obj.estate_id
    if isinstance(obj, Contract):
        return "contract", obj.id, obj.estate_id
    raise TypeError(f"{type(obj).__name__} is not a register entry")


def _json(value: Any) -> Optional[str]:
    return None if value is None else evidence.canonical(value)


def check_fact_date(fact: date, recorded_on: date, label: str = "事实发生日期") -> None:
    """A register fact may be past, never future (nor before the floor)."""
    if fact > recorded_on:
        raise PayloadInvalid({"fact_date": [Bi(
            f"{label} {fact.isoformat()} 晚于今日（{recorded_on.isoformat()}），不能登记尚未发生的事实",
            f"the date {fact.isoformat()} is after today ({recorded_on.isoformat()}): what has "
            "not happened cannot be recorded")]})
    if fact < FACT_FLOOR:
        raise PayloadInvalid({"fact_date": [Bi(
            f"{label} {fact.isoformat()} 早于 {FACT_FLOOR.isoformat()}，请核对",
            f"the date {fact.isoformat()} is before {FACT_FLOOR.isoformat()}; check it")]})


_CHANGES = RegisterChange.__table__
_INSERT_CHANGES = _CHANGES.insert().returning(_CHANGES.c.id, sort_by_parameter_order=True)


def _record(session: Session, obj, changes: list[tuple[str, Any, Any]],
            rec: Recorder) -> list[dict]:
    """Insert the history rows of `changes` and their evidence leaves (two statements,
    written with Core: an import records tens of thousands)."""
    if not changes:
        return []
    if _BATCH in session.info:
        # written together at the end of the batch (see `batched`)
        rows = _rows(obj, changes, rec)
        session.info[_BATCH].extend(rows)
        return rows
    rows = _rows(obj, changes, rec)
    _insert_rows(session, rows)
    return rows


_BATCH = "register_batch"


@contextmanager
def batched(session: Session):
    """Gather the history rows of many changes (an import) and write them, with their
    evidence leaves, in a few statements when the block ends (inside its transaction)."""
    session.info[_BATCH] = pending = []
    try:
        yield
        session.info.pop(_BATCH, None)
        for i in range(0, len(pending), 5000):
            _insert_rows(session, pending[i:i + 5000])
    finally:
        session.info.pop(_BATCH, None)


def _insert_rows(session: Session, rows: list[dict]) -> None:
    ids = session.connection().execute(_INSERT_CHANGES, rows).scalars().all()
    for row, rid in zip(rows, ids):
        row["id"] = rid
    evidence.append_entries(session, evidence.entries_for(RegisterChange, rows))


def _rows(obj, changes, rec: Recorder) -> list[dict]:
    now = rec.now or clock.now()
    entity, entity_id, estate_id = _entity(obj)
    rows = [dict(entity=entity, entity_id=entity_id, estate_id=estate_id, field=name,
                 old=_json(old), new=_json(new), fact_date=rec.fact_date, recorded_at=now,
                 recorder_id=rec.actor.user_id, recorder_name=rec.actor.name or "",
                 event_id=rec.event_id, case_id=rec.case_id, note=rec.note)
            for name, old, new in changes]
    return rows


def change(session: Session, obj, values: Mapping[str, Any], rec: Recorder) -> list[dict]:
    """Set `values` on `obj` and record each real change. No commit."""
    if obj not in session:
        session.add(obj)
    if obj in session.new:
        session.flush()                    # the entry's id, for its history
    changes = []
    for name, new in values.items():
        old = getattr(obj, name)
        if evidence.plain(old) == evidence.plain(new):
            continue
        setattr(obj, name, new)
        changes.append((name, old, new))
    return _record(session, obj, changes, rec)


def create(session: Session, obj, values: Mapping[str, Any], rec: Recorder):
    """A new register entry: every given field is a change from nothing."""
    for name, value in values.items():
        setattr(obj, name, value)
    session.add(obj)
    if _entity(obj)[1] is None:
        session.flush()                    # its id, for its history
    _record(session, obj, [(k, None, v) for k, v in values.items() if v not in (None, "")], rec)
    return obj


def profile(session: Session, estate: Estate, *, new: bool = False) -> EstateProfile:
    """The estate's register columns (an empty profile until something is recorded);
    `new`: the estate was just created, so it has none yet."""
    p = None if new else session.get(EstateProfile, estate.id)
    if p is None:
        p = EstateProfile(estate_id=estate.id, management_mode=(
            ENGAGED if estate.enterprise_id else NO_MANAGEMENT), service_content="",
            project_manager="", phone="", designation_notice="", remark="")
        session.add(p)
        session.flush()
    return p


# -- reading the history ----------------------------------------------------------------

def _decode(text: Optional[str]) -> Any:
    return None if text is None else json.loads(text)


def as_of(session: Session, entity: str, entity_id: int, day: date) -> dict[str, Any]:
    """Every field of a register entry as the register said on `day` (the latest change
    of each field whose fact date is on or before it; JSON values)."""
    out: dict[str, Any] = {}
    for name, new in session.execute(
            select(RegisterChange.field, RegisterChange.new)
            .where(RegisterChange.entity == entity, RegisterChange.entity_id == entity_id,
                   RegisterChange.fact_date <= day)
            .order_by(RegisterChange.fact_date, RegisterChange.id)):
        out[name] = _decode(new)
    return out


def history(session: Session, estate_id: int, *, until: Optional[date] = None) -> list[RegisterChange]:
    """Every change that concerns an estate (its own fields, its committees and
    contracts), in the order the facts happened."""
    q = select(RegisterChange).where(RegisterChange.estate_id == estate_id)
    if until is not None:
        q = q.where(RegisterChange.fact_date <= until)
    return list(session.scalars(q.order_by(RegisterChange.fact_date, RegisterChange.id)))


def change_dict(c: RegisterChange) -> dict:
    return {"id": c.id, "entity": c.entity, "entity_id": c.entity_id, "field": c.field,
            "old": _decode(c.old), "new": _decode(c.new), "fact_date": c.fact_date.isoformat(),
            "recorded_at": evidence.plain(c.recorded_at), "recorder": c.recorder_name,
            "event_id": c.event_id, "case_id": c.case_id, "note": c.note}


# -- committees ---------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[、，,；;\n]+")
_POSITION = re.compile(r"^(?P<name>[^（(]+?)\s*[（(](?P<pos>[^）)]*)[）)]\s*$")


def parse_members(text: str) -> list[tuple[str, str]]:
    """"郑某（主任）、钱某（副主任）、孙某" → [(name, position)], 委员 when none is given."""
    out = []
    for part in _SEPARATORS.split(text or ""):
        part = part.strip()
        if not part:
            continue
        m = _POSITION.match(part)
        name, pos = (m.group("name").strip(), m.group("pos")) if m else (part, "")
        position = "副主任" if "副主任" in pos else "主任" if "主任" in pos and "候选" not in pos else "委员"
        out.append((name, position))
    return out


def committee_org(session: Session, estate: Estate, name: str) -> Organisation:
    org = Organisation(name=name, kind="committee",
                       parent_id=estate.community_id or estate.street_office_id)
    session.add(org)
    session.flush()
    return org


def term_end(start: date, period: Optional[Period]) -> Optional[date]:
    if period is None:
        return None
    # A term of N years ends the day before the same date N years on (民法典 arts. 201-203).
    return legaltime.period_end(start, period.amount, period.unit).date


def active_committee(session: Session, estate_id: int) -> Optional[Committee]:
    return session.scalars(select(Committee).where(
        Committee.estate_id == estate_id, Committee.status == "active")
        .order_by(Committee.id.desc()).limit(1)).first()


# -- declared writes ------------------------------------------------------------------------

@dataclass
class WriteContext:
    session: Session
    write: RegisterWrite
    case: Case
    estate: Estate
    data: Mapping[str, Any]
    pack: str
    rec: Recorder

    def value(self, name: str, default: Any = None) -> Any:
        key = self.write.fields.get(name)
        if not key:
            return default
        v = self.data.get(key)
        return default if v in (None, "") else v

    def date(self, name: str) -> Optional[date]:
        v = self.value(name)
        if v is None or isinstance(v, date):
            return v
        return date.fromisoformat(str(v)[:10])

    def decimal(self, name: str) -> Optional[Decimal]:
        v = self.value(name)
        try:
            return None if v is None else Decimal(str(v))
        except InvalidOperation:
            return None

    def dated(self, name: str) -> Recorder:
        """The recorder dated by the day the data field `name` says the fact happened
        (e.g. the day the handover record was signed), else by the step's fact date."""
        day = self.date(name)
        return dataclasses.replace(self.rec, fact_date=day) if day else self.rec

    def term(self) -> Optional[Period]:
        if self.pack in self.write.term:
            return self.write.term[self.pack]
        return self.write.term.get("national")


def _record_members(session: Session, c: Committee, members, rec: Recorder) -> None:
    """The member list is one field of the committee's history: [[name, position], …]."""
    _record(session, c, [("members", None, [list(m) for m in members])], rec)


def _case_committee(w: WriteContext) -> Optional[Committee]:
    return w.session.scalars(select(Committee).where(Committee.case_id == w.case.id)
                             .order_by(Committee.id.desc()).limit(1)).first()


def _new_committee(w: WriteContext, kind: str, status: str, link_now: bool) -> Committee:
    s, estate, rec = w.session, w.estate, w.dated("elected_on")
    start = rec.fact_date
    title = "业主委员会" if kind == "owners" else "物业管理委员会"
    org = _same_body(s, estate, kind) or committee_org(s, estate, f"{estate.name}{title}")
    period = w.term()
    c = Committee(estate_id=estate.id, organisation_id=org.id, kind=kind, case_id=w.case.id,
                  term_basis="", certificate="", created_at=rec.now or clock.now())
    create(s, c, {"status": status, "elected_on": start, "term_start": start,
                  "term_end": term_end(start, period),
                  "term_basis": period.citation if period else "",
                  "organisation_id": org.id}, rec)
    members = parse_members(str(w.value("members", "")))
    for name, position in members:
        s.add(CommitteeMember(committee_id=c.id, name=name, position=position))
    if members:
        _record_members(s, c, members, rec)
    if link_now:
        change(s, estate, {"committee_id": org.id}, rec)
    return c


def _same_body(session: Session, estate: Estate, kind: str) -> Optional[Organisation]:
    """The organisation a new term belongs to: an owners' committee stays the same body
    from term to term (its seal and archives pass to the new members), so the estate's
    committee organisation is kept, unless it is a property management committee, which
    an owners' committee replaces."""
    if kind != "owners" or not estate.committee_id:
        return None
    org = session.get(Organisation, estate.committee_id)
    interim = session.scalar(select(Committee.id).where(
        Committee.organisation_id == estate.committee_id, Committee.kind == "management").limit(1))
    return org if org is not None and org.kind == "committee" and interim is None else None


def _committee_elected(w: WriteContext) -> None:
    _new_committee(w, "owners", "pending", link_now=True)


def _successor_committee_elected(w: WriteContext) -> None:
    _new_committee(w, "owners", "pending", link_now=False)


def _interim_committee(w: WriteContext) -> None:
    c = _new_committee(w, "management", "active", link_now=True)
    change(w.session, c, {"filed_on": w.rec.fact_date}, w.rec)


def _committee_officers(w: WriteContext) -> None:
    c = _case_committee(w)
    if c is None:
        return
    chair, vice = str(w.value("chair", "")).strip(), str(w.value("vice_chair", "")).strip()
    vices = {v.strip() for v in _SEPARATORS.split(vice) if v.strip()}
    members = list(w.session.scalars(select(CommitteeMember)
                                     .where(CommitteeMember.committee_id == c.id)))
    names = {m.name for m in members}
    for n in [chair, *sorted(vices)]:
        if n and n not in names:
            m = CommitteeMember(committee_id=c.id, name=n, position="委员")
            w.session.add(m)
            members.append(m)
    for m in members:
        m.position = "主任" if m.name == chair else "副主任" if m.name in vices else "委员"
    w.session.flush()
    _record_members(w.session, c, [(m.name, m.position) for m in members], w.rec)


def _committee_filed(w: WriteContext) -> None:
    s, rec = w.session, w.dated("filed_on")
    c = _case_committee(w)
    if c is None:
        return
    for old in s.scalars(select(Committee).where(Committee.estate_id == c.estate_id,
                                                Committee.status == "active",
                                                Committee.id != c.id)):
        change(s, old, {"status": "term_ended"}, rec)
    change(s, c, {"status": "active", "filed_on": rec.fact_date,
                  "certificate": f"备案证明（案件 {w.case.id}）"}, rec)
    change(s, w.estate, {"committee_id": c.organisation_id}, rec)


def _enterprise_changed(w: WriteContext) -> None:
    s, rec, estate = w.session, w.dated("since"), w.estate
    successor = w.value("successor_id")
    successor = int(successor) if successor else None
    p = profile(s, estate)
    when = rec.fact_date
    change(s, estate, {"enterprise_id": successor}, rec)
    change(s, p, {"management_mode": ENGAGED if successor else SELF_MANAGED,
                  "enterprise_since": when if successor else None, "mode_since": when}, rec)
    if successor:
        # The takeover means a contract with the successor: its filing runs at the latest
        # from the takeover until the enterprise registers the contract itself.
        existing = s.scalars(select(Contract).where(
            Contract.estate_id == estate.id, Contract.enterprise_id == successor,
            Contract.filing_status != "on_file")).first()
        if existing is None:
            create(s, Contract(kind="assembly", estate_id=estate.id, enterprise_id=successor,
                               signed_on=when, receipt="", contract_no="",
                               created_at=rec.now or clock.now()),
                   {"signed_on": when, "filing_status": "unfiled", "kind": "assembly"}, rec)


def _contract_of_case(w: WriteContext) -> Optional[Contract]:
    return w.session.scalars(select(Contract).where(Contract.case_id == w.case.id)
                             .order_by(Contract.id.desc()).limit(1)).first()


def _contract_registered(w: WriteContext) -> None:
    s, rec = w.session, w.dated("signed_on")
    enterprise_id = w.value("enterprise_id") or w.case.enterprise_id
    if not enterprise_id:
        return
    enterprise_id = int(enterprise_id)
    no = str(w.value("contract_no", ""))
    signed = rec.fact_date
    found = s.scalars(select(Contract).where(
        Contract.estate_id == w.estate.id, Contract.enterprise_id == enterprise_id,
        Contract.filing_status != "on_file",
        Contract.contract_no.in_([no, ""]))
        .order_by(Contract.contract_no.desc(), Contract.id)).first()
    values = {"kind": str(w.value("kind", "pre_phase")), "contract_no": no, "signed_on": signed,
              "term_start": w.date("term_start"), "term_end": w.date("term_end"),
              "fee": w.decimal("fee"), "case_id": w.case.id}
    if found is None:
        create(s, Contract(estate_id=w.estate.id, enterprise_id=enterprise_id, receipt="",
                           filing_status="unfiled", created_at=rec.now or clock.now()),
               values, rec)
    else:
        change(s, found, values, rec)


def _contract_status(status: str) -> Callable[[WriteContext], None]:
    def write(w: WriteContext) -> None:
        c = _contract_of_case(w)
        if c is None:
            return
        values: dict[str, Any] = {"filing_status": status}
        if status == "on_file":
            values.update(filed_on=w.rec.fact_date, receipt=f"备案回执（案件 {w.case.id}）")
        change(w.session, c, values, w.rec)
    return write


def _handover_recorded(w: WriteContext) -> None:
    p, rec = profile(w.session, w.estate), w.dated("handed_over_on")
    change(w.session, p, {"handover_on": rec.fact_date}, rec)


HANDLERS: dict[str, Callable[[WriteContext], None]] = {
    "first_committee_elected": _committee_elected,
    "successor_committee_elected": _successor_committee_elected,
    "committee_officers": _committee_officers,
    "committee_filed": _committee_filed,
    "interim_committee": _interim_committee,
    "enterprise_changed": _enterprise_changed,
    "contract_registered": _contract_registered,
    "contract_submitted": _contract_status("under_review"),
    "contract_filed": _contract_status("on_file"),
    "contract_refused": _contract_status("refused"),
    "handover_recorded": _handover_recorded,
}
assert set(HANDLERS) == set(REGISTER_WRITES), "every declared write needs its handler"


def apply(session: Session, writes: Iterable[RegisterWrite], case: Case, estate: Estate,
          data: Mapping[str, Any], pack: str, rec: Recorder) -> None:
    """Run a step's declared register writes inside its transaction."""
    for write in writes:
        HANDLERS[write.what](WriteContext(session, write, case, estate, data, pack, rec))


# -- contradictions ---------------------------------------------------------------------------

def _committee_refusal(session: Session, estate: Estate) -> Optional[Bi]:
    c = session.scalars(select(Committee).where(
        Committee.estate_id == estate.id, Committee.kind == "owners",
        Committee.status.in_(("active", "pending")))
        .order_by(Committee.id.desc()).limit(1)).first()
    if c is None:
        return None
    org = session.get(Organisation, c.organisation_id)
    since = ""
    if c is not None and c.filed_on:
        since = f"，{c.filed_on.isoformat()} 备案"
    elif c is not None and c.elected_on:
        since = f"，{c.elected_on.isoformat()} 选举产生"
    where = f"（案件 {c.case_id}）" if c is not None and c.case_id else ""
    return Bi(f"{estate.name}已有业主委员会「{org.name}」{since}{where}：不能再办理首次业主大会；"
              "任期届满的，应办理换届",
              f"{estate.name} already has an owners' committee ({org.name}){where}: a first "
              "assembly cannot be held again; when its term ends, hold a re-election")


def _chosen_refusal(session: Session, estate: Estate) -> Optional[Bi]:
    contract = session.scalars(select(Contract).where(
        Contract.estate_id == estate.id, Contract.kind == "assembly",
        Contract.filing_status != "refused").order_by(Contract.id.desc()).limit(1)).first()
    if contract is not None:
        ent = session.get(Organisation, contract.enterprise_id)
        where = f"（案件 {contract.case_id}）" if contract.case_id else ""
        return Bi(f"{estate.name}的业主已选聘物业服务企业「{ent.name if ent else ''}」，"
                  f"合同 {contract.contract_no or '（未登记编号）'} 于 {contract.signed_on.isoformat()} 签订"
                  f"{where}：前期物业招投标不再适用（《物业管理条例》第二十一条、第二十六条）",
                  f"the owners of {estate.name} have engaged {ent.name if ent else ''} (contract "
                  f"signed {contract.signed_on.isoformat()}){where}: pre-phase tendering no longer "
                  "applies (Property Management Regulations arts. 21, 26)")
    committee = _committee_refusal(session, estate)
    if committee is None:
        return None
    c = active_committee(session, estate.id)
    org = session.get(Organisation, c.organisation_id) if c else None
    name = org.name if org else ""
    return Bi(f"{estate.name}已成立业主委员会「{name}」，由业主大会选聘物业服务企业："
              "前期物业招投标不再适用（《物业管理条例》第二十一条）",
              f"{estate.name} has an owners' committee ({name}); the owners' assembly engages "
              "the enterprise, so pre-phase tendering no longer applies (Property Management "
              "Regulations art. 21)")


_REFUSALS = {"committee_in_office": _committee_refusal,
             "owners_chose_enterprise": _chosen_refusal}


def refuse(session: Session, conditions: Iterable[str], estate: Estate) -> None:
    """Raise GuardRefused naming what the register holds against opening the case."""
    reasons = [r for r in (_REFUSALS[c](session, estate) for c in conditions) if r]
    if reasons:
        raise GuardRefused(reasons)

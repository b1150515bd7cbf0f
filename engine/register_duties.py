"""Duties the register raises by itself (declared as `RegisterDuty` on the procedure
whose case answers them, in workflows/): a committee whose term runs out with no
re-election under way, a signed contract nobody filed, a contract whose term ends.

`open_duties` computes them from the register as of a day (the read side uses it through
engine.queries); `scan` writes one `RegisterAlert` per duty, stage and recipient, once
(ON CONFLICT DO NOTHING on its stage), each a leaf of the evidence log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Optional

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import evidence, registry
from engine.alerts import DUE_SOON, OVERDUE, resolve, window_for, workdays_before
from engine.definition import RegisterDuty
from engine.models import Base, Case, Estate, utcnow
from engine.register_models import Committee, Contract
from engine.rulepacks import pack_for
from engine.timefmt import cn_date

_ID = BigInteger().with_variant(Integer, "sqlite")
# How far around a term's end candidate rows are read: a duty's notice plus a margin
# longer than any "before" period declared (three months) and any warning window.
_MARGIN = timedelta(days=200)
_LOOKAHEAD = timedelta(days=400)


class RegisterAlert(Base):
    """One alert about a register duty to one organisation; written once per stage."""
    __tablename__ = "register_alerts"
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    duty: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    stage: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __evidence__ = "register_alert"
    __evidence_case__ = ""


@dataclass(frozen=True)
class Duty:
    """One duty the register raises today."""
    key: str
    procedure: str
    label: str
    subject: str
    subject_id: int
    estate_id: int
    estate_name: str
    party: str
    party_org: Optional[int]
    told: tuple[tuple[str, Optional[int]], ...]
    anchor: date
    due: date
    citation: str
    shown_from: date

    def overdue(self, today: date) -> bool:
        return today > self.due

    def kind(self, today: date) -> str:
        return OVERDUE if self.overdue(today) else DUE_SOON

    @property
    def organisations(self) -> set[int]:
        return {o for o in (self.party_org, *(t[1] for t in self.told)) if o}

    def as_dict(self, today: date) -> dict:
        return {"duty": self.key, "label": self.label, "subject": self.subject,
                "subject_id": self.subject_id, "estate_id": self.estate_id,
                "estate": self.estate_name, "party": self.party, "due_date": self.due.isoformat(),
                "anchor": self.anchor.isoformat(), "citation": self.citation,
                "overdue": self.overdue(today)}


def declared() -> list[tuple[str, RegisterDuty]]:
    """(procedure, duty) for every duty the current procedures declare."""
    return [(name, d) for name, defn in sorted(registry.all_current().items()) for d in defn.duties]


@lru_cache(maxsize=None)
def _finals(procedure: str) -> tuple[str, ...]:
    return tuple(sorted({s.name for d in registry.all_versions() if d.name == procedure
                         for s in d.states if s.final}))


def _running_estates(session: Session, procedure: str) -> set[int]:
    q = select(Case.estate_id).where(Case.procedure == procedure,
                                     Case.state.notin_(_finals(procedure))).distinct()
    return set(session.scalars(q))


_ESTATE = (Estate.id.label("estate_id"), Estate.name.label("estate_name"), Estate.province,
           Estate.rulepack, Estate.street_office_id, Estate.community_id, Estate.committee_id,
           Estate.bureau_id, Estate.developer_id)


@lru_cache(maxsize=64)
def _pack(province: str, rulepack: Optional[str]) -> str:
    return pack_for(province, rulepack).pack


def _make(procedure: str, spec: RegisterDuty, row, subject_id: int, anchor: date,
          enterprise_id: Optional[int], today: date, window_days: int) -> Optional[Duty]:
    pack = _pack(row.province, row.rulepack)
    found = spec.deadline.due(pack, anchor)
    if found is None:
        return None
    when, period = found
    due = when.date
    shown = workdays_before(due, window_days)
    if spec.notice_days:
        shown = min(shown, anchor - timedelta(days=spec.notice_days))
    if today < shown:
        return None
    estate = {"street_office_id": row.street_office_id, "community_id": row.community_id,
              "committee_id": row.committee_id, "bureau_id": row.bureau_id,
              "developer_id": row.developer_id}
    party_role, party_org = resolve(spec.deadline.party, enterprise_id, estate)
    told = tuple(resolve(r, enterprise_id, estate) for r in spec.told)
    return Duty(spec.key, procedure, spec.deadline.label, spec.subject, subject_id, row.estate_id,
                row.estate_name, party_role, party_org, told, anchor, due, period.citation, shown)


def _committee_rows(session: Session, today: date, where, ahead: timedelta):
    return session.execute(
        select(Committee.id, Committee.term_end, *_ESTATE)
        .join(Estate, Estate.id == Committee.estate_id)
        .where(Committee.status == "active", Committee.kind == "owners",
               Committee.term_end.is_not(None), Committee.term_end <= today + ahead, where))


def _unfiled_rows(session: Session, today: date, where, procedure: str):
    finished = select(Case.id).where(Case.id == Contract.case_id,
                                     Case.state.notin_(_finals(procedure))).exists()
    return session.execute(
        select(Contract.id, Contract.signed_on, Contract.enterprise_id, *_ESTATE)
        .join(Estate, Estate.id == Contract.estate_id)
        .where(Contract.filing_status == "unfiled", Contract.signed_on <= today,
               or_(Contract.case_id.is_(None), ~finished), where))


def _term_rows(session: Session, today: date, where, ahead: timedelta):
    newer = Contract.__table__.alias("newer")
    superseded = select(newer.c.id).where(newer.c.estate_id == Contract.estate_id,
                                          newer.c.signed_on > Contract.signed_on,
                                          newer.c.filing_status != "refused").exists()
    return session.execute(
        select(Contract.id, Contract.term_end, Contract.enterprise_id, *_ESTATE)
        .join(Estate, Estate.id == Contract.estate_id)
        .where(Contract.filing_status != "refused", Contract.term_end.is_not(None),
               Contract.term_end <= today + ahead, Contract.term_end >= today - _LOOKAHEAD,
               ~superseded, where))


def open_duties(session: Session, today: date, *, where=None,
                windows=None) -> list[Duty]:
    """Every duty the register raises as of `today` (optionally only for estates matching
    the SQL condition `where`, e.g. an actor's jurisdiction), soonest first."""
    where = true() if where is None else where
    out: list[Duty] = []
    for procedure, spec in declared():
        win = window_for(windows or {}, procedure).due_soon if windows else \
            registry.current(procedure).alerts.due_soon
        if spec.subject == "committee_term":
            running = _running_estates(session, procedure)
            ahead = timedelta(days=spec.notice_days) + _MARGIN
            for r in _committee_rows(session, today, where, ahead):
                if r.estate_id in running:
                    continue
                d = _make(procedure, spec, r, r.id, r.term_end, None, today, win)
                if d:
                    out.append(d)
        elif spec.subject == "contract_unfiled":
            for r in _unfiled_rows(session, today, where, procedure):
                d = _make(procedure, spec, r, r.id, r.signed_on, r.enterprise_id, today, win)
                if d:
                    out.append(d)
        elif spec.subject == "contract_term":
            running = _running_estates(session, procedure)
            ahead = timedelta(days=spec.notice_days) + _MARGIN
            for r in _term_rows(session, today, where, ahead):
                if r.estate_id in running:
                    continue
                d = _make(procedure, spec, r, r.id, r.term_end, r.enterprise_id, today, win)
                if d:
                    out.append(d)
    out.sort(key=lambda d: (d.due, d.key, d.subject_id))
    return out


def _title(d: Duty, today: date) -> str:
    state = "已逾期" if d.overdue(today) else "即将到期"
    return f"【台账{state}】{d.estate_name}：{d.label}，最后期限 {cn_date(d.due)}"


def scan(session: Session, today: date, now: datetime, *, windows=None) -> dict:
    """Write the alerts of today's register duties (each stage once); one commit."""
    duties = open_duties(session, today, windows=windows)
    rows = []
    for d in duties:
        kind = d.kind(today)
        for role, org in ((d.party, d.party_org), *d.told):
            if org is None:
                continue
            rows.append({"duty": d.key, "subject_id": d.subject_id, "estate_id": d.estate_id,
                         "stage": f"{d.key}:{d.subject_id}:{d.due.isoformat()}:{kind}:{role}:{org}",
                         "kind": kind, "role": role, "organisation_id": org,
                         "title": _title(d, today)[:300],
                         "body": f"依据：{d.citation}", "due_date": d.due, "created_at": now})
    if rows:
        # Stages written on earlier days are skipped here (one read), so a repeated scan
        # sends no INSERT at all; ON CONFLICT still settles two scans running at once.
        first = min(r["due_date"] for r in rows)
        done = set(session.scalars(select(RegisterAlert.stage).where(RegisterAlert.due_date >= first)))
        rows = [r for r in rows if r["stage"] not in done]
    written = 0
    postgres = session.get_bind().dialect.name == "postgresql"
    ins = postgresql.insert(RegisterAlert) if postgres else sqlite.insert(RegisterAlert)
    for i in range(0, len(rows), 1000):
        chunk = rows[i:i + 1000]
        new = session.execute(ins.values(chunk).on_conflict_do_nothing(index_elements=["stage"])
                              .returning(*RegisterAlert.__table__.columns)).mappings().all()
        if new:
            evidence.log_rows(session, RegisterAlert, [dict(r) for r in new])
        written += len(new)
    session.commit()
    return {"register_duties": len(duties),
            "register_overdue": sum(d.overdue(today) for d in duties),
            "register_alerts": written}


def alerts_for(session: Session, org_id: int, limit: int = 100) -> list[RegisterAlert]:
    return list(session.scalars(select(RegisterAlert).where(RegisterAlert.organisation_id == org_id)
                                .order_by(RegisterAlert.id.desc()).limit(limit)))

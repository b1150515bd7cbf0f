"""Ballots of an owners' vote (业主共同决定的表决票): voting codes, real-name online
ballots, paper ballots entered twice, representatives' carried opinions, receipts.

The vote itself is a case of a procedure declared in `workflows/` (its notice, period,
matters and closing are steps through `engine.runtime.advance`); what the engine needs of
it is in the case's data, which the procedure writes: `matters` (a list of
{"no", "matter", "label"}), `accepting_ballots` (true between the opening and the closing
of the ballot), `ends_on` (the last day of voting, Beijing time). This module stores the
ballots beside the case and hands them, as plain rows, to the rules that count them
(`engine.readers` "ballots" → `workflows.rules.owners`).

A ballot is one row per (vote, unit, matter, channel): casting again on the same channel
updates it (a repeated submit with the same choices writes nothing), so the row is the
unit's current choice on that channel and its evidence leaves are its history. Which
channel prevails and how a multi-unit owner counts is decided by the rules, not here.

Paper ballots (纸质表决票) count only when two clerks, entering the same sheet
independently, agree: the latest entries of the two most recent distinct clerks are
compared; agreement records the paper ballots, disagreement lists the unit for
resolution (`mismatches`) and any paper ballot of the unit stops counting until two
clerks agree again.

Voting codes are printed on the paper notice delivered to each unit; only their SHA-256
is stored. Signing in takes the code and the last four characters of an owner's ID
number, and is throttled in the database (engine.signin's design): per client address
before the code is looked up, and per unit before the ID digits are compared, so a
guesser is slowed down at every unit and no owner is ever locked out.

Locking: a ballot takes a shared lock on its vote's case row (PostgreSQL FOR SHARE), so
ballots of one vote never wait for each other and votes of different estates share
nothing; the closing step reads the ballots after an exclusive lock on the same row
(reader "ballots" with `for_closing`), so no ballot commits unseen after it was counted.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Iterable, Mapping, Optional, Sequence

from sqlalchemy import (BigInteger, Boolean, ForeignKey, Index, Integer, String,
                        UniqueConstraint, select, update)
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock, evidence, files as file_store, readers, signin
from engine.access import Actor, may_see_estate
from engine.bilingual import Bi
from engine.errors import EngineError, GuardRefused, NotFound, NotPermitted, PayloadInvalid
from engine.legaltime import TZ
from engine.models import Base, Case, Estate, JSONType
from engine.owners_register import RegisterUnit

_ID = BigInteger().with_variant(Integer, "sqlite")
CHOICES = ("yes", "no", "abstain")
CHANNELS = ("online", "paper", "representative")
# Who organises or counts a vote, and enters its paper ballots.
ORGANISERS = ("street_office", "committee", "admin")
CLERKS = ("street_office", "committee", "community", "admin")
# Code alphabet without look-alikes (0/O, 1/I/L): read off paper and typed on a phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10                  # 31^10 ≈ 8×10^14: guessing one is hopeless under the throttle
UNIT = signin.Policy(free=3, base=2, cap=300, forget=timedelta(hours=1))
ADDRESS = signin.Policy(free=30, base=1, cap=120, forget=timedelta(hours=1))


class Throttled(EngineError):
    status = 429

    def __init__(self, seconds: float):
        secs = max(1, int(seconds + 0.999))
        super().__init__(Bi(f"尝试次数过多，请 {secs} 秒后再试", f"Too many attempts; try again in {secs} s"))
        self.retry_after = secs


class VotingCode(Base):
    __tablename__ = "voting_codes"
    __table_args__ = (UniqueConstraint("case_id", "unit_id", name="uq_voting_codes_unit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("register_units.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column()


class Ballot(Base):
    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("case_id", "unit_id", "matter", "channel",
                                       name="uq_ballots_unit_matter_channel"),
                      Index("ix_ballots_receipt", "receipt"))
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("register_units.id"))
    matter: Mapped[int] = mapped_column(Integer)           # the vote's item number ("no")
    choice: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(16))
    valid: Mapped[bool] = mapped_column(Boolean, default=True)
    cast_at: Mapped[datetime] = mapped_column()
    receipt: Mapped[str] = mapped_column(String(16))
    entered_by: Mapped[str] = mapped_column(String(200), default="")  # clerks, representative
    scan_sha256: Mapped[Optional[str]] = mapped_column(String(64))   # signed opinions (山东 art. 27)

    __evidence__ = "ballot"


class PaperEntry(Base):
    """One clerk's reading of one unit's paper ballot sheet."""
    __tablename__ = "paper_entries"
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("register_units.id"))
    sheet_no: Mapped[str] = mapped_column(String(40), default="")
    choices: Mapped[dict] = mapped_column(JSONType)        # {"1": "yes", …}
    clerk_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    clerk_name: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column()

    __evidence__ = "paper_entry"


# -- the vote case --------------------------------------------------------------------------

def _begin_write(session: Session) -> None:
    """Start the ballot's transaction. SQLite: take the write lock now (BEGIN IMMEDIATE,
    waiting out other writers) so a ballot never fails on a snapshot another writer moved."""
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name != "postgresql":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _retrying(fn):
    """Run a ballot write again once when a concurrent identical submit inserted the same
    row first (the second run sees it and writes nothing or updates it)."""
    import functools

    from sqlalchemy.exc import IntegrityError

    @functools.wraps(fn)
    def wrapper(*args, **kw):
        try:
            return fn(*args, **kw)
        except IntegrityError:
            return fn(*args, **kw)
    return wrapper


def _vote(session: Session, case_id: int, *, share_lock: bool = False) -> Case:
    q = select(Case).where(Case.id == case_id)
    if share_lock and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(read=True)
    case = session.scalars(q).first()
    if case is None or "matters" not in (case.data or {}):
        raise NotFound(Bi("表决不存在", "No such vote"))
    return case


def matter_numbers(case: Case) -> list[int]:
    return [int(m["no"]) for m in case.data["matters"]]


def _closes_at(case: Case) -> Optional[datetime]:
    ends = case.data.get("ends_on")
    if not ends:
        return None
    from datetime import date
    return datetime.combine(date.fromisoformat(ends) + timedelta(days=1), time(0), TZ)


def _check_open(case: Case, now: datetime) -> None:
    closes = _closes_at(case)
    if not case.data.get("accepting_ballots") or (closes and now >= closes):
        raise GuardRefused([Bi("本次表决不在投票期内，不能投票", "This vote is not open for ballots")])


def _check_organiser(session: Session, actor: Actor, case: Case, roles=ORGANISERS) -> None:
    estate = session.get(Estate, case.estate_id)
    if actor.role not in roles or not may_see_estate(actor, estate):
        raise NotPermitted(Bi("只有本物业管理区域的表决组织者可以办理", "Only the vote's organisers may do this"))


def _clean_choices(case: Case, choices: Mapping) -> dict[int, str]:
    known = set(matter_numbers(case))
    out, problems = {}, {}
    for k, v in choices.items():
        try:
            n = int(k)
        except (TypeError, ValueError):
            n = -1
        if n not in known:
            problems[str(k)] = [Bi("没有这一表决事项", "No such matter in this vote")]
        elif v not in CHOICES:
            problems[str(k)] = [Bi("应选择同意、不同意或弃权", "Choose in favour, against or abstain")]
        else:
            out[n] = v
    if not out and not problems:
        problems["choices"] = [Bi("请至少对一项事项表决", "Vote on at least one matter")]
    if problems:
        raise PayloadInvalid(problems)
    return out


def _receipt() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def _upsert(session: Session, case: Case, unit_id: int, channel: str, choices: dict[int, str],
            now: datetime, receipt: str, *, entered_by: str = "", scan: Optional[str] = None,
            valid: bool = True) -> list[Ballot]:
    have = {b.matter: b for b in session.scalars(select(Ballot).where(
        Ballot.case_id == case.id, Ballot.unit_id == unit_id, Ballot.channel == channel))}
    changed = []
    for matter, choice in choices.items():
        b = have.get(matter)
        if b is None:
            b = Ballot(case_id=case.id, unit_id=unit_id, matter=matter, choice=choice,
                       channel=channel, valid=valid, cast_at=now, receipt=receipt,
                       entered_by=entered_by, scan_sha256=scan)
            session.add(b)
        elif b.choice == choice and b.valid == valid and (scan is None or b.scan_sha256 == scan):
            continue                      # the same ballot again: one ballot, nothing written
        else:
            b.choice, b.valid, b.cast_at, b.receipt = choice, valid, now, receipt
            b.entered_by = entered_by or b.entered_by
            b.scan_sha256 = scan or b.scan_sha256
        changed.append(b)
    if changed:
        session.flush()
        evidence.log_rows(session, Ballot, changed)
    return changed


# -- voting codes and signing in ----------------------------------------------------------

def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()


def issue_codes(session: Session, case_id: int, actor: Actor, *,
                now: Optional[datetime] = None) -> list[tuple[RegisterUnit, str]]:
    """A fresh voting code for every delivered unit of the vote's estate (replacing any
    earlier one), to print on each unit's paper notice. Commits; the codes are shown once."""
    now = now or clock.now()
    try:
        case = _vote(session, case_id)
        _check_organiser(session, actor, case)
        units = list(session.scalars(select(RegisterUnit).where(
            RegisterUnit.estate_id == case.estate_id, RegisterUnit.status == "delivered")
            .order_by(RegisterUnit.building, RegisterUnit.unit_no, RegisterUnit.room)))
        old = {c.unit_id: c for c in session.scalars(select(VotingCode).where(VotingCode.case_id == case.id))}
        out = []
        for u in units:
            code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
            row = old.get(u.id)
            if row is None:
                session.add(VotingCode(case_id=case.id, unit_id=u.id, code_hash=_code_hash(code), issued_at=now))
            else:
                row.code_hash, row.issued_at = _code_hash(code), now
            out.append((u, code))
        session.commit()
        return out
    except BaseException:
        session.rollback()
        raise


def set_code(session: Session, case_id: int, unit_id: int, code: str, actor: Actor, *,
             now: Optional[datetime] = None) -> None:
    """Give one unit a code chosen by the organiser (a re-issued notice, a demonstration).
    Commits."""
    now = now or clock.now()
    try:
        case = _vote(session, case_id)
        _check_organiser(session, actor, case)
        if len(_code_hash(code)) != 64 or len(code.strip()) < CODE_LENGTH:
            raise PayloadInvalid({"code": [Bi(f"投票码至少 {CODE_LENGTH} 位", f"A code has at least {CODE_LENGTH} characters")]})
        row = session.scalars(select(VotingCode).where(VotingCode.case_id == case_id,
                                                       VotingCode.unit_id == unit_id)).first()
        if row is None:
            session.add(VotingCode(case_id=case_id, unit_id=unit_id, code_hash=_code_hash(code), issued_at=now))
        else:
            row.code_hash, row.issued_at = _code_hash(code), now
        session.commit()
    except BaseException:
        session.rollback()
        raise


@dataclass(frozen=True)
class Voter:
    """Who signed in with a voting code: one unit of one vote."""
    case_id: int
    unit_id: int


WRONG = Bi("投票码或证件号码后四位不正确", "The voting code or the last four ID characters are wrong")


def sign_in(session: Session, code: str, id_tail: str, address: Optional[str], *,
            now: Optional[datetime] = None) -> Voter:
    """The unit a voting code opens, when `id_tail` is the end of one of its owners' ID
    numbers. Throttled (Throttled, 429) and commits its counts."""
    now = now or clock.now()
    addr_key = "votecode:" + signin.address_key(address)
    wait = signin.reserve(session, [(addr_key, ADDRESS)], now)
    if wait:
        raise Throttled(wait)
    row = session.scalars(select(VotingCode).where(VotingCode.code_hash == _code_hash(code or ""))).first()
    if row is None:
        session.rollback()
        raise NotPermitted(WRONG)
    unit_key = f"votecode:unit:{row.unit_id}"
    wait = signin.reserve(session, [(unit_key, UNIT)], now)
    if wait:
        raise Throttled(wait)
    unit = session.get(RegisterUnit, row.unit_id)
    tail = (id_tail or "").strip().upper()
    if unit is None or len(tail) != 4 or not any(
            secrets.compare_digest(o.get("id_tail", ""), tail) for o in unit.owners or []):
        session.rollback()
        raise NotPermitted(WRONG)
    voter = Voter(row.case_id, row.unit_id)
    # A valid code and ID tail prove a real voter: the address may go on (a community
    # centre helping many owners is one address).
    signin.succeeded(session, [unit_key, addr_key])
    return voter


# -- casting -------------------------------------------------------------------------------

@_retrying
def cast(session: Session, voter: Voter, choices: Mapping, *,
         now: Optional[datetime] = None) -> Optional[str]:
    """An owner's online ballot for its unit: {matter no: "yes"|"no"|"abstain"}. Returns
    the receipt code (None when nothing changed: a double submit is one ballot).
    Commits. Refused once a paper or carried ballot of the unit is recorded for a matter
    (the signed paper prevails; workflows.rules.owners)."""
    now = now or clock.now()
    try:
        _begin_write(session)
        case = _vote(session, voter.case_id, share_lock=True)
        _check_open(case, now)
        clean = _clean_choices(case, choices)
        written = session.scalars(select(Ballot.matter).where(
            Ballot.case_id == case.id, Ballot.unit_id == voter.unit_id,
            Ballot.channel != "online", Ballot.valid.is_(True))).all()
        if set(written) & set(clean):
            raise GuardRefused([Bi("本户已有签字的书面表决意见被录入，以书面意见为准，不能再网上改票",
                                   "A signed paper ballot of this unit has been entered; it prevails "
                                   "and cannot be changed online")])
        receipt = _receipt()
        changed = _upsert(session, case, voter.unit_id, "online", clean, now, receipt)
        session.commit()
        return receipt if changed else None
    except BaseException:
        session.rollback()
        raise


@_retrying
def enter_paper(session: Session, case_id: int, actor: Actor, unit_id: int, choices: Mapping, *,
                sheet_no: str = "", now: Optional[datetime] = None) -> dict:
    """One clerk's entry of one unit's paper ballot. Returns {"status": "waiting" |
    "agreed" | "mismatch", "receipt"?}. Commits."""
    now = now or clock.now()
    try:
        _begin_write(session)
        case = _vote(session, case_id, share_lock=True)
        _check_organiser(session, actor, case, CLERKS)
        _check_open(case, now)
        unit = session.get(RegisterUnit, unit_id)
        if unit is None or unit.estate_id != case.estate_id:
            raise NotFound(Bi("本物业管理区域没有这套房屋", "No such unit in this estate"))
        clean = _clean_choices(case, choices)
        e = PaperEntry(case_id=case.id, unit_id=unit_id, sheet_no=(sheet_no or "")[:40],
                       choices={str(k): v for k, v in sorted(clean.items())},
                       clerk_id=actor.user_id, clerk_name=actor.name, entered_at=now)
        session.add(e)
        session.flush()
        evidence.log_rows(session, PaperEntry, [e])
        out = _settle_paper(session, case, unit_id, now)
        session.commit()
        return out
    except BaseException:
        session.rollback()
        raise


def _two_latest(entries: Sequence[PaperEntry]) -> list[PaperEntry]:
    """The latest entry of each of the two most recent distinct clerks."""
    seen, out = set(), []
    for e in sorted(entries, key=lambda e: e.id, reverse=True):
        who = e.clerk_id or e.clerk_name
        if who not in seen:
            seen.add(who)
            out.append(e)
        if len(out) == 2:
            break
    return out


def _settle_paper(session: Session, case: Case, unit_id: int, now: datetime) -> dict:
    entries = session.scalars(select(PaperEntry).where(PaperEntry.case_id == case.id,
                                                       PaperEntry.unit_id == unit_id)).all()
    pair = _two_latest(entries)
    if len(pair) < 2:
        return {"status": "waiting"}
    a, b = pair
    if a.choices != b.choices:
        stale = session.scalars(select(Ballot).where(Ballot.case_id == case.id, Ballot.unit_id == unit_id,
                                                     Ballot.channel == "paper", Ballot.valid.is_(True))).all()
        for s in stale:
            s.valid = False
        if stale:
            session.flush()
            evidence.log_rows(session, Ballot, stale)
        return {"status": "mismatch"}
    receipt = _receipt()
    _upsert(session, case, unit_id, "paper", {int(k): v for k, v in a.choices.items()}, now, receipt,
            entered_by=f"{b.clerk_name}、{a.clerk_name}")
    return {"status": "agreed", "receipt": receipt}


def mismatches(session: Session, case_id: int) -> list[dict]:
    """Units whose two latest clerks' entries disagree: {unit_id, place, entries}."""
    entries = session.scalars(select(PaperEntry).where(PaperEntry.case_id == case_id)).all()
    by_unit: dict[int, list] = {}
    for e in entries:
        by_unit.setdefault(e.unit_id, []).append(e)
    out = []
    for unit_id, es in sorted(by_unit.items()):
        pair = _two_latest(es)
        if len(pair) == 2 and pair[0].choices != pair[1].choices:
            u = session.get(RegisterUnit, unit_id)
            out.append({"unit_id": unit_id, "place": u.place if u else str(unit_id),
                        "entries": [{"clerk": e.clerk_name, "sheet_no": e.sheet_no,
                                     "choices": e.choices} for e in pair]})
    return out


def enter_representative(session: Session, case_id: int, actor: Actor, representative: str,
                         opinions: Mapping[int, Mapping], scan: file_store.FileIn, *,
                         now: Optional[datetime] = None) -> str:
    """A representative's carried opinions (山东 art. 27): {unit_id: {matter: choice}},
    with the scan of the owners' signed opinions, which is stored with them. Returns
    the receipt code shared by these ballots. Commits."""
    now = now or clock.now()
    try:
        _begin_write(session)
        case = _vote(session, case_id, share_lock=True)
        _check_organiser(session, actor, case, CLERKS)
        _check_open(case, now)
        if not (representative or "").strip():
            raise PayloadInvalid({"representative": [Bi("请填写业主代表姓名", "Name the representative")]})
        if scan is None or not scan.data:
            raise PayloadInvalid({"scan": [Bi("请上传业主本人签字的书面意见扫描件",
                                              "Upload the scan of the owners' signed opinions")]})
        sha = file_store.store(session, scan.data)
        units = {u.id for u in session.scalars(select(RegisterUnit).where(
            RegisterUnit.estate_id == case.estate_id, RegisterUnit.id.in_([int(k) for k in opinions])))}
        receipt = _receipt()
        for unit_id, choices in opinions.items():
            if int(unit_id) not in units:
                raise NotFound(Bi("本物业管理区域没有这套房屋", "No such unit in this estate"))
            _upsert(session, case, int(unit_id), "representative", _clean_choices(case, choices), now,
                    receipt, entered_by=f"业主代表{representative.strip()}（{actor.name}录入）"[:200], scan=sha)
        session.commit()
        return receipt
    except BaseException:
        session.rollback()
        raise


# -- reading -------------------------------------------------------------------------------

_B = Ballot.__table__


@readers.reader("ballots")
def plain_ballots(session: Session, case_id: int, for_closing: bool = False) -> list[dict]:
    """The vote's valid ballots as plain rows, in the order they were cast. For the
    closing step, the vote's case row is locked first so no ballot commits unseen."""
    if for_closing and session.get_bind().dialect.name == "postgresql":
        session.execute(select(Case.id).where(Case.id == case_id).with_for_update())
    rows = session.execute(select(_B.c.unit_id, _B.c.matter, _B.c.choice, _B.c.channel, _B.c.cast_at, _B.c.id)
                           .where(_B.c.case_id == case_id, _B.c.valid.is_(True)).order_by(_B.c.id))
    return [{"unit_id": r.unit_id, "matter": r.matter, "choice": r.choice, "channel": r.channel,
             "id": r.id} for r in rows]


def by_receipt(session: Session, receipt: str) -> list[Ballot]:
    code = (receipt or "").strip().upper()
    if not code:
        return []
    return list(session.scalars(select(Ballot).where(Ballot.receipt == code).order_by(Ballot.matter)))


def unit_ballots(session: Session, case_id: int, unit_id: int) -> list[Ballot]:
    return list(session.scalars(select(Ballot).where(Ballot.case_id == case_id, Ballot.unit_id == unit_id)
                                .order_by(Ballot.matter, Ballot.channel)))

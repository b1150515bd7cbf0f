"""The owners' register (业主名册 / 房屋清册) of an estate: its exclusive units, each with
its area by source, delivery status and owners.

What is kept of an owner
    The name, and of the identity-document number only what identification needs: a
    keyed hash (HMAC-SHA256 under the estate's register salt) to recognise the same
    owner on several units and to match a voter, and the last four characters, which an
    owner types when voting and pages show masked (``**************1234``). The number
    itself is never stored (个人信息保护法 art. 6: no more than the purpose needs).

Every write is evidence
    A unit row is written, then its leaf in the evidence log (engine.evidence), in the
    same transaction, with who changed it and why; the leaves of a unit are its history
    (`history`), and `flask audit verify` compares every row with its latest leaf.

Import
    `import_rows` / `import_xlsx` take the developer's 业主名册 as rows with the columns
    of `COLUMNS`; every row is checked first, and a file with any bad row writes nothing
    and returns every row's problems in Chinese. A unit already in the register is
    updated (its history keeps the previous record); units missing from a file stay.

The engine only stores and reads; what the register adds up to (total area, number of
owners by 区分所有权解释 arts. 8-9) is decided in `workflows.rules.owners`.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Optional

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock, evidence, readers
from engine.access import Actor, may_see_estate
from engine.bilingual import Bi
from engine.errors import NotFound, NotPermitted, PayloadInvalid
from engine.models import Base, Estate, JSONType

AREA = Numeric(16, 4)

# Sources and statuses as the file writes them (labels) and as they are stored (keys);
# the same keys as workflows.rules.owners, which the engine may not import.
SOURCE_LABELS = {"登记簿": "register", "实测": "survey", "合同": "contract"}
STATUS_LABELS = {"未售": "unsold", "已售未交付": "sold_undelivered", "已交付": "delivered"}
SOURCE_NAMES = {v: k for k, v in SOURCE_LABELS.items()}
STATUS_NAMES = {v: k for k, v in STATUS_LABELS.items()}
COLUMNS = ("楼栋", "单元", "房号", "专有部分面积", "面积来源", "业主姓名", "证件号码", "交付状态")
# Who may keep an estate's register: the street office (first assembly), the committee.
KEEPERS = ("street_office", "committee", "admin", "system")


class OwnerRegister(Base):
    """An estate's register settings: the salt of its owners' ID hashes and the text of
    the assembly's rules of procedure (议事规则) as adopted, which alone could make
    silent owners count (it is recorded, never assumed)."""
    __tablename__ = "owner_registers"
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), unique=True)
    salt: Mapped[str] = mapped_column(String(64))
    rules_text: Mapped[str] = mapped_column(Text, default="")
    silent_follow_majority: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column()

    __evidence__ = "owner_register"
    __evidence_exclude__ = ("salt",)


class RegisterUnit(Base):
    """One exclusive unit (专有部分)."""
    __tablename__ = "register_units"
    __table_args__ = (UniqueConstraint("estate_id", "building", "unit_no", "room",
                                       name="uq_register_units_place"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    building: Mapped[str] = mapped_column(String(40))
    unit_no: Mapped[str] = mapped_column(String(40), default="")
    room: Mapped[str] = mapped_column(String(40))
    area_register: Mapped[Optional[Decimal]] = mapped_column(AREA)
    area_survey: Mapped[Optional[Decimal]] = mapped_column(AREA)
    area_contract: Mapped[Optional[Decimal]] = mapped_column(AREA)
    status: Mapped[str] = mapped_column(String(20))
    # [{"name", "id_hash", "id_tail"}]: see the module's docstring.
    owners: Mapped[list] = mapped_column(JSONType, default=list)
    changed_by: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column()

    __evidence__ = "register_unit"

    @property
    def place(self) -> str:
        return "-".join(p for p in (self.building, self.unit_no, self.room) if p)

    def areas(self) -> dict[str, Optional[Decimal]]:
        return {"register": self.area_register, "survey": self.area_survey,
                "contract": self.area_contract}


# -- identity numbers ---------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def normalise_id(raw: str) -> str:
    return re.sub(r"\s+", "", str(raw or "")).upper()


def id_problem(number: str) -> str:
    """Why an identity-document number is not acceptable ("" when it is). An 18-character
    resident ID must carry its check digit (GB 11643); other documents (passports, HK/Macao
    permits) are taken as 6-30 letters and digits."""
    if not re.fullmatch(r"[0-9A-Z]{6,30}", number):
        return "证件号码应为6至30位字母或数字"
    if re.fullmatch(r"\d{17}[\dX]", number):
        total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS))
        if "10X98765432"[total % 11] != number[17]:
            return "居民身份证号码校验位不正确"
    return ""


def id_hash(salt: str, number: str) -> str:
    return hmac.new(salt.encode(), normalise_id(number).encode(), hashlib.sha256).hexdigest()


def mask(tail: str) -> str:
    return "*" * 14 + tail


# -- reading ------------------------------------------------------------------------------

def settings(session: Session, estate_id: int, *, create: bool = False,
             now: Optional[datetime] = None) -> Optional[OwnerRegister]:
    reg = session.scalars(select(OwnerRegister).where(OwnerRegister.estate_id == estate_id)).first()
    if reg is None and create:
        reg = OwnerRegister(estate_id=estate_id, salt=secrets.token_hex(16), rules_text="",
                            silent_follow_majority=False, updated_at=now or clock.now())
        session.add(reg)
        session.flush()
        evidence.log_rows(session, OwnerRegister, [reg])
    return reg


def units(session: Session, estate_id: int) -> list[RegisterUnit]:
    return list(session.scalars(select(RegisterUnit).where(RegisterUnit.estate_id == estate_id)
                                .order_by(RegisterUnit.building, RegisterUnit.unit_no,
                                          RegisterUnit.room)))


_UNITS = RegisterUnit.__table__


@readers.reader("register_units")
def plain_units(session: Session, estate_id: int) -> list[dict]:
    """The register as plain values for the rules (one query, no ORM objects)."""
    t = _UNITS
    rows = session.execute(select(t.c.id, t.c.building, t.c.unit_no, t.c.room, t.c.area_register,
                                  t.c.area_survey, t.c.area_contract, t.c.status, t.c.owners)
                           .where(t.c.estate_id == estate_id))
    return [{"id": r.id, "key": "-".join(p for p in (r.building, r.unit_no, r.room) if p),
             "areas": {"register": r.area_register, "survey": r.area_survey,
                       "contract": r.area_contract},
             "status": r.status,
             "owners": tuple(o["id_hash"] for o in (r.owners or []))} for r in rows]


@readers.reader("owner_rules")
def plain_rules(session: Session, estate_id: int) -> dict:
    reg = settings(session, estate_id)
    return {"text": reg.rules_text if reg else "",
            "silent_follow_majority": bool(reg and reg.silent_follow_majority)}


def history(session: Session, unit_id: int) -> list[dict]:
    """Every record the unit held, oldest first, from the evidence log."""
    key = evidence.spec(RegisterUnit).key(unit_id)
    bodies = session.scalars(select(evidence.LogEntry.body).where(
        evidence.LogEntry.case_id.is_(None), evidence.LogEntry.key == key)
        .order_by(evidence.LogEntry.id))
    return [json.loads(b)["record"] for b in bodies]


# -- writing ------------------------------------------------------------------------------

def _check_keeper(session: Session, actor: Actor, estate_id: int) -> Estate:
    estate = session.get(Estate, estate_id)
    if estate is None:
        raise NotFound(Bi("物业管理区域不存在", "No such estate"))
    if actor.role not in KEEPERS or not may_see_estate(actor, estate):
        raise NotPermitted(Bi("只有本物业管理区域的街道办事处或业主委员会可以维护业主名册",
                              "Only the estate's street office or owners' committee may keep "
                              "its owners' register"))
    return estate


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)     # "第N行：…"
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _area(raw: Any) -> tuple[Optional[Decimal], str]:
    s = _cell(raw).replace(",", "")
    if isinstance(raw, float):
        s = repr(raw)
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None, f"专有部分面积应为数字，收到「{_cell(raw)}」"
    if not d.is_finite() or d <= 0:
        return None, f"专有部分面积应大于零，收到「{_cell(raw)}」"
    if d.as_tuple().exponent < -4 or d >= Decimal(10) ** 12:
        return None, f"专有部分面积最多四位小数、不超过一万亿平方米，收到「{_cell(raw)}」"
    return d, ""


def _split(s: str) -> list[str]:
    return [p.strip() for p in re.split(r"[、，,;；/]", s) if p.strip()]


def _parse(rows: Iterable[Iterable[Any]], salt: str) -> tuple[dict, list[str]]:
    """Rows (header first) -> {(building, unit, room): record}, errors."""
    rows = iter(rows)
    header = [_cell(c) for c in next(rows, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return {}, ["表头缺少列：" + "、".join(missing) + "（应为：" + "、".join(COLUMNS) + "）"]
    ix = {c: header.index(c) for c in COLUMNS}
    out: dict[tuple, dict] = {}
    errors: list[str] = []
    for n, row in enumerate(rows, start=2):
        row = list(row)
        get = lambda c: row[ix[c]] if ix[c] < len(row) else None   # noqa: E731
        if all(_cell(v) == "" for v in row):
            continue
        problems = []
        place = (_cell(get("楼栋")), _cell(get("单元")), _cell(get("房号")))
        if not place[0] or not place[2]:
            problems.append("楼栋和房号不能为空")
        if any(len(p) > 40 for p in place):
            problems.append("楼栋、单元、房号各不超过40个字")
        area, why = _area(get("专有部分面积"))
        if why:
            problems.append(why)
        source = SOURCE_LABELS.get(_cell(get("面积来源")))
        if source is None:
            problems.append(f"面积来源应为登记簿、实测或合同，收到「{_cell(get('面积来源'))}」")
        status = STATUS_LABELS.get(_cell(get("交付状态")))
        if status is None:
            problems.append(f"交付状态应为已交付、已售未交付或未售，收到「{_cell(get('交付状态'))}」")
        names, numbers = _split(_cell(get("业主姓名"))), _split(_cell(get("证件号码")))
        owners = []
        if len(names) != len(numbers):
            problems.append(f"业主姓名（{len(names)}个）与证件号码（{len(numbers)}个）数量不一致")
        else:
            for name, raw in zip(names, numbers):
                number = normalise_id(raw)
                bad = id_problem(number)
                if bad:
                    problems.append(f"{name}的{bad}")
                elif len(name) > 50:
                    problems.append("业主姓名不超过50个字")
                else:
                    owners.append({"name": name, "id_hash": id_hash(salt, number),
                                   "id_tail": number[-4:]})
        if status in ("delivered", "sold_undelivered") and not names:
            problems.append("已售房屋应填写业主姓名和证件号码")
        if status == "unsold" and names:
            problems.append("未售房屋属建设单位，不应填写业主")
        if problems:
            errors.append(f"第{n}行：" + "；".join(problems))
            continue
        rec = out.get(place)
        if rec is None:
            out[place] = {"areas": {source: area}, "status": status, "owners": owners, "row": n}
        elif source in rec["areas"]:
            errors.append(f"第{n}行：{'-'.join(p for p in place if p)} 的{SOURCE_NAMES[source]}面积"
                          f"已在第{rec['row']}行填写")
        elif rec["status"] != status or [o["id_hash"] for o in rec["owners"]] != [o["id_hash"] for o in owners]:
            errors.append(f"第{n}行：{'-'.join(p for p in place if p)} 的业主或交付状态与第{rec['row']}行不一致")
        else:
            rec["areas"][source] = area
    return out, errors


def import_rows(session: Session, estate_id: int, rows: Iterable[Iterable[Any]], actor: Actor, *,
                dry_run: bool = False, reason: str = "导入业主名册",
                now: Optional[datetime] = None) -> ImportResult:
    """Import a register (header row first). All or nothing; commits unless dry_run or
    any row is wrong."""
    now = now or clock.now()
    try:
        _check_keeper(session, actor, estate_id)
        reg = settings(session, estate_id, create=True, now=now)
        parsed, errors = _parse(rows, reg.salt)
        result = ImportResult(errors=errors, dry_run=dry_run)
        if not parsed and not errors:
            result.errors.append("文件中没有房屋")
        if not result.ok or dry_run:
            session.rollback()
            return result
        existing = {(u.building, u.unit_no, u.room): u for u in units(session, estate_id)}
        changed = []
        for place, rec in parsed.items():
            values = {"area_register": rec["areas"].get("register"),
                      "area_survey": rec["areas"].get("survey"),
                      "area_contract": rec["areas"].get("contract"),
                      "status": rec["status"], "owners": rec["owners"]}
            u = existing.get(place)
            if u is None:
                u = RegisterUnit(estate_id=estate_id, building=place[0], unit_no=place[1],
                                 room=place[2], **values)
                session.add(u)
                result.created += 1
            elif all(_same(getattr(u, k), v) for k, v in values.items()):
                result.unchanged += 1
                continue
            else:
                for k, v in values.items():
                    setattr(u, k, v)
                result.updated += 1
            u.changed_by, u.reason, u.updated_at = actor.name, reason, now
            changed.append(u)
        session.flush()
        evidence.log_rows(session, RegisterUnit, changed)
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    return a == b


def import_xlsx(session: Session, estate_id: int, data: bytes, actor: Actor, **kw) -> ImportResult:
    """Import the first sheet of an XLSX workbook (openpyxl)."""
    from openpyxl import load_workbook
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:            # noqa: BLE001 — any unreadable file is the same answer
        return ImportResult(errors=["无法读取文件：请上传 Excel 工作簿（.xlsx）"])
    try:
        return import_rows(session, estate_id, wb.worksheets[0].iter_rows(values_only=True),
                           actor, **kw)
    finally:
        wb.close()


def template_xlsx() -> bytes:
    """An empty register with the expected columns and one example row."""
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "业主名册"
    ws.append(list(COLUMNS))
    ws.append(["1", "1", "101", "89.50", "登记簿", "张三", "11010519491231002X", "已交付"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


EDITABLE = ("area_register", "area_survey", "area_contract", "status")


def edit_unit(session: Session, unit_id: int, actor: Actor, *, reason: str,
              owners: Optional[list[tuple[str, str]]] = None, now: Optional[datetime] = None,
              **changes) -> RegisterUnit:
    """Change one unit (areas, status, owners as (name, ID number) pairs), saying why.
    Commits; the previous record stays in the unit's history."""
    now = now or clock.now()
    try:
        u = session.get(RegisterUnit, unit_id)
        if u is None:
            raise NotFound(Bi("房屋不存在", "No such unit"))
        _check_keeper(session, actor, u.estate_id)
        problems = {}
        if not (reason or "").strip():
            problems["reason"] = [Bi("请说明修改理由", "Say why the register changes")]
        for k, v in changes.items():
            if k not in EDITABLE:
                problems[k] = [Bi("该项不能修改", "This cannot be changed")]
            elif k == "status" and v not in STATUS_NAMES:
                problems[k] = [Bi("交付状态应为已交付、已售未交付或未售", "Unknown delivery status")]
            elif k.startswith("area_") and v is not None:
                d, why = _area(v)
                if why:
                    problems[k] = [why]
                changes[k] = d
        if owners is not None:
            reg = settings(session, u.estate_id, create=True, now=now)
            new = []
            for name, number in owners:
                number = normalise_id(number)
                bad = id_problem(number)
                if bad or not name.strip():
                    problems["owners"] = [bad or "业主姓名不能为空"]
                    break
                new.append({"name": name.strip(), "id_hash": id_hash(reg.salt, number),
                            "id_tail": number[-4:]})
            changes["owners"] = new
        status = changes.get("status", u.status)
        if status in ("delivered", "sold_undelivered") and not changes.get("owners", u.owners):
            problems["owners"] = ["已售房屋应登记业主"]
        if status == "unsold" and changes.get("owners", u.owners):
            problems["owners"] = ["未售房屋属建设单位，不应登记业主"]
        if problems:
            raise PayloadInvalid(problems)
        for k, v in changes.items():
            setattr(u, k, v)
        u.changed_by, u.reason, u.updated_at = actor.name, reason.strip()[:300], now
        session.flush()
        evidence.log_rows(session, RegisterUnit, [u])
        session.commit()
        return u
    except BaseException:
        session.rollback()
        raise


def set_rules(session: Session, estate_id: int, actor: Actor, text: str, *,
              silent_follow_majority: bool = False, now: Optional[datetime] = None) -> OwnerRegister:
    """Record the assembly's rules of procedure as adopted. Commits."""
    now = now or clock.now()
    try:
        _check_keeper(session, actor, estate_id)
        if silent_follow_majority and not (text or "").strip():
            raise PayloadInvalid({"rules_text": ["未记录议事规则原文，不能约定未表决业主的计票方式"]})
        reg = settings(session, estate_id, create=True, now=now)
        reg.rules_text, reg.silent_follow_majority, reg.updated_at = text or "", silent_follow_majority, now
        session.flush()
        evidence.log_rows(session, OwnerRegister, [reg])
        session.commit()
        return reg
    except BaseException:
        session.rollback()
        raise

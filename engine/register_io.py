"""The register in and out of the 调度表 layout （「物业管理调度方案」附件5） as XLSX (openpyxl) or CSV.

Import: every row is checked first (a dry run lists each row's errors by column and what
would be created or changed); applying writes everything in one transaction or nothing;
importing the same file twice changes nothing. Rows are matched to estates by street
office and 小区名称. An enterprise is named as registered; one not yet registered is
registered from the row when the file carries its 统一社会信用代码 (checked, GB 32100).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, credit_code
from engine.access import Actor
from engine.bilingual import Bi
from engine.errors import EngineError, NotPermitted
from engine.models import Estate, Organisation
from engine.register_edit import (KEEPERS, clean_estate, create_enterprise, create_estate,
                                  estate_record, update_estate)
from engine.register_models import EnterpriseProfile

# The 调度表's columns （「物业管理调度方案」附件5） plus the two totals the art. 278 votes need.
COLUMNS = ("社区名称", "小区名称", "类别", "入驻物业管理企业名称", "物业管理性质", "入驻时间",
           "服务内容", "物业负责人", "联系电话", "备注", "总建筑面积", "业主总人数")
OPTIONAL = ("街道办事处", "统一社会信用代码", "省份", "地址")
EXPORT = ("街道办事处",) + COLUMNS[:4] + ("统一社会信用代码",) + COLUMNS[4:]
FIELD = {"类别": "category", "物业管理性质": "management_mode", "入驻时间": "enterprise_since",
         "服务内容": "service_content", "物业负责人": "project_manager", "联系电话": "phone",
         "备注": "remark", "总建筑面积": "total_area", "业主总人数": "total_owners",
         "小区名称": "name", "省份": "province", "地址": "address"}
COLUMN_OF = {v: k for k, v in FIELD.items()} | {"enterprise_id": "入驻物业管理企业名称",
                                                 "community_id": "社区名称"}
COMPARED = ("community_id", "category", "enterprise_id", "management_mode", "enterprise_since",
            "service_content", "project_manager", "phone", "remark", "total_area", "total_owners")
MAX_ROWS = 100_000


@dataclass
class ImportResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)      # what each row would do
    written: bool = False

    def as_dict(self) -> dict:
        return {"created": self.created, "changed": self.changed, "unchanged": self.unchanged,
                "errors": self.errors, "rows": self.rows, "written": self.written}

    def error(self, row: int, column: str, message) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message),
                            "message_en": getattr(message, "en", str(message))})


# -- reading files ----------------------------------------------------------------------------

def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return format(Decimal(str(v)).normalize(), "f")
    return str(v).strip()


def read_table(data: bytes) -> list[list[str]]:
    """The rows of an XLSX (first sheet) or CSV (UTF-8, or GB18030 as Excel saves it)."""
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = [[_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
        wb.close()
    else:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("encoding")
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


# -- import ------------------------------------------------------------------------------------

def _street_offices(session: Session, actor: Actor) -> dict[str, Organisation]:
    q = select(Organisation).where(Organisation.kind == "street_office")
    if actor.role == "street_office":
        q = q.where(Organisation.id == actor.org_id)
    elif actor.role == "housing_bureau":
        q = q.where(Organisation.parent_id == actor.org_id)
    return {o.name: o for o in session.scalars(q)}


def import_register(session: Session, actor: Actor, data: bytes, *, apply: bool,
                    now: Optional[datetime] = None) -> ImportResult:
    """Check (and with `apply`, write, all or nothing) a 调度表 file. Commits only when
    applying a file without errors."""
    if actor.role not in KEEPERS:
        raise NotPermitted(Bi("只有街道办事处、区住房和城乡建设局和系统管理员可以导入台账",
                              "Only street offices, the housing bureau and administrators import the register"))
    now = now or clock.now()
    today = clock.today(now)
    res = ImportResult()
    if not data:
        res.error(0, "", Bi("文件为空（0 字节），请选择调度表的 XLSX 或 CSV 文件",
                            "The file is empty (0 bytes); choose the XLSX or CSV of the progress table"))
        return res
    try:
        rows = read_table(data)
    except Exception:      # any unreadable file is the user's file, not our failure
        res.error(0, "", Bi("无法读取文件：请上传 XLSX（Excel 2007 及以上）或 CSV（UTF-8 或 GBK 编码）",
                            "The file cannot be read: upload XLSX (Excel 2007+) or CSV (UTF-8 or GBK)"))
        return res
    if not rows:
        res.error(0, "", Bi("文件中没有任何内容", "The file holds nothing"))
        return res
    header = rows[0]
    known = set(COLUMNS) | set(OPTIONAL)
    missing = [c for c in COLUMNS if c not in header]
    for c in missing:
        res.error(1, c, Bi(f"缺少列「{c}」：表头应为 {'、'.join(COLUMNS)}",
                           f"Column “{c}” is missing; the header must hold {', '.join(COLUMNS)}"))
    for c in header:
        if c and c not in known:
            res.error(1, c, Bi(f"无法识别的列「{c}」", f"Unknown column “{c}”"))
    dupes = {c for c in header if c and header.count(c) > 1}
    for c in sorted(dupes):
        res.error(1, c, Bi(f"列「{c}」重复", f"Column “{c}” appears twice"))
    offices = _street_offices(session, actor)
    if actor.role != "street_office" and "街道办事处" not in header:
        res.error(1, "街道办事处", Bi("区住建局和管理员导入时须有「街道办事处」列",
                                       "The bureau and administrators must include a “街道办事处” column"))
    if len(rows) - 1 > MAX_ROWS:
        res.error(0, "", Bi(f"一次最多导入 {MAX_ROWS} 行", f"At most {MAX_ROWS} rows at a time"))
    if res.errors:
        return res
    col = {c: header.index(c) for c in header if c}

    # What the register holds already, read once.
    enterprises = {o.name: o.id for o in session.scalars(
        select(Organisation).where(Organisation.kind == "enterprise"))}
    codes = dict(session.execute(select(EnterpriseProfile.credit_code, EnterpriseProfile.organisation_id)).all())
    office_ids = [o.id for o in offices.values()]
    estates = {(e.street_office_id, e.name): e for e in session.scalars(
        select(Estate).where(Estate.street_office_id.in_(office_ids)))}
    communities = {(o.parent_id, o.name): o.id for o in session.scalars(
        select(Organisation).where(Organisation.kind == "community",
                                   Organisation.parent_id.in_(office_ids)))}
    provinces = {e.street_office_id: e.province for e in estates.values()}
    new_enterprises: dict[str, str] = {}          # name → code, registered when applying
    new_communities: set[tuple[int, str]] = set()
    seen: dict[tuple[int, str], int] = {}
    plans = []

    for n, raw in enumerate(rows[1:], start=2):
        if not any(raw):
            continue
        get = lambda c: (raw[col[c]] if c in col and col[c] < len(raw) else "").strip()  # noqa: E731
        before = len(res.errors)
        if actor.role == "street_office":
            office = next(iter(offices.values()))
        else:
            office = offices.get(get("街道办事处"))
            if office is None:
                res.error(n, "街道办事处", Bi(f"「{get('街道办事处')}」不是您辖区内的街道办事处",
                                               f"“{get('街道办事处')}” is not a street office in your jurisdiction"))
                continue
        name = get("小区名称")
        if not name:
            res.error(n, "小区名称", Bi("小区名称不能为空", "The estate's name is required"))
            continue
        key = (office.id, name)
        if key in seen:
            res.error(n, "小区名称", Bi(f"「{name}」与第 {seen[key]} 行重复：同一物业管理区域只能有一行",
                                        f"“{name}” repeats row {seen[key]}: one row per estate"))
            continue
        seen[key] = n
        values: dict[str, Any] = {FIELD[c]: get(c) for c in FIELD if c in col}
        values["name"] = name
        # the community
        cname = get("社区名称")
        values["community_id"] = None
        if cname:
            cid = communities.get((office.id, cname))
            if cid is None:
                new_communities.add((office.id, cname))
            values["community_id"] = cid
        # the enterprise
        ename, code = get("入驻物业管理企业名称"), credit_code.normalise(get("统一社会信用代码"))
        values["enterprise_id"] = None
        if ename:
            eid = enterprises.get(ename)
            values["enterprise_id"] = eid
            if code:
                why = credit_code.problem(code)
                if why:
                    res.error(n, "统一社会信用代码", why)
                elif eid is None and code in codes:
                    res.error(n, "统一社会信用代码", Bi(f"统一社会信用代码 {code} 已登记为另一企业",
                                                        f"The code {code} belongs to another enterprise"))
                elif eid is not None and codes.get(code) not in (None, eid):
                    res.error(n, "统一社会信用代码", Bi(f"{code} 不是「{ename}」登记的统一社会信用代码",
                                                        f"{code} is not the registered code of “{ename}”"))
            if eid is None:
                if not code:
                    res.error(n, "入驻物业管理企业名称", Bi(
                        f"「{ename}」尚未在台账登记：请先登记企业，或在「统一社会信用代码」列填写其代码",
                        f"“{ename}” is not registered: register it first, or give its code in the "
                        "“统一社会信用代码” column"))
                elif not credit_code.problem(code):
                    if new_enterprises.get(ename, code) != code:
                        res.error(n, "统一社会信用代码", Bi(f"「{ename}」在本文件中有两个不同的代码",
                                                            f"“{ename}” has two different codes in this file"))
                    new_enterprises[ename] = code
        if not values.get("management_mode"):
            values.pop("management_mode", None)
        existing = estates.get(key)
        if existing is None and not values.get("province"):
            values["province"] = provinces.get(office.id) or ""
        check = {k: v for k, v in values.items() if k not in ("community_id", "enterprise_id")}
        if existing is None and not check.get("province"):
            res.error(n, "省份", Bi("新的物业管理区域须填写「省份」（决定适用的规则包）",
                                   "A new estate needs its province (it decides the rule pack)"))
        try:
            est, prof = clean_estate(session, check, today=today, partial=existing is not None,
                                     street_office_id=office.id)
        except EngineError as exc:
            for f, msgs in getattr(exc, "errors", {}).items():
                for m in msgs:
                    res.error(n, COLUMN_OF.get(f, f), m)
            continue
        if len(res.errors) > before:
            continue
        mode = prof.get("management_mode")
        has_ent = bool(ename)
        if mode == "外聘物业服务企业" and not has_ent:
            res.error(n, "入驻物业管理企业名称", Bi("物业管理性质为外聘物业服务企业时应填写入驻企业",
                                                 "Name the enterprise when the mode is 外聘物业服务企业"))
            continue
        if mode == "无物业管理" and has_ent:
            res.error(n, "物业管理性质", Bi("已有入驻企业的，物业管理性质不能为无物业管理",
                                          "An estate with an enterprise cannot be 无物业管理"))
            continue
        plan = {"row": n, "name": name, "street_office": office.name, "values": values,
                "office_id": office.id, "community": cname, "enterprise": ename}
        if existing is None:
            plan["action"] = "create"
            res.created += 1
        else:
            now_rec = estate_record(session, existing)
            wanted = {**est, **prof, "community_id": values["community_id"], "enterprise_id": values["enterprise_id"]}
            diff = []
            for f in COMPARED:
                if f not in wanted or (f in ("community_id", "enterprise_id") and wanted[f] is None
                                       and ((f == "community_id" and cname) or (f == "enterprise_id" and ename))):
                    continue       # a new community/enterprise: a change for sure
                old, new = now_rec.get(f), wanted[f]
                if f == "management_mode" and new is None:
                    continue
                if (old if old not in ("",) else None) != (new if new not in ("",) else None):
                    diff.append(COLUMN_OF.get(f, f))
            if (cname and values["community_id"] is None) or (ename and values["enterprise_id"] is None):
                diff.append("社区名称" if cname and values["community_id"] is None else "入驻物业管理企业名称")
            plan["action"] = "change" if diff else "unchanged"
            plan["changes"] = diff
            plan["estate_id"] = existing.id
            if diff:
                res.changed += 1
            else:
                res.unchanged += 1
        plans.append(plan)
    res.rows = [{k: v for k, v in p.items() if k in ("row", "name", "street_office", "action", "changes")}
                for p in plans]
    if res.errors or not apply:
        session.rollback()
        if res.errors:
            res.created = res.changed = 0
        return res
    from engine.register import batched
    try:
        with batched(session):
            _apply(session, actor, now, plans, new_communities, new_enterprises, communities,
                   enterprises)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    res.written = True
    return res


def _apply(session, actor, now, plans, new_communities, new_enterprises, communities,
           enterprises) -> None:
    """Write a checked file's plan (the caller commits or rolls back)."""
    for office_id, cname in sorted(new_communities):
        org = Organisation(name=cname, kind="community", parent_id=office_id)
        session.add(org)
        session.flush()
        communities[(office_id, cname)] = org.id
    for ename, code in sorted(new_enterprises.items()):
        enterprises[ename] = create_enterprise(session, actor, {"name": ename, "credit_code": code},
                                               now=now).id
    for p in plans:
        if p["action"] == "unchanged":
            continue
        v = dict(p["values"])
        v["community_id"] = communities.get((p["office_id"], p["community"])) if p["community"] else None
        v["enterprise_id"] = enterprises.get(p["enterprise"]) if p["enterprise"] else None
        if p["action"] == "create":
            v["street_office_id"] = p["office_id"]
            create_estate(session, actor, v, now=now, note="调度表导入")
        else:
            update_estate(session, actor, p["estate_id"], v, now=now, note="调度表导入")


# -- export ------------------------------------------------------------------------------------

def export_rows(session: Session, actor: Actor) -> list[list[Any]]:
    from engine.access import estate_condition
    from engine.register_models import EstateProfile
    names = {o.id: o.name for o in session.scalars(select(Organisation))}
    codes = dict(session.execute(select(EnterpriseProfile.organisation_id, EnterpriseProfile.credit_code)).all())
    out = [list(EXPORT)]
    for e, p in session.execute(select(Estate, EstateProfile)
                                .outerjoin(EstateProfile, EstateProfile.estate_id == Estate.id)
                                .where(estate_condition(actor))
                                .order_by(Estate.street_office_id, Estate.community_id, Estate.id)):
        mode = p.management_mode if p else ("外聘物业服务企业" if e.enterprise_id else "无物业管理")
        out.append([names.get(e.street_office_id, ""), names.get(e.community_id, "") if e.community_id else "",
                    e.name, (p.category if p and p.category else ""),
                    names.get(e.enterprise_id, "") if e.enterprise_id else "",
                    codes.get(e.enterprise_id, "") if e.enterprise_id else "", mode,
                    (p.enterprise_since.isoformat() if p and p.enterprise_since else ""),
                    p.service_content if p else "", p.project_manager if p else "",
                    p.phone if p else "", p.remark if p else "",
                    format(e.total_area, "f") if e.total_area is not None else "",
                    e.total_owners if e.total_owners is not None else ""])
    return out


def export_register(session: Session, actor: Actor, fmt: str = "xlsx") -> bytes:
    """The register in the 调度表 layout (re-importable as it is)."""
    rows = export_rows(session, actor)
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        return buf.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("调度表")
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

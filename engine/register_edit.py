"""Setting up and keeping the register by hand (pages, API, CLI and the import all call
these): who may create or change what, the checks with their Chinese messages, and the
history of every change (engine.register.change).

Street offices keep their own estates; the housing bureau keeps its district's estates
and registers enterprises; the administrator may do everything. An estate created under
a street office is seen only along its chain (engine.access).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, credit_code
from engine.access import Actor, may_see_estate
from engine.bilingual import Bi
from engine.errors import NotFound, NotPermitted, PayloadInvalid
from engine.models import Estate, Organisation
from engine.register import Recorder, change, check_fact_date, create, profile
from engine.register_models import (CATEGORIES, ENGAGED, MANAGEMENT_MODES, NO_MANAGEMENT,
                                    Committee, Contract, EnterpriseProfile, EstateProfile)
from engine.rulepacks import PACKS

KEEPERS = ("street_office", "housing_bureau", "admin", "system")
ESTATE_FIELDS = ("name", "province", "address", "community_id", "total_area", "total_owners",
                 "enterprise_id", "committee_id", "rulepack")
PROFILE_FIELDS = ("category", "management_mode", "enterprise_since", "service_content",
                  "project_manager", "phone", "designated_on", "designation_notice", "remark")
DATE_FIELDS = ("enterprise_since", "designated_on")
TEXT_LIMITS = {"name": 200, "province": 20, "address": 300, "service_content": 200,
               "project_manager": 100, "phone": 40, "designation_notice": 300, "remark": 2000}

REQUIRED = Bi("此项为必填项", "This field is required")


class Problems:
    def __init__(self):
        self.errors: dict[str, list] = {}

    def add(self, field: str, msg) -> None:
        self.errors.setdefault(field, []).append(msg)

    def raise_if_any(self) -> None:
        if self.errors:
            raise PayloadInvalid(self.errors)


def _may_keep(actor: Actor) -> None:
    if actor.role not in KEEPERS:
        raise NotPermitted(Bi("只有街道办事处、区住房和城乡建设局和系统管理员可以维护台账",
                              "Only street offices, the housing bureau and administrators keep "
                              "the register"))


def _decimal(v: Any, field: str, p: Problems) -> Optional[Decimal]:
    if v in (None, ""):
        return None
    try:
        d = Decimal(str(v).replace(",", "").strip())
    except InvalidOperation:
        p.add(field, Bi("应为数字（平方米，最多两位小数）", "Must be a number (m², at most 2 decimals)"))
        return None
    if d < 0 or d != d.quantize(Decimal("0.01")) or d >= Decimal("1e14"):
        p.add(field, Bi("应为不小于 0、最多两位小数的数字", "Must be ≥ 0 with at most 2 decimals"))
        return None
    return d.quantize(Decimal("0.01"))


def _int(v: Any, field: str, p: Problems, choices=None) -> Optional[int]:
    if v in (None, ""):
        return None
    try:
        n = int(str(v).strip().rstrip("类").replace("一", "1").replace("二", "2").replace("三", "3"))
    except ValueError:
        p.add(field, Bi("应为整数", "Must be a whole number"))
        return None
    if n < 0 or (choices and n not in choices):
        p.add(field, Bi(f"应为 {'、'.join(map(str, choices))} 之一" if choices else "不能为负数",
                        f"Must be one of {', '.join(map(str, choices))}" if choices else "Cannot be negative"))
        return None
    return n


def _date(v: Any, field: str, p: Problems, today: date) -> Optional[date]:
    if v in (None, ""):
        return None
    if isinstance(v, date):
        d = v
    else:
        try:
            d = date.fromisoformat(str(v).strip()[:10].replace("/", "-").replace(".", "-"))
        except ValueError:
            p.add(field, Bi("日期格式不正确，应为 年-月-日（如 2026-10-08）",
                            "Invalid date; write year-month-day (e.g. 2026-10-08)"))
            return None
    if d > today:
        p.add(field, Bi(f"{d.isoformat()} 晚于今日，不能登记尚未发生的事实",
                        f"{d.isoformat()} is after today: what has not happened cannot be recorded"))
        return None
    return d


def _org(session: Session, org_id: Any, kind: str, field: str, p: Problems) -> Optional[int]:
    if org_id in (None, ""):
        return None
    # Kept for the session: an import looks the same few organisations up for every row.
    seen = session.info.setdefault("register_orgs", {})
    try:
        oid = int(org_id)
    except (TypeError, ValueError):
        oid = None
    if oid is not None and oid not in seen:
        found = session.get(Organisation, oid)
        seen[oid] = (found.kind, found.parent_id) if found is not None else None
    org = seen.get(oid) if oid is not None else None
    if org is None or org[0] != kind:
        label = {"enterprise": Bi("物业服务企业", "enterprise"), "committee": Bi("业主委员会", "committee"),
                 "community": Bi("社区居委会", "community")}[kind]
        p.add(field, Bi(f"编号 {org_id} 不是台账中的{label}", f"{org_id} is not a registered {label.en}"))
        return None
    return oid


def clean_estate(session: Session, values: Mapping[str, Any], *, today: date,
                 partial: bool, street_office_id: Optional[int]) -> tuple[dict, dict]:
    """(estate columns, profile columns) from submitted values; PayloadInvalid listing
    every problem by field."""
    p = Problems()
    est: dict[str, Any] = {}
    prof: dict[str, Any] = {}
    for f in ("name", "province", "address", "service_content", "project_manager", "phone",
              "designation_notice", "remark"):
        if f in values:
            v = str(values[f] if values[f] is not None else "").strip()
            if len(v) > TEXT_LIMITS[f]:
                p.add(f, Bi(f"不能超过 {TEXT_LIMITS[f]} 个字", f"At most {TEXT_LIMITS[f]} characters"))
            (est if f in ESTATE_FIELDS else prof)[f] = v
    if not partial:
        for f in ("name", "province"):
            if not est.get(f):
                p.add(f, REQUIRED)
    elif "name" in est and not est["name"]:
        p.add("name", REQUIRED)
    if "total_area" in values:
        est["total_area"] = _decimal(values["total_area"], "total_area", p)
    if "total_owners" in values:
        est["total_owners"] = _int(values["total_owners"], "total_owners", p)
    if "category" in values:
        prof["category"] = _int(values["category"], "category", p, CATEGORIES)
    for f in DATE_FIELDS:
        if f in values:
            prof[f] = _date(values[f], f, p, today)
    if "enterprise_id" in values:
        est["enterprise_id"] = _org(session, values["enterprise_id"], "enterprise", "enterprise_id", p)
    if "committee_id" in values:
        est["committee_id"] = _org(session, values["committee_id"], "committee", "committee_id", p)
    if "community_id" in values:
        cid = _org(session, values["community_id"], "community", "community_id", p)
        if cid and street_office_id and session.info["register_orgs"][cid][1] != street_office_id:
            p.add("community_id", Bi("该社区不属于本物业管理区域的街道办事处",
                                     "This community is not under the estate's street office"))
        est["community_id"] = cid
    if "rulepack" in values:
        rp = values["rulepack"] or None
        if rp is not None and rp not in PACKS:
            p.add("rulepack", Bi(f"规则包应为 {'、'.join(PACKS)} 之一", f"Rule pack must be one of {', '.join(PACKS)}"))
        est["rulepack"] = rp
    if "management_mode" in values:
        mode = str(values["management_mode"] or "").strip()
        if mode not in MANAGEMENT_MODES:
            p.add("management_mode", Bi("物业管理性质应为：" + "、".join(MANAGEMENT_MODES),
                                        "The management mode must be one of: " + "、".join(MANAGEMENT_MODES)))
        prof["management_mode"] = mode
    p.raise_if_any()
    return est, prof


def _consistent(est: Estate, prof: EstateProfile) -> None:
    p = Problems()
    if prof.management_mode == ENGAGED and not est.enterprise_id:
        p.add("enterprise_id", Bi("物业管理性质为外聘物业服务企业时应填写入驻企业",
                                  "An engaged enterprise must be named when the mode is 外聘物业服务企业"))
    if prof.management_mode == NO_MANAGEMENT and est.enterprise_id:
        p.add("management_mode", Bi("已有入驻物业服务企业的，物业管理性质不能为无物业管理",
                                    "An estate with an enterprise cannot be 无物业管理"))
    p.raise_if_any()


def _jurisdiction(session: Session, actor: Actor, values: Mapping[str, Any]) -> tuple[int, int]:
    """(street office id, bureau id) of a new estate: the street office's own, or the one
    the bureau or administrator names."""
    if actor.role == "street_office":
        office = session.get(Organisation, actor.org_id)
    else:
        office = None
        try:
            office = session.get(Organisation, int(values.get("street_office_id")))
        except (TypeError, ValueError):
            pass
        if office is None or office.kind != "street_office":
            raise PayloadInvalid({"street_office_id": [Bi("请选择物业管理区域所属的街道办事处",
                                                          "Choose the estate's street office")]})
        if actor.role == "housing_bureau" and office.parent_id != actor.org_id:
            raise NotPermitted(Bi("该街道办事处不在贵局辖区内", "That street office is outside your district"))
    return office.id, office.parent_id


def fact_of(values: Mapping[str, Any], today: date) -> date:
    raw = values.get("fact_date")
    if raw in (None, ""):
        return today
    try:
        d = raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise PayloadInvalid({"fact_date": [Bi("日期格式不正确，应为 年-月-日（如 2026-10-08）",
                                               "Invalid date; write year-month-day (e.g. 2026-10-08)")]}) from None
    check_fact_date(d, today)
    return d


def create_estate(session: Session, actor: Actor, values: Mapping[str, Any], *,
                  now=None, note: str = "") -> Estate:
    """A new estate in the register (no commit)."""
    _may_keep(actor)
    now = now or clock.now()
    today = clock.today(now)
    office_id, bureau_id = _jurisdiction(session, actor, values)
    est, prof = clean_estate(session, values, today=today, partial=False, street_office_id=office_id)
    rec = Recorder(fact_of(values, today), actor, now, note=note)
    estate = Estate(street_office_id=office_id, bureau_id=bureau_id, address="")
    if "management_mode" not in prof:
        prof["management_mode"] = ENGAGED if est.get("enterprise_id") else NO_MANAGEMENT
    if prof["management_mode"] and "mode_since" not in prof:
        prof["mode_since"] = rec.fact_date
    create(session, estate, {"address": "", **est, "street_office_id": office_id, "bureau_id": bureau_id}, rec)
    # A new estate's register columns are all news: each is recorded from nothing.
    p = create(session, EstateProfile(estate_id=estate.id), prof, rec)
    _consistent(estate, p)
    return estate


def visible_estate(session: Session, actor: Actor, estate_id: int) -> Estate:
    e = session.get(Estate, estate_id)
    if e is None or not may_see_estate(actor, e):
        raise NotFound(Bi("物业管理区域不存在", "No such estate"))
    return e


def update_estate(session: Session, actor: Actor, estate_id: int, values: Mapping[str, Any], *,
                  now=None, note: str = "") -> Estate:
    """Change an estate's register entry (no commit); only what really changes is
    recorded, dated by `fact_date` (default today)."""
    _may_keep(actor)
    now = now or clock.now()
    today = clock.today(now)
    estate = visible_estate(session, actor, estate_id)
    est, prof = clean_estate(session, values, today=today, partial=True,
                             street_office_id=estate.street_office_id)
    rec = Recorder(fact_of(values, today), actor, now, note=note)
    p = profile(session, estate)
    if "enterprise_id" in est and "management_mode" not in prof and est["enterprise_id"] != estate.enterprise_id:
        prof["management_mode"] = ENGAGED if est["enterprise_id"] else NO_MANAGEMENT
    if est.get("enterprise_id") and est["enterprise_id"] != estate.enterprise_id and "enterprise_since" not in prof:
        prof["enterprise_since"] = rec.fact_date
    if "management_mode" in prof and prof["management_mode"] != p.management_mode:
        prof["mode_since"] = rec.fact_date
    change(session, estate, est, rec)
    change(session, p, prof, rec)
    _consistent(estate, p)
    return estate


# -- enterprises -----------------------------------------------------------------------------

def create_enterprise(session: Session, actor: Actor, values: Mapping[str, Any], *,
                      now=None) -> Organisation:
    """Register an enterprise with its credit code (no commit)."""
    _may_keep(actor)
    now = now or clock.now()
    p = Problems()
    name = str(values.get("name") or "").strip()
    code = credit_code.normalise(str(values.get("credit_code") or ""))
    if not name:
        p.add("name", REQUIRED)
    elif len(name) > 200:
        p.add("name", Bi("不能超过 200 个字", "At most 200 characters"))
    why = credit_code.problem(code)
    if why:
        p.add("credit_code", why)
    elif session.scalar(select(EnterpriseProfile.organisation_id).where(EnterpriseProfile.credit_code == code)):
        p.add("credit_code", Bi(f"统一社会信用代码 {code} 已登记", f"The code {code} is already registered"))
    if name and session.scalar(select(Organisation.id).where(Organisation.name == name,
                                                             Organisation.kind == "enterprise")):
        p.add("name", Bi(f"物业服务企业「{name}」已登记", f"{name} is already registered"))
    p.raise_if_any()
    org = Organisation(name=name, kind="enterprise", email=(values.get("email") or None))
    session.add(org)
    session.flush()
    rec = Recorder(clock.today(now), actor, now)
    change(session, EnterpriseProfile(organisation_id=org.id, credit_code=code, contact="", phone="",
                                      address=""),
           {"credit_code": code, "contact": str(values.get("contact") or "").strip()[:100],
            "phone": str(values.get("phone") or "").strip()[:40],
            "address": str(values.get("address") or "").strip()[:300]}, rec)
    return org


@dataclass(frozen=True)
class EnterpriseRow:
    org: Organisation
    profile: Optional[EnterpriseProfile]
    estates: list


def enterprises(session: Session, actor: Actor) -> list[EnterpriseRow]:
    """Every registered enterprise, with the estates it serves that the actor may see."""
    from engine.access import estate_condition
    rows = session.execute(select(Organisation, EnterpriseProfile)
                           .outerjoin(EnterpriseProfile, EnterpriseProfile.organisation_id == Organisation.id)
                           .where(Organisation.kind == "enterprise").order_by(Organisation.name)).all()
    served: dict[int, list] = {}
    for eid, ename in session.execute(select(Estate.enterprise_id, Estate.name)
                                      .where(Estate.enterprise_id.is_not(None), estate_condition(actor))):
        served.setdefault(eid, []).append(ename)
    return [EnterpriseRow(o, prof, served.get(o.id, [])) for o, prof in rows]


# -- reading ------------------------------------------------------------------------------

def estate_record(session: Session, estate: Estate) -> dict:
    """The estate's register entry as the API and pages show it."""
    from engine.rulepacks import pack_for_estate
    p = session.get(EstateProfile, estate.id)
    names = {o.id: o.name for o in session.scalars(select(Organisation).where(Organisation.id.in_(
        [i for i in (estate.enterprise_id, estate.committee_id, estate.community_id,
                     estate.street_office_id) if i])))}
    return {
        "id": estate.id, "name": estate.name, "province": estate.province,
        "address": estate.address or "", "rulepack": pack_for_estate(estate).pack,
        "street_office_id": estate.street_office_id,
        "street_office": names.get(estate.street_office_id, ""),
        "community_id": estate.community_id, "community": names.get(estate.community_id, ""),
        "enterprise_id": estate.enterprise_id, "enterprise": names.get(estate.enterprise_id, ""),
        "committee_id": estate.committee_id, "committee": names.get(estate.committee_id, ""),
        "developer_id": estate.developer_id,
        "total_area": estate.total_area, "total_owners": estate.total_owners,
        "category": p.category if p else None,
        "management_mode": p.management_mode if p else (ENGAGED if estate.enterprise_id else NO_MANAGEMENT),
        "mode_since": p.mode_since if p else None,
        "enterprise_since": p.enterprise_since if p else None,
        "service_content": p.service_content if p else "",
        "project_manager": p.project_manager if p else "",
        "phone": p.phone if p else "",
        "designated_on": p.designated_on if p else None,
        "designation_notice": p.designation_notice if p else "",
        "handover_on": p.handover_on if p else None,
        "remark": p.remark if p else "",
    }


def committees(session: Session, actor: Actor) -> list[Committee]:
    from engine.access import estate_condition
    return list(session.scalars(select(Committee).join(Estate, Estate.id == Committee.estate_id)
                                .where(estate_condition(actor)).order_by(Committee.estate_id, Committee.id)))


def contracts(session: Session, actor: Actor) -> list[Contract]:
    from engine.access import estate_condition
    q = select(Contract).join(Estate, Estate.id == Contract.estate_id)
    if actor.role == "enterprise":
        q = q.where(Contract.enterprise_id == actor.org_id)
    else:
        q = q.where(estate_condition(actor))
    return list(session.scalars(q.order_by(Contract.estate_id, Contract.id)))

"""The supervision work of the demo district: the competent departments (who sign in and
see only what is transferred to them) and complaints in every state, some overdue.

Everything goes through the engine as the officer would have done it, dated in the past
relative to the day the demo is loaded (web.demo)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.models import Organisation, User

DEPARTMENTS = (
    # username, display name, organisation
    ("fire", "消防救援大队值班员", "浉河区消防救援大队"),
    ("market", "市场监管局投诉科", "浉河区市场监督管理局"),
    ("urban", "城管执法大队值班员", "浉河区城市管理局（综合行政执法局）"),
)


def build_departments(session: Session, district) -> dict[str, User]:
    from web.demo import password_hash
    users = {}
    for username, name, org_name in DEPARTMENTS:
        org = Organisation(name=org_name, kind="department", parent_id=district.orgs["bureau"].id,
                           email=f"{username}@example.gov.cn")
        session.add(org)
        session.flush()
        users[username] = User(username=username, display_name=name, role="department",
                               organisation_id=org.id, password_hash=password_hash(),
                               email=f"{username}@example.com")
    session.add_all(users.values())
    session.commit()
    district.users.update(users)
    district.orgs.update({u: session.get(Organisation, users[u].organisation_id) for u in users})
    return users


def build(session: Session, district, clock) -> None:
    build_departments(session, district)
    build_complaints(session, district, clock)
    build_inspections(session, district, clock)
    build_credit(session, district, clock)


def build_complaints(session: Session, district, clock) -> None:
    from engine.runtime import advance, open_case
    E = district.estates
    community, street, street2 = (district.actor(u) for u in ("community", "street", "street2"))
    fire, market = district.actor("fire"), district.actor("market")

    def complaint(estate, actor, days_ago, category, content, source="hotline_12345", no="", **extra):
        data = {"source": source, "category": category, "complainant": extra.pop("who", "王先生"),
                "phone": "13900000000", "content": content, **extra}
        if source == "hotline_12345":
            data["hotline_no"] = no
        return open_case(session, "complaint", E[estate].id, actor, data, now=clock.at(days_ago))

    # 1. A 12345 order about 飞线充电: community → street office → 消防救援, replied, visited, closed.
    c = complaint("jinxiu", community, 40, "flying_wire", "3号楼住户从窗口拉线给电动车充电",
                  no="XY12345-DEMO-0001", who="刘女士")
    advance(session, c.id, "sign_for", community, {}, now=clock.at(40))
    advance(session, c.id, "respond", community, {"note": "电话联系投诉人，现场查看属实"}, now=clock.at(39))
    advance(session, c.id, "escalate", community, {"reasons": "劝阻无效，需执法部门处理"}, now=clock.at(38))
    advance(session, c.id, "sign_for", street, {}, now=clock.at(38))
    advance(session, c.id, "transfer", street, {"department_id": fire.org_id,
                                                "reasons": "飞线充电属消防救援机构职责"}, now=clock.at(37))
    advance(session, c.id, "accept_transfer", fire, {}, now=clock.at(37))
    advance(session, c.id, "respond", fire, {"note": "已联系投诉人并约定检查"}, now=clock.at(36))
    advance(session, c.id, "reply", fire, {"finding": "substantiated", "reply": "已责令拆除飞线，设置集中充电点"},
            now=clock.at(32))
    advance(session, c.id, "close", community, {"satisfaction": "satisfied", "visit_note": "回访满意"},
            now=clock.at(31))

    # 2. Fees at the street window, handled by the street office and left overdue.
    c = complaint("jinxiu", street, 40, "fees", "物业公司擅自上调停车费", source="street_window", who="张先生")
    advance(session, c.id, "sign_for", street, {}, now=clock.at(40))
    advance(session, c.id, "respond", street, {"note": "已约谈物业服务企业"}, now=clock.at(39))

    # 3. A lift complaint transferred to market regulation, not yet signed for (overdue).
    c = complaint("binhe", street, 30, "elevator", "2号楼电梯频繁停梯困人", no="XY12345-DEMO-0002")
    advance(session, c.id, "sign_for", street, {}, now=clock.at(30))
    advance(session, c.id, "transfer", street, {"department_id": market.org_id,
                                                "reasons": "电梯安全属市场监督管理部门职责"}, now=clock.at(29))

    # 4. A neighbours' dispute registered yesterday by the community (due soon).
    c = complaint("binhe", community, 1, "neighbours", "楼上住户夜间噪音扰民", source="community_window", who="赵女士")

    # 5. Under the other street office: service quality, replied, awaiting the return visit.
    c = complaint("hudong", street2, 20, "service_quality", "小区保洁长期不到位，垃圾清运不及时",
                  no="XY12345-DEMO-0003")
    advance(session, c.id, "sign_for", street2, {}, now=clock.at(20))
    advance(session, c.id, "respond", street2, {"note": "已联系投诉人"}, now=clock.at(19))
    advance(session, c.id, "reply", street2, {"finding": "partly", "reply": "已督促物业服务企业整改保洁"},
            now=clock.at(12))
    # 6. A repeated complaint merged into the first.
    d = complaint("hudong", street2, 11, "service_quality", "垃圾清运不及时（重复来电）", no="XY12345-DEMO-0004")
    advance(session, d.id, "merge", street2, {"into_case": c.id, "reasons": "同一事项重复投诉"}, now=clock.at(10))


PHOTO = ("整改照片.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"demo" * 16)


def build_inspections(session: Session, district, clock) -> None:
    """A 专项整治 inspection of 锦绣花园 with three ledger entries (one closed, one overdue,
    one under listed supervision), and a routine patrol of 湖东新苑 under way."""
    from sqlalchemy import select

    from engine.files import FileIn
    from engine.models import Case
    from engine.runtime import advance, open_case
    from workflows.rules.checklists import SPECIAL
    E = district.estates
    street, street2, bureau = district.actor("street"), district.actor("street2"), district.actor("bureau")
    ent = district.actor("enterprise")
    photo = FileIn(*PHOTO)
    fails = {
        "fire_lanes": {"problem": "5号楼东侧消防车通道被私家车占用", "measure": "清理占用车辆，施划禁停标线",
                       "rectify_by": clock.iso(14), "responsible_person": "周经理"},
        "ev_charging": {"problem": "3号楼楼道内电动自行车充电，飞线入户", "measure": "拆除飞线，增设集中充电桩",
                        "rectify_by": clock.ahead(10).isoformat(), "responsible_person": "周经理", "serious": "yes"},
        "lifts": {"problem": "2号楼电梯年检合格证未公示", "measure": "在轿厢内张贴年检合格证",
                  "rectify_by": clock.iso(12), "responsible_person": "秩序主管"},
    }
    case = open_case(session, "inspection", E["jinxiu"].id, street,
                     {"kind": "special", "template": SPECIAL.key, "inspectors": "李主任、社区网格员"},
                     now=clock.at(24))
    for item in SPECIAL.items():
        payload = {"item": item.key, "result": "fail", **fails[item.key]} if item.key in fails else \
            {"item": item.key, "result": "pass"}
        advance(session, case.id, "answer", street, payload, now=clock.at(24),
                files=[photo] if item.key in fails else ())
    advance(session, case.id, "complete", street, {"summary": "发现问题3处，列入台账"}, now=clock.at(24))
    entries = {c.data["problem"][:4]: c for c in session.scalars(
        select(Case).where(Case.parent_case_id == case.id))}
    lane, wires = entries["5号楼东"], entries["3号楼楼"]
    advance(session, lane.id, "report", ent, {"measures_taken": "已清理占用车辆并施划禁停标线"},
            now=clock.at(20), files=[photo])
    advance(session, lane.id, "clear", street, {"remark": "整改到位"}, now=clock.at(19))
    advance(session, wires.id, "supervise", bureau, {"requirements": "严重消防隐患，挂牌督办，限期拆除飞线",
                                                     "supervise_by": clock.ahead(7).isoformat()}, now=clock.at(3))

    patrol = open_case(session, "inspection", E["hudong"].id, street2,
                       {"kind": "daily", "template": SPECIAL.key, "inspectors": "赵主任"}, now=clock.at(2))
    for item in SPECIAL.items()[:5]:
        advance(session, patrol.id, "answer", street2, {"item": item.key, "result": "pass"}, now=clock.at(2))


def build_credit(session: Session, district, clock) -> None:
    """The quarterly assessments the scan opened 20 days ago: one confirmed, one with the
    street office (overdue), two still with the communities (overdue); bad records in
    force, and one proposed."""
    from sqlalchemy import select

    from engine import recurring
    from engine.models import Case
    from engine.runtime import advance, open_case
    from workflows.rules.credit import SHEET
    E = district.estates
    community, street, bureau = district.actor("community"), district.actor("street"), district.actor("bureau")
    ent2 = district.actor("enterprise2")
    recurring.open_recurring(session, clock.at(20))
    found = {c.estate_id: c for c in session.scalars(select(Case).where(Case.parent_case_id.is_(None),
                                                                        Case.enterprise_id.is_not(None),
                                                                        Case.data["period"].as_string().is_not(None)))}

    def sheet(less: dict) -> dict:
        return {f"score_{i.key}": str(i.weight - less.get(i.key, 0)) for i in SHEET}

    jinxiu, binhe = found[E["jinxiu"].id], found[E["binhe"].id]
    advance(session, jinxiu.id, "score", community, {**sheet({"service": 8, "safety": 6}), "remarks": "消防通道占用"},
            now=clock.at(16))
    advance(session, jinxiu.id, "review", street, {}, now=clock.at(14))
    advance(session, jinxiu.id, "confirm", bureau, {}, now=clock.at(12))
    advance(session, binhe.id, "score", community, sheet({"service": 4}), now=clock.at(16))

    bad = open_case(session, "credit_record", E["binhe"].id, bureau,
                    {"fact": "other_bad", "description": "未按规定公示收费标准及公共收益收支情况"}, now=clock.at(30))
    advance(session, bad.id, "publish", bureau, {}, now=clock.at(29))
    advance(session, bad.id, "object", ent2, {"objection": "已于次日补充公示"}, now=clock.at(27))
    advance(session, bad.id, "dismiss_objection", bureau, {"reasons": "补充公示不影响违规事实"}, now=clock.at(25))
    open_case(session, "credit_record", E["jinxiu"].id, street,
              {"fact": "substantiated_complaint", "description": "擅自上调停车费，经查属实"}, now=clock.at(2))

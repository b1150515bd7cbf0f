"""The demo district of docs/contract.md: organisations, accounts, estates and living cases.

`load_demo` is idempotent: it does nothing when the `bureau` account exists already. It
is also all or nothing: the whole load runs in one database transaction (the engine's
commits become savepoints), so a load killed half-way leaves nothing behind and the
next `flask demo` loads the district whole.
Cases are opened and advanced through the engine, like any user would, each step dated
on the past day the officer would have taken it, relative to the day the demo is loaded:
every procedure appears in several states under both street offices, with deadlines open
and due soon, overdue, met and met late. The bureau and the street offices get demo
signing certificates, so the documents the steps issue are signed PDFs; the deadline scan
runs last, so inboxes and dashboards open on the overdue work.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from engine.access import Actor
from engine.legaltime import TZ
from engine.models import Estate, Organisation, User
from web import demo_supervision

DEMO_PASSWORD = "demo12345"

ACCOUNTS = [
    # username, display name, role, organisation key
    ("bureau", "王科长", "housing_bureau", "bureau"),
    ("street", "李主任", "street_office", "street"),
    ("street2", "赵主任", "street_office", "street2"),
    ("community", "陈书记", "community", "community"),
    # The community of 湖东新苑 and 泰山御园: it scores their quarterly assessments.
    ("community2", "钱书记", "community", "community2"),
    ("enterprise", "周经理", "enterprise", "enterprise"),
    ("enterprise2", "吴经理", "enterprise", "enterprise2"),
    ("committee", "郑主任", "committee", "committee"),
    ("developer", "孙经理", "developer", "developer"),
    ("admin", "系统管理员", "admin", None),
]


@lru_cache(maxsize=4)
def password_hash(password: str = DEMO_PASSWORD) -> str:
    # One hash for every demo account: hashing is deliberately slow.
    return generate_password_hash(password)


@dataclass
class District:
    orgs: dict[str, Organisation]
    users: dict[str, User]
    estates: dict[str, Estate]

    def actor(self, username: str) -> Actor:
        return Actor.of(self.users[username])


def build_district(session: Session) -> District:
    """Organisations, accounts and estates (no cases). Commits."""
    O = Organisation
    bureau = O(name="浉河区住房和城乡建设局", kind="housing_bureau", email="bureau@example.gov.cn")
    session.add(bureau)
    session.flush()
    street = O(name="老城街道办事处", kind="street_office", parent_id=bureau.id, email="street@example.gov.cn")
    street2 = O(name="湖东街道办事处", kind="street_office", parent_id=bureau.id, email="street2@example.gov.cn")
    session.add_all([street, street2])
    session.flush()
    orgs = {
        "bureau": bureau, "street": street, "street2": street2,
        "community": O(name="文化社区居民委员会", kind="community", parent_id=street.id, email="community@example.gov.cn"),
        "community2": O(name="湖滨社区居民委员会", kind="community", parent_id=street2.id,
                        email="community2@example.gov.cn"),
        "enterprise": O(name="信阳安居物业服务有限公司", kind="enterprise", email="a@example.com"),
        "enterprise2": O(name="信阳宜家物业管理有限公司", kind="enterprise", email="b@example.com"),
        "committee": O(name="锦绣花园业主委员会", kind="committee"),
        "developer": O(name="信阳城投置业有限公司", kind="developer", email="dev@example.com"),
    }
    session.add_all([o for k, o in orgs.items() if k not in ("bureau", "street", "street2")])
    session.flush()
    estates = {
        "jinxiu": Estate(name="锦绣花园", province="河南省", address="浉河区文化路 18 号",
                         bureau_id=bureau.id, street_office_id=street.id,
                         community_id=orgs["community"].id, developer_id=orgs["developer"].id,
                         committee_id=orgs["committee"].id, enterprise_id=orgs["enterprise"].id,
                         total_area=Decimal("86420.50"), total_owners=812),
        "binhe": Estate(name="滨河湾小区", province="河南省", address="浉河区滨河路 66 号",
                        bureau_id=bureau.id, street_office_id=street.id,
                        community_id=orgs["community"].id, developer_id=orgs["developer"].id,
                        enterprise_id=orgs["enterprise2"].id,
                        total_area=Decimal("54210.00"), total_owners=530),
        "hudong": Estate(name="湖东新苑", province="河南省", address="浉河区湖东大道 9 号",
                         bureau_id=bureau.id, street_office_id=street2.id,
                         community_id=orgs["community2"].id, developer_id=orgs["developer"].id,
                         enterprise_id=orgs["enterprise"].id,
                         total_area=Decimal("61000.00"), total_owners=604),
        "taishan": Estate(name="泰山御园（山东规则演示）", province="山东省", address="泰安市泰山区",
                          bureau_id=bureau.id, street_office_id=street2.id,
                          community_id=orgs["community2"].id, developer_id=orgs["developer"].id,
                          enterprise_id=orgs["enterprise2"].id,
                          total_area=Decimal("40000.00"), total_owners=380),
    }
    session.add_all(estates.values())
    users = {}
    for username, name, role, org_key in ACCOUNTS:
        org = orgs.get(org_key) if org_key else None
        users[username] = User(username=username, display_name=name, role=role,
                               organisation_id=org.id if org else None,
                               password_hash=password_hash(),
                               email=f"{username}@example.com")
    session.add_all(users.values())
    session.commit()
    return District(orgs, users, estates)


def _at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), TZ).astimezone(timezone.utc)


def _years_back(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:           # 29 February
        return d.replace(year=d.year - years, day=28)


class _Clock:
    """Dates relative to the day the demo is loaded. Every offset below leaves slack for
    the legal calendar's roll-forward and roll-back (a Golden Week moves a day by up to
    ten), so the guards accept the steps whatever `today` is."""

    def __init__(self, today: date):
        self.today = today

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def ahead(self, days: int) -> date:
        return self.today + timedelta(days=days)

    def iso(self, days_ago: int) -> str:
        return self.ago(days_ago).isoformat()

    def at(self, days_ago: int) -> datetime:
        return _at(self.ago(days_ago))


def build_cases(session: Session, district: District, today: date) -> None:
    """Cases of every procedure in various states, some overdue, some due soon, most
    met and one met late. Each step goes through engine.runtime.open_case / advance as
    the demo user who would have taken it, dated in the past when it was taken."""
    clock = _Clock(today)
    __import__("web.demo_register", fromlist=["build"]).build(session, district, clock.ago)
    overdue_filing = build_contract_filings(session, district, clock)
    build_owners_assemblies(session, district, clock)
    build_reelections(session, district, clock)
    build_exits(session, district, clock)
    build_tenders(session, district, clock)
    build_inspections(session, district, clock)
    build_supervision(session, district, clock, overdue_filing)
    demo_supervision.build(session, district, clock)
    __import__("web.demo_owners").demo_owners.build_owners_vote(session, district, clock)


def build_contract_filings(session: Session, district: District, clock: _Clock):
    """A few contract filings in every state, some overdue. Returns the overdue one."""
    from engine.runtime import advance, open_case

    today = clock.today
    ent, ent2 = district.actor("enterprise"), district.actor("enterprise2")
    bureau = district.actor("bureau")
    E = district.estates

    def contract(no, kind, signed, estate, actor):
        return open_case(session, "contract_filing", estate.id, actor, {
            "contract_kind": kind, "contract_no": no,
            "client": "信阳城投置业有限公司" if kind == "pre_phase" else f"{estate.name}业主委员会",
            "signed_on": signed.isoformat(), "term_start": signed.isoformat(),
            "term_end": (signed + timedelta(days=3 * 365)).isoformat(),
            "fee": "1.80", "area": str(estate.total_area)}, now=_at(signed))

    # 1. filed: signed, submitted on time, accepted by the bureau.
    c = contract("XY-QQ-2026-001", "pre_phase", today - timedelta(days=40), E["hudong"], ent)
    advance(session, c.id, "submit", ent, {"note": "合同正本及附件"}, now=_at(today - timedelta(days=35)))
    advance(session, c.id, "accept", bureau, {"remark": "材料齐全"}, now=_at(today - timedelta(days=30)))
    # 2. awaiting the street office's review: while 安居 hands 锦绣花园 over to 宜家
    #    (build_exits), the committee keeps it serving until the takeover (民法典 art. 950)
    #    under a short holdover contract, which 安居 files with the street office.
    signed = today - timedelta(days=6)
    c = open_case(session, "contract_filing", E["jinxiu"].id, ent, {
        "contract_kind": "assembly", "contract_no": "XY-YZ-2026-014",
        "client": "锦绣花园业主委员会", "signed_on": signed.isoformat(),
        "term_start": signed.isoformat(), "term_end": (signed + timedelta(days=90)).isoformat(),
        "fee": "1.80", "area": str(E["jinxiu"].total_area)}, now=_at(signed))
    advance(session, c.id, "submit", ent, {"note": "交接期间临时续管服务合同正本一份"},
            now=_at(today - timedelta(days=2)))
    # 3. registered long ago and never submitted: overdue.
    overdue = contract("XY-QQ-2026-009", "pre_phase", today - timedelta(days=45), E["hudong"], ent)
    # 4. correction requested by the bureau.
    c = contract("YJ-QQ-2026-003", "pre_phase", today - timedelta(days=12), E["binhe"], ent2)
    advance(session, c.id, "submit", ent2, {}, now=_at(today - timedelta(days=10)))
    advance(session, c.id, "request_correction", bureau, {"reasons": "缺少物业服务用房说明及收费标准附件"},
            now=_at(today - timedelta(days=8)))
    # 5. freshly registered, due soon.
    contract("YJ-YZ-2026-021", "assembly", today - timedelta(days=7), E["taishan"], ent2)
    return overdue


# -- 首次业主大会 -------------------------------------------------------------------------

def _figures(prefix: str, voted_area: str, voted_owners: int, yes_area: str, yes_owners: int) -> dict:
    return {f"{prefix}_voted_area": voted_area, f"{prefix}_voted_owners": voted_owners,
            f"{prefix}_yes_area": yes_area, f"{prefix}_yes_owners": yes_owners}


def committee_elected_on(clock: _Clock) -> date:
    """锦绣花园's committee was first elected five years before its term ends (40 days
    from the demo's day), which is why its re-election is under way."""
    return _years_back(clock.ahead(40), 5)


def build_owners_assemblies(session: Session, district: District, clock: _Clock) -> None:
    from engine.runtime import advance, open_case

    dev, street, street2 = (district.actor(u) for u in ("developer", "street", "street2"))
    committee = district.actor("committee")
    E = district.estates

    def application(applicant, name, met, applied, **extra):
        return {"applicant": applicant, "applicant_name": name, "condition": "delivered_half",
                "conditions_met_on": met.isoformat(), "applied_on": applied.isoformat(), **extra}

    def group(leader, size=9, owners=5):
        return {"leader": leader, "member_count": size, "owner_members": owners,
                "members": f"街道办事处1人、社区居委会1人、建设单位1人、业主代表{owners}人等"}

    notice = {"contents": "业主名册及投票权数、管理规约草案、议事规则草案、选举办法及候选人名单",
              "posted_at": "各楼栋单元公告栏"}

    # 1. 锦绣花园 (Henan), five years ago: from the application to the filed committee.
    e = committee_elected_on(clock)
    at = lambda d: _at(e + timedelta(days=d))            # noqa: E731  days from the election
    iso = lambda d: (e + timedelta(days=d)).isoformat()  # noqa: E731
    c = open_case(session, "owners_assembly", E["jinxiu"].id, dev,
                  application("developer", "信阳城投置业有限公司", e - timedelta(days=70), e - timedelta(days=60),
                              note="交付面积已达百分之五十二"), now=at(-60))
    advance(session, c.id, "submit_documents", dev,
            {"documents": "物业管理区域证明、业主名册、房屋及建筑物面积清册、建筑规划总平面图"}, now=at(-55))
    advance(session, c.id, "form_group", street, group("李主任（老城街道办事处）"), now=at(-45))
    advance(session, c.id, "publish_members", street, {"posted_at": "各楼栋单元公告栏"}, now=at(-43))
    advance(session, c.id, "schedule_meeting", street,
            {"meeting_on": iso(0), "place": "小区中心广场", "meeting_form": "gathering"}, now=at(-40))
    advance(session, c.id, "publish_notice", street, notice, now=at(-28))
    advance(session, c.id, "hold_meeting", street, {"record": "到会业主签到，现场唱票"}, now=at(0))
    advance(session, c.id, "record_vote", street, {
        **_figures("rules", "60000.00", 560, "45000.00", 420),
        **_figures("covenant", "60000.00", 560, "44000.00", 410),
        **_figures("election", "60000.00", 560, "41000.00", 400),
        "committee_members": "郑某（主任）、钱某（副主任）、孙某、李某、周某"}, now=at(0))
    advance(session, c.id, "first_committee_meeting", committee,
            {"chair": "郑某", "vice_chair": "钱某", "minutes": "推选主任、副主任"}, now=at(4))
    advance(session, c.id, "submit_filing", committee,
            {"filing_materials": "业主大会会议决议、议事规则、管理规约、业主委员会成员名单及基本情况"}, now=at(20))
    advance(session, c.id, "accept_filing", street, {"remark": "材料齐全，予以备案"}, now=at(25))

    # 2. 湖东新苑 (Henan): owners applied 50 days ago; the street office has not yet formed
    #    the preparatory group (30 days: overdue); the developer's documents are due soon.
    open_case(session, "owners_assembly", E["hudong"].id, street2,
              application("owners", "张某等十六名业主", clock.ago(57), clock.ago(50), signatories=16,
                          note="十六名业主联名书面申请"), now=clock.at(50))

    # 3. 泰山御园 (Shandong): group formed and published; the meeting is fixed and its
    #    notice (15 days before) is due soon.
    c = open_case(session, "owners_assembly", E["taishan"].id, street2,
                  application("report", "湖东街道办事处", clock.ago(80), clock.ago(75)), now=clock.at(75))
    advance(session, c.id, "form_group", street2, group("赵主任（湖东街道办事处）", 7, 4), now=clock.at(40))
    advance(session, c.id, "publish_members", street2, {"posted_at": "小区南门公告栏",
            "duties": "组织召开首次业主大会会议"}, now=clock.at(33))
    advance(session, c.id, "schedule_meeting", street2,
            {"meeting_on": clock.ahead(27).isoformat(), "place": "社区活动中心", "meeting_form": "written"},
            now=clock.at(5))

    # 4. 滨河湾小区 (Henan): the meeting was held, the committee election failed.
    c = open_case(session, "owners_assembly", E["binhe"].id, dev,
                  application("developer", "信阳城投置业有限公司", clock.ago(160), clock.ago(150)),
                  now=clock.at(150))
    advance(session, c.id, "submit_documents", dev, {"documents": "物业管理区域证明、业主名册、面积清册"},
            now=clock.at(140))
    advance(session, c.id, "form_group", street, group("李主任（老城街道办事处）"), now=clock.at(130))
    advance(session, c.id, "publish_members", street, {"posted_at": "各楼栋单元公告栏"}, now=clock.at(128))
    advance(session, c.id, "schedule_meeting", street,
            {"meeting_on": clock.iso(80), "place": "滨河湾会所", "meeting_form": "gathering"}, now=clock.at(126))
    advance(session, c.id, "publish_notice", street, notice, now=clock.at(108))
    advance(session, c.id, "hold_meeting", street, {"record": "到会业主签到"}, now=clock.at(80))
    advance(session, c.id, "record_failed_vote", street, {
        **_figures("rules", "40000.00", 400, "30000.00", 300),
        **_figures("covenant", "40000.00", 400, "29000.00", 290),
        **_figures("election", "40000.00", 400, "15000.00", 150),
        "remark": "业主委员会候选人得票均未过半数"}, now=clock.at(80))
    #    A new meeting was fixed, but its notice was not published 15 days ahead (overdue):
    #    the street office must fix another date.
    advance(session, c.id, "schedule_meeting", street,
            {"meeting_on": clock.ahead(5).isoformat(), "place": "滨河湾会所", "meeting_form": "written"},
            now=clock.at(45))


# -- 业主委员会换届 -----------------------------------------------------------------------

def build_reelections(session: Session, district: District, clock: _Clock) -> None:
    from engine.runtime import advance, open_case

    committee, street2 = district.actor("committee"), district.actor("street2")
    E = district.estates

    # 1. 锦绣花园: the committee's term ends in 40 days; it reported the re-election and
    #    fixed the meeting, whose notice is due soon.
    c = open_case(session, "committee_reelection", E["jinxiu"].id, committee, {
        "term_started_on": committee_elected_on(clock).isoformat(),
        "term_ends_on": clock.ahead(40).isoformat(),
        "report": "本届业主委员会任期即将届满，拟召开业主大会会议进行换届选举"}, now=clock.at(30))
    advance(session, c.id, "schedule_meeting", committee,
            {"meeting_on": clock.ahead(28).isoformat(), "place": "小区中心广场", "meeting_form": "gathering"},
            now=clock.at(8))

    # 2. 泰山御园 (Shandong): the committee let its term run out (90 days' notice missed);
    #    the street office took over, held the election and the change filing is due.
    #    The committee's re-election duty is met late.
    c = open_case(session, "committee_reelection", E["taishan"].id, street2, {
        "term_started_on": _years_back(clock.ago(75), 5).isoformat(),
        "term_ends_on": clock.iso(75),
        "report": "业主委员会任期已届满，未组织换届选举，经业主申请由街道办事处登记"}, now=clock.at(70))
    advance(session, c.id, "take_over", street2,
            {"organise_by": clock.iso(10), "reason": "业主委员会任期届满前九十日未组织换届选举"}, now=clock.at(65))
    advance(session, c.id, "schedule_meeting", street2,
            {"meeting_on": clock.iso(20), "place": "社区活动中心", "meeting_form": "gathering"}, now=clock.at(60))
    advance(session, c.id, "publish_notice", street2,
            {"contents": "候选人名单、选举办法、表决方式", "posted_at": "小区南门公告栏"}, now=clock.at(48))
    advance(session, c.id, "hold_meeting", street2, {"record": "到会业主签到"}, now=clock.at(20))
    advance(session, c.id, "record_vote", street2, {
        **_figures("election", "30000.00", 300, "25000.00", 250),
        "committee_members": "刘某（主任候选人）、高某、马某、林某、何某"}, now=clock.at(20))


# -- 物业服务企业退出 ---------------------------------------------------------------------

def build_exits(session: Session, district: District, clock: _Clock) -> None:
    from engine.runtime import advance, open_case

    street, street2, community = (district.actor(u) for u in ("street", "street2", "community"))
    committee = district.actor("committee")
    ent, ent2, bureau = district.actor("enterprise"), district.actor("enterprise2"), district.actor("bureau")
    E = district.estates

    # 1. 滨河湾小区 (Henan): the owners dismissed 宜家 (vote recorded by the street office),
    #    notice served, the contract ended 12 days ago; items handed over one by one, some
    #    accepted, some sent back, one awaiting review; the handover period is running.
    c = open_case(session, "enterprise_exit", E["binhe"].id, street, {
        "ground": "dismissal", "contract_no": "YJ-QQ-2024-011", "term_end": clock.ahead(400).isoformat(),
        "end_on": clock.iso(12), "resolved_on": clock.iso(101),
        "voted_area": "40000.00", "voted_owners": 400, "yes_area": "30000.00", "yes_owners": 300,
        "note": "业主大会书面征求意见，决定解聘"}, now=clock.at(100))
    advance(session, c.id, "serve_notice", street,
            {"served_on": clock.iso(99), "recipient": "信阳宜家物业管理有限公司"}, now=clock.at(99))
    advance(session, c.id, "start_handover", community,
            {"ended_on": clock.iso(12), "successor": "信阳安居物业服务有限公司"}, now=clock.at(11))
    for item, days, declaration, decision, reason in (
            ("premises_keys", 10, "物业服务用房 2 处及钥匙 48 把", "reject_item", "缺少地下车库及水泵房钥匙"),
            ("common_facilities", 9, "共用部位、共用设施设备清单一份", "accept_item", "已现场清点"),
            ("inspection_docs", 8, "竣工验收资料、保修和使用说明文件共 12 卷", "accept_item", ""),
            ("owner_register", 6, "业主名册及物业服务档案", "reject_item", "业主名册缺 3 号楼"),
            ("technical_records", 4, "电梯、消防设施运行维护保养记录", None, "")):
        advance(session, c.id, "submit_item", ent2, {"item": item, "declaration": declaration},
                now=clock.at(days))
        if decision:
            advance(session, c.id, decision, community, {"item": item, "reason": reason},
                    now=clock.at(days - 1))

    # 2. 湖东新苑 (Henan): 安居 will not renew; its written notice (three months before the
    #    term ends) is still to be served.
    open_case(session, "enterprise_exit", E["hudong"].id, ent, {
        "ground": "non_renewal", "contract_no": "XY-QQ-2023-004", "term_end": clock.ahead(120).isoformat(),
        "note": "合同期满后不再续签"}, now=clock.at(20))

    # 3. 锦绣花园 (Henan): 安居 did not renew the owners' contract; it served its notice
    #    (three months ahead, reported to the street office), the term ended 10 days ago
    #    and the owners chose 宜家. 安居 hands over item by item to the committee: one
    #    accepted, one sent back, one awaiting the committee, the rest still to submit.
    c = open_case(session, "enterprise_exit", E["jinxiu"].id, ent, {
        "ground": "non_renewal", "contract_no": "XY-YZ-2021-006", "term_end": clock.iso(10),
        "note": "物业服务合同期满后不再续签"}, now=clock.at(125))
    advance(session, c.id, "serve_notice", ent,
            {"served_on": clock.iso(124), "recipient": "锦绣花园业主委员会", "reported_to_street_office": True},
            now=clock.at(124))
    advance(session, c.id, "start_handover", committee,
            {"ended_on": clock.iso(10), "successor": "信阳宜家物业管理有限公司"}, now=clock.at(9))
    for item, days, declaration, decision, reason in (
            ("premises_keys", 8, "物业服务用房 3 处及钥匙 62 把", "accept_item", "已现场清点"),
            ("common_facilities", 6, "共用部位、共用设施设备清单一份", "reject_item", "清单缺少 5 号楼二次供水设备"),
            ("inspection_docs", 2, "竣工验收资料、保修和使用说明文件共 9 卷", None, "")):
        advance(session, c.id, "submit_item", ent, {"item": item, "declaration": declaration},
                now=clock.at(days))
        if decision:
            advance(session, c.id, decision, committee, {"item": item, "reason": reason},
                    now=clock.at(days - 1))

    # 4. 泰山御园 (Shandong): the contract expired, 宜家 refuses to hand over; the street
    #    office reported it and the bureau ordered a correction within a time limit.
    c = open_case(session, "enterprise_exit", E["taishan"].id, street2, {
        "ground": "expiry", "contract_no": "YJ-YZ-2023-002", "term_end": clock.iso(30),
        "note": "业主大会已另行选聘物业服务企业"}, now=clock.at(60))
    advance(session, c.id, "start_handover", street2,
            {"ended_on": clock.iso(30), "successor": "信阳安居物业服务有限公司"}, now=clock.at(29))
    advance(session, c.id, "escalate", street2,
            {"refusal": "refuse_handover", "facts": "合同期满后拒不移交物业服务用房及设施设备技术资料"},
            now=clock.at(12))
    advance(session, c.id, "order_rectification", bureau,
            {"rectify_by": clock.ahead(10).isoformat(),
             "order": "责令信阳宜家物业管理有限公司于限期内移交物业服务用房、相关设施和资料"}, now=clock.at(10))


# -- 前期物业管理招标投标 -----------------------------------------------------------------

def build_tenders(session: Session, district: District, clock: _Clock) -> None:
    from engine.links import children
    from engine.runtime import advance, open_case

    dev, bureau, ent = district.actor("developer"), district.actor("bureau"), district.actor("enterprise")
    E = district.estates

    def tender(estate, name, planned, days_ago, method="public"):
        return open_case(session, "pre_phase_tender", estate.id, dev,
                         {"project_name": name, "method": method,
                          "planned_announcement_on": planned.isoformat()}, now=clock.at(days_ago))

    # 1. 滨河湾小区二期: filed, announced, clarified, four bids, evaluated, awarded to 安居
    #    (which also succeeds 宜家 in the first phase), the award filed and the contract
    #    signed, which opened its contract filing (filed too).
    c = tender(E["binhe"], "滨河湾小区二期前期物业服务", clock.ago(95), 120)
    advance(session, c.id, "submit_tender", dev, {"materials": "项目批准文件、招标公告、招标文件"}, now=clock.at(118))
    advance(session, c.id, "file_tender", bureau, {"remark": "材料齐全，予以备案"}, now=clock.at(116))
    advance(session, c.id, "announce", dev, {"method": "public", "announced_on": clock.iso(95),
            "documents_issued_on": clock.iso(95), "bid_deadline": clock.iso(70)}, now=clock.at(95))
    advance(session, c.id, "clarify", dev, {"clarified_on": clock.iso(90), "content": "补充物业服务用房位置图"},
            now=clock.at(90))
    advance(session, c.id, "open_bids", dev, {"opened_on": clock.iso(70), "bids_received": 4}, now=clock.at(70))
    advance(session, c.id, "evaluate", dev, {"evaluated_on": clock.iso(68), "committee_size": 7, "expert_count": 5,
            "candidates": "第一名 信阳安居物业服务有限公司；第二名 信阳宜家物业管理有限公司"}, now=clock.at(68))
    advance(session, c.id, "award", dev, {"winner_id": district.orgs["enterprise"].id,
            "awarded_on": clock.iso(66), "award_notice_on": clock.iso(66)}, now=clock.at(66))
    advance(session, c.id, "submit_award", dev, {"report": "招标过程、评标报告及中标理由"}, now=clock.at(60))
    advance(session, c.id, "file_award", bureau, {"remark": "予以中标备案"}, now=clock.at(56))
    c = advance(session, c.id, "sign_contract", dev, {
        "contract_no": "BH-QQ-2026-001", "signed_on": clock.iso(40), "term_start": clock.iso(30),
        "term_end": (clock.ago(30) + timedelta(days=2 * 365)).isoformat(),
        "fee": "1.60", "area": str(E["binhe"].total_area)}, now=clock.at(40))
    filing = children(session, c)[0]
    advance(session, filing.id, "submit", ent, {"note": "前期物业服务合同正本及招标投标备案材料"}, now=clock.at(28))
    advance(session, filing.id, "accept", bureau, {"remark": "材料齐全，予以备案"}, now=clock.at(24))

    # 2. 泰山御园二期, its own management area (the first phase's owners already chose their
    #    enterprise, so no pre-phase tender applies there): filed and announced; bidding is open.
    t = E["taishan"]
    phase2 = Estate(name="泰山御园二期（山东规则演示）", province=t.province, address=t.address,
                    bureau_id=t.bureau_id, street_office_id=t.street_office_id,
                    community_id=t.community_id, developer_id=t.developer_id)
    session.add(phase2)
    session.flush()
    c = tender(phase2, "泰山御园二期前期物业服务", clock.ago(15), 40, method="invite")
    advance(session, c.id, "submit_tender", dev, {"materials": "项目批准文件、投标邀请书、招标文件"}, now=clock.at(36))
    advance(session, c.id, "file_tender", bureau, {}, now=clock.at(34))
    advance(session, c.id, "announce", dev, {"method": "invite", "announced_on": clock.iso(15),
            "invited_count": 4, "documents_issued_on": clock.iso(15),
            "bid_deadline": clock.ahead(10).isoformat()}, now=clock.at(15))

    # 3. 湖东新苑二期: registered, never filed; the announcement date has passed (overdue).
    tender(E["hudong"], "湖东新苑二期前期物业服务", clock.ago(5), 30)


# -- 承接查验 -----------------------------------------------------------------------------

def build_inspections(session: Session, district: District, clock: _Clock) -> None:
    from engine.runtime import advance, open_case

    dev, bureau = district.actor("developer"), district.actor("bureau")
    ent, ent2 = district.actor("enterprise"), district.actor("enterprise2")
    E = district.estates

    def plan(estate, delivery, days_ago):
        return open_case(session, "handover_inspection", estate.id, dev,
                         {"delivery_on": delivery.isoformat(),
                          "inspection_plan": "建设单位与物业服务企业共同查验共用部位及共用设施设备"},
                         now=clock.at(days_ago))

    def inspected(days_ago):
        return {"inspected_on": clock.iso(days_ago), "bureau_invited": True,
                "owner_representatives": "购房人代表张某、李某",
                "findings": "共用部位、共用设施设备查验合格，3 处渗漏已书面约定整改"}

    # 1. 湖东新苑 (Henan): inspected in time, handed over, filed 10 days late, published.
    c = plan(E["hudong"], clock.ago(100), 150)
    advance(session, c.id, "complete_inspection", dev, inspected(128), now=clock.at(128))
    advance(session, c.id, "hand_over", dev, {"handed_over_on": clock.iso(110), "agreement_no": "HD-CJ-01"},
            now=clock.at(110))
    advance(session, c.id, "submit_filing", ent, {"documents": "前期物业服务合同、临时管理规约、查验协议、交接清单、查验记录"},
            now=clock.at(70))
    advance(session, c.id, "accept_filing", bureau, {"remark": "予以备案"}, now=clock.at(66))
    advance(session, c.id, "publish", ent, {"published_on": clock.iso(64), "place": "小区公告栏"},
            now=clock.at(64))

    # 2. 滨河湾小区 (Henan): inspected and handed over; the filing is due soon.
    c = plan(E["binhe"], clock.ago(40), 80)
    advance(session, c.id, "complete_inspection", dev, inspected(66), now=clock.at(66))
    advance(session, c.id, "hand_over", ent2, {"handed_over_on": clock.iso(24), "agreement_no": "BH-CJ-02"},
            now=clock.at(24))

    # 3. 泰山御园 (Shandong): planned; the inspection is due 15 days before delivery.
    plan(E["taishan"], clock.ahead(28), 10)


def build_supervision(session: Session, district: District, clock: _Clock, case) -> None:
    """The bureau supervises the overdue contract filing with a 逾期督办通知书."""
    from engine.models import Deadline
    from engine.supervision import issue_notice

    d = session.scalars(select(Deadline).where(Deadline.case_id == case.id,
                                                Deadline.key == "filing")).first()
    if d is None or d.due_date >= clock.ago(1):
        return
    issue_notice(session, case.id, d.id, district.actor("bureau"),
                 "请于限期内报送物业服务合同备案材料，逾期将依法处理",
                 rectify_by=clock.ahead(5), now=clock.at(1))


SIGNING_ORGS = ("bureau", "street", "street2")


def _certificates(session: Session, district: District) -> None:
    """Self-signed certificates so the demo's documents carry an electronic signature."""
    try:
        from forms import signing
    except ImportError:          # pragma: no cover - forms not installed
        return
    if not hasattr(signing, "ensure_demo_certificate"):
        return
    for key in SIGNING_ORGS:
        signing.ensure_demo_certificate(session, district.orgs[key])
    session.commit()


def load_demo(session: Session, today: date | None = None) -> bool:
    """Load the demo district once; returns False when it was there already.

    Cases are dated relative to `today` (default: today in Beijing); at the end the
    deadline scan runs as of that day, so inboxes and dashboards show the overdue work.
    Everything is written in one transaction of its own (see the module docstring)."""
    if session.scalar(select(User.id).where(User.username == "bureau")):
        return False
    session.rollback()
    with session.get_bind().connect() as conn:
        outer = conn.begin()
        demo = Session(bind=conn, join_transaction_mode="create_savepoint",
                       expire_on_commit=False, info=dict(session.info))
        try:
            _load(demo, today)
            demo.close()
            outer.commit()
        except BaseException:
            demo.close()
            outer.rollback()
            raise
    return True


def _load(session: Session, today: date | None) -> None:
    from engine.scan import scan
    if today is None:
        now = datetime.now(timezone.utc)
        today = now.astimezone(TZ).date()
    else:
        now = _at(today, 9)
    district = build_district(session)
    _certificates(session, district)
    build_cases(session, district, today)
    scan(session, now)

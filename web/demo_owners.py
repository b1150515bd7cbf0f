"""The owners' decision platform in the demo: 翠湖雅苑, a Henan estate of 40 units whose
first assembly votes on the platform now (rules of procedure, covenant, committee
election). Owners can try it on a phone at /vote with the codes printed by `flask demo`.

Seed data written as the street office would enter it (through the engine)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from engine import ballots
from engine.models import Estate
from engine.owners_register import RegisterUnit, import_rows
from engine.runtime import advance, open_case

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ESTATE = "翠湖雅苑（业主决策平台演示）"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"


def resident_id(n: int) -> str:
    """A well-formed (checksummed) demonstration ID number; not a real person's."""
    body = f"4115021985{n:07d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


def code_for(n: int) -> str:
    return f"DEMO{n:02d}CUIHU"


# (place, voting code, last four ID characters) printed by `flask demo`.
OWNER_ACCOUNTS = [(f"{1 + n // 10}-1-{101 + n % 10}", code_for(n), resident_id(n)[-4:]) for n in range(3)]


def _rows():
    rows = [["楼栋", "单元", "房号", "专有部分面积", "面积来源", "业主姓名", "证件号码", "交付状态"]]
    for n in range(40):
        place = (str(1 + n // 10), "1", str(101 + n % 10))
        area = str(Decimal("85.50") + (n % 4) * 10)
        if n >= 36:                     # the developer's unsold units
            rows.append([*place, area, "合同", "", "", "未售"])
        elif n in (30, 31):            # one buyer of two units
            rows.append([*place, area, "实测", "业主钱某", resident_id(30), "已交付"])
        else:
            rows.append([*place, area, "登记簿", f"{SURNAMES[n]}某", resident_id(n), "已交付"])
    return rows


def build_owners_vote(session, district, clock) -> None:
    o = district.orgs
    estate = Estate(name=ESTATE, province="河南省", address="浉河区湖滨路 8 号",
                    bureau_id=o["bureau"].id, street_office_id=o["street"].id,
                    community_id=o["community"].id, developer_id=o["developer"].id)
    session.add(estate)
    session.commit()
    street = district.actor("street")
    res = import_rows(session, estate.id, _rows(), street, now=clock.at(40))
    assert res.ok, res.errors
    # A first attempt whose notice could not go out in time: withdrawn.
    first = open_case(session, "owners_vote", estate.id, street, {
        "organiser": "first_assembly", "title": "翠湖雅苑首次业主大会表决（首次发起）", "matters": "1、2、3",
        "starts_on": clock.iso(45), "ends_on": clock.iso(35), "documents": "议事规则（草案）"},
        now=clock.at(60))
    advance(session, first.id, "withdraw", street, {"reason": "候选人名单需补充，公告未能在投票开始十五日前发布"},
            now=clock.at(58))
    case = open_case(session, "owners_vote", estate.id, street, {
        "organiser": "first_assembly", "title": "翠湖雅苑首次业主大会表决", "matters": "1、2、3",
        "starts_on": clock.iso(3), "ends_on": clock.ahead(14).isoformat(),
        "documents": "业主大会议事规则（草案）、管理规约（草案）、业主委员会候选人名单（王某、李某、张某、刘某、陈某）"},
        now=clock.at(31))
    advance(session, case.id, "announce", street, {"posted_at": "各楼栋单元公告栏；投票码随公告送达各户"},
            now=clock.at(30))
    units = {u.place: u for u in session.scalars(select(RegisterUnit).where(RegisterUnit.estate_id == estate.id))}
    for n in range(36):
        place = f"{1 + n // 10}-1-{101 + n % 10}"
        ballots.set_code(session, case.id, units[place].id, code_for(n), street, now=clock.at(30))
    advance(session, case.id, "open_ballot", street, {}, now=clock.at(3))
    # Twelve owners have voted online so far (not the demo accounts, left for visitors).
    for n in range(5, 17):
        place = f"{1 + n // 10}-1-{101 + n % 10}"
        voter = ballots.Voter(case.id, units[place].id)
        ballots.cast(session, voter, {"1": "yes", "2": "yes", "3": "yes" if n % 5 else "no"},
                     now=clock.at(2) + timedelta(minutes=n))

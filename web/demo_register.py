"""The demo district's register (台账): the enterprises' credit codes and contacts, each
estate's 调度表 columns, and an estate with no property management, recorded as a street
office would have entered them, dated when the facts took effect. Runs before the cases,
whose steps then write the register themselves (committees, contracts, handovers)."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from engine import credit_code
from engine.register import Recorder, change, create, profile
from engine.register_models import EnterpriseProfile


def _code(first17: str) -> str:
    return first17 + credit_code.check_character(first17)


ENTERPRISES = {
    "enterprise": (_code("91411502MA44AJ0Y1"), "周经理", "0376-6201188", "浉河区文化路 8 号"),
    "enterprise2": (_code("91411502MA44YJ2K3"), "吴经理", "0376-6302299", "浉河区湖东大道 20 号"),
}

# estate key → (category, management mode, serving since, services, project manager, phone)
ESTATES = {
    "jinxiu": (1, "外聘物业服务企业", date(2019, 5, 1), "全委托（保洁、秩序维护、绿化、设施设备维护）", "张经理", "0376-6201101"),
    "binhe": (2, "外聘物业服务企业", date(2020, 9, 1), "全委托", "刘经理", "0376-6302201"),
    "hudong": (2, "外聘物业服务企业", date(2021, 3, 15), "保洁、秩序维护", "王经理", "0376-6201102"),
    "taishan": (3, "外聘物业服务企业", date(2022, 7, 1), "全委托", "孙经理", "0538-8202201"),
}


def build(session: Session, district, days_ago) -> None:
    """`days_ago(n)` is the demo's clock: the day n days before its today."""
    street = {"street": district.actor("street"), "street2": district.actor("street2")}
    bureau = district.actor("bureau")
    for key, (code, contact, phone, address) in ENTERPRISES.items():
        org = district.orgs[key]
        change(session, EnterpriseProfile(organisation_id=org.id, credit_code=code, contact="",
                                          phone="", address=""),
               {"credit_code": code, "contact": contact, "phone": phone, "address": address},
               Recorder(date(2018, 1, 2), bureau))
    for key, (cat, mode, since, services, manager, phone) in ESTATES.items():
        estate = district.estates[key]
        office = street["street"] if estate.street_office_id == district.orgs["street"].id else street["street2"]
        change(session, profile(session, estate), {
            "category": cat, "management_mode": mode, "mode_since": since, "enterprise_since": since,
            "service_content": services, "project_manager": manager, "phone": phone,
            "designated_on": date(since.year - 2, 6, 1),
            "designation_notice": "物业管理区域划定公告（已在小区公告栏公示）"}, Recorder(since, office))
    # 新华小区: an old estate the street office has had no manager for since an enterprise left.
    from engine.models import Estate
    street_org = district.orgs["street"]
    xinhua = create(session, Estate(bureau_id=street_org.parent_id, street_office_id=street_org.id),
                    {"name": "新华小区", "province": "河南省", "address": "浉河区新华路 3 号",
                     "community_id": district.orgs["community"].id,
                     "total_area": __import__("decimal").Decimal("18600.00"), "total_owners": 236},
                    Recorder(date(2008, 1, 1), street["street"]))
    change(session, profile(session, xinhua, new=True),
           {"category": 3, "management_mode": "无物业管理", "mode_since": days_ago(200),
            "remark": "原物业服务企业合同期满撤出，社区正在征求业主意见"},
           Recorder(days_ago(200), street["street"]))
    session.flush()

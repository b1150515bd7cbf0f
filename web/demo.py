"""The demo district of CONTRACT.md: organisations, accounts, estates and living cases.

`load_demo` is idempotent: it does nothing when the `bureau` account exists already.
Cases are opened and advanced through the engine, like any user would.
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

DEMO_PASSWORD = "demo12345"

ACCOUNTS = [
    # username, display name, role, organisation key
    ("bureau", "王科长", "housing_bureau", "bureau"),
    ("street", "李主任", "street_office", "street"),
    ("street2", "赵主任", "street_office", "street2"),
    ("community", "陈书记", "community", "community"),
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
        "community2": O(name="湖滨社区居民委员会", kind="community", parent_id=street2.id),
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


def _at(d: date) -> datetime:
    return datetime.combine(d, time(10, 0), TZ).astimezone(timezone.utc)


def build_cases(session: Session, district: District, today: date) -> None:
    """A few contract filings in every state, some overdue. Each step goes through
    engine.advance, dated in the past as the officers would have taken it."""
    from engine.runtime import advance, open_case

    ent, ent2 = district.actor("enterprise"), district.actor("enterprise2")
    bureau, street = district.actor("bureau"), district.actor("street")
    E = district.estates

    def contract(no, kind, signed, estate, actor):
        return open_case(session, "contract_filing", estate.id, actor, {
            "contract_kind": kind, "contract_no": no,
            "client": "信阳城投置业有限公司" if kind == "pre_phase" else f"{estate.name}业主委员会",
            "signed_on": signed.isoformat(), "term_start": signed.isoformat(),
            "term_end": (signed + timedelta(days=3 * 365)).isoformat(),
            "fee": "1.80", "area": str(estate.total_area)}, now=_at(signed))

    # 1. filed: signed, submitted on time, accepted by the bureau.
    c = contract("XY-QQ-2026-001", "pre_phase", today - timedelta(days=40), E["jinxiu"], ent)
    advance(session, c.id, "submit", ent, {"note": "合同正本及附件"}, now=_at(today - timedelta(days=35)))
    advance(session, c.id, "accept", bureau, {"remark": "材料齐全"}, now=_at(today - timedelta(days=30)))
    # 2. submitted, awaiting the street office's review.
    c = contract("XY-YZ-2026-014", "assembly", today - timedelta(days=6), E["jinxiu"], ent)
    advance(session, c.id, "submit", ent, {}, now=_at(today - timedelta(days=2)))
    # 3. registered long ago and never submitted: overdue.
    contract("XY-QQ-2026-009", "pre_phase", today - timedelta(days=45), E["hudong"], ent)
    # 4. correction requested by the bureau.
    c = contract("YJ-QQ-2026-003", "pre_phase", today - timedelta(days=12), E["binhe"], ent2)
    advance(session, c.id, "submit", ent2, {}, now=_at(today - timedelta(days=10)))
    advance(session, c.id, "request_correction", bureau, {"reasons": "缺少物业服务用房说明及收费标准附件"},
            now=_at(today - timedelta(days=8)))
    # 5. freshly registered, due soon.
    contract("YJ-YZ-2026-021", "assembly", today - timedelta(days=7), E["taishan"], ent2)


def load_demo(session: Session, today: date | None = None) -> bool:
    """Load the demo district once; returns False when it was there already."""
    if session.scalar(select(User.id).where(User.username == "bureau")):
        return False
    district = build_district(session)
    build_cases(session, district, today or datetime.now(TZ).date())
    return True

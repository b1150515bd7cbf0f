"""Who counts, and for how much: the owners' register read by the rules of
最高人民法院《关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》arts. 8-9
(repeated by 山东 art. 25), and a vote's ballots counted under 民法典 art. 278.

第八条 民法典第二百七十八条第二款和第二百八十三条规定的专有部分面积可以按照不动产登记簿
记载的面积计算；尚未进行物权登记的，暂按测绘机构的实测面积计算；尚未进行实测的，暂按房屋
买卖合同记载的面积计算。

第九条 民法典第二百七十八条第二款规定的业主人数可以按照专有部分的数量计算，一个专有部分
按一人计算。但建设单位尚未出售和虽已出售但尚未交付的部分，以及同一买受人拥有一个以上专有
部分的，按一人计算。

Pure functions of plain values: the engine reads the register and the ballots, these
rules decide what they add up to (`workflows.rules.voting.tally` then applies art. 278).

Who is "one owner" (a voter)
    - every unit the developer has not sold, and every unit sold but not yet delivered,
      together: one owner, the developer (art. 9, first exception);
    - a delivered unit: its owner(s); the units of the same buyer — the same set of
      identified owners — together: one owner (art. 9, second exception). Co-owners of
      one unit (共有) are one owner for it: the article counts the unit, not the people.
    A voter's area is the sum of its units' areas; its ballot on a matter covers all of
    them, so a buyer of three units casts one ballot per matter with the three areas.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping, Optional, Sequence

from engine.bilingual import Bi
from workflows.rules.voting import Tally, tally

ART_8 = "《最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第八条"
ART_9 = "《最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第九条"

# Sources of a unit's area, in the order art. 8 takes them.
AREA_SOURCES: dict[str, Bi] = {
    "register": Bi("登记簿", "real-estate register"),
    "survey": Bi("实测", "survey"),
    "contract": Bi("合同", "sale contract"),
}
AREA_SOURCE_OF_LABEL = {str(v): k for k, v in AREA_SOURCES.items()}

DELIVERY: dict[str, Bi] = {
    "unsold": Bi("未售", "unsold"),
    "sold_undelivered": Bi("已售未交付", "sold, not delivered"),
    "delivered": Bi("已交付", "delivered"),
}
DELIVERY_OF_LABEL = {str(v): k for k, v in DELIVERY.items()}

DEVELOPER = "developer"

CHOICES: dict[str, Bi] = {
    "yes": Bi("同意", "in favour"),
    "no": Bi("不同意", "against"),
    "abstain": Bi("弃权", "abstain"),
}
CHOICE_OF_LABEL = {str(v): k for k, v in CHOICES.items()}


@dataclass(frozen=True)
class Unit:
    """One exclusive unit (专有部分) as the register holds it."""
    key: str                                   # building-unit-room
    areas: Mapping[str, Optional[Decimal]]     # source -> area (None: not recorded)
    status: str                                # a key of DELIVERY
    owners: tuple[str, ...] = ()               # identities of its owners (e.g. ID hashes)
    unit_id: int = 0


def counted_area(areas: Mapping[str, Optional[Decimal]]) -> Optional[tuple[Decimal, str]]:
    """(area, source) by art. 8: the register's, else the survey's, else the contract's;
    None when none is recorded."""
    for source in AREA_SOURCES:
        a = areas.get(source)
        if a is not None:
            return Decimal(a), source
    return None


def voter_of(status: str, owners: Sequence[str]) -> str:
    """The art. 9 owner a unit counts for: the developer for unsold and sold-undelivered
    units, else the set of its owners (the same buyer of several units counts once)."""
    if status not in DELIVERY:
        raise ValueError(f"unknown delivery status {status!r}")
    if status != "delivered":
        return DEVELOPER
    if not owners:
        raise ValueError("a delivered unit needs its owner")
    return "owner:" + "+".join(sorted(set(owners)))


@dataclass
class Voter:
    key: str
    area: Decimal = Decimal(0)
    units: list = field(default_factory=list)


@dataclass(frozen=True)
class Totals:
    """The estate's figures derived from its register (what art. 278 measures against)."""
    total_area: Decimal
    total_owners: int
    voters: Mapping[str, Voter]
    missing_area: tuple[str, ...]              # units without any area: not counted

    @property
    def complete(self) -> bool:
        return not self.missing_area


def totals(units: Iterable[Unit]) -> Totals:
    """Total exclusive area (art. 8) and number of owners (art. 9) of a register."""
    voters: dict[str, Voter] = {}
    missing = []
    total = Decimal(0)
    for u in units:
        got = counted_area(u.areas)
        if got is None:
            missing.append(u.key)
            continue
        area = got[0]
        total += area
        v = voters.setdefault(voter_of(u.status, u.owners), Voter(voter_of(u.status, u.owners)))
        v.area += area
        v.units.append(u.unit_id or u.key)
    return Totals(total, len(voters), voters, tuple(missing))


# -- counting a vote ------------------------------------------------------------------

def count_matter(reg: Totals, matter: int, ballots: Mapping[str, str]) -> Tally:
    """Tally one matter: `ballots` maps a voter (as `voter_of` names it) to its choice
    ("yes" / "no" / "abstain"). A ballot of an unknown voter is ignored (not in the
    register: it cannot weigh anything). Whoever did not vote is not counted: no
    silent ballot goes with the majority."""
    voted_area = yes_area = Decimal(0)
    voted = yes = 0
    for key, choice in ballots.items():
        v = reg.voters.get(key)
        if v is None or choice not in CHOICES:
            continue
        voted_area += v.area
        voted += 1
        if choice == "yes":
            yes_area += v.area
            yes += 1
    return tally(matter, reg.total_area, reg.total_owners, voted_area, voted, yes_area, yes)


@dataclass(frozen=True)
class Turnout:
    voted_area: Decimal
    voted_owners: int
    total_area: Decimal
    total_owners: int

    def as_dict(self) -> dict:
        from fractions import Fraction
        from workflows.rules.voting import QUORUM, _fmt_area, percent
        ra = Fraction(self.voted_area) / Fraction(self.total_area) if self.total_area else Fraction(0)
        ro = Fraction(self.voted_owners, self.total_owners) if self.total_owners else Fraction(0)
        return {"voted_area": _fmt_area(self.voted_area), "voted_owners": self.voted_owners,
                "total_area": _fmt_area(self.total_area), "total_owners": self.total_owners,
                "area_percent": percent(ra), "owner_percent": percent(ro),
                "area_quorum_met": ra >= QUORUM, "owner_quorum_met": ro >= QUORUM}


def turnout(reg: Totals, voters: Iterable[str]) -> Turnout:
    """Who has voted on at least one matter, by area and head count."""
    seen = {k for k in voters if k in reg.voters}
    return Turnout(sum((reg.voters[k].area for k in seen), Decimal(0)), len(seen),
                   reg.total_area, reg.total_owners)


def units_of(rows: Iterable[Mapping]) -> list[Unit]:
    """The engine's plain register rows (engine.readers "register_units") as Units."""
    return [Unit(key=r["key"], areas=r["areas"], status=r["status"], owners=tuple(r["owners"]),
                 unit_id=r["id"]) for r in rows]


def register_of(ctx) -> Optional[Totals]:
    """The estate's register as counted by arts. 8-9, or None when it has no units (the
    estate's recorded totals are then all there is)."""
    if getattr(ctx, "read", None) is None or ctx.estate is None:
        return None
    rows = ctx.read("register_units", estate_id=ctx.estate.id)
    return totals(units_of(rows)) if rows else None

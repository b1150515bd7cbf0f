"""Credit of property-service enterprises as rule-pack data: the quarterly scoring sheet,
the points of good and bad records, the objection period, and the grades.

The enterprise's credit score is basic + good − bad: the basic score is the mean of its
projects' confirmed quarterly assessments (of 100), good and bad records in force add and
subtract their points. Grades are per rule pack and exact (Decimal); "以上" includes the
number, "不足"/"以下" the lower band does not reach it (民法典第一千二百五十九条：民法所称的
"以上"、"以下"、"以内"、"届满"，包括本数；所称的"不满"、"超过"、"以外"，不包括本数).

Every figure here is 待核实: the province texts are not loaded. Shandong's published scheme
(山东省物业服务企业信用信息管理措施, as reported): AAA 85 以上, AA 80-85, A 70-80, B 60-70
(or below 60 without bad records), C below 60 with bad records. The Hunan scheme's grades
A-D (湖南省房地产行业信用信息管理办法, through 「湖南住宅物业监管方案」六(二)): D is key
supervision, with a high share of the enterprise's estates inspected; its bands are
drafted here (A 90 以上, B 75 以上, C 60 以上, D below 60).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Optional

from engine.bilingual import Bi

UNVERIFIED = "（待核实）"


@dataclass(frozen=True)
class SheetItem:
    key: str
    label: str
    weight: Decimal
    label_en: str = ""


# 「湖南住宅物业监管方案」五(二)1(7): the community assesses each project every quarter; the
# items and weights are drafted after the self-inspection table's parts (待核实).
SHEET = (
    SheetItem("service", "物业服务质量（保洁、绿化、秩序维护、设施设备）", Decimal("30"), "quality of the service (cleaning, greenery, order, facilities)"),
    SheetItem("safety", "消防及其他安全管理", Decimal("20"), "fire and other safety"),
    SheetItem("publicity", "信息公示与收费规范", Decimal("15"), "information posted, fees as the rules require"),
    SheetItem("complaints", "投诉处理与业主满意度", Decimal("15"), "complaints handled, owners' satisfaction"),
    SheetItem("cooperation", "配合社区、街道工作及业主委员会监督", Decimal("10"), "cooperation with the community, the street office and the committee"),
    SheetItem("rectification", "问题整改落实情况", Decimal("10"), "problems rectified"),
)
SHEET_BASIS = "「湖南住宅物业监管方案」五(二)1(7)（季度考评，地方实践做法；评分项目及分值为拟定，待核实）"
FULL_MARKS = sum((i.weight for i in SHEET), Decimal(0))


@dataclass(frozen=True)
class Band:
    grade: str
    floor: Optional[Decimal]        # the score "以上" (inclusive); None: no floor
    with_bad_only: bool = False     # only an enterprise with a bad record in force gets it
    key_supervision: bool = False


@dataclass(frozen=True)
class Scheme:
    key: str
    title: str
    bands: tuple[Band, ...]         # highest first; the first that fits is the grade
    basis: str
    inspection_share: Decimal       # share of a key-supervision enterprise's estates to inspect


SHANDONG = Scheme("shandong", "山东省物业服务企业信用等级", (
    Band("AAA", Decimal("85")), Band("AA", Decimal("80")), Band("A", Decimal("70")), Band("B", Decimal("60")),
    Band("C", None, with_bad_only=True, key_supervision=True), Band("B", None)),
    "山东省物业服务企业信用信息管理措施（据公开报道，条文未载入）" + UNVERIFIED, Decimal("0.5"))
A_TO_D = Scheme("a_to_d", "物业服务企业信用等级（A-D）", (
    Band("A", Decimal("90")), Band("B", Decimal("75")), Band("C", Decimal("60")),
    Band("D", None, key_supervision=True)),
    "湖南省房地产行业信用信息管理办法；「湖南住宅物业监管方案」六(二)（D级为重点监管对象，提高检查比例）" + UNVERIFIED,
    Decimal("0.5"))
SCHEMES = {"national": A_TO_D, "henan": A_TO_D, "shandong": SHANDONG}


def scheme_for(pack: str) -> Scheme:
    return SCHEMES.get(pack) or SCHEMES["national"]


@dataclass(frozen=True)
class Grade:
    grade: str
    key_supervision: bool
    scheme: Scheme


def grade(score: Decimal, has_bad: bool, pack: str) -> Grade:
    """The grade of a credit score under the pack's scheme; a floor is "以上" (inclusive)."""
    if not isinstance(score, Decimal):
        raise TypeError("a credit score is a Decimal")
    s = scheme_for(pack)
    for b in s.bands:
        if b.with_bad_only and not has_bad:
            continue
        if b.floor is None or score >= b.floor:
            return Grade(b.grade, b.key_supervision, s)
    raise ValueError("the scheme has no band for this score")     # pragma: no cover


# -- records ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    label: Bi
    points: Decimal
    good: bool = False


FACTS: dict[str, Fact] = {
    "missed_deadline": Fact(Bi("法定期限届满未履行", "a statutory deadline missed"), Decimal("3")),
    "overdue_rectification": Fact(Bi("责令整改逾期未整改", "not rectified after an order"), Decimal("5")),
    "substantiated_complaint": Fact(Bi("投诉经查属实", "a complaint found substantiated"), Decimal("2")),
    "other_bad": Fact(Bi("其他不良行为", "other misconduct"), Decimal("2")),
    "commendation": Fact(Bi("受到表彰奖励", "commended"), Decimal("3"), good=True),
    "other_good": Fact(Bi("其他良好行为", "other good conduct"), Decimal("1"), good=True),
}
FACT_CHOICES = {k: f.label for k, f in FACTS.items()}
FACTS_BASIS = ("《河南省物业管理条例》第七十二条第二款：县级以上物业管理行政主管部门负责本行政区域内物业服务市场主体信用信息采集和诚信档案管理工作；"
               "《浉河区物业管理实施细则》第十三条、第十八条（地方实践做法）；分值" + UNVERIFIED)
OBJECTION_WORKDAYS = {"national": 10, "henan": 10, "shandong": 10}     # 待核实


@dataclass(frozen=True)
class Entry:
    """What one case contributes to an enterprise's credit: a quarter's basic score, or a
    good or bad record's points (positive)."""
    kind: str                # "basic", "good", "bad"
    points: Decimal
    period: str = ""
    label: str = ""


@dataclass(frozen=True)
class Record:
    basic: Decimal
    good: Decimal
    bad: Decimal
    has_bad: bool

    @property
    def score(self) -> Decimal:
        return self.basic + self.good - self.bad


def record(entries: Iterable[Entry], period: str = "") -> Record:
    """The credit record from its entries: the basic score is the mean of the latest
    period's assessments (all periods when `period` is "latest"/empty and none given)."""
    entries = list(entries)
    basics = [e for e in entries if e.kind == "basic"]
    if basics:
        latest = period or max(e.period for e in basics)
        basics = [e for e in basics if e.period == latest] or basics
        basic = sum((e.points for e in basics), Decimal(0)) / len(basics)
    else:
        basic = FULL_MARKS
    good = sum((e.points for e in entries if e.kind == "good"), Decimal(0))
    bad = sum((e.points for e in entries if e.kind == "bad"), Decimal(0))
    return Record(basic.quantize(Decimal("0.01")), good, bad, any(e.kind == "bad" for e in entries))

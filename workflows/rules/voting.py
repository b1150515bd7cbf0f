"""Owners' joint decisions: the vote tally of Civil Code art. 278.

《民法典》第二百七十八条第二款：业主共同决定事项，应当由专有部分面积占比三分之二以上的
业主且人数占比三分之二以上的业主参与表决。决定前款第六项至第八项规定的事项，应当经参与
表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意。决定前款其他
事项，应当经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意。

《民法典》第一千二百五十九条：民法所称的“以上”、“以下”、“以内”、“届满”，包括本数；所称的“不满”、
“超过”、“以外”，不包括本数。So 三分之二以上 and 四分之三以上 are ≥, and 过半数 (more than
half) is >.

Every figure becomes an exact `Fraction` (areas through `Decimal`); a ratio is decided on
its exact value and only shown rounded (to 0.01 %, half up). Counting rules (最高人民法院
建筑物区分所有权解释 arts. 8-9: area from the register; one exclusive unit one owner; the
developer's unsold units and a buyer of several units count as one owner) are applied by
whoever enters the figures; `tally` takes the counts as given.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from numbers import Integral
from typing import Union

from marshmallow import validates_schema

from engine.bilingual import Bi, english, join
from engine.definition import Guard
from engine.schema import PayloadSchema, ValidationError, fields, validate

__all__ = ["tally", "Tally", "Check", "VoteInputError", "Ballot", "vote_schema", "passed_guard",
           "some_failed_guard", "record_tallies", "tally_of", "percent", "MATTERS", "ARTICLE_ITEMS", "MATTER_KEYS", "matter_number",
           "matter_label", "QUORUM", "SPECIAL_MATTERS", "SPECIAL_MAJORITY", "SIMPLE_MAJORITY"]

Number = Union[str, int, Decimal, Fraction, float]

# The matters of 民法典第二百七十八条第一款 (一)-(九), as labelled on ballots and forms.
MATTERS: dict[int, Bi] = {
    1: Bi("议事规则", "rules of procedure"),
    2: Bi("管理规约", "management covenant"),
    3: Bi("选举业主委员会或者更换业主委员会成员",
          "electing the owners' committee or replacing its members"),
    4: Bi("选聘和解聘物业服务企业或者其他管理人",
          "hiring or dismissing the property-service enterprise or another manager"),
    5: Bi("使用建筑物及其附属设施的维修资金", "using the maintenance fund"),
    6: Bi("筹集建筑物及其附属设施的维修资金", "raising the maintenance fund"),
    7: Bi("改建、重建建筑物及其附属设施", "rebuilding the buildings and their facilities"),
    8: Bi("改变共有部分的用途或者利用共有部分从事经营活动",
          "changing the use of common parts or running a business on them"),
    9: Bi("有关共有和共同管理权利的其他重大事项",
          "other major matters of common ownership and management"),
}
# The items' full wording in the article.
ARTICLE_ITEMS: dict[int, str] = {
    **MATTERS,
    1: "制定和修改业主大会议事规则",
    2: "制定和修改管理规约",
}
MATTER_KEYS: dict[str, int] = {
    "rules_of_procedure": 1, "covenant": 2, "committee_election": 3, "service_provider": 4,
    "use_maintenance_fund": 5, "raise_maintenance_fund": 6, "rebuild": 7,
    "common_parts_use": 8, "other": 9,
}
_CN_ITEM = "一二三四五六七八九"

QUORUM = Fraction(2, 3)             # 参与表决：三分之二以上 (≥)
SPECIAL_MATTERS = frozenset({6, 7, 8})
SPECIAL_MAJORITY = Fraction(3, 4)   # 四分之三以上 (≥)
SIMPLE_MAJORITY = Fraction(1, 2)    # 过半数 (>)

ARTICLE = "《民法典》第二百七十八条"

# Bounds that keep exact arithmetic cheap whatever a caller sends (areas in m², counts).
MAX_DIGITS = 30      # integer digits of an area or a count
MAX_PLACES = 30      # decimal places of an area


class VoteInputError(ValueError):
    """The figures of a vote are impossible; `message` is written for the user."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        self.message = join(self.problems)
        super().__init__(self.message)


def _bad_matter(matter) -> Bi:
    return Bi(f"表决事项应为民法典第二百七十八条第一款第一项至第九项，收到 {matter!r}",
              f"the matter must be one of items 1 to 9 of Civil Code art. 278 para. 1, not {matter!r}")


def matter_number(matter: Union[int, str]) -> int:
    """1-9 from an item number, its Chinese label, a short label or an English key."""
    if isinstance(matter, bool):
        raise VoteInputError([_bad_matter(matter)])
    if isinstance(matter, Integral):
        n = int(matter)
    else:
        s = str(matter).strip()
        bare = s.strip("第项()（）")
        if bare.isdigit():
            n = int(bare)
        elif len(bare) == 1 and bare in _CN_ITEM:
            n = _CN_ITEM.index(bare) + 1
        elif s in MATTER_KEYS:
            n = MATTER_KEYS[s]
        else:
            n = next((k for k, v in list(MATTERS.items()) + list(ARTICLE_ITEMS.items()) if s == v), 0)
            if not n and s:
                near = [k for k, v in ARTICLE_ITEMS.items() if s in v]
                n = near[0] if len(near) == 1 else 0     # an ambiguous fragment is refused
    if n not in MATTERS:
        raise VoteInputError([_bad_matter(matter)])
    return n


def matter_label(matter: Union[int, str]) -> str:
    return MATTERS[matter_number(matter)]


def _problem(name: Bi, zh: str, en: str) -> Bi:
    return Bi(f"{name}{zh}", f"{name.en} {en}")


def _area(name: Bi, value: Number, problems: list[str]) -> Decimal | None:
    """An area as an exact Decimal; floats by their shortest repr (e.g. 6700.5)."""
    if isinstance(value, bool) or value is None:
        problems.append(_problem(name, f"应为数字，收到 {value!r}", f"must be a number, not {value!r}"))
        return None
    try:
        if isinstance(value, Fraction):
            d = Decimal(value.numerator) / Decimal(value.denominator)
            if Fraction(d) != value:
                problems.append(_problem(name, f"应为有限小数，收到 {value}",
                                         f"must be a terminating decimal, not {value}"))
                return None
        elif isinstance(value, float):
            d = Decimal(repr(value))
        else:
            d = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        problems.append(_problem(name, f"应为数字，收到 {value!r}", f"must be a number, not {value!r}"))
        return None
    if not d.is_finite():
        problems.append(_problem(name, f"应为有限的数字，收到 {value!r}",
                                 f"must be a finite number, not {value!r}"))
        return None
    if d != 0 and (d.adjusted() > MAX_DIGITS or d.normalize().as_tuple().exponent < -MAX_PLACES):
        problems.append(_problem(
            name, f"超出可计算的范围（整数部分不超过 {MAX_DIGITS} 位，小数不超过 {MAX_PLACES} 位），收到 {value!r}",
            f"is out of range (at most {MAX_DIGITS} integer digits and {MAX_PLACES} decimals), "
            f"not {value!r}"))
        return None
    if d < 0:
        problems.append(_problem(name, f"不能为负数（{_fmt_area(d)}）",
                                 f"cannot be negative ({_fmt_area(d)})"))
        return None
    return d


def _count(name: Bi, value: Number, problems: list[str]) -> int | None:
    """A head count: a whole, non-negative number."""
    if isinstance(value, bool) or value is None:
        problems.append(_problem(name, f"应为整数，收到 {value!r}",
                                 f"must be a whole number, not {value!r}"))
        return None
    if isinstance(value, Integral):
        n = int(value)
    else:
        d = _area(name, value, problems)
        if d is None:
            return None
        if d != d.to_integral_value():
            problems.append(_problem(name, f"应为整数（一个专有部分按一人计算），收到 {value!r}",
                                     "must be a whole number (one exclusive unit counts as one "
                                     f"owner), not {value!r}"))
            return None
        n = int(d)
    if n < 0:
        problems.append(_problem(name, f"不能为负数（{n}）", f"cannot be negative ({n})"))
        return None
    if n > 10 ** MAX_DIGITS:
        problems.append(_problem(name, f"超出可计算的范围（不超过 {MAX_DIGITS} 位），收到 {value!r}",
                                 f"is out of range (at most {MAX_DIGITS} digits), not {value!r}"))
        return None
    return n


def _fmt_area(d: Decimal) -> str:
    """An area as written on a form: at least two decimals, never rounded."""
    with localcontext() as c:
        c.prec = 2 * (MAX_DIGITS + MAX_PLACES)
        if d == d.to_integral_value() or d.as_tuple().exponent >= -2:
            return f"{d.quantize(Decimal('0.01')):f}"
        return f"{d.normalize():f}"


def percent(r: Fraction) -> str:
    """An exact ratio shown as a percentage with two decimals, rounded half up
    (四舍五入) on the exact value, so no binary or decimal rounding creeps in."""
    hundredths = Fraction(r) * 10000
    q, rem = divmod(hundredths.numerator, hundredths.denominator)
    if 2 * rem >= hundredths.denominator:
        q += 1
    return f"{Decimal(q).scaleb(-2):.2f}%"


def _ratio(part, whole) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


THRESHOLD_WORDS = {QUORUM: Bi("三分之二", "two thirds"), SPECIAL_MAJORITY: Bi("四分之三", "three quarters"),
                   SIMPLE_MAJORITY: Bi("半数", "half")}


@dataclass(frozen=True)
class Check:
    """One of the four tests of art. 278, with its exact ratio."""
    key: str           # area_turnout / owner_turnout / area_support / owner_support
    ratio: Fraction
    threshold: Fraction
    strict: bool       # True: must exceed ("过半数"); False: "以上" includes the number
    met: bool
    sentence: Bi


@dataclass(frozen=True)
class Tally:
    """The outcome of one matter's vote. Ratios are exact Fractions."""
    matter: int
    matter_label: str
    total_area: Decimal
    total_owners: int
    voted_area: Decimal
    voted_owners: int
    yes_area: Decimal
    yes_owners: int
    area_turnout: Fraction        # voted_area / total_area
    owner_turnout: Fraction       # voted_owners / total_owners
    area_support: Fraction        # yes_area / voted_area
    owner_support: Fraction       # yes_owners / voted_owners
    quorum: Fraction              # 2/3
    majority: Fraction            # 3/4 (items 6-8) or 1/2
    majority_strict: bool         # True for "过半数" (> 1/2)
    quorum_met: bool
    majority_met: bool
    passed: bool
    reasons: list[str]
    tests: tuple[Check, ...]

    # Aliases under the words of the article.
    @property
    def area_participation(self) -> Fraction:
        return self.area_turnout

    @property
    def owner_participation(self) -> Fraction:
        return self.owner_turnout

    @property
    def ratios(self) -> dict[str, Fraction]:
        return {t.key: t.ratio for t in self.tests}

    @property
    def special(self) -> bool:
        return self.matter in SPECIAL_MATTERS

    @property
    def basis(self) -> str:
        return f"{ARTICLE}第一款第{_CN_ITEM[self.matter - 1]}项、第二款；《民法典》第一千二百五十九条"

    @property
    def summary(self) -> Bi:
        label = self.matter_label
        head = (Bi(f"「{label}」表决通过：", f"“{english(label)}” passed: ") if self.passed
                else Bi(f"「{label}」未获通过：", f"“{english(label)}” failed: "))
        return head + join(self.reasons)

    def failures(self) -> list[str]:
        return [t.sentence for t in self.tests if not t.met]

    def as_dict(self) -> dict:
        """JSON-safe record for a case's data: figures as strings, ratios as 'p/q'."""
        return {
            "matter": self.matter, "matter_label": self.matter_label,
            "total_area": _fmt_area(self.total_area), "total_owners": self.total_owners,
            "voted_area": _fmt_area(self.voted_area), "voted_owners": self.voted_owners,
            "yes_area": _fmt_area(self.yes_area), "yes_owners": self.yes_owners,
            "ratios": {t.key: str(t.ratio) for t in self.tests},
            "percentages": {t.key: percent(t.ratio) for t in self.tests},
            "quorum_met": self.quorum_met, "majority_met": self.majority_met,
            "passed": self.passed, "reasons": list(self.reasons), "basis": self.basis,
        }

    def __bool__(self) -> bool:
        return self.passed


def _test(key: str, subject: Bi, ratio: Fraction, threshold: Fraction, strict: bool,
          figures: Bi) -> Check:
    word = THRESHOLD_WORDS[threshold]
    if strict:
        met = ratio > threshold
        verdict = (Bi(f"超过{word}", f"more than {word.en}") if met
                   else Bi(f"未超过{word}", f"not more than {word.en}"))
    else:
        met = ratio >= threshold
        verdict = (Bi(f"达到{word}", f"at least {word.en}") if met
                   else Bi(f"未达到{word}", f"less than {word.en}"))
    return Check(key, ratio, threshold, strict, met,
                 Bi(f"{subject} {percent(ratio)}，{verdict}（{figures}）",
                    f"{subject.en} {percent(ratio)}, {verdict.en} ({figures.en})"))


def tally(matter: Union[int, str], total_area: Number, total_owners: Number, voted_area: Number,
          voted_owners: Number, yes_area: Number, yes_owners: Number) -> Tally:
    """Decide one matter under Civil Code art. 278.

    `matter` is the item of art. 278 para. 1 (1-9; its label or an English key of
    MATTER_KEYS also work). Areas accept str, int, Decimal (floats by their repr);
    owner counts must be whole numbers. Raises VoteInputError (a ValueError) with every
    problem in Chinese when the figures are impossible (negative, yes > voted > total).
    """
    problems: list[str] = []
    try:
        n = matter_number(matter)
    except VoteInputError as exc:
        problems.extend(exc.problems)
        n = 0
    ta = _area(Bi("专有部分总面积", "the total exclusive area"), total_area, problems)
    to = _count(Bi("业主总人数", "the number of owners"), total_owners, problems)
    va = _area(Bi("参与表决专有部分面积", "the exclusive area that voted"), voted_area, problems)
    vo = _count(Bi("参与表决人数", "the number of owners who voted"), voted_owners, problems)
    ya = _area(Bi("同意的专有部分面积", "the exclusive area in favour"), yes_area, problems)
    yo = _count(Bi("同意的人数", "the number of owners in favour"), yes_owners, problems)
    if ta is not None and ta == 0:
        problems.append(Bi("专有部分总面积应大于零", "the total exclusive area must be above zero"))
    if to is not None and to == 0:
        problems.append(Bi("业主总人数应大于零", "the number of owners must be above zero"))
    if va is not None and ta is not None and va > ta:
        problems.append(Bi(f"参与表决专有部分面积（{_fmt_area(va)} 平方米）不能大于专有部分总面积（{_fmt_area(ta)} 平方米）",
                           f"the area that voted ({_fmt_area(va)} m²) cannot exceed the total "
                           f"exclusive area ({_fmt_area(ta)} m²)"))
    if vo is not None and to is not None and vo > to:
        problems.append(Bi(f"参与表决人数（{vo} 人）不能大于业主总人数（{to} 人）",
                           f"the owners who voted ({vo}) cannot outnumber all owners ({to})"))
    if ya is not None and va is not None and ya > va:
        problems.append(Bi(f"同意的专有部分面积（{_fmt_area(ya)} 平方米）不能大于参与表决专有部分面积（{_fmt_area(va)} 平方米）",
                           f"the area in favour ({_fmt_area(ya)} m²) cannot exceed the area that "
                           f"voted ({_fmt_area(va)} m²)"))
    if yo is not None and vo is not None and yo > vo:
        problems.append(Bi(f"同意的人数（{yo} 人）不能大于参与表决人数（{vo} 人）",
                           f"the owners in favour ({yo}) cannot outnumber those who voted ({vo})"))
    if problems:
        raise VoteInputError(problems)

    special = n in SPECIAL_MATTERS
    majority = SPECIAL_MAJORITY if special else SIMPLE_MAJORITY
    strict = not special
    tests = (
        _test("area_turnout", Bi("参与表决专有部分面积占比", "Share of the exclusive area that voted"),
              _ratio(va, ta), QUORUM, False,
              Bi(f"参与表决 {_fmt_area(va)} / 总面积 {_fmt_area(ta)} 平方米",
                 f"voted {_fmt_area(va)} / total {_fmt_area(ta)} m²")),
        _test("owner_turnout", Bi("参与表决人数占比", "Share of the owners who voted"),
              _ratio(vo, to), QUORUM, False,
              Bi(f"参与表决 {vo} / 总人数 {to} 人", f"voted {vo} / all {to} owners")),
        _test("area_support", Bi("同意的专有部分面积占比", "Share of the voting area in favour"),
              _ratio(ya, va), majority, strict,
              Bi(f"同意 {_fmt_area(ya)} / 参与表决 {_fmt_area(va)} 平方米",
                 f"in favour {_fmt_area(ya)} / voted {_fmt_area(va)} m²")),
        _test("owner_support", Bi("同意的人数占比", "Share of the voting owners in favour"),
              _ratio(yo, vo), majority, strict,
              Bi(f"同意 {yo} / 参与表决 {vo} 人", f"in favour {yo} / voted {vo} owners")),
    )
    quorum_met = tests[0].met and tests[1].met
    majority_met = tests[2].met and tests[3].met
    passed = quorum_met and majority_met
    label = MATTERS[n]
    reasons = [t.sentence for t in tests]
    need = Bi("四分之三以上", "at least three quarters") if special else Bi("过半数", "more than half")
    if not quorum_met:
        conclusion = Bi(f"参与表决的业主未达到专有部分面积占比三分之二以上且人数占比三分之二以上，"
                        f"「{label}」未获通过（{ARTICLE}第二款）",
                        "the owners who voted hold less than two thirds of the exclusive area or "
                        f"are fewer than two thirds of the owners, so “{label.en}” failed "
                        "(Civil Code art. 278 para. 2)")
    elif passed:
        conclusion = Bi(f"经参与表决专有部分面积{need}的业主且参与表决人数{need}的业主同意，"
                        f"「{label}」表决通过（{ARTICLE}第二款）",
                        f"owners holding {need.en} of the voting area and {need.en} of the voting "
                        f"owners agreed, so “{label.en}” passed (Civil Code art. 278 para. 2)")
    else:
        conclusion = Bi(f"未经参与表决专有部分面积{need}的业主且参与表决人数{need}的业主同意，"
                        f"「{label}」未获通过（{ARTICLE}第二款）",
                        f"owners holding {need.en} of the voting area and {need.en} of the voting "
                        f"owners did not agree, so “{label.en}” failed (Civil Code art. 278 "
                        "para. 2)")
    reasons.append(conclusion)
    return Tally(matter=n, matter_label=label, total_area=ta, total_owners=to,
                 voted_area=va, voted_owners=vo, yes_area=ya, yes_owners=yo,
                 area_turnout=tests[0].ratio, owner_turnout=tests[1].ratio,
                 area_support=tests[2].ratio, owner_support=tests[3].ratio,
                 quorum=QUORUM, majority=majority, majority_strict=strict,
                 quorum_met=quorum_met, majority_met=majority_met, passed=passed,
                 reasons=reasons, tests=tests)


# -- helpers for procedure declarations ------------------------------------------------
# A step that records a vote carries, per matter, four figures named "<prefix>_voted_area",
# "<prefix>_voted_owners", "<prefix>_yes_area", "<prefix>_yes_owners"; the totals come
# from the estate's register (Estate.total_area, Estate.total_owners).

FIGURES = (
    ("voted_area", Bi("参与表决专有部分面积（平方米）", "exclusive area that voted (m²)"), "area"),
    ("voted_owners", Bi("参与表决业主人数", "owners who voted"), "count"),
    ("yes_area", Bi("同意的专有部分面积（平方米）", "exclusive area in favour (m²)"), "area"),
    ("yes_owners", Bi("同意的业主人数", "owners in favour"), "count"),
)


@dataclass(frozen=True)
class Ballot:
    """One matter put to the vote in a step: its field prefix, art. 278 item, heading."""
    prefix: str
    matter: int
    heading: str = ""
    label_en: str = ""

    @property
    def label(self) -> Bi:
        if self.heading:
            return Bi(self.heading, self.label_en or self.heading)
        return MATTERS[self.matter]


def _places(value) -> None:
    if isinstance(value, Decimal) and value.is_finite() and value.normalize().as_tuple().exponent < -4:
        raise ValidationError(Bi("面积最多保留四位小数", "At most four decimals of area"))


def vote_fields(ballots) -> dict:
    """marshmallow fields for the figures of each ballot, labelled in Chinese and English."""
    out = {}
    for b in ballots:
        for key, label, kind in FIGURES:
            meta = {"label": f"{b.label}：{label}", "label_en": f"{b.label.en}: {label.en}",
                    "matter": b.matter}
            if kind == "area":
                out[f"{b.prefix}_{key}"] = fields.Decimal(
                    required=True, as_string=True, allow_nan=False,
                    validate=[validate.Range(min=0, max=Decimal(10) ** 12), _places], metadata=meta)
            else:
                out[f"{b.prefix}_{key}"] = fields.Integer(
                    required=True, strict=False, validate=validate.Range(min=0, max=10 ** 9),
                    metadata=meta)
    return out


def vote_schema(name: str, ballots, base=None, extra: dict | None = None):
    """A payload schema with the figures of `ballots` (plus `extra` fields) that also
    refuses, field by field, a yes-figure larger than the participating one."""
    attrs = dict(vote_fields(ballots))
    attrs.update(extra or {})

    def _figures(self, data, **_):
        errors = {}
        for b in ballots:
            g = lambda k: data.get(f"{b.prefix}_{k}")   # noqa: E731
            if g("yes_area") is not None and g("voted_area") is not None and g("yes_area") > g("voted_area"):
                errors[f"{b.prefix}_yes_area"] = [Bi("同意的专有部分面积不能大于参与表决专有部分面积",
                                                     "The area in favour cannot exceed the area that voted")]
            if g("yes_owners") is not None and g("voted_owners") is not None and g("yes_owners") > g("voted_owners"):
                errors[f"{b.prefix}_yes_owners"] = [Bi("同意的业主人数不能大于参与表决业主人数",
                                                       "The owners in favour cannot outnumber those who voted")]
        if errors:
            raise ValidationError(errors)

    attrs["_check_figures"] = validates_schema(_figures)
    return type(name, (base or PayloadSchema,), attrs)


def register_missing(estate) -> str | None:
    if estate is None or estate.total_area is None or not estate.total_owners:
        return Bi("本物业管理区域尚未登记专有部分总面积和业主总人数（按不动产登记簿记载计算，"
                  "最高人民法院建筑物区分所有权解释第八条、第九条），无法计票",
                  "the estate's total exclusive area and number of owners are not registered "
                  "(taken from the real-estate register; Supreme People's Court interpretation "
                  "on building ownership arts. 8 and 9), so the vote cannot be counted")
    return None


TOTALS_FROM_REGISTER = Bi("业主名册（按最高人民法院建筑物区分所有权解释第八条、第九条计算）",
                          "the owners' register (counted by the Supreme People's Court "
                          "interpretation on building ownership arts. 8 and 9)")
TOTALS_FROM_ESTATE = Bi("物业管理区域登记的总面积和总人数", "the totals recorded for the estate")


def totals_of(ctx) -> tuple[Decimal, int, Bi]:
    """(total area, number of owners, where they come from): derived from the owners'
    register when the estate has one, else the totals recorded for the estate."""
    from workflows.rules.owners import register_of
    reg = register_of(ctx)
    if reg is not None and reg.total_owners:
        return reg.total_area, reg.total_owners, TOTALS_FROM_REGISTER
    missing = register_missing(ctx.estate)
    if missing:
        raise VoteInputError([missing])
    return ctx.estate.total_area, ctx.estate.total_owners, TOTALS_FROM_ESTATE


def tally_of(ctx, ballot: Ballot) -> Tally:
    """Tally one ballot of a step from its typed figures and the estate's totals (its
    register's when it has one): a paper-only assembly's result."""
    total_area, total_owners, _ = totals_of(ctx)
    v = lambda k: ctx.value(f"{ballot.prefix}_{k}")   # noqa: E731
    return tally(ballot.matter, total_area, total_owners,
                 v("voted_area"), v("voted_owners"), v("yes_area"), v("yes_owners"))


def _wrong_figures(ballot: Ballot, exc: VoteInputError) -> Bi:
    return Bi(f"「{ballot.label}」的表决数据有误：", f"the figures of “{ballot.label.en}” are wrong: ") \
        + exc.message


def passed_guard(ballot: Ballot):
    """Guard: the ballot passed under art. 278; a refusal gives tally's reasons."""

    def check(ctx):
        try:
            t = tally_of(ctx, ballot)
        except VoteInputError as exc:
            return _wrong_figures(ballot, exc)
        if not t.passed:
            return (Bi(f"「{ballot.label}」未获通过：", f"“{ballot.label.en}” failed: ")
                    + join(t.reasons))
        return None

    return Guard(f"「{ballot.label}」须依《民法典》第二百七十八条表决通过", check, uses_payload=True)


def some_failed_guard(ballots):
    """Guard for recording a failed vote: at least one ballot did not pass."""

    def check(ctx):
        problems, passed = [], []
        for b in ballots:
            try:
                t = tally_of(ctx, b)
            except VoteInputError as exc:
                problems.append(_wrong_figures(b, exc))
                continue
            if t.passed:
                passed.append(b.label)
        if problems:
            return join(problems)
        if len(passed) == len(ballots):
            return Bi("各表决事项均已依法通过（" + "、".join(passed) + "），应录入表决通过的结果",
                      "every matter passed under the law (" + ", ".join(p.en for p in passed)
                      + "); enter the vote as passed")
        return None

    return Guard("表决未通过的，应有至少一项事项未达到《民法典》第二百七十八条的要求",
                 check, uses_payload=True)


def record_tallies(ctx, data: dict, ballots) -> None:
    """Store each ballot's tally in the case's data under data["votes"][prefix]."""
    votes = dict(data.get("votes") or {})
    source = totals_of(ctx)[2]
    for b in ballots:
        votes[b.prefix] = {**tally_of(ctx, b).as_dict(), "entered": TYPED, "totals_from": source}
    data["votes"] = votes


# How a step's figures reached the record: typed from a paper-only assembly's count.
TYPED = Bi("街道办事处/召集人录入的纸质表决统计数（未经本平台逐票计票）",
           "figures typed in from a paper-only count (not counted ballot by ballot here)")

"""Owners' joint decisions under Civil Code art. 278, as a street office counts them.

Quorum: ≥ 2/3 of the exclusive area AND ≥ 2/3 of the owners take part ("以上" includes
the number, art. 1259). Matters 6-8: ≥ 3/4 of the participating area and owners agree;
all other matters: more than half of both ("过半数" excludes exactly one half)."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from workflows.rules.voting import MATTERS, VoteInputError, matter_number, percent, tally


def test_the_contract_example_passes_an_election():
    t = tally(3, total_area="10000.00", total_owners=100, voted_area="6700.00",
              voted_owners=67, yes_area="3400.00", yes_owners=34)
    assert t.quorum_met and t.passed
    assert t.area_turnout == Fraction(67, 100) and t.owner_turnout == Fraction(67, 100)
    assert t.area_support == Fraction(34, 67) and t.owner_support == Fraction(34, 67)
    assert t.reasons[0] == "参与表决专有部分面积占比 67.00%，达到三分之二（参与表决 6700.00 / 总面积 10000.00 平方米）"
    assert t.reasons[1] == "参与表决人数占比 67.00%，达到三分之二（参与表决 67 / 总人数 100 人）"
    assert "同意的专有部分面积占比 50.75%，超过半数（同意 3400.00 / 参与表决 6700.00 平方米）" in t.reasons[2]
    assert "同意的人数占比 50.75%，超过半数（同意 34 / 参与表决 67 人）" in t.reasons[3]
    assert "表决通过" in t.reasons[-1] and "选举业主委员会或者更换业主委员会成员" in t.reasons[-1]


def test_too_little_area_taking_part_is_said_with_its_figures():
    t = tally(1, "10000", 100, "6120", 70, "6000", 69)
    assert not t.quorum_met and not t.passed
    assert "参与表决专有部分面积占比 61.20%，未达到三分之二" in t.reasons[0]
    assert "参与表决人数占比 70.00%，达到三分之二" in t.reasons[1]
    assert "未获通过" in t.reasons[-1]
    # Overwhelming support does not cure a missing quorum.
    assert t.area_support > Fraction(9, 10)


# -- boundaries, on exact values -------------------------------------------------------

def test_exactly_two_thirds_takes_part():
    t = tally(3, "9000.00", 90, "6000.00", 60, "6000.00", 60)
    assert t.area_turnout == Fraction(2, 3) == t.owner_turnout
    assert t.quorum_met and t.passed
    assert "66.67%，达到三分之二" in t.reasons[0]


def test_one_hundredth_of_a_square_metre_below_two_thirds_does_not():
    t = tally(3, "9000.00", 90, "5999.99", 60, "5999.99", 60)
    assert not t.quorum_met
    # Shown rounded like the value at the boundary, decided on the exact one.
    assert t.reasons[0].startswith("参与表决专有部分面积占比 66.67%，未达到三分之二")


def test_one_owner_below_two_thirds_does_not():
    assert not tally(3, "9000", 90, "9000", 59, "9000", 59).quorum_met
    assert tally(3, "9000", 90, "9000", 60, "9000", 60).quorum_met


def test_two_thirds_of_an_owner_count_not_divisible_by_three():
    # 2/3 of 100 owners is 66.67: 66 owners are not enough, 67 are.
    assert not tally(3, "100", 100, "100", 66, "100", 66).quorum_met
    assert tally(3, "100", 100, "100", 67, "100", 67).quorum_met


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_exactly_three_quarters_carries_the_special_matters(matter):
    t = tally(matter, "8000.00", 80, "8000.00", 80, "6000.00", 60)
    assert t.area_support == Fraction(3, 4) == t.owner_support
    assert t.passed and t.majority == Fraction(3, 4)
    assert "75.00%，达到四分之三" in t.reasons[2]


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_just_below_three_quarters_fails_the_special_matters(matter):
    area_short = tally(matter, "8000.00", 80, "8000.00", 80, "5999.99", 60)
    owners_short = tally(matter, "8000.00", 80, "8000.00", 80, "6000.00", 59)
    assert not area_short.passed and "未达到四分之三" in area_short.reasons[2]
    assert not owners_short.passed and "未达到四分之三" in owners_short.reasons[3]


@pytest.mark.parametrize("matter", [1, 2, 3, 4, 5, 9])
def test_exactly_half_is_not_a_majority(matter):
    t = tally(matter, "1000", 10, "1000", 10, "500", 5)
    assert t.area_support == Fraction(1, 2)
    assert t.quorum_met and not t.passed
    assert "50.00%，未超过半数" in t.reasons[2] and "50.00%，未超过半数" in t.reasons[3]


@pytest.mark.parametrize("matter", [1, 2, 3, 4, 5, 9])
def test_just_above_half_is(matter):
    assert tally(matter, "1000.00", 10, "1000.00", 9, "500.01", 5).passed


def test_both_majorities_are_needed():
    # Most of the area agrees but not most of the owners, and the other way round.
    assert not tally(4, "1000", 10, "1000", 10, "900", 4).passed
    assert not tally(4, "1000", 10, "1000", 10, "400", 9).passed


def test_the_same_figures_carry_a_simple_matter_but_not_a_special_one():
    figures = ("10000", 100, "9000", 90, "6000", 60)          # two thirds agree
    assert tally(4, *figures).passed
    assert not tally(6, *figures).passed


# -- inputs ----------------------------------------------------------------------------

def test_str_decimal_int_and_float_figures_agree():
    a = tally(2, "10000.50", 100, "7000.25", 70, "4000.10", 40)
    b = tally(2, Decimal("10000.50"), "100", Decimal("7000.25"), Decimal("70"), Decimal("4000.10"), 40)
    c = tally(2, 10000.5, 100, 7000.25, 70, 4000.1, 40)   # floats by their shortest repr
    assert (a.area_turnout, a.area_support, a.passed) == (b.area_turnout, b.area_support, b.passed)
    assert (a.area_turnout, a.area_support) == (c.area_turnout, c.area_support)
    assert isinstance(a.area_turnout, Fraction)
    assert a.area_turnout == Fraction(700025, 1000050)


def test_matters_by_number_label_or_key():
    assert matter_number("3") == 3
    assert matter_number("管理规约") == 2
    assert matter_number("筹集建筑物及其附属设施的维修资金") == 6
    assert matter_number("改建、重建建筑物及其附属设施") == 7
    assert matter_number("议事规则") == 1
    assert matter_number("raise_maintenance_fund") == 6
    assert matter_number("第八项") == 8 and matter_number("七") == 7
    assert len(MATTERS) == 9 and MATTERS[1] == "议事规则" and MATTERS[2] == "管理规约"
    with pytest.raises(VoteInputError):
        matter_number("维修资金")          # items 5 and 6 both: ambiguous


@pytest.mark.parametrize("args, words", [
    ((3, "100", 10, "80", 8, "90", 5), "同意的专有部分面积（90.00 平方米）不能大于参与表决专有部分面积（80.00 平方米）"),
    ((3, "100", 10, "80", 8, "50", 9), "同意的人数（9 人）不能大于参与表决人数（8 人）"),
    ((3, "100", 10, "120", 8, "50", 5), "不能大于专有部分总面积"),
    ((3, "100", 10, "80", 11, "50", 5), "不能大于业主总人数"),
    ((3, "100", 10, "-1", 8, "0", 0), "参与表决专有部分面积不能为负数"),
    ((3, "100", 10, "80", "7.5", "50", 5), "应为整数"),
    ((3, "100", 10, "八十", 8, "50", 5), "应为数字"),
    ((3, "0", 10, "0", 8, "0", 5), "专有部分总面积应大于零"),
    ((10, "100", 10, "80", 8, "50", 5), "第一项至第九项"),
    ((3, "100", 10, "NaN", 8, "50", 5), "有限"),
    ((3, "1E+999999", 10, "80", 8, "50", 5), "超出可计算的范围"),      # never a huge exact computation
    ((3, "100", 10, "1E-999999", 8, "0", 5), "超出可计算的范围"),
    ((3, "100", 10 ** 40, "80", 8, "50", 5), "超出可计算的范围"),
])
def test_impossible_figures_are_refused_in_words(args, words):
    with pytest.raises(VoteInputError) as info:
        tally(*args)
    assert words in info.value.message
    assert isinstance(info.value, ValueError)


def test_long_figures_stay_exact_and_are_shown_unrounded():
    t = tally(3, "123456789012345678901234567890.12", 10, "100000000000000000000000000000.000000001", 8, "5", 5)
    assert t.area_turnout == Fraction("100000000000000000000000000000.000000001") / \
        Fraction("123456789012345678901234567890.12")
    assert "参与表决 100000000000000000000000000000.000000001 / 总面积 123456789012345678901234567890.12 平方米" in t.reasons[0]


def test_every_problem_is_listed_at_once():
    with pytest.raises(VoteInputError) as info:
        tally(3, "100", 10, "120", 11, "130", -1)
    assert len(info.value.problems) == 4


def test_nobody_voting_fails_without_dividing_by_zero():
    t = tally(3, "100", 10, "0", 0, "0", 0)
    assert not t.quorum_met and not t.passed and t.area_support == 0


@pytest.mark.parametrize("ratio, shown", [
    (Fraction(2, 3), "66.67%"), (Fraction(1, 3), "33.33%"), (Fraction(1, 8), "12.50%"),
    (Fraction(12345, 100000), "12.35%"), (Fraction(1), "100.00%"), (Fraction(0), "0.00%"),
    (Fraction(99995, 100000), "100.00%"),
])
def test_percentages_round_half_up_on_the_exact_value(ratio, shown):
    assert percent(ratio) == shown


# -- properties ------------------------------------------------------------------------

def votes(draw):
    total_cents = draw(st.integers(min_value=1, max_value=10**9))
    total_owners = draw(st.integers(min_value=1, max_value=5000))
    voted_cents = draw(st.integers(min_value=0, max_value=total_cents))
    voted_owners = draw(st.integers(min_value=0, max_value=total_owners))
    yes_cents = draw(st.integers(min_value=0, max_value=voted_cents))
    yes_owners = draw(st.integers(min_value=0, max_value=voted_owners))
    matter = draw(st.integers(min_value=1, max_value=9))
    return matter, total_cents, total_owners, voted_cents, voted_owners, yes_cents, yes_owners


vote_cases = st.composite(votes)()


def cents(n: int) -> str:
    return f"{Decimal(n).scaleb(-2):.2f}"


def call(matter, tc, to, vc, vo, yc, yo):
    return tally(matter, cents(tc), to, cents(vc), vo, cents(yc), yo)


@settings(max_examples=300, deadline=None)
@given(vote_cases)
def test_the_decision_is_art_278_in_integer_arithmetic(case):
    """Cross-check against the article restated with integers only (areas in cents)."""
    matter, tc, to, vc, vo, yc, yo = case
    t = call(*case)
    quorum = 3 * vc >= 2 * tc and 3 * vo >= 2 * to
    if matter in (6, 7, 8):
        agree = 4 * yc >= 3 * vc and 4 * yo >= 3 * vo and vc > 0 and vo > 0
    else:
        agree = 2 * yc > vc and 2 * yo > vo
    assert t.quorum_met == quorum
    assert t.passed == (quorum and agree)
    assert len(t.reasons) == 5 and all("%" in r for r in t.reasons[:4])


@settings(max_examples=300, deadline=None)
@given(vote_cases, st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=5000))
def test_more_yes_votes_never_undo_a_decision(case, more_cents, more_owners):
    matter, tc, to, vc, vo, yc, yo = case
    before = call(*case)
    yc2, yo2 = min(vc, yc + more_cents), min(vo, yo + more_owners)
    after = call(matter, tc, to, vc, vo, yc2, yo2)
    assert after.quorum_met == before.quorum_met       # turnout does not depend on the yes votes
    assert after.passed >= before.passed
    assert after.area_support >= before.area_support and after.owner_support >= before.owner_support


@settings(max_examples=200, deadline=None)
@given(vote_cases)
def test_special_matters_are_never_easier_than_ordinary_ones(case):
    _, *figures = case
    if call(6, *figures).passed:
        assert call(4, *figures).passed

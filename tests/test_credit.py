"""A quarter's credit assessment (docs/procedures.md §12): the scan opens the assessment of
the quarter just ended for each estate and its enterprise; the communities score, the
street offices review (an adjustment needs reasons) and report, the bureau confirms; a
rectification left overdue proposes a bad record, the enterprise's objection is upheld;
another bad record comes into force after its objection period; the enterprise's grade
falls in the key-supervision band and inspections of its estates are suggested."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, strategies as st
from sqlalchemy import select

from engine import recurring
from engine.models import Case
from engine.runtime import advance, open_case
from engine.scan import scan
from tests.helpers import REFUSALS, at, refused
from workflows.rules.credit import SHEET, grade, record, Entry


def scores(total_minus: dict) -> dict:
    """Full marks less the points given."""
    return {f"score_{i.key}": str(i.weight - Decimal(total_minus.get(i.key, 0))) for i in SHEET}


def test_a_quarter_from_community_scores_to_a_grade_and_key_supervision(session, district):
    community, community2, street, street2, bureau = (district.actor(u) for u in (
        "community", "community2", "street", "street2", "bureau"))
    ent = district.actor("enterprise")

    # 8 Oct: the scan opens the third quarter's assessments, once per estate.
    assert recurring.run(session, at(date(2026, 10, 8)))["recurring"] == 4
    assert recurring.run(session, at(date(2026, 10, 9)))["recurring"] == 0
    cases = session.scalars(select(Case).where(Case.procedure == "credit_assessment")).all()
    assert {c.data["period"] for c in cases} == {"2026Q3"} and len(cases) == 4
    by_estate = {c.estate_id: c for c in cases}
    jinxiu, hudong = by_estate[district.estates["jinxiu"].id], by_estate[district.estates["hudong"].id]
    assert jinxiu.enterprise_id == hudong.enterprise_id == district.orgs["enterprise"].id

    # The community scores 锦绣花园 58; the street office lowers one item, with reasons.
    advance(session, jinxiu.id, "score", community, {**scores({"service": 20, "safety": 12, "rectification": 10}),
                                                     "remarks": "保洁不到位，消防通道占用"}, now=at(date(2026, 10, 12)))
    refused(session, REFUSALS, advance, jinxiu.id, "score", community, scores({}), now=at(date(2026, 10, 12)))
    err = refused(session, REFUSALS, advance, jinxiu.id, "review", street, {"score_publicity": "13"},
                  now=at(date(2026, 10, 14)))
    assert "调整理由" in str(err)
    case = advance(session, jinxiu.id, "review", street,
                   {"score_publicity": "13", "adjustment_reasons": "收费公示不全（现场核实）"}, now=at(date(2026, 10, 14)))
    assert case.data["total"] == "56.0" and case.data["adjustments"]["publicity"]["from"] == "15.0"
    advance(session, jinxiu.id, "confirm", bureau, {}, now=at(date(2026, 10, 16)))
    # 湖东新苑 52.
    advance(session, hudong.id, "score", community2, scores({"service": 25, "safety": 13, "complaints": 10}),
            now=at(date(2026, 10, 12)))
    advance(session, hudong.id, "review", street2, {}, now=at(date(2026, 10, 13)))
    advance(session, hudong.id, "confirm", bureau, {}, now=at(date(2026, 10, 16)))

    # A rectification left overdue: the scan proposes a bad record from the fact.
    entry = open_case(session, "rectification", district.estates["jinxiu"].id, street,
                      {"item": "消防通道", "problem": "消防通道占用", "measure": "清理", "rectify_by": "2026-10-20",
                       "responsible_person": "周经理"}, now=at(date(2026, 10, 15)))
    scan(session, at(date(2026, 10, 22)), open_cases=True)
    (proposal,) = session.scalars(select(Case).where(Case.procedure == "credit_record")).all()
    assert proposal.data["fact"] == "overdue_rectification" and proposal.parent_case_id == entry.id
    assert proposal.enterprise_id == district.orgs["enterprise"].id and proposal.data["points"] == "5"
    scan(session, at(date(2026, 10, 23)), open_cases=True)     # once only
    assert session.scalar(select(Case.id).where(Case.procedure == "credit_record", Case.id != proposal.id)) is None

    # Confirmed and published; the enterprise objects in time and the objection is upheld.
    case = advance(session, proposal.id, "publish", bureau, {}, now=at(date(2026, 10, 23)))
    assert case.data["objection_until"] == "2026-11-06"
    advance(session, proposal.id, "object", ent, {"objection": "已于10月20日清理完毕，附照片，系复查迟延"},
            now=at(date(2026, 10, 26)))
    advance(session, proposal.id, "uphold_objection", bureau, {"reasons": "经核实已按期整改"}, now=at(date(2026, 10, 28)))

    # Another bad record: published, not objected to, in force after the period.
    other = open_case(session, "credit_record", district.estates["hudong"].id, bureau,
                      {"fact": "other_bad", "description": "未按规定公示收费标准"}, now=at(date(2026, 10, 23)))
    advance(session, other.id, "publish", bureau, {}, now=at(date(2026, 10, 23)))
    refused(session, REFUSALS, advance, other.id, "take_effect", bureau, {}, now=at(date(2026, 11, 6)))
    refused(session, REFUSALS, advance, other.id, "object", ent, {"objection": "迟到的异议"}, now=at(date(2026, 11, 9)))
    advance(session, other.id, "take_effect", bureau, {}, now=at(date(2026, 11, 9)))

    from web.credit import credits
    ranking = credits(session, bureau)
    mine = next(c for c in ranking if c.org.id == district.orgs["enterprise"].id)
    # Basic (56 + 52) / 2 = 54; the upheld objection does not count; the other bad record −2.
    assert (mine.record.basic, mine.record.good, mine.record.bad, mine.record.score) == \
        (Decimal("54.00"), 0, Decimal("2"), Decimal("52.00"))
    assert mine.grade.grade == "D" and mine.grade.key_supervision
    assert [e.name for e in mine.suggested] == ["锦绣花园"]
    assert ranking[0].org.id == district.orgs["enterprise2"].id      # no confirmed score: full marks


@given(st.decimals(min_value=Decimal("-50"), max_value=Decimal("150"), places=2), st.booleans())
def test_grades_are_exact_and_以上_includes_the_number(score, has_bad):
    g = grade(score, has_bad, "shandong")
    expected = ("AAA" if score >= 85 else "AA" if score >= 80 else "A" if score >= 70 else "B" if score >= 60
                else "C" if has_bad else "B")
    assert g.grade == expected and g.key_supervision == (expected == "C")
    h = grade(score, has_bad, "henan")
    assert h.grade == ("A" if score >= 90 else "B" if score >= 75 else "C" if score >= 60 else "D")


def test_the_boundaries_themselves():
    assert grade(Decimal("85"), False, "shandong").grade == "AAA"
    assert grade(Decimal("84.99"), False, "shandong").grade == "AA"
    assert grade(Decimal("60"), True, "shandong").grade == "B"
    assert grade(Decimal("59.99"), True, "shandong").grade == "C"
    assert grade(Decimal("59.99"), False, "shandong").grade == "B"
    assert record([Entry("basic", Decimal("90"), "2026Q3"), Entry("basic", Decimal("80"), "2026Q2"),
                   Entry("good", Decimal("3")), Entry("bad", Decimal("5"))]).score == Decimal("88.00")

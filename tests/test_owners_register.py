"""The owners' register: each counting rule of 区分所有权解释 arts. 8-9 on its own, the
estate's totals derived from the register, the XLSX import (all or nothing, every bad
row named) and edits whose history is in the evidence log."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from engine import evidence, owners_register as reg
from engine.errors import NotPermitted, PayloadInvalid
from engine.evidence import LogEntry
from engine.owners_register import RegisterUnit
from workflows.rules.owners import (DEVELOPER, Unit, count_matter, counted_area, totals,
                                    units_of, voter_of)

D = Decimal


def unit(key, area, status="delivered", owners=("a",), source="register"):
    return Unit(key=key, areas={source: D(area)}, status=status,
                owners=tuple(owners) if status != "unsold" else ())


# -- art. 8: which area ---------------------------------------------------------------------

def test_area_is_the_registers_then_the_surveys_then_the_contracts():
    assert counted_area({"register": D("88.10"), "survey": D("89"), "contract": D("90")}) == (D("88.10"), "register")
    assert counted_area({"register": None, "survey": D("89"), "contract": D("90")}) == (D("89"), "survey")
    assert counted_area({"contract": D("90")}) == (D("90"), "contract")
    assert counted_area({}) is None


def test_a_unit_without_any_area_is_named_and_not_counted():
    t = totals([unit("1-1-101", "90"), Unit("1-1-102", {}, "delivered", ("b",))])
    assert t.total_area == D("90") and t.missing_area == ("1-1-102",) and not t.complete


# -- art. 9: who is one owner ---------------------------------------------------------------

def test_one_unit_counts_as_one_owner():
    t = totals([unit("1-101", "90", owners=("a",)), unit("1-102", "80", owners=("b",))])
    assert (t.total_area, t.total_owners) == (D("170"), 2)


def test_a_buyer_of_three_units_counts_once_with_the_three_areas():
    t = totals([unit("1-101", "90", owners=("a",)), unit("1-102", "80", owners=("a",)),
                unit("2-101", "70.5", owners=("a",)), unit("2-102", "60", owners=("b",))])
    assert t.total_owners == 2
    assert t.voters[voter_of("delivered", ["a"])].area == D("240.5")


def test_the_developers_unsold_and_sold_undelivered_units_together_count_once():
    t = totals([unit("1-101", "90", "unsold"), unit("1-102", "80", "unsold"),
                unit("1-103", "85", "sold_undelivered", owners=("c",)),
                unit("1-104", "70", owners=("c",))])
    # The developer (101, 102 and 103 sold but not delivered) and c for 104.
    assert t.total_owners == 2
    assert t.voters[DEVELOPER].area == D("255")
    assert t.total_area == D("325")


def test_co_owners_of_one_unit_are_one_owner_and_a_different_set_another():
    t = totals([unit("1-101", "90", owners=("a", "b")), unit("1-102", "80", owners=("b", "a")),
                unit("1-103", "80", owners=("a",))])
    assert t.total_owners == 2       # {a, b} twice, then a alone


def test_a_delivered_unit_needs_its_owner():
    with pytest.raises(ValueError):
        voter_of("delivered", [])


# -- properties ------------------------------------------------------------------------------

units_st = st.lists(st.tuples(
    st.decimals(min_value=D("0.01"), max_value=D("500"), places=2),
    st.sampled_from(["unsold", "sold_undelivered", "delivered"]),
    st.sampled_from(["a", "b", "c", "d"]),
    st.sampled_from(["register", "survey", "contract"])), min_size=1, max_size=40)


def _units(spec):
    return [unit(f"u{i}", a, s, (o,), src) for i, (a, s, o, src) in enumerate(spec)]


@settings(max_examples=200, deadline=None)
@given(units_st)
def test_totals_add_up_whatever_the_register(spec):
    us = _units(spec)
    t = totals(us)
    # Every unit's area counts once; the voters' areas add up to the total.
    assert t.total_area == sum((a for a, *_ in spec), D(0))
    assert sum((v.area for v in t.voters.values()), D(0)) == t.total_area
    # Never more owners than units, never more than the people plus the developer.
    assert 1 <= t.total_owners <= len(us)
    people = {o for _, s, o, _ in spec if s == "delivered"}
    developer = any(s != "delivered" for _, s, _, _ in spec)
    assert t.total_owners == len(people) + developer


@settings(max_examples=200, deadline=None)
@given(units_st, st.data())
def test_counting_ballots_never_exceeds_the_register(spec, data):
    t = totals(_units(spec))
    choices = {k: data.draw(st.sampled_from(["yes", "no", "abstain"])) for k in t.voters
               if data.draw(st.booleans())}
    r = count_matter(t, 3, choices)
    assert r.voted_area <= r.total_area and r.voted_owners <= r.total_owners
    assert r.yes_area <= r.voted_area and r.yes_owners <= r.voted_owners
    # Whoever did not vote is not counted (no silent ballots).
    assert r.voted_owners == len(choices)


# -- the stored register ---------------------------------------------------------------------

IDS = ["11010519491231002X", "110105194912310038", "110105194912310054", "110105194912310062"]
HEADER = ["楼栋", "单元", "房号", "专有部分面积", "面积来源", "业主姓名", "证件号码", "交付状态"]


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = [["1", "1", "101", "90.50", "登记簿", "张三", IDS[0], "已交付"],
        ["1", "1", "101", "91", "实测", "张三", IDS[0], "已交付"],
        ["1", "1", "102", "80", "实测", "张三", IDS[0], "已交付"],
        ["1", "2", "201", "100", "合同", "李四、王五", f"{IDS[1]}、{IDS[2]}", "已交付"],
        ["2", "1", "101", "120", "合同", "", "", "未售"],
        ["2", "1", "102", "110", "合同", "赵六", IDS[3], "已售未交付"]]


def test_import_derives_the_estates_totals_by_arts_8_and_9(session, district):
    estate = district.estates["jinxiu"]
    res = reg.import_xlsx(session, estate.id, xlsx(GOOD), district.actor("street"))
    assert res.ok and res.created == 5
    t = totals(units_of(reg.plain_units(session, estate.id)))
    # 101 counts its register area (90.50) not the survey's; 张三 owns two units: one owner;
    # 李四 and 王五 co-own one; the developer holds the unsold and the sold-undelivered unit.
    assert t.total_area == D("90.50") + D("80") + D("100") + D("120") + D("110")
    assert t.total_owners == 3
    # Only the last four characters and a keyed hash of an ID number are kept.
    u = session.scalars(select(RegisterUnit).where(RegisterUnit.room == "201")).one()
    assert [o["id_tail"] for o in u.owners] == ["0038", "0054"]
    assert IDS[1] not in str(u.owners) and reg.mask("0038") == "**************0038"


def test_a_file_with_bad_rows_writes_nothing_and_names_every_row(session, district):
    estate = district.estates["jinxiu"]
    bad = GOOD + [["3", "1", "101", "-5", "估算", "孙七", "110105194912310063", "已交付"],
                  ["3", "1", "102", "70", "实测", "", "", "已交付"],
                  ["1", "1", "101", "92", "登记簿", "张三", IDS[0], "已交付"]]
    before = session.scalar(select(func.count()).select_from(RegisterUnit))
    res = reg.import_xlsx(session, estate.id, xlsx(bad), district.actor("street"))
    assert not res.ok
    text = "\n".join(res.errors)
    assert "第8行" in text and "面积应大于零" in text and "面积来源应为登记簿、实测或合同" in text
    assert "校验位不正确" in text
    assert "第9行" in text and "已售房屋应填写业主" in text
    assert "第10行" in text and "登记簿面积已在第2行填写" in text
    assert session.scalar(select(func.count()).select_from(RegisterUnit)) == before == 0


def test_a_file_that_is_not_a_workbook_is_refused_in_words(session, district):
    res = reg.import_xlsx(session, district.estates["jinxiu"].id, b"not a workbook", district.actor("street"))
    assert res.errors == ["无法读取文件：请上传 Excel 工作簿（.xlsx）"]


def test_only_the_estates_keepers_import(session, district):
    with pytest.raises(NotPermitted):
        reg.import_xlsx(session, district.estates["jinxiu"].id, xlsx(GOOD), district.actor("enterprise"))


def test_an_edit_keeps_the_previous_record_in_the_evidence_log(session, district):
    estate = district.estates["jinxiu"]
    reg.import_xlsx(session, estate.id, xlsx(GOOD), district.actor("street"))
    u = session.scalars(select(RegisterUnit).where(RegisterUnit.room == "102",
                                                   RegisterUnit.building == "2")).one()
    with pytest.raises(PayloadInvalid):
        reg.edit_unit(session, u.id, district.actor("street"), reason="", status="delivered")
    reg.edit_unit(session, u.id, district.actor("street"), reason="已办理交付手续", status="delivered")
    hist = reg.history(session, u.id)
    assert [h["status"] for h in hist] == ["sold_undelivered", "delivered"]
    assert hist[-1]["reason"] == "已办理交付手续"
    # The estate now has four owners: 赵六 took delivery and counts on their own.
    assert totals(units_of(reg.plain_units(session, estate.id))).total_owners == 4
    # Every row equals its latest leaf (what `flask audit verify` checks).
    assert evidence.latest(session, RegisterUnit, u.id, None)["status"] == "delivered"
    assert session.scalar(select(func.count()).select_from(LogEntry).where(
        LogEntry.kind == "register_unit")) == 6


def test_reimporting_the_same_file_changes_nothing(session, district):
    estate = district.estates["jinxiu"]
    reg.import_xlsx(session, estate.id, xlsx(GOOD), district.actor("street"))
    res = reg.import_xlsx(session, estate.id, xlsx(GOOD), district.actor("street"))
    assert (res.created, res.updated, res.unchanged) == (0, 0, 5)


def test_silent_owners_cannot_be_counted_without_the_rules_text(session, district):
    with pytest.raises(PayloadInvalid):
        reg.set_rules(session, district.estates["jinxiu"].id, district.actor("street"), "",
                      silent_follow_majority=True)


# -- which ballot counts -----------------------------------------------------------------------

ballot_st = st.lists(st.tuples(st.integers(0, 5), st.integers(1, 3),
                               st.sampled_from(["online", "paper", "representative"]),
                               st.sampled_from(["yes", "no", "abstain"])), max_size=40)


@settings(max_examples=200, deadline=None)
@given(ballot_st)
def test_one_ballot_per_owner_per_matter_signed_paper_first_then_the_latest(spec):
    from workflows.owners_vote import effective
    # Units 0-2 belong to one buyer, 3 and 4 to others, 5 is the developer's.
    rows = [{"id": i, "status": "delivered" if i < 5 else "unsold",
             "owners": ("a",) if i < 3 else ((f"o{i}",) if i < 5 else ())} for i in range(6)]
    ballots = [{"unit_id": u, "matter": m, "channel": ch, "choice": c, "id": n}
               for n, (u, m, ch, c) in enumerate(spec)]
    eff = effective(rows, ballots)
    owner = lambda u: "A" if u < 3 else u    # noqa: E731
    for m, chosen in eff.items():
        mine = [b for b in ballots if b["matter"] == m]
        assert len(chosen) == len({owner(b["unit_id"]) for b in mine})
        for b in chosen.values():
            same = [x for x in mine if owner(x["unit_id"]) == owner(b["unit_id"])]
            signed = [x for x in same if x["channel"] != "online"]
            assert b == (signed or same)[-1]


def test_a_sale_moves_a_unit_from_the_developer_to_its_buyer(session, district):
    estate = district.estates["jinxiu"]
    reg.import_xlsx(session, estate.id, xlsx(GOOD), district.actor("street"))
    unsold = session.scalars(select(RegisterUnit).where(RegisterUnit.status == "unsold")).one()
    # A buyer must be named for a delivered unit, and only the keepers may edit.
    with pytest.raises(PayloadInvalid):
        reg.edit_unit(session, unsold.id, district.actor("street"), reason="交付", status="delivered")
    with pytest.raises(NotPermitted):
        reg.edit_unit(session, unsold.id, district.actor("developer"), reason="交付", status="delivered",
                      owners=[("孙七", IDS[3])])
    reg.edit_unit(session, unsold.id, district.actor("committee"), reason="已售并交付", status="delivered",
                  owners=[("赵六", IDS[3])])
    # 赵六 already bought 2-1-102 (still undelivered, so the developer's); now 2-1-101 is theirs.
    t = totals(units_of(reg.plain_units(session, estate.id)))
    assert t.total_owners == 4 and t.total_area == D("500.50")
    assert reg.history(session, unsold.id)[-1]["changed_by"] == district.actor("committee").name


def test_the_rules_of_procedure_are_recorded_with_their_text(session, district):
    estate = district.estates["jinxiu"]
    reg.set_rules(session, estate.id, district.actor("committee"), "第二十条 业主大会会议表决……")
    assert reg.plain_rules(session, estate.id) == {"text": "第二十条 业主大会会议表决……",
                                                  "silent_follow_majority": False}

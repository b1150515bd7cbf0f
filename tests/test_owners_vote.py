"""An owners' vote on the platform, as 老城街道办事处 runs the first assembly of 锦绣花园:
a register of fifteen units, owners voting online with the code from their paper
notice, paper ballots entered by two clerks (a mismatch resolved), representatives'
signed opinions, the close computing each matter from the register under art. 278;
then a vote that misses its quorum by one unit of area, a dismissal that passes where
a three-quarters matter of the same ballots fails, and codes guessed in vain.

The estate's register (15 units, 1,500 m², 12 owners by art. 9):
    A-J   one delivered unit of 100 m² each (ten owners)
    K     three delivered units of 100 m² (one owner: a buyer of several units)
    dev   two unsold units of 100 m² (one owner: the developer)
Quorum: 1,000 m² and 8 owners (two thirds, 以上 inclusive).
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine import ballots, evidence
from engine.audit import verify_all
from engine.ballots import Ballot, Throttled
from engine.errors import GuardRefused, NotPermitted
from engine.files import FileIn
from engine.owners_register import RegisterUnit, import_rows
from engine.runtime import advance, open_case
from tests.helpers import at, refused, snapshot  # noqa: F401
from workflows.owners_vote import count, effective

pytestmark = pytest.mark.usefixtures("issued")

D = date
PROC = "owners_vote"
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(n: int) -> str:
    body = f"4115021980{n:07d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


OWNERS = "ABCDEFGHIJ"
HEADER = ["楼栋", "单元", "房号", "专有部分面积", "面积来源", "业主姓名", "证件号码", "交付状态"]


def register_rows():
    rows = [HEADER]
    for i, o in enumerate(OWNERS):
        rows.append(["1", "1", f"{101 + i}", "100", "登记簿", f"业主{o}", resident_id(i), "已交付"])
    for r in ("201", "202", "203"):
        rows.append(["2", "1", r, "100", "实测", "业主K", resident_id(50), "已交付"])
    rows += [["3", "1", "101", "100", "合同", "", "", "未售"], ["3", "1", "102", "100", "合同", "", "", "未售"]]
    return rows


def units_by_place(session):
    return {u.place: u for u in session.scalars(select(RegisterUnit))}


def tail(i: int) -> str:
    return resident_id(i)[-4:]


def open_vote(session, district, *, matters="1、2、3", organiser="first_assembly", user="street"):
    estate = district.estates["jinxiu"]
    res = import_rows(session, estate.id, register_rows(), district.actor("street"), now=at(D(2026, 3, 30)))
    assert res.ok, res.errors
    actor = district.actor(user)
    case = open_case(session, PROC, estate.id, actor, {
        "organiser": organiser, "title": "锦绣花园首次业主大会表决", "matters": matters,
        "starts_on": "2026-04-20", "ends_on": "2026-04-30",
        "documents": "业主大会议事规则（草案）、管理规约（草案）、业主委员会候选人名单"},
        now=at(D(2026, 4, 1)))
    advance(session, case.id, "announce", actor, {"posted_at": "各楼栋公告栏；投票码随通知送达各户"},
            now=at(D(2026, 4, 2)))
    codes = {u.place: c for u, c in ballots.issue_codes(session, case.id, actor, now=at(D(2026, 4, 2)))}
    advance(session, case.id, "open_ballot", actor, {}, now=at(D(2026, 4, 20)))
    return case, codes


def vote_online(session, codes, place, i, choices, day=D(2026, 4, 22)):
    voter = ballots.sign_in(session, codes[place], tail(i), "10.0.0.1", now=at(day))
    return ballots.cast(session, voter, choices, now=at(day))


def close(session, district, case, user="street"):
    return advance(session, case.id, "close_vote", district.actor(user), {}, now=at(D(2026, 5, 1)))


YES3 = {1: "yes", 2: "yes", 3: "yes"}


def test_first_assembly_elects_its_committee_from_ballots(session, district, tmp_path):
    case, codes = open_vote(session, district)
    # No developer's unit gets a code: the developer votes on paper.
    assert "3-1-101" not in codes and len(codes) == 13

    # Online: A-E in favour, F against the election; E changes her mind before the close.
    for i, o in enumerate("ABCDE"):
        assert vote_online(session, codes, f"1-1-{101 + i}", i, YES3)
    vote_online(session, codes, "1-1-106", 5, {1: "yes", 2: "yes", 3: "no"})
    vote_online(session, codes, "1-1-105", 4, {3: "abstain"})
    # A double submit is one ballot: nothing is written, no new receipt.
    assert vote_online(session, codes, "1-1-101", 0, YES3) is None
    # K, a buyer of three units, votes through one of them: one owner, 300 m².
    receipt_k = vote_online(session, codes, "2-1-202", 50, YES3)

    # Paper: G's sheet entered by two clerks who disagree, then resolved by a re-entry.
    units = units_by_place(session)
    g = units["1-1-107"].id
    st, cm = district.actor("street"), district.actor("community")
    now = at(D(2026, 4, 25))
    assert ballots.enter_paper(session, case.id, st, g, YES3, sheet_no="P-7", now=now)["status"] == "waiting"
    assert ballots.enter_paper(session, case.id, cm, g, {1: "yes", 2: "no", 3: "yes"}, sheet_no="P-7",
                               now=now)["status"] == "mismatch"
    assert [m["place"] for m in ballots.mismatches(session, case.id)] == ["1-1-107"]
    assert ballots.enter_paper(session, case.id, cm, g, YES3, sheet_no="P-7", now=now)["status"] == "agreed"
    assert ballots.mismatches(session, case.id) == []
    # G's signed paper ballot prevails: an online change for those matters is refused.
    with pytest.raises(GuardRefused):
        vote_online(session, codes, "1-1-107", 6, {3: "no"})

    # Representatives (山东 art. 27): H and I's signed opinions with the scan.
    scan = FileIn("签字意见.pdf", "application/pdf", b"%PDF-1.4 signed opinions")
    ballots.enter_representative(session, case.id, st, "周代表",
                                 {units["1-1-108"].id: YES3, units["1-1-109"].id: {1: "yes", 2: "yes", 3: "no"}},
                                 scan, now=now)

    # Closing before the period is over is refused; after it, each matter is counted.
    refused(session, GuardRefused, advance, case.id, "close_vote", st, {}, now=at(D(2026, 4, 30)))
    closed = close(session, district, case)
    data = closed.data
    # A-I and K voted: 10 owners of 12, 1,200 m² of 1,500.
    assert data["turnout"]["voted_owners"] == 10 and data["turnout"]["voted_area"] == "1200.00"
    election = data["results"]["3"]
    # In favour: A-D, G, H (100 m² each) and K (300 m²) = 7 owners, 900 m² (E abstained, F and I against).
    assert (election["yes_owners"], election["yes_area"]) == (7, "900.00")
    assert election["passed"] and data["passed_matters"] == [1, 2, 3]
    assert "业主名册" in election["totals_from"]
    assert not data["accepting_ballots"]
    # Ballots after the close are refused.
    with pytest.raises(GuardRefused):
        vote_online(session, codes, "1-1-110", 9, YES3, day=D(2026, 5, 1))

    # K checks the receipt: the ballot is there as cast and counted.
    mine = ballots.by_receipt(session, receipt_k)
    assert [(b.matter, b.choice) for b in mine] == [(1, "yes"), (2, "yes"), (3, "yes")]
    eff = effective(_rows(session), ballots.plain_ballots(session, case.id))
    counted = {b["id"] for per in eff.values() for b in per.values()}
    assert all(b.id in counted for b in mine)

    # Ballots, paper entries and register are in the evidence log and match it.
    assert session.scalar(select(func.count()).select_from(evidence.LogEntry).where(
        evidence.LogEntry.kind == "ballot")) >= session.scalar(select(func.count()).select_from(Ballot))
    report = verify_all(session)
    assert not [p for p in report.problems if "ballot" in p or "register" in p or "paper" in p], report.problems

    # The first assembly takes the closed vote as its result.
    from tests.test_owners_assembly import walk_to_meeting
    assembly = walk_to_meeting(session, district)
    done = advance(session, assembly.id, "take_vote_result", district.actor("street"),
                   {"vote_id": case.id, "committee_members": "郑某、钱某、孙某、李某、周某"},
                   now=at(D(2026, 5, 9)))
    assert done.state == "committee_elected"
    assert done.data["votes"]["election"]["vote_id"] == case.id


def _rows(session):
    from engine.owners_register import plain_units
    return plain_units(session, session.scalars(select(RegisterUnit.estate_id)).first())


def test_a_vote_one_unit_of_area_short_of_the_quorum_fails_and_one_more_passes(session, district):
    case, codes = open_vote(session, district, matters="3")
    # A-I vote (9 of 12 owners: the head count is met) but hold 900 m² of 1,500: 60 %.
    for i, o in enumerate("ABCDEFGHI"):
        vote_online(session, codes, f"1-1-{101 + i}", i, {1: "yes"})
    c = count(case.data["matters"], _rows(session), ballots.plain_ballots(session, case.id))
    assert not c.results[1].quorum_met and c.turnout.voted_owners == 9
    # One more unit (J, 100 m²) brings the area to exactly two thirds: 以上 includes it.
    vote_online(session, codes, "1-1-110", 9, {1: "yes"})
    closed = close(session, district, case)
    r = closed.data["results"]["1"]
    assert r["quorum_met"] and r["ratios"]["area_turnout"] == "2/3" and r["passed"]


def test_short_of_quorum_the_close_records_the_failure(session, district):
    case, codes = open_vote(session, district, matters="3")
    for i, o in enumerate("ABCDEFGHI"):
        vote_online(session, codes, f"1-1-{101 + i}", i, {1: "yes"})
    closed = close(session, district, case)
    r = closed.data["results"]["1"]
    assert not r["passed"] and not r["quorum_met"] and closed.data["passed_matters"] == []
    assert "未达到三分之二" in " ".join(r["reasons"])


def test_a_dismissal_passes_by_more_than_half_where_a_three_quarters_matter_fails(session, district):
    case, codes = open_vote(session, district, matters="4、8", organiser="committee", user="committee")
    # 12 owners: A-H and K in favour (9), I and J against, the developer on paper against.
    for i, o in enumerate("ABCDEFGH"):
        vote_online(session, codes, f"1-1-{101 + i}", i, {1: "yes", 2: "yes"})
    vote_online(session, codes, "2-1-201", 50, {1: "yes", 2: "yes"})
    for i, o in ((8, "I"), (9, "J")):
        vote_online(session, codes, f"1-1-{101 + i}", i, {1: "no", 2: "no"})
    dev = units_by_place(session)["3-1-101"].id
    for clerk in ("street", "community"):
        ballots.enter_paper(session, case.id, district.actor(clerk), dev, {1: "no", 2: "no"},
                            now=at(D(2026, 4, 25)))
    closed = close(session, district, case, user="committee")
    dismissal, common = closed.data["results"]["1"], closed.data["results"]["2"]
    # 9 of 12 owners and 1,100 of 1,500 m² in favour: 75 % of owners, 73.33 % of area.
    assert dismissal["passed"]                   # item 4: more than half
    assert not common["passed"]                  # item 8: three quarters of the area too
    assert common["percentages"]["area_support"] == "73.33%"

    # The committee starts the enterprise's exit on the closed vote.
    from tests.test_enterprise_exit import dismissal_from_vote
    exit_case = dismissal_from_vote(session, district, case.id)
    assert exit_case.data["vote"]["vote_id"] == case.id and exit_case.data["vote"]["passed"]


def test_only_the_convener_runs_the_vote(session, district):
    estate = district.estates["jinxiu"]
    import_rows(session, estate.id, register_rows(), district.actor("street"))
    refused(session, GuardRefused, open_case, PROC, estate.id, district.actor("committee"), {
        "organiser": "first_assembly", "title": "表决", "matters": "3", "starts_on": "2026-04-20",
        "ends_on": "2026-04-30", "documents": "候选人名单"}, now=at(D(2026, 4, 1)))


def test_a_late_notice_is_refused_citing_the_15_days(session, district):
    estate = district.estates["jinxiu"]
    case = open_case(session, PROC, estate.id, district.actor("street"), {
        "organiser": "first_assembly", "title": "表决", "matters": "3", "starts_on": "2026-04-20",
        "ends_on": "2026-04-30", "documents": "候选人名单"}, now=at(D(2026, 4, 1)))
    with pytest.raises(GuardRefused) as exc:
        advance(session, case.id, "announce", district.actor("street"), {"posted_at": "公告栏"},
                now=at(D(2026, 4, 10)))
    assert "物业管理条例》第十四条第一款" in str(exc.value.message)


def test_guessing_voting_codes_is_throttled(session, district):
    case, codes = open_vote(session, district, matters="3")
    now = at(D(2026, 4, 22))
    # A wrong ID tail for a real code: after the unit's free attempts, the next must wait…
    for _ in range(ballots.UNIT.free + 1):
        with pytest.raises(NotPermitted):
            ballots.sign_in(session, codes["1-1-101"], "0000", "10.0.0.9", now=now)
    with pytest.raises(Throttled):
        ballots.sign_in(session, codes["1-1-101"], "0000", "10.0.0.9", now=now)
    # …and then even the right digits wait (the guesser cannot tell).
    with pytest.raises(Throttled):
        ballots.sign_in(session, codes["1-1-101"], tail(0), "10.0.0.9", now=now)
    # Random codes from one address: slowed down within the address's free attempts.
    tries = 0
    with pytest.raises(Throttled):
        for tries in range(1, 100):
            with pytest.raises(NotPermitted):
                ballots.sign_in(session, f"ZZZZZZZZ{tries:02d}", "1234", "10.0.0.9", now=now)
    assert tries <= ballots.ADDRESS.free + 1
    # Another unit and another address are not slowed down by that guesser.
    assert ballots.sign_in(session, codes["1-1-102"], tail(1), "10.0.0.2", now=now).unit_id


def test_a_paper_only_assembly_types_its_totals_and_says_so(session, district):
    """Typed totals remain possible; they are measured against the register's totals."""
    from tests.test_owners_assembly import GOOD, walk_to_meeting
    estate = district.estates["jinxiu"]
    import_rows(session, estate.id, register_rows(), district.actor("street"))
    case = walk_to_meeting(session, district)
    # The register has 1,500 m²: the typed 60,000 m² of the estate's old totals are impossible.
    refused(session, GuardRefused, advance, case.id, "record_vote", district.actor("street"),
            {**GOOD, "committee_members": "郑某"}, now=at(D(2026, 5, 9)))
    from tests.helpers import figures
    typed = {**figures("rules", "1200", 10, "800", 7), **figures("covenant", "1200", 10, "800", 7),
             **figures("election", "1200", 10, "800", 7), "committee_members": "郑某"}
    done = advance(session, case.id, "record_vote", district.actor("street"), typed, now=at(D(2026, 5, 9)))
    rec = done.data["votes"]["election"]
    assert "纸质表决统计数" in rec["entered"] and "业主名册" in rec["totals_from"]
    assert rec["total_area"] == "1500.00" and rec["total_owners"] == 12


def test_a_reelection_takes_a_failed_platform_vote_as_failed_and_nothing_else(session, district, issued):
    case, codes = open_vote(session, district, matters="3", organiser="committee", user="committee")
    for i, o in enumerate("ABCDEFGHI"):          # 900 m² of 1,500: no quorum
        vote_online(session, codes, f"1-1-{101 + i}", i, {1: "yes"})
    # Not counted yet: no procedure may take it.
    from tests.test_committee_reelection import MEETING, NOTICE, opened
    re = opened(session, district)
    committee = district.actor("committee")
    advance(session, re.id, "schedule_meeting", committee, MEETING, now=at(D(2026, 6, 10)))
    advance(session, re.id, "publish_notice", committee, NOTICE, now=at(D(2026, 6, 10)))
    advance(session, re.id, "hold_meeting", committee, {}, now=at(D(2026, 7, 18)))
    err = refused(session, GuardRefused, advance, re.id, "take_failed_vote_result", committee,
                  {"vote_id": case.id}, now=at(D(2026, 7, 18)))
    assert "尚未截止计票" in err.message
    closed = close(session, district, case, user="committee")
    # The stamped result notice is issued with the closing step.
    assert ("announce", "owners_vote_notice") in issued and ("close_vote", "owners_vote_result") in issued
    err = refused(session, GuardRefused, advance, re.id, "take_vote_result", committee,
                  {"vote_id": closed.id, "committee_members": "郑某"}, now=at(D(2026, 7, 18)))
    assert "表决未通过的事项" in err.message
    # A vote that does not exist is refused by name.
    err = refused(session, GuardRefused, advance, re.id, "take_vote_result", committee,
                  {"vote_id": 999999, "committee_members": "郑某"}, now=at(D(2026, 7, 18)))
    assert "不存在" in err.message
    failed = advance(session, re.id, "take_failed_vote_result", committee, {"vote_id": closed.id},
                     now=at(D(2026, 7, 18)))
    assert failed.state == "vote_failed" and not failed.data["votes"]["election"]["quorum_met"]

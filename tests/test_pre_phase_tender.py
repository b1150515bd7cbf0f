"""前期物业管理招标投标, as the developer and the district housing bureau run it
(docs/procedures.md §4): a tender for 滨河湾小区 (河南省), whose winner becomes the party of
the pre-phase contract's filing.

Every refusal must say why in words, with the figures, and leave nothing written.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.errors import GuardRefused, InvalidTransition, NotPermitted, PayloadInvalid
from engine.links import children, parent
from engine.models import Case, Deadline, Event
from engine.runtime import advance, available_actions
from engine.scan import scan
from tests import helpers
from tests.helpers import at, register_tender, tender_contract
from workflows import REGISTRY

D = date


# -- the process, step by step -------------------------------------------------------


def step(session, case, trigger, who, payload, on):
    return advance(session, case.id, trigger, who, payload, now=at(on))


def announcement(announced=D(2026, 8, 24), issued=None, deadline=D(2026, 9, 14),
                 method="public", **over):
    data = {"method": method, "announced_on": announced.isoformat(),
            "documents_issued_on": (issued or announced).isoformat(),
            "bid_deadline": deadline.isoformat()}
    data.update(over)
    return data


def committee(size, experts, on=D(2026, 9, 15)):
    return {"evaluated_on": on.isoformat(), "committee_size": size, "expert_count": experts,
            "candidates": "第一名 信阳安居物业服务有限公司；第二名 信阳宜家物业管理有限公司"}



def to_filed(session, district):
    dev, bureau = district.actor("developer"), district.actor("bureau")
    case = register_tender(session, district)
    step(session, case, "submit_tender", dev,
         {"materials": "项目批准文件、招标公告、招标文件"}, D(2026, 8, 10))
    return step(session, case, "file_tender", bureau, {"remark": "材料齐全，予以备案"}, D(2026, 8, 12))


def to_bidding(session, district):
    case = to_filed(session, district)
    return step(session, case, "announce", district.actor("developer"), announcement(), D(2026, 8, 24))


def to_evaluated(session, district):
    dev = district.actor("developer")
    case = to_bidding(session, district)
    step(session, case, "open_bids", dev, {"opened_on": "2026-09-14", "bids_received": 4}, D(2026, 9, 14))
    return step(session, case, "evaluate", dev, committee(7, 5), D(2026, 9, 15))


def to_awarded(session, district):
    case = to_evaluated(session, district)
    return step(session, case, "award", district.actor("developer"),
                {"winner_id": district.orgs["enterprise"].id, "awarded_on": "2026-09-16",
                 "award_notice_on": "2026-09-16"}, D(2026, 9, 16))


def deadline(session, case, key) -> Deadline:
    session.expire_all()
    rows = session.scalars(select(Deadline).where(Deadline.case_id == case.id, Deadline.key == key)
                           .order_by(Deadline.id)).all()
    return rows[-1]



def refused(session, case, trigger, who, payload, on) -> str:
    """The guard's words for a step that must be refused (nothing written)."""
    return helpers.refused(session, GuardRefused, step, case, trigger, who, payload, on).message


# -- the happy path ------------------------------------------------------------------

def test_tender_from_filing_to_signing_opens_the_contract_filing_with_the_winner(session, district):
    dev, bureau = district.actor("developer"), district.actor("bureau")
    winner = district.orgs["enterprise"]
    estate = district.estates["binhe"]
    assert estate.enterprise_id != winner.id      # the party must come from the award

    # The developer registers the tender, planning to announce it on Monday 24 August:
    # the filing is due 10 days before, on Friday 14 August.
    case = register_tender(session, district)
    assert case.state == "preparing"
    dl = deadline(session, case, "tender_filing")
    assert (dl.direction, dl.due_date, dl.status) == ("before", D(2026, 8, 14), "open")
    assert "暂行办法" in dl.citation and "（待核实）" in dl.citation

    # Filed on 10 August, in time; the bureau files it and issues the receipt.
    case = step(session, case, "submit_tender", dev, {"materials": "项目批准文件、招标公告、招标文件"},
                D(2026, 8, 10))
    assert case.state == "tender_submitted" and case.data["tender_submitted_on"] == "2026-08-10"
    dl = deadline(session, case, "tender_filing")
    assert dl.status == "met" and not dl.late
    case = step(session, case, "file_tender", bureau, {"remark": "予以备案"}, D(2026, 8, 12))
    assert case.state == "tender_filed"

    # Announced on the 24th with a 21-day bid period; a clarification 17 days ahead.
    case = step(session, case, "announce", dev, announcement(), D(2026, 8, 24))
    assert case.state == "bidding"
    case = step(session, case, "clarify", dev,
                {"clarified_on": "2026-08-28", "content": "补充物业服务用房位置图"}, D(2026, 8, 28))
    assert case.state == "bidding" and len(case.data["clarifications"]) == 1

    # Four bids; a committee of seven with five outside experts; the award.
    case = step(session, case, "open_bids", dev, {"opened_on": "2026-09-14", "bids_received": 4},
                D(2026, 9, 14))
    assert case.state == "bids_opened"
    case = step(session, case, "evaluate", dev, committee(7, 5), D(2026, 9, 15))
    assert case.state == "evaluated"
    case = step(session, case, "award", dev,
                {"winner_name": "信阳安居物业服务有限公司", "awarded_on": "2026-09-16",
                 "award_notice_on": "2026-09-16"}, D(2026, 9, 16))
    assert case.state == "awarded"
    assert (case.data["winner_id"], case.data["winner_name"]) == (winner.id, "信阳安居物业服务有限公司")

    # Award filing: 15 days from 16 Sept is 1 Oct, in the National Day holiday, so the
    # period ends on 8 Oct (民法典 art. 203). Contract: 30 days from the notice, 16 Oct.
    af, cs = deadline(session, case, "award_filing"), deadline(session, case, "contract_signing")
    assert (af.due_date, af.status) == (D(2026, 10, 8), "open") and "第四十七条" in af.citation
    assert (cs.due_date, cs.status) == (D(2026, 10, 16), "open") and "第四十六条" in cs.citation

    case = step(session, case, "submit_award", dev, {"report": "招标投标情况书面报告及评标报告"},
                D(2026, 9, 25))
    assert case.state == "award_submitted" and deadline(session, case, "award_filing").status == "met"
    case = step(session, case, "file_award", bureau, {}, D(2026, 9, 28))
    assert case.state == "ready_to_sign"

    # Signing the pre-phase contract ends the tender and opens its filing.
    case = step(session, case, "sign_contract", dev, tender_contract(), D(2026, 9, 30))
    assert case.state == "contract_signed"
    cs = deadline(session, case, "contract_signing")
    assert cs.status == "met" and not cs.late

    [filing] = children(session, case)
    assert filing.procedure == "contract_filing" and filing.state == "registered"
    assert filing.parent_case_id == case.id and parent(session, filing).id == case.id
    assert filing.enterprise_id == winner.id and filing.estate_id == estate.id
    assert filing.data["contract_kind"] == "pre_phase"
    assert filing.data["client"] == "信阳城投置业有限公司"
    assert filing.data["signed_on"] == "2026-09-29" and filing.data["fee"] == "1.60"
    # 河南 art. 49: 15 days from signing on 29 Sept → 14 Oct; running.
    fd = deadline(session, filing, "filing")
    assert (fd.due_date, fd.status, fd.rulepack) == (D(2026, 10, 14), "open", "henan")

    # The winner, not the estate's current enterprise, files it; the bureau accepts.
    with pytest.raises(NotPermitted):
        advance(session, filing.id, "submit", district.actor("enterprise2"), {}, now=at(D(2026, 10, 9)))
    filing = advance(session, filing.id, "submit", district.actor("enterprise"), {"note": "合同正本"},
                     now=at(D(2026, 10, 9)))
    filing = advance(session, filing.id, "accept", bureau, {}, now=at(D(2026, 10, 10)))
    assert filing.state == "filed"

    trail = session.scalars(select(Event.trigger).where(Event.case_id == case.id)
                            .order_by(Event.seq)).all()
    assert trail == ["open", "submit_tender", "file_tender", "announce", "clarify", "open_bids",
                     "evaluate", "award", "submit_award", "file_award", "sign_contract"]


def test_the_steps_name_their_roles_documents_and_articles():
    defn = REGISTRY["pre_phase_tender"]
    t = defn.transition
    assert t("file_tender").issues == ("tender_filing_receipt",)
    assert t("file_award").issues == ("award_filing_receipt",)
    assert t("file_tender").roles == t("file_award").roles == t("approve_agreement").roles \
        == ("housing_bureau",)
    for trig in ("submit_tender", "announce", "open_bids", "evaluate", "award", "sign_contract"):
        assert t(trig).roles == ("developer",)
    for d in defn.deadlines:
        cite = d.period_for("henan").citation
        assert "第" in cite and "条" in cite
    assert "（待核实）" in defn.deadline("tender_filing").period_for("national").citation
    assert [lk.procedure for lk in t("sign_contract").opens] == ["contract_filing"]


def test_only_the_bureau_files_and_only_the_developer_tenders(session, district):
    case = register_tender(session, district)
    with pytest.raises(NotPermitted, match="建设单位"):
        step(session, case, "submit_tender", district.actor("bureau"), {"materials": "x"}, D(2026, 8, 5))
    step(session, case, "submit_tender", district.actor("developer"), {"materials": "x"}, D(2026, 8, 5))
    with pytest.raises(NotPermitted, match="区住房和城乡建设局"):
        step(session, case, "file_tender", district.actor("developer"), {}, D(2026, 8, 6))
    actions = {a.trigger: a for a in available_actions(session, case, district.actor("bureau"),
                                                       now=at(D(2026, 8, 6)))}
    assert actions["file_tender"].allowed and actions["return_tender"].allowed


# -- guards: each refusal with its reason ---------------------------------------------

def test_bid_period_shorter_than_20_days_is_refused(session, district):
    case = to_filed(session, district)
    dev = district.actor("developer")
    why = refused(session, case, "announce", dev,
                  announcement(deadline=D(2026, 9, 12)), D(2026, 8, 24))
    assert "仅 19 日" in why and "第二十四条" in why and "最短 20 日" in why
    # Exactly 20 days is enough ("最短不得少于二十日").
    case = step(session, case, "announce", dev, announcement(deadline=D(2026, 9, 13)), D(2026, 8, 24))
    assert case.state == "bidding"


def test_invitation_to_fewer_than_three_firms_is_refused(session, district):
    case = to_filed(session, district)
    dev = district.actor("developer")
    why = refused(session, case, "announce", dev,
                  announcement(method="invite", invited_count=2), D(2026, 8, 24))
    assert "仅向 2 家企业" in why and "第十七条" in why
    case = step(session, case, "announce", dev, announcement(method="invite", invited_count=3),
                D(2026, 8, 24))
    assert case.state == "bidding"


def test_announcing_less_than_10_days_after_filing_is_refused(session, district):
    case = to_filed(session, district)            # filed on Monday 10 August
    why = refused(session, case, "announce", district.actor("developer"),
                  announcement(announced=D(2026, 8, 19), deadline=D(2026, 9, 10)), D(2026, 8, 19))
    # 10 days before 19 Aug is Sunday 9 Aug, so the latest filing day was Friday 7 Aug.
    assert "不足 10 日" in why and "2026-08-07" in why and "待核实" in why


def test_clarification_less_than_15_days_before_the_deadline_is_refused(session, district):
    case = to_bidding(session, district)          # bid deadline 14 September
    dev = district.actor("developer")
    why = refused(session, case, "clarify", dev,
                  {"clarified_on": "2026-09-01", "content": "修改评分标准"}, D(2026, 9, 1))
    assert "仅 13 日" in why and "第二十三条规定的 15 日" in why and "顺延" in why
    # Moving the bid deadline to 16 September makes the same clarification lawful.
    case = step(session, case, "clarify", dev,
                {"clarified_on": "2026-09-01", "content": "修改评分标准",
                 "new_bid_deadline": "2026-09-16"}, D(2026, 9, 1))
    assert case.data["bid_deadline"] == "2026-09-16"
    why = refused(session, case, "open_bids", dev, {"opened_on": "2026-09-14", "bids_received": 5},
                  D(2026, 9, 14))
    assert "早于投标截止日 2026-09-16" in why


@pytest.mark.parametrize("size, experts, expected", [
    (4, 4, "评标委员会仅 4 人，少于五人"),
    (6, 4, "评标委员会 6 人，不是单数"),
    (7, 4, "专家 4 人，占成员总数 7 人的 57.14%，不足三分之二"),
    (5, 3, "专家 3 人，占成员总数 5 人的 60.00%，不足三分之二"),
])
def test_unlawful_evaluation_committee_is_refused(session, district, size, experts, expected):
    dev = district.actor("developer")
    case = to_bidding(session, district)
    case = step(session, case, "open_bids", dev, {"opened_on": "2026-09-14", "bids_received": 3},
                D(2026, 9, 14))
    why = refused(session, case, "evaluate", dev, committee(size, experts), D(2026, 9, 15))
    assert expected in why and "第三十七条" in why


def test_committee_with_exactly_two_thirds_experts_is_lawful(session, district):
    dev = district.actor("developer")
    case = to_bidding(session, district)
    step(session, case, "open_bids", dev, {"opened_on": "2026-09-14", "bids_received": 3}, D(2026, 9, 14))
    case = step(session, case, "evaluate", dev, committee(9, 6), D(2026, 9, 15))   # 6/9 = 2/3
    assert case.state == "evaluated"


def test_fewer_than_three_bids_needs_the_bureaus_approval_of_the_agreement_path(session, district):
    dev, bureau = district.actor("developer"), district.actor("bureau")
    case = to_bidding(session, district)
    bids = {"opened_on": "2026-09-14", "bids_received": 2}
    why = refused(session, case, "open_bids", dev, bids, D(2026, 9, 14))
    assert "仅收到 2 份投标文件" in why and "第二十八条" in why and "协议方式" in why
    case = step(session, case, "declare_undersubscribed", dev, bids, D(2026, 9, 14))
    assert case.state == "undersubscribed"
    # No winner can be chosen by agreement before the bureau approves it.
    with pytest.raises(InvalidTransition, match="协议选聘已批准"):
        step(session, case, "select_by_agreement", dev,
             {"winner_id": district.orgs["enterprise"].id, "selected_on": "2026-09-15"}, D(2026, 9, 15))
    case = step(session, case, "apply_agreement", dev,
                {"grounds": "few_bidders", "explanation": "仅两家企业投标"}, D(2026, 9, 15))
    with pytest.raises(NotPermitted):
        step(session, case, "approve_agreement", dev, {"approval_no": "浉住建〔2026〕18号"}, D(2026, 9, 16))
    case = step(session, case, "approve_agreement", bureau, {"approval_no": "浉住建〔2026〕18号"},
                D(2026, 9, 18))
    case = step(session, case, "select_by_agreement", dev,
                {"winner_id": district.orgs["enterprise"].id, "selected_on": "2026-09-21"}, D(2026, 9, 21))
    assert case.state == "ready_to_sign"
    why = refused(session, case, "sign_contract", dev, tender_contract(signed=D(2026, 9, 20)), D(2026, 9, 22))
    assert "早于" in why
    case = step(session, case, "sign_contract", dev, tender_contract(signed=D(2026, 9, 22)), D(2026, 9, 22))
    [filing] = children(session, case)
    assert filing.enterprise_id == district.orgs["enterprise"].id


def test_three_bids_are_not_an_undersubscribed_tender(session, district):
    case = to_bidding(session, district)
    why = refused(session, case, "declare_undersubscribed", district.actor("developer"),
                  {"opened_on": "2026-09-14", "bids_received": 3}, D(2026, 9, 14))
    assert "已收到 3 份投标文件" in why


def test_few_bidders_is_no_ground_before_the_bids_are_opened(session, district):
    dev = district.actor("developer")
    case = register_tender(session, district)
    why = refused(session, case, "apply_agreement", dev,
                  {"grounds": "few_bidders", "explanation": "预计投标人不足"}, D(2026, 8, 4))
    assert "尚未开标" in why
    # A small estate may ask for the agreement path straight away; the filing duty ends.
    case = step(session, case, "apply_agreement", dev,
                {"grounds": "small_scale", "explanation": "住宅规模较小"}, D(2026, 8, 4))
    assert case.state == "agreement_requested"
    assert deadline(session, case, "tender_filing").status == "cancelled"


@pytest.mark.parametrize("winner, expected", [
    ({"winner_name": "信阳城投置业有限公司"}, "「信阳城投置业有限公司」不是已登记的物业服务企业"),  # the developer
    ({"winner_name": "某某物业公司"}, "「某某物业公司」不是已登记的物业服务企业"),
    ({"winner_id": 99999}, "机构编号 99999 不是已登记的物业服务企业"),
])
def test_the_winner_must_be_a_registered_enterprise(session, district, winner, expected):
    case = to_evaluated(session, district)
    why = refused(session, case, "award", district.actor("developer"),
                  {**winner, "awarded_on": "2026-09-16", "award_notice_on": "2026-09-16"},
                  D(2026, 9, 16))
    assert expected in why


def test_the_award_names_its_winner(session, district):
    case = to_evaluated(session, district)
    with pytest.raises(PayloadInvalid) as exc:
        step(session, case, "award", district.actor("developer"),
             {"awarded_on": "2026-09-16", "award_notice_on": "2026-09-15"}, D(2026, 9, 16))
    assert exc.value.errors["winner_name"] == ["请填写物业服务企业名称"]


def test_a_refused_agreement_sends_the_developer_back_to_tender(session, district):
    dev, bureau = district.actor("developer"), district.actor("bureau")
    case = register_tender(session, district)
    step(session, case, "apply_agreement", dev, {"grounds": "small_scale", "explanation": "规模小"},
         D(2026, 8, 4))
    case = step(session, case, "refuse_agreement", bureau, {"reason": "规模不属于较小"}, D(2026, 8, 6))
    assert case.state == "preparing"
    # A new announcement date starts the filing period again.
    case = step(session, case, "reschedule", dev,
                {"planned_announcement_on": "2026-09-07", "reason": "改为招标"}, D(2026, 8, 7))
    assert case.state == "preparing"
    dl = deadline(session, case, "tender_filing")
    assert (dl.status, dl.due_date) == ("open", D(2026, 8, 28))


# -- deadlines: started, met, missed --------------------------------------------------

def test_tender_filing_missed_then_filed_late_and_rescheduled(session, district):
    dev = district.actor("developer")
    case = register_tender(session, district)                   # due 14 August
    scan(session, at(D(2026, 8, 14), 23))
    assert deadline(session, case, "tender_filing").status == "open"   # runs to 24:00
    scan(session, at(D(2026, 8, 15), 9))
    assert deadline(session, case, "tender_filing").status == "missed"
    # The developer postpones the announcement: the period starts again from the new date.
    case = step(session, case, "reschedule", dev,
                {"planned_announcement_on": "2026-08-31", "reason": "公告推迟"}, D(2026, 8, 17))
    old, new = session.scalars(select(Deadline).where(Deadline.case_id == case.id)
                               .order_by(Deadline.id)).all()
    assert old.status == "superseded" and (new.status, new.due_date) == ("open", D(2026, 8, 21))
    case = step(session, case, "submit_tender", dev, {"materials": "招标文件"}, D(2026, 8, 20))
    assert deadline(session, case, "tender_filing").status == "met"


def test_award_filing_and_contract_signing_missed(session, district):
    case = to_awarded(session, district)
    scan(session, at(D(2026, 10, 8), 20))
    assert deadline(session, case, "award_filing").status == "open"
    scan(session, at(D(2026, 10, 9)))
    assert deadline(session, case, "award_filing").status == "missed"
    assert deadline(session, case, "contract_signing").status == "open"
    # Filed late: the period is met, marked late.
    case = step(session, case, "submit_award", district.actor("developer"), {"report": "书面报告"},
                D(2026, 10, 12))
    af = deadline(session, case, "award_filing")
    assert af.status == "met" and af.late
    scan(session, at(D(2026, 10, 17)))
    assert deadline(session, case, "contract_signing").status == "missed"


def test_linked_contract_filing_deadline_missed(session, district):
    dev = district.actor("developer")
    case = to_awarded(session, district)
    step(session, case, "submit_award", dev, {"report": "书面报告"}, D(2026, 9, 25))
    step(session, case, "file_award", district.actor("bureau"), {}, D(2026, 9, 28))
    case = step(session, case, "sign_contract", dev, tender_contract(), D(2026, 9, 30))
    [filing] = children(session, case)
    scan(session, at(D(2026, 10, 15)))
    assert deadline(session, filing, "filing").status == "missed"


# -- through the web pages, as the demo users would ----------------------------------

@pytest.fixture
def web_district(app, session):
    from web.demo import build_district
    return build_district(session)


def test_the_developer_and_the_bureau_run_the_tender_from_the_pages(client, web_district, session):
    from datetime import datetime, timedelta

    from engine.legaltime import TZ
    today = datetime.now(TZ).date()
    estate = web_district.estates["binhe"]
    client.post("/login", data={"username": "developer", "password": "demo12345"})
    r = client.get("/cases/new?procedure=pre_phase_tender")
    assert r.status_code == 200 and "拟发布招标公告" in r.get_data(as_text=True)
    r = client.post("/cases/new", data={
        "procedure": "pre_phase_tender", "estate_id": estate.id, "project_name": "滨河湾前期物业",
        "method": "public", "planned_announcement_on": (today + timedelta(days=30)).isoformat()})
    assert r.status_code == 302
    case_id = int(r.location.rstrip("/").split("/")[-1])
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "招标准备（待报送招标备案）" in page and "报送招标备案" in page and "（待核实）" in page
    r = client.post(f"/cases/{case_id}/actions/submit_tender", data={"materials": "招标文件"})
    assert r.status_code == 302
    client.post("/logout")
    client.post("/login", data={"username": "bureau", "password": "demo12345"})
    r = client.post(f"/cases/{case_id}/actions/file_tender", data={"remark": "予以备案"})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Case, case_id).state == "tender_filed"


def test_no_enterprise_sees_the_developers_tender(session, district):
    """Bidders must not see the tender case (招标投标法 art. 22), not even the estate's
    current provider."""
    from engine.access import may_see_case
    from workflows.pre_phase_tender import DEFINITION
    assert DEFINITION.opening.party == "none"
    estate = district.estates["binhe"]                # managed by enterprise2 today
    assert estate.enterprise_id == district.orgs["enterprise2"].id
    case = register_tender(session, district, estate="binhe")
    assert case.enterprise_id is None
    assert not may_see_case(district.actor("enterprise2"), case)
    assert may_see_case(district.actor("bureau"), case)

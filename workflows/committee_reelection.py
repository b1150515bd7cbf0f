"""业主委员会换届选举 — re-election of the owners' committee (docs/procedures.md §3).

Ahead of the end of its term the committee convenes the owners' assembly to elect the
next committee (Shandong: 90 days before the term ends, art. 33; Henan: before the term
ends, with a written report to the street office, art. 33; national: 3 months before,
unverified). The committee (or, once it has taken over, the street office) fixes the
meeting and notifies all owners 15 days ahead; the election is entered as figures and
checked by `workflows.rules.voting.tally` (民法典 art. 278 item 3). The outgoing committee hands
over archives, seals and the owners' property (Henan: within 10 days of the change,
art. 33 para. 2) and the change is filed within 30 days. When the committee does not
organise the election in time, the street office takes over and organises it.
"""
from __future__ import annotations

import dataclasses

from engine.bilingual import Bi, embed
from engine.definition import (AlertWindows, DeadlineSpec, DocumentSpec, Opening, Period,
                               Procedure, RegisterDuty, RegisterWrite, State, Transition, guard)
from engine.schema import Choice, Date, PayloadSchema, Text
from workflows.owners_vote import record_results, result_schema, results_failed_guard, results_passed_guard
from workflows.rules.voting import Ballot, passed_guard, record_tallies, some_failed_guard, vote_schema
from workflows.owners_assembly import (GUIDELINES, MEETING_FORMS, NOTICE_BASIS, NoticeGuards,
                                       committee_write, filing_authority_guard, stamp)

NOTICE = NoticeGuards(lambda: DEFINITION.deadline("meeting_notice"))


class OpenSchema(PayloadSchema):
    term_started_on = Date("本届业主委员会任期起", label_en="Current committee's term began")
    term_ends_on = Date("本届业主委员会任期届满之日", label_en="Current committee's term ends")
    report = Text("换届工作书面报告（报街道办事处）", multiline=True,
                  label_en="Written report on the re-election (to the street office)")


class TakeOverSchema(PayloadSchema):
    organise_by = Date("街道办事处组织召开换届会议的期限",
                       label_en="Street office to hold the re-election meeting by")
    reason = Text("由街道办事处组织换届的原因", multiline=True,
                  label_en="Why the street office organises the re-election")


class MeetingSchema(PayloadSchema):
    meeting_on = Date("换届业主大会会议召开日期", label_en="Day of the re-election meeting")
    place = Text("会议地点", max_length=200, label_en="Place")
    meeting_form = Choice("会议形式", MEETING_FORMS, label_en="Form of the meeting")


class NoticeSchema(PayloadSchema):
    contents = Text("公告内容（候选人名单、选举办法、表决方式）", multiline=True,
                    label_en="Notice (candidates, election rules, how to vote)")
    posted_at = Text("公告张贴位置", max_length=200, label_en="Where the notice is posted")


class HeldSchema(PayloadSchema):
    record = Text("会议记录摘要", required=False, multiline=True, label_en="Summary of the minutes")


BALLOTS = (Ballot("election", 3, "选举新一届业主委员会", label_en="election of the new committee"),)

VoteSchema = vote_schema("ReelectionVoteSchema", BALLOTS, extra={
    "committee_members": Text("新一届业主委员会成员名单", multiline=True,
                              label_en="Members of the new committee"),
})
FailedVoteSchema = vote_schema("ReelectionFailedVoteSchema", BALLOTS, extra={
    "remark": Text("情况说明", required=False, multiline=True, label_en="Remarks"),
})
ResultSchema = result_schema("ReelectionResultSchema", {
    "committee_members": Text("新一届业主委员会成员名单", multiline=True,
                              label_en="Members of the new committee")})
FailedResultSchema = result_schema("ReelectionFailedResultSchema", {
    "remark": Text("情况说明", required=False, multiline=True, label_en="Remarks")})


class HandoverSchema(PayloadSchema):
    items = Text("移交清单（档案资料、印章及其他属于全体业主所有的财物）", multiline=True,
                 label_en="What is handed over (archives, seals and other property of all owners)")
    received_by = Text("接收人（新一届业主委员会）", max_length=100,
                       label_en="Received by (the new committee)")


class SuperviseSchema(PayloadSchema):
    order = Text("督促移交事项", multiline=True, label_en="What must be handed over")


class FilingSchema(PayloadSchema):
    filing_materials = Text("备案（变更告知）材料（换届选举决议、新一届业主委员会成员名单及基本情况）",
                            multiline=True,
                            label_en="Filing documents (the election resolution, the new "
                                     "committee's members and particulars)")


class ReviewSchema(PayloadSchema):
    remark = Text("审查意见", required=False, multiline=True, label_en="Review opinion")


class CorrectionSchema(PayloadSchema):
    reasons = Text("补正事项及理由", multiline=True, label_en="What to correct, and why")


# -- guards ------------------------------------------------------------------------------

@guard("任期届满之日应晚于任期起始之日", uses_payload=True)
def term_in_order(ctx):
    start, end = ctx.date("term_started_on"), ctx.date("term_ends_on")
    if start and end and end <= start:
        return Bi(f"任期届满之日 {end.isoformat()} 应晚于任期起始之日 {start.isoformat()}",
                  f"the term's end {end.isoformat()} must be after its start {start.isoformat()}")
    if start and start > ctx.today:
        return Bi(f"任期起始之日 {start.isoformat()} 晚于今日，请核对",
                  f"the term's start {start.isoformat()} is after today; check it")
    return None


@guard("换届由业主委员会组织；街道办事处组织换届后由街道办事处办理")
def organiser_acts(ctx):
    by_street = ctx.case_data.get("organiser") == "street_office"
    role = ctx.actor.role
    if role == "system":
        return None
    if by_street and role != "street_office":
        return Bi("换届选举已由街道办事处组织，此步骤由街道办事处办理",
                  "the street office has taken over the re-election, so it takes this step")
    if not by_street and role != "committee":
        return Bi("换届选举由业主委员会组织；业主委员会逾期未组织的，街道办事处可先办理「街道办事处组织换届」",
                  "the owners' committee organises the re-election; when it is late, the street "
                  "office may first take the step “street office takes over”")
    return None


def _reelection_due(ctx):
    """Latest day for the committee to hold the re-election under the estate's pack."""
    ends = ctx.date("term_ends_on")
    found = DEFINITION.deadline("reelection").due(ctx.rulepack, ends) if ends else None
    if found is None:
        return None, None
    when, period = found
    return when.date, period


@guard("业主委员会逾期未组织换届选举的，街道办事处方可组织")
def committee_is_late(ctx):
    due, period = _reelection_due(ctx)
    if due is not None and ctx.today <= due:
        return Bi(f"业主委员会应于 {due.isoformat()} 前组织换届选举（{period.citation}），"
                  "期限届满前街道办事处尚不能接手组织",
                  f"the owners' committee has until {due.isoformat()} to organise the "
                  f"re-election ({embed(period.citation)}); the street office cannot take over "
                  "before")
    return None


@guard("组织期限不早于今日", uses_payload=True)
def organise_by_in_future(ctx):
    by = ctx.date("organise_by")
    if by and by < ctx.today:
        return Bi(f"组织期限 {by.isoformat()} 早于今日，请另定期限",
                  f"the date {by.isoformat()} is before today; set another")
    return None


@guard("原业主委员会已移交档案资料、印章及财物")
def handed_over(ctx):
    if not ctx.case_data.get("handed_over_on"):
        return Bi("原业主委员会尚未移交档案资料、印章及其他属于全体业主所有的财物"
                  "（《河南省物业管理条例》第三十三条第二款；《山东省物业管理条例》第三十三条第二款），请先办理移交",
                  "the outgoing committee has not handed over the archives, seals and other "
                  "property of all owners (Henan regulations art. 33 para. 2; Shandong "
                  "regulations art. 33 para. 2); record the hand-over first")
    return None


filing_authority = filing_authority_guard(("备案", "办理"))


# -- declaration -------------------------------------------------------------------------

STATES = (
    State("opened", "换届工作已启动", label_en="re-election opened"),
    State("street_organising", "街道办事处组织换届", label_en="street office organising"),
    State("meeting_scheduled", "换届会议已定期", label_en="meeting scheduled"),
    State("notice_published", "换届会议已公告", label_en="meeting notice published"),
    State("meeting_held", "换届会议已召开", label_en="meeting held"),
    State("vote_failed", "换届选举未通过", label_en="vote failed"),
    State("elected", "新一届业主委员会已选出", label_en="new committee elected"),
    State("filing_submitted", "已报送变更备案", label_en="filing submitted"),
    State("filed", "换届已备案", final=True, label_en="filed"),
)

DEADLINES = (
    DeadlineSpec(
        key="reelection", label="组织换届选举期限（任期届满前）",
        label_en="holding the re-election (before the term ends)",
        anchor="term_ends_on", direction="before", party="committee",
        rules={"national": Period(3, "month", f"{GUIDELINES}：业主委员会任期届满前3个月，应当组织召开业主大会会议进行换届选举（条文序号及内容待核实）"),
               "henan": Period(0, "day", "《河南省物业管理条例》第三十三条第一款：业主委员会任期届满前，应当组织召开业主大会会议，"
                                          "进行换届选举，并书面报告街道办事处、乡镇人民政府"),
               "shandong": Period(90, "day", "《山东省物业管理条例》第三十三条第一款：业主委员会任期届满九十日前，"
                                              "应当召开业主大会会议进行换届选举")},
        consequence="逾期未换届选举的，由街道办事处组织召开业主大会会议进行换届选举（河南省物业管理条例第三十三条第一款）",
        consequence_en=("if the re-election is late, the street office convenes the owners' "
                        "assembly to hold it (Henan regulations art. 33 para. 1)"),
        escalate_to=("street_office", "housing_bureau")),
    DeadlineSpec(
        key="street_election", label="街道办事处组织换届选举期限",
        label_en="re-election organised by the street office",
        anchor="organise_by", party="street_office",
        rules={"national": Period(0, "day", f"由街道办事处确定的期限（业主委员会逾期未组织换届的，由街道办事处组织；"
                                             f"{GUIDELINES}，条文序号及内容待核实）"),
               "henan": Period(0, "day", "《河南省物业管理条例》第三十三条第一款：逾期未换届选举的，街道办事处、乡镇人民政府"
                                          "应当组织召开业主大会会议进行换届选举（期限由街道办事处确定）"),
               "shandong": Period(0, "day", "《山东省物业管理条例》第二十八条第三款：业主委员会不履行召集义务的，经业主申请，"
                                             "由街道办事处、乡镇人民政府负责组织业主召开业主大会会议（期限由街道办事处确定）")},
        consequence="逾期未组织的，报区住房和城乡建设局督办",
        consequence_en="if it is late, the district housing bureau is asked to supervise",
        escalate_to=("housing_bureau",)),
    DeadlineSpec(
        key="meeting_notice", label="换届会议公告期限（会议召开十五日前）",
        label_en="notice of the re-election meeting (15 days before it)",
        anchor="meeting_on", direction="before", party="committee",
        rules={"national": Period(15, "day", f"{NOTICE_BASIS}：召开业主大会会议，应当于会议召开15日以前通知全体业主")},
        consequence="未按期公告的，会议不得如期召开，应另定会议日期",
        consequence_en=("without timely notice the meeting cannot be held as planned; set "
                        "another day"),
        escalate_to=("street_office",)),
    DeadlineSpec(
        key="handover", label="移交档案资料、印章及财物期限",
        label_en="hand-over of archives, seals and property",
        anchor="elected_on", party="committee",
        rules={"national": None,
               "henan": Period(10, "day", "《河南省物业管理条例》第三十三条第二款：业主委员会应当自换届之日起十日内，将其保管的档案资料、"
                                           "印章及其他属于全体业主所有的财物，移交给新一届业主委员会")},
        consequence="拒不移交的，街道办事处、乡镇人民政府应当督促移交；必要时，公安机关依法协助（河南省物业管理条例第三十三条第二款）",
        consequence_en=("on a refusal the street office or township government orders the "
                        "hand-over, with the police's help where needed (Henan regulations "
                        "art. 33 para. 2)"),
        escalate_to=("street_office",)),
    DeadlineSpec(
        key="change_filing", label="换届备案（变更告知）期限",
        label_en="filing of the change of committee",
        anchor="elected_on", party="committee",
        rules={"national": Period(30, "day", "《物业管理条例》第十六条第一款：业主委员会应当自选举产生之日起30日内，"
                                             "向物业所在地的区、县人民政府房地产行政主管部门和街道办事处、乡镇人民政府备案"),
               "henan": Period(30, "day", "《河南省物业管理条例》第二十九条第一款：业主委员会应当自选举产生之日起三十日内，"
                                           "向物业所在地街道办事处、乡镇人民政府备案"),
               "shandong": Period(30, "day", "《山东省物业管理条例》第三十一条第三款：业主大会议事规则、管理规约、业主委员会成员发生变更的，业主委员会应当"
                                              "自变更之日起三十日内书面告知物业主管部门和街道办事处、乡镇人民政府")},
        consequence="逾期未备案的，由街道办事处督促限期备案",
        consequence_en="if it is not filed in time, the street office orders filing within a time limit",
        escalate_to=("street_office", "housing_bureau")),
)

ORGANISERS = ("committee", "street_office")

TRANSITIONS = (
    Transition("take_over", "街道办事处组织换届", ("opened", "meeting_scheduled", "notice_published",
                                              "vote_failed"),
               "street_organising", ("street_office",), schema=TakeOverSchema,
               guards=(committee_is_late, organise_by_in_future),
               effect=stamp("taken_over_on", then=lambda ctx, data: data.update(organiser="street_office")),
               cancels=("meeting_notice",), starts=("street_election",),
               optional=True, one_way=True, label_en="street office takes over"),
    Transition("schedule_meeting", "确定换届会议时间、地点和形式",
               ("opened", "street_organising", "meeting_scheduled", "notice_published", "vote_failed"),
               "meeting_scheduled", ORGANISERS, schema=MeetingSchema,
               guards=(organiser_acts, NOTICE.leaves_time), effect=stamp(),
               starts=("meeting_notice",), label_en="schedule the meeting"),
    Transition("publish_notice", "公告换届会议并通知全体业主", ("meeting_scheduled",), "notice_published",
               ORGANISERS, schema=NoticeSchema, guards=(organiser_acts, NOTICE.still_in_time),
               effect=stamp("notice_published_on"), meets=("meeting_notice",),
               label_en="publish the meeting notice"),
    Transition("hold_meeting", "召开换届业主大会会议", ("notice_published",), "meeting_held",
               ORGANISERS, schema=HeldSchema, guards=(organiser_acts, NOTICE.published_before),
               effect=stamp("meeting_held_on"), label_en="hold the meeting"),
    Transition("record_vote", "录入换届选举结果（通过）", ("meeting_held",), "elected", ORGANISERS,
               schema=VoteSchema, guards=(organiser_acts,) + tuple(passed_guard(b) for b in BALLOTS),
               effect=stamp("elected_on", then=lambda ctx, data: record_tallies(ctx, data, BALLOTS)),
               meets=("reelection", "street_election"), starts=("handover", "change_filing"),
               registers=(committee_write("successor_committee_elected"),),
               label_en="enter the election (passed)"),
    Transition("record_failed_vote", "录入换届选举结果（未通过）", ("meeting_held",), "vote_failed",
               ORGANISERS, schema=FailedVoteSchema, guards=(organiser_acts, some_failed_guard(BALLOTS)),
               effect=stamp("vote_failed_on", then=lambda ctx, data: record_tallies(ctx, data, BALLOTS)),
               label_en="enter the election (failed)"),
    Transition("take_vote_result", "采用平台换届选举结果（通过）", ("meeting_held",), "elected", ORGANISERS,
               schema=ResultSchema, guards=(organiser_acts, results_passed_guard(BALLOTS)),
               effect=stamp("elected_on", then=lambda ctx, data: record_results(ctx, data, BALLOTS)),
               meets=("reelection", "street_election"), starts=("handover", "change_filing"),
               label_en="take the platform's counted election (passed)"),
    Transition("take_failed_vote_result", "采用平台换届选举结果（未通过）", ("meeting_held",), "vote_failed",
               ORGANISERS, schema=FailedResultSchema, guards=(organiser_acts, results_failed_guard(BALLOTS)),
               effect=stamp("vote_failed_on", then=lambda ctx, data: record_results(ctx, data, BALLOTS)),
               label_en="take the platform's counted election (failed)"),
    Transition("hand_over", "原业主委员会移交档案资料、印章及财物", ("elected", "filing_submitted"), None,
               ("committee",), schema=HandoverSchema, effect=stamp("handed_over_on"),
               meets=("handover",), label_en="hand over seals and archives"),
    Transition("urge_handover", "督促移交", ("elected", "filing_submitted"), None, ("street_office",),
               schema=SuperviseSchema, effect=stamp("handover_urged_on"),
               issues=("handover_order",), optional=True, label_en="order the hand-over"),
    Transition("submit_filing", "报送换届备案", ("elected",), "filing_submitted", ("committee",),
               schema=FilingSchema, effect=stamp("filing_submitted_on"), meets=("change_filing",),
               label_en="submit the change filing"),
    Transition("request_correction", "要求补正备案材料", ("filing_submitted",), "elected",
               ("street_office", "housing_bureau"), schema=CorrectionSchema, guards=(filing_authority,),
               effect=stamp("correction_requested_on"), issues=("correction_notice",),
               label_en="request a correction"),
    Transition("accept_filing", "予以备案，出具备案证明", ("filing_submitted",), "filed",
               ("street_office", "housing_bureau"), schema=ReviewSchema,
               guards=(filing_authority, handed_over), effect=stamp("filed_on"),
               registers=(RegisterWrite("committee_filed", fields={"filed_on": "filed_on"}),),
               issues=("committee_filing_certificate",), label_en="accept the filing"),
)

# A term ends on a known day months ahead: warn two weeks (ten working days) ahead.
ALERTS = AlertWindows(due_soon=10, escalate=(5, 15))

DOCUMENTS = (
    DocumentSpec("handover_order", "督促移交通知书", title_en="Order to hand over", addressee="committee",
                 basis={"national": f"{GUIDELINES}（待核实）",
                        "henan": "《河南省物业管理条例》第三十三条第二款：业主委员会应当自换届之日起十日内，"
                                 "将其保管的档案资料、印章及其他属于全体业主所有的财物，移交给新一届业主委员会。"
                                 "拒不移交的，街道办事处、乡镇人民政府应当督促移交",
                        "shandong": "《山东省物业管理条例》第三十三条第二款：业主委员会应当及时将业主委员会印章、档案资料"
                                    "以及属于全体业主的财物等移交给新一届业主委员会；不及时移交的，"
                                    "街道办事处、乡镇人民政府应当协调督促其移交"},
                 quotes=("handover",)),
    DocumentSpec("correction_notice", "补正通知书", title_en="Notice to correct", addressee="committee",
                 basis={"national": "《物业管理条例》第十六条"}, quotes=("change_filing",)),
    DocumentSpec("committee_filing_certificate", "业主委员会备案证明", title_en="Filing certificate of the owners' committee",
                 addressee="committee",
                 basis={"national": "《物业管理条例》第十六条"}, quotes=("change_filing",)),
)

DEFINITION = Procedure(
    name="committee_reelection",
    version=1,
    title="业主委员会换届选举",
    title_en="Re-election of the owners' committee",
    basis=("《民法典》第二百七十八条第一款第三项；《物业管理条例》第十四条、第十六条；"
           "《河南省物业管理条例》第二十九条、第三十三条；《山东省物业管理条例》第二十八条、第三十一条、第三十三条"),
    summary_en=("Before its term ends (in Shandong 90 days before) the owners' committee "
                "convenes the owners' assembly to elect the next committee and reports to the "
                "street office in writing; when it is late, the street office organises the "
                "election. Once the new committee is elected the outgoing one hands over the "
                "archives, seals and property (in Henan within 10 days), and the change is "
                "filed within 30 days."),
    summary=("业主委员会在任期届满前（山东九十日前）组织召开业主大会会议换届选举并书面报告街道办事处；"
             "逾期未换届的，由街道办事处组织。新一届选出后，原业主委员会移交档案资料、印章及财物（河南十日内），"
             "三十日内办理备案。"),
    alerts=ALERTS,
    documents=DOCUMENTS,
    states=STATES,
    initial="opened",
    opening=Opening(roles=("committee", "street_office"), label="启动换届选举（书面报告街道办事处）",
                    label_en="start the re-election (reporting to the street office)",
                    schema=OpenSchema, guards=(term_in_order,), starts=("reelection",),
                    effect=stamp("opened_on", then=lambda ctx, data: data.update(organiser="committee")),
                    party="none", exclusive=True),
    transitions=TRANSITIONS,
    deadlines=DEADLINES,
    # The register finds a committee whose term runs out, case or no case: alerted from
    # 90 days before the end until a re-election case runs for the estate.
    duties=(RegisterDuty("committee_term", "committee_term", told=("street_office",), notice_days=90,
                         deadline=dataclasses.replace(DEADLINES[0], key="committee_term",
                                                      anchor="term_end")),),
)

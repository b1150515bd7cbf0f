"""首次业主大会会议与业主委员会备案 — the first owners' assembly (docs/procedures.md §2).

The developer applies (or the street office records ten owners' joint application, or
reports on its own that the conditions are met); the street office forms the
preparatory group (筹备组) — its leader is the street office's representative, so the
group's steps are taken by the street office — publishes its members, fixes the
meeting and publishes the preparations 15 days before it; the meeting is held and the
vote entered as figures: for each matter (rules of procedure, covenant, committee
election) the participating and consenting area and owners, measured against the
estate's register (Estate.total_area, Estate.total_owners) by `workflows.rules.voting.tally`
(民法典 art. 278). The elected committee holds its first meeting within 7 days and files
within 30 days of its election; the filing authority issues the filing certificate.
When an assembly cannot be formed, the street office forms a property management
committee (物业管理委员会) instead (《浉河区物业管理实施细则》第四条, docs/sources.md).

Rule packs: Henan (河南省物业管理条例 arts. 18-21, 29), Shandong (山东省物业管理条例 arts.
21-22, 30-31), national (物业管理条例 arts. 14, 16; 业主大会和业主委员会指导规则, whose
text is not loaded: its periods are cited "（待核实）").
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from engine.bilingual import Bi, embed, join
from engine.definition import (AlertWindows, DeadlineSpec, DocumentSpec, Opening, Period, Procedure,
                               RegisterWrite, State, Transition, guard)
from engine.legaltime import latest_before
from engine.roles import role_label
from engine.schema import Choice, Count, Date, PayloadSchema, Text
from workflows.owners_vote import record_results, result_schema, results_failed_guard, results_passed_guard
from workflows.rules.voting import Ballot, passed_guard, record_tallies, some_failed_guard, vote_schema

# -- shared helpers (also used by committee_reelection) --------------------------------


def jsonable(v):
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def stamp(*date_keys: str, then=None):
    """Effect: merge the step's payload into the case's data and record the day the step
    was taken under each of `date_keys` (e.g. "group_formed_on")."""
    def effect(ctx, data):
        data.update({k: jsonable(v) for k, v in ctx.payload.items()})
        for key in date_keys:
            data[key] = ctx.today.isoformat()
        if then:
            then(ctx, data)
    return effect


def notice_due(meeting_on: date):
    """Latest day to publish the meeting's notice: 15 days before the meeting."""
    return latest_before(meeting_on, 15, "day").date


NOTICE_BASIS = "《物业管理条例》第十四条第一款"
NOTICE_BASIS_EN = "Property Management Regulations art. 14 para. 1"


class NoticeGuards:
    """The three checks of the 15-day meeting notice, citing the article that fixes it for
    the estate's rule pack: the one on the procedure's own `meeting_notice` declaration,
    which the deadline panel and the printed forms cite too. (The article is quoted in
    Chinese on both sides: it is the law's own wording.)"""

    def __init__(self, spec_of):
        # spec_of() -> the procedure's meeting_notice DeadlineSpec (declared further down)
        self._spec_of = spec_of
        self.leaves_time = guard("会议日期应使十五日的公告期仍可满足", uses_payload=True)(self._leaves_time)
        self.still_in_time = guard("会议公告应在会议召开十五日前发布")(self._still_in_time)
        self.published_before = guard("会议召开之日距公告发布之日不少于十五日")(self._published_before)

    def article(self, ctx) -> str:
        spec = self._spec_of()
        period = spec.period_for(ctx.rulepack) or spec.period_for("national")
        return period.article

    def _leaves_time(self, ctx):
        meeting_on = ctx.date("meeting_on")
        if meeting_on is None:
            return None
        due = notice_due(meeting_on)
        if due < ctx.today:
            art = self.article(ctx)
            return Bi(f"会议日期 {meeting_on.isoformat()} 距今不足十五日：会议公告最迟应于 {due.isoformat()} "
                      f"发布（{art}：会议召开十五日前公告），请另定会议日期",
                      f"the meeting on {meeting_on.isoformat()} is less than 15 days away: its notice "
                      f"had to be published by {due.isoformat()} ({embed(art)}: all owners are "
                      "told 15 days before the meeting); set another day")
        return None

    def _still_in_time(self, ctx):
        meeting_on = ctx.date("meeting_on")
        if meeting_on is None:
            return None
        due = notice_due(meeting_on)
        if ctx.today > due:
            art = self.article(ctx)
            return Bi(f"已不足会议召开前十五日：会议定于 {meeting_on.isoformat()} 召开，公告最迟应于 "
                      f"{due.isoformat()} 发布（{art}），请先改定会议日期",
                      f"less than 15 days are left: the meeting is set for {meeting_on.isoformat()} "
                      f"and its notice had to be published by {due.isoformat()} ({embed(art)}); "
                      "set another day first")
        return None

    def _published_before(self, ctx):
        published = ctx.date("notice_published_on")
        if published is None:
            return Bi("尚未发布会议公告", "the meeting notice has not been published")
        if published > notice_due(ctx.today):
            art = self.article(ctx)
            earliest = _earliest_meeting(published).isoformat()
            return Bi(f"会议公告于 {published.isoformat()} 发布，今日召开会议不满十五日的公告期"
                      f"（{art}），最早可于 {earliest} 召开",
                      f"the notice was published on {published.isoformat()}; meeting today would "
                      f"cut the 15-day notice ({embed(art)}); the earliest day is {earliest}")
        return None


NOTICE = NoticeGuards(lambda: DEFINITION.deadline("meeting_notice"))


def _earliest_meeting(published: date) -> date:
    d = published + timedelta(days=15)
    while notice_due(d) < published:
        d += timedelta(days=1)
    return d


# The longest term of an owners' committee, from which the register counts its end (and
# the re-election duty 90 days / "before" it).
COMMITTEE_TERM = {
    "national": Period(5, "year", "《物业管理条例》第十八条：业主大会议事规则应当就业主大会的议事方式、表决程序、"
                                  "业主委员会的组成和成员任期等事项作出约定（任期以议事规则为准，登记按五年计，待核实）"),
    "henan": Period(5, "year", "《河南省物业管理条例》第二十八条：业主委员会由主任、副主任及委员组成，每届任期不超过五年，"
                               "可以连选连任"),
    "shandong": Period(5, "year", "《山东省物业管理条例》第三十条：业主委员会成员应当由物业服务区域内的业主担任，"
                                  "每届任期不超过五年，可连选连任"),
}


def committee_write(what: str, members: str = "committee_members") -> RegisterWrite:
    """The register write of an elected committee: its members and its term from the
    election day."""
    return RegisterWrite(what, fields={"elected_on": "elected_on", "members": members},
                         term=COMMITTEE_TERM)


# -- payloads ----------------------------------------------------------------------------

APPLICANTS = {"developer": Bi("建设单位申请", "applied for by the developer"),
              "owners": Bi("业主联名申请", "joint application of owners"),
              "report": Bi("街道办事处确认成立条件已具备",
                           "the street office confirms the conditions are met")}
CONDITIONS = {
    "delivered_half": Bi("房屋出售并交付使用的建筑面积达到百分之五十以上",
                         "at least 50% of the floor area sold and delivered"),
    "moved_in_30": Bi("业主已入住户数的比例达到百分之三十以上",
                      "at least 30% of the households moved in"),
    "pre_phase_ending": Bi("前期物业服务合同依法解除或者期限届满前九十天",
                           "the pre-phase service contract is terminated or ends within 90 days"),
    "other": Bi("其他（见说明）", "other (see the note)"),
}
MEETING_FORMS = {"gathering": Bi("集体讨论", "meeting in person"),
                 "written": Bi("书面征求意见", "written consultation"),
                 "online": Bi("互联网方式表决", "voting online")}


class ApplicationSchema(PayloadSchema):
    applicant = Choice("申请方式", APPLICANTS, label_en="How it is applied for")
    applicant_name = Text("申请人（建设单位名称或联名业主代表）", max_length=200,
                          label_en="Applicant (the developer, or the owners' representative)")
    signatories = Count("联名业主人数（业主联名申请时填写）", required=False,
                        label_en="Owners who signed (for a joint application)")
    condition = Choice("已具备的成立条件", CONDITIONS, label_en="Condition met")
    conditions_met_on = Date("达到成立条件之日", label_en="Day the condition was met")
    applied_on = Date("申请（报告）之日", label_en="Day of the application (or report)")
    note = Text("说明", required=False, multiline=True, label_en="Note")


class DocumentsSchema(PayloadSchema):
    documents = Text("报送的文件资料（物业管理区域证明、业主名册、房屋及建筑物面积清册、建筑规划总平面图、"
                     "交付使用共用设施设备的证明、物业管理用房配置证明等）", multiline=True,
                     label_en="Documents submitted (estate certificate, register of owners, floor-area "
                              "list, site plan, proof of delivered common facilities, proof of the "
                              "management premises, etc.)")


class GroupSchema(PayloadSchema):
    leader = Text("筹备组组长（街道办事处代表）", max_length=100,
                  label_en="Group leader (the street office's representative)")
    member_count = Count("筹备组成员人数", minimum=1, label_en="Members of the group")
    owner_members = Count("其中业主代表人数", label_en="Of whom owners' representatives")
    members = Text("筹备组成员名单（姓名、单位或身份）", multiline=True,
                   label_en="Members (name, organisation or capacity)")


class PublishMembersSchema(PayloadSchema):
    posted_at = Text("公告张贴位置", max_length=200, label_en="Where the notice is posted")
    duties = Text("筹备组工作职责", required=False, multiline=True, label_en="The group's duties")


class MeetingSchema(PayloadSchema):
    meeting_on = Date("首次业主大会会议召开日期", label_en="Day of the first assembly meeting")
    place = Text("会议地点", max_length=200, label_en="Place")
    meeting_form = Choice("会议形式", MEETING_FORMS, label_en="Form of the meeting")


class NoticeSchema(PayloadSchema):
    contents = Text("公告内容（业主身份及投票权数、管理规约草案、议事规则草案、选举办法及候选人名单）",
                    multiline=True,
                    label_en="Notice (owners and their votes, draft covenant, draft rules of "
                             "procedure, election rules and candidates)")
    posted_at = Text("公告张贴位置", max_length=200, label_en="Where the notice is posted")


class HeldSchema(PayloadSchema):
    record = Text("会议记录摘要", required=False, multiline=True, label_en="Summary of the minutes")


BALLOTS = (
    Ballot("rules", 1, "业主大会议事规则", label_en="rules of procedure of the owners' assembly"),
    Ballot("covenant", 2, "管理规约", label_en="management covenant"),
    Ballot("election", 3, "选举业主委员会", label_en="election of the owners' committee"),
)

VoteSchema = vote_schema("OwnersAssemblyVoteSchema", BALLOTS, extra={
    "committee_members": Text("当选的业主委员会成员名单", multiline=True,
                              label_en="Members of the elected committee"),
})
FailedVoteSchema = vote_schema("OwnersAssemblyFailedVoteSchema", BALLOTS, extra={
    "remark": Text("情况说明", required=False, multiline=True, label_en="Remarks"),
})
ResultSchema = result_schema("OwnersAssemblyResultSchema", {
    "committee_members": Text("当选的业主委员会成员名单", multiline=True,
                              label_en="Members of the elected committee")})
FailedResultSchema = result_schema("OwnersAssemblyFailedResultSchema", {
    "remark": Text("情况说明", required=False, multiline=True, label_en="Remarks")})


class FirstMeetingSchema(PayloadSchema):
    chair = Text("主任", max_length=100, label_en="Chair")
    vice_chair = Text("副主任", max_length=200, label_en="Vice-chair(s)")
    minutes = Text("首次会议纪要", required=False, multiline=True,
                   label_en="Minutes of the first meeting")


class FilingSchema(PayloadSchema):
    filing_materials = Text("备案材料（业主大会会议决议、议事规则、管理规约、业主委员会成员名单及基本情况）",
                            multiline=True,
                            label_en="Filing documents (the assembly's resolutions, rules of "
                                     "procedure, covenant, the committee's members and particulars)")


class ReviewSchema(PayloadSchema):
    remark = Text("审查意见", required=False, multiline=True, label_en="Review opinion")


class CorrectionSchema(PayloadSchema):
    reasons = Text("补正事项及理由", multiline=True, label_en="What to correct, and why")


class ManagementCommitteeSchema(PayloadSchema):
    reason = Text("未能成立业主大会的原因", multiline=True,
                  label_en="Why no owners' assembly could be formed")
    members = Text("物业管理委员会组成人员", multiline=True,
                   label_en="Members of the property management committee")


# -- guards ------------------------------------------------------------------------------

@guard("达到成立条件之日不晚于申请之日，且均不晚于今日", uses_payload=True)
def dates_in_order(ctx):
    met, applied = ctx.date("conditions_met_on"), ctx.date("applied_on")
    if applied and applied > ctx.today:
        return Bi(f"申请（报告）之日 {applied.isoformat()} 晚于今日，请核对",
                  f"the application day {applied.isoformat()} is after today; check it")
    if met and applied and met > applied:
        return Bi(f"达到成立条件之日 {met.isoformat()} 晚于申请之日 {applied.isoformat()}："
                  "须符合成立业主大会条件后方可申请",
                  f"the condition was met on {met.isoformat()}, after the application on "
                  f"{applied.isoformat()}: one may apply only once the conditions are met")
    return None


@guard("建设单位以本单位名义申请；业主联名申请由街道办事处登记", uses_payload=True)
def applicant_matches_actor(ctx):
    kind = ctx.value("applicant")
    if ctx.actor.role == "developer" and kind != "developer":
        way = APPLICANTS.get(kind, Bi(str(kind), str(kind)))
        return Bi(f"建设单位只能以本单位名义申请，「{way}」由街道办事处登记",
                  f"a developer applies only in its own name; “{way.en}” is registered by the "
                  "street office")
    return None


@guard("河南：业主联名申请须十人以上（河南省物业管理条例第二十条第一款）", uses_payload=True)
def enough_owners_signed(ctx):
    if ctx.value("applicant") != "owners":
        return None
    n = ctx.value("signatories")
    if n is None:
        return Bi("业主联名申请应填写联名业主人数",
                  "a joint application must say how many owners signed")
    if ctx.rulepack == "henan" and n < 10:
        return Bi(f"本申请仅 {n} 名业主联名：《河南省物业管理条例》第二十条第一款规定"
                  "建设单位或者十人以上业主联名可以申请成立首次业主大会筹备组",
                  f"only {n} owners signed: under Henan regulations art. 20 para. 1 the "
                  "developer or at least ten owners jointly may apply for the preparatory group")
    return None


@guard("筹备组中业主代表不少于二分之一；山东：七人以上单数", uses_payload=True)
def group_composition(ctx):
    total, owners = ctx.value("member_count"), ctx.value("owner_members")
    if total is None or owners is None:
        return None
    if owners > total:
        return Bi(f"业主代表人数（{owners}）不能多于筹备组成员人数（{total}）",
                  f"the owners' representatives ({owners}) cannot outnumber the group ({total})")
    problems = []
    if Fraction(owners, total) < Fraction(1, 2):
        basis = {"henan": "《河南省物业管理条例》第二十条第二款",
                 "shandong": "《山东省物业管理条例》第二十一条第二款"}.get(
            ctx.rulepack, "业主大会和业主委员会指导规则（待核实）")
        problems.append(Bi(f"筹备组 {total} 人中业主代表仅 {owners} 人，不足二分之一（{basis}）",
                           f"only {owners} of the group's {total} members represent owners, less "
                           f"than half ({embed(basis)})"))
    if ctx.rulepack == "shandong" and (total < 7 or total % 2 == 0):
        problems.append(Bi(f"筹备组应由七人以上单数组成，现为 {total} 人（《山东省物业管理条例》第二十一条第二款）",
                           f"the group must have an odd number of at least seven members, not "
                           f"{total} (Shandong regulations art. 21 para. 2)"))
    return join(problems) if problems else None


FILING_AUTHORITY = {
    "henan": ("street_office", "《河南省物业管理条例》第二十九条第一款：业主委员会应当自选举产生之日起三十日内，"
                                "向物业所在地街道办事处、乡镇人民政府备案"),
    "shandong": ("housing_bureau", "《山东省物业管理条例》第三十一条第二款：物业主管部门应当自收到前款规定资料之日起十日内，"
                                   "对符合条件的发给业主委员会备案证明"),
}


def filing_authority_guard(what: str):
    """The authority that files a committee, per rule pack (FILING_AUTHORITY); `what`
    names the act in the refusal (出具备案证明 / 办理备案)."""
    @guard("备案机关应与所适用的条例相符")
    def check(ctx):
        wanted = FILING_AUTHORITY.get(ctx.rulepack)
        if wanted and ctx.actor.role not in ("system", wanted[0]):
            who = role_label(wanted[0])
            return Bi(f"本区域的业主委员会{what[0]}由{who}{what[1]}（{wanted[1]}）",
                      f"in this estate the owners' committee's filing is handled by the "
                      f"{who.en} ({embed(wanted[1])})")
        return None
    return check


filing_authority = filing_authority_guard(("备案证明", "出具"))


# -- states, deadlines, steps ------------------------------------------------------------

STATES = (
    State("applied", "已申请成立筹备组", label_en="applied"),
    State("group_formed", "筹备组已成立", label_en="preparatory group formed"),
    State("members_published", "筹备组成员已公告", label_en="members published"),
    State("meeting_scheduled", "会议已定期，筹备中", label_en="meeting scheduled"),
    State("notice_published", "会议筹备事项已公告", label_en="meeting notice published"),
    State("meeting_held", "首次业主大会会议已召开", label_en="meeting held"),
    State("vote_failed", "表决未通过", label_en="vote failed"),
    State("committee_elected", "业主委员会已选举产生", label_en="committee elected"),
    State("chair_elected", "已召开业主委员会首次会议", label_en="chair elected"),
    State("filing_submitted", "已报送备案待审查", label_en="filing submitted"),
    State("filed", "业主委员会已备案", final=True, label_en="filed"),
    State("management_committee", "已成立物业管理委员会", final=True, label_en="management committee formed"),
)

GUIDELINES = "《业主大会和业主委员会指导规则》"

DEADLINES = (
    DeadlineSpec(
        key="developer_documents", label="建设单位报送筹备文件资料期限",
        label_en="developer's preparation documents",
        anchor="conditions_met_on", party="developer",
        rules={"national": None,
               "henan": Period(2, "month", "《河南省物业管理条例》第十九条：物业管理区域达到成立业主大会条件两个月内，"
                                           "建设单位应当向物业所在地街道办事处、乡镇人民政府报送下列文件资料")},
        consequence="未及时报送的，由物业管理行政主管部门责令限期改正；逾期不改正的，处五万元以上十五万元以下罚款（河南省物业管理条例第八十条）",
        consequence_en=("if they are late, the authority orders a correction within a time limit; "
                        "if still not corrected, a fine of 50,000 to 150,000 yuan (Henan "
                        "regulations art. 80)"),
        escalate_to=("street_office", "housing_bureau")),
    DeadlineSpec(
        key="group_formation", label="组织成立首次业主大会筹备组期限（自收到申请）",
        label_en="forming the preparatory group (from the application)",
        anchor="applied_on", party="street_office",
        rules={"national": Period(60, "day", f"{GUIDELINES}：收到业主提出筹备业主大会书面申请后60日内组织成立筹备组（条文序号及内容待核实）"),
               "henan": Period(30, "day", "《河南省物业管理条例》第二十条第一款：街道办事处、乡镇人民政府应当在收到申请后三十日内组织成立首次业主大会筹备组"),
               "shandong": None},
        consequence="逾期未组织成立筹备组的，报区住房和城乡建设局督办",
        consequence_en="if it is late, the district housing bureau is asked to supervise",
        escalate_to=("housing_bureau",)),
    DeadlineSpec(
        key="group_formation_from_conditions", label="组建业主大会筹备组期限（自符合条件）",
        label_en="forming the preparatory group (from the conditions being met)",
        anchor="conditions_met_on", party="street_office",
        rules={"national": None,
               "shandong": Period(60, "day", "《山东省物业管理条例》第二十一条第一款：符合首次业主大会会议召开条件的，"
                                              "街道办事处、乡镇人民政府应当在六十日内组建业主大会筹备组")},
        consequence="逾期未组建筹备组的，报区住房和城乡建设局督办",
        consequence_en="if it is late, the district housing bureau is asked to supervise",
        escalate_to=("housing_bureau",)),
    DeadlineSpec(
        key="members_notice", label="公告筹备组成员名单和工作职责期限",
        label_en="publishing the group's members and duties",
        anchor="group_formed_on", party="street_office",
        rules={"national": None,
               "shandong": Period(10, "day", "《山东省物业管理条例》第二十一条第三款：筹备组应当自成立之日起十日内，"
                                              "将其成员名单和工作职责在物业服务区域内进行书面公告")},
        consequence="逾期未公告的，报区住房和城乡建设局督办",
        consequence_en="if it is late, the district housing bureau is asked to supervise",
        escalate_to=("housing_bureau",)),
    DeadlineSpec(
        key="meeting_notice", label="首次业主大会会议公告期限（会议召开十五日前）",
        label_en="notice of the first assembly meeting (15 days before it)",
        anchor="meeting_on", direction="before", party="street_office",
        rules={"national": Period(15, "day", f"{NOTICE_BASIS}：召开业主大会会议，应当于会议召开15日以前通知全体业主"),
               "henan": Period(15, "day", "《河南省物业管理条例》第二十一条第二款：前款内容应当在首次业主大会会议召开十五日前"
                                           "以书面形式在物业管理区域内显著位置公告，公告时间不少于七日"),
               "shandong": Period(15, "day", "《山东省物业管理条例》第二十二条第二款：筹备组应当在首次业主大会会议召开十五日前，"
                                              "在物业服务区域内公告，并通过书面或者其他方式通知全体业主")},
        consequence="未按期公告的，会议不得如期召开，应另定会议日期",
        consequence_en="without timely notice the meeting cannot be held as planned; set another day",
        escalate_to=("housing_bureau",)),
    DeadlineSpec(
        key="first_meeting", label="组织召开首次业主大会会议期限",
        label_en="holding the first assembly meeting",
        anchor="group_formed_on", party="street_office",
        rules={"national": Period(90, "day", f"{GUIDELINES}：筹备组应当自成立之日起90日内组织召开首次业主大会会议（条文序号及内容待核实）"),
               "henan": Period(60, "day", "《河南省物业管理条例》第二十条第一款：自筹备组成立之日起六十日内组织召开首次业主大会会议"),
               "shandong": Period(90, "day", "《山东省物业管理条例》第二十二条第三款：筹备组应当自成立之日起九十日内组织召开首次业主大会会议")},
        consequence="逾期未召开的，报区住房和城乡建设局督办",
        consequence_en="if it is late, the district housing bureau is asked to supervise",
        escalate_to=("housing_bureau",)),
    DeadlineSpec(
        key="committee_first_meeting", label="业主委员会首次会议期限",
        label_en="the committee's first meeting",
        anchor="elected_on", party="committee",
        rules={"national": Period(7, "day", f"{GUIDELINES}第三十二条：业主委员会应当自选举产生之日起7日内召开首次会议（待核实）"),
               "shandong": Period(7, "day", "《山东省物业管理条例》第三十条第二款：业主委员会应当自选举产生之日起七日内召开首次会议，"
                                             "在业主委员会成员中推选主任、副主任和执行成员")},
        consequence="逾期未召开的，由街道办事处督促",
        consequence_en="if it is late, the street office presses for it",
        escalate_to=("street_office",)),
    DeadlineSpec(
        key="committee_filing", label="业主委员会备案期限",
        label_en="filing of the owners' committee",
        anchor="elected_on", party="committee",
        rules={"national": Period(30, "day", "《物业管理条例》第十六条第一款：业主委员会应当自选举产生之日起30日内，"
                                             "向物业所在地的区、县人民政府房地产行政主管部门和街道办事处、乡镇人民政府备案"),
               "henan": Period(30, "day", "《河南省物业管理条例》第二十九条第一款：业主委员会应当自选举产生之日起三十日内，"
                                           "向物业所在地街道办事处、乡镇人民政府备案"),
               "shandong": Period(30, "day", "《山东省物业管理条例》第三十一条第一款：业主委员会应当自选举产生之日起三十日内，"
                                              "持下列资料向物业主管部门和街道办事处、乡镇人民政府备案")},
        consequence="逾期未备案的，由街道办事处督促限期备案",
        consequence_en="if it is not filed in time, the street office orders filing within a time limit",
        escalate_to=("street_office", "housing_bureau")),
    DeadlineSpec(
        key="filing_certificate", label="出具业主委员会备案证明期限",
        label_en="issuing the committee's filing certificate",
        anchor="filing_submitted_on", party="housing_bureau",
        rules={"national": None,
               "shandong": Period(10, "day", "《山东省物业管理条例》第三十一条第二款：物业主管部门应当自收到前款规定资料之日起十日内，"
                                              "对符合条件的发给业主委员会备案证明")},
        consequence="逾期未出具的，报上级主管部门督办",
        consequence_en="if it is late, the higher authority is asked to supervise"),
)

BEFORE_ASSEMBLY = ("applied", "group_formed", "members_published", "meeting_scheduled",
                   "notice_published", "meeting_held", "vote_failed")

TRANSITIONS = (
    Transition("submit_documents", "报送筹备文件资料", ("applied", "group_formed", "members_published"),
               None, ("developer",), schema=DocumentsSchema,
               effect=stamp("documents_submitted_on"), meets=("developer_documents",),
               label_en="developer submits the preparation documents",
               fact_label="报送之日", fact_label_en="day of submission"),
    Transition("form_group", "组织成立首次业主大会筹备组", ("applied",), "group_formed",
               ("street_office",), schema=GroupSchema, guards=(group_composition,),
               effect=stamp("group_formed_on"),
               meets=("group_formation", "group_formation_from_conditions"),
               starts=("members_notice", "first_meeting"),
               label_en="form the preparatory group",
               fact_label="筹备组成立之日", fact_label_en="day the group was formed"),
    Transition("publish_members", "公告筹备组成员名单和工作职责", ("group_formed",), "members_published",
               ("street_office",), schema=PublishMembersSchema,
               effect=stamp("members_published_on"), meets=("members_notice",),
               issues=("preparatory_group_notice",), label_en="publish the group's members",
               fact_label="公告之日", fact_label_en="day of the notice"),
    Transition("schedule_meeting", "确定首次业主大会会议时间、地点和形式",
               ("members_published", "meeting_scheduled", "notice_published", "vote_failed"),
               "meeting_scheduled", ("street_office",), schema=MeetingSchema,
               guards=(NOTICE.leaves_time,), effect=stamp(), voids=("first_meeting_notice",),
               starts=("meeting_notice",), label_en="schedule the meeting",
               fact_label="确定会议之日", fact_label_en="day the meeting was fixed"),
    Transition("publish_notice", "公告筹备事项并通知全体业主", ("meeting_scheduled",), "notice_published",
               ("street_office",), schema=NoticeSchema, guards=(NOTICE.still_in_time,),
               effect=stamp("notice_published_on"), meets=("meeting_notice",),
               issues=("first_meeting_notice",), label_en="publish the meeting notice",
               fact_label="公告发布之日", fact_label_en="day the notice was published"),
    Transition("hold_meeting", "召开首次业主大会会议", ("notice_published",), "meeting_held",
               ("street_office",), schema=HeldSchema, guards=(NOTICE.published_before,),
               effect=stamp("meeting_held_on"), meets=("first_meeting",),
               label_en="hold the meeting",
               fact_label="会议召开之日", fact_label_en="day of the meeting"),
    Transition("record_vote", "录入表决结果（表决通过）", ("meeting_held",), "committee_elected",
               ("street_office",), schema=VoteSchema,
               guards=tuple(passed_guard(b) for b in BALLOTS),
               effect=stamp("elected_on", then=lambda ctx, data: record_tallies(ctx, data, BALLOTS)),
               starts=("committee_first_meeting", "committee_filing"),
               registers=(committee_write("first_committee_elected"),),
               label_en="enter the vote (passed)",
               fact_label="选举之日", fact_label_en="day of the election"),
    Transition("record_failed_vote", "录入表决结果（未通过）", ("meeting_held",), "vote_failed",
               ("street_office",), schema=FailedVoteSchema, guards=(some_failed_guard(BALLOTS),),
               effect=stamp("vote_failed_on", then=lambda ctx, data: record_tallies(ctx, data, BALLOTS)),
               label_en="enter the vote (failed)",
               fact_label="表决之日", fact_label_en="day of the vote"),
    Transition("take_vote_result", "采用平台表决结果（表决通过）", ("meeting_held",), "committee_elected",
               ("street_office",), schema=ResultSchema, guards=(results_passed_guard(BALLOTS),),
               effect=stamp("elected_on", then=lambda ctx, data: record_results(ctx, data, BALLOTS)),
               starts=("committee_first_meeting", "committee_filing"),
               label_en="take the platform's counted vote (passed)",
               fact_label="选举之日", fact_label_en="day of the election"),
    Transition("take_failed_vote_result", "采用平台表决结果（未通过）", ("meeting_held",), "vote_failed",
               ("street_office",), schema=FailedResultSchema, guards=(results_failed_guard(BALLOTS),),
               effect=stamp("vote_failed_on", then=lambda ctx, data: record_results(ctx, data, BALLOTS)),
               label_en="take the platform's counted vote (failed)",
               fact_label="表决之日", fact_label_en="day of the vote"),
    Transition("first_committee_meeting", "召开业主委员会首次会议，推选主任、副主任",
               ("committee_elected",), "chair_elected", ("committee",), schema=FirstMeetingSchema,
               effect=stamp("first_committee_meeting_on"), meets=("committee_first_meeting",),
               registers=(RegisterWrite("committee_officers",
                                        fields={"chair": "chair", "vice_chair": "vice_chair"}),),
               label_en="committee's first meeting",
               fact_label="首次会议召开之日", fact_label_en="day of the first meeting"),
    Transition("submit_filing", "报送业主委员会备案", ("chair_elected",), "filing_submitted",
               ("committee",), schema=FilingSchema, effect=stamp("filing_submitted_on"),
               meets=("committee_filing",), starts=("filing_certificate",),
               label_en="submit the committee filing",
               fact_label="报送之日", fact_label_en="day of submission"),
    Transition("request_correction", "要求补正备案材料", ("filing_submitted",), "chair_elected",
               ("street_office", "housing_bureau"), schema=CorrectionSchema,
               guards=(filing_authority,), effect=stamp("correction_requested_on"),
               cancels=("filing_certificate",), issues=("correction_notice",),
               label_en="request a correction",
               fact_label="通知补正之日", fact_label_en="day the correction was asked for"),
    Transition("accept_filing", "予以备案，出具备案证明", ("filing_submitted",), "filed",
               ("street_office", "housing_bureau"), schema=ReviewSchema,
               guards=(filing_authority,), effect=stamp("filed_on"),
               meets=("filing_certificate",), issues=("committee_filing_certificate",),
               registers=(RegisterWrite("committee_filed", fields={"filed_on": "filed_on"}),),
               label_en="accept the filing", fact_label="备案之日", fact_label_en="day of filing"),
    Transition("form_management_committee", "组建物业管理委员会", BEFORE_ASSEMBLY,
               "management_committee", ("street_office",), schema=ManagementCommitteeSchema,
               effect=stamp("management_committee_on"),
               registers=(RegisterWrite("interim_committee", fields={
                   "elected_on": "management_committee_on", "members": "members"}),),
               optional=True, one_way=True, label_en="form a property management committee instead",
               fact_label="组建之日", fact_label_en="day it was formed"),
)

# The assembly's steps are weeks apart: warn a week (five working days) ahead.
ALERTS = AlertWindows(due_soon=5, escalate=(5, 15))

DOCUMENTS = (
    DocumentSpec("preparatory_group_notice", "业主大会筹备组成立公告", title_en="Public notice of the preparatory group",
                 issuer="street_office", public=True,
                 basis={"national": f"{GUIDELINES}（待核实）", "henan": "", "shandong": ""},
                 quotes=("group_formation", "members_notice")),
    DocumentSpec("first_meeting_notice", "首次业主大会会议公告", title_en="Public notice of the first owners' assembly meeting",
                 issuer="street_office", public=True,
                 basis={"national": "《物业管理条例》第十四条；《民法典》第二百七十八条"},
                 quotes=("meeting_notice",)),
    DocumentSpec("correction_notice", "补正通知书", title_en="Notice to correct", addressee="committee",
                 basis={"national": "《物业管理条例》第十六条"}, quotes=("committee_filing",)),
    DocumentSpec("committee_filing_certificate", "业主委员会备案证明", title_en="Filing certificate of the owners' committee",
                 addressee="committee",
                 basis={"national": "《物业管理条例》第十六条"},
                 quotes=("committee_filing", "filing_certificate")),
)

DEFINITION = Procedure(
    name="owners_assembly",
    version=1,
    title="首次业主大会会议及业主委员会备案",
    title_en="First owners' assembly and filing of the owners' committee",
    basis=("《民法典》第二百七十八条；《物业管理条例》第十四条、第十六条；"
           "《河南省物业管理条例》第十八条至第二十一条、第二十九条；"
           "《山东省物业管理条例》第二十一条、第二十二条、第三十条、第三十一条"),
    summary_en=("After the developer's or the owners' joint application the street office forms "
                "the preparatory group and publishes its members, publishes the preparations 15 "
                "days before the meeting, and the first owners' assembly votes under Civil Code "
                "art. 278 on the rules of procedure and the covenant and elects the owners' "
                "committee; the committee meets within 7 days and is filed within 30 days. When "
                "no assembly can be formed, a property management committee is formed instead."),
    summary=("建设单位申请或业主联名申请后，街道办事处组织成立筹备组、公告成员，会议召开十五日前公告筹备事项，"
             "召开首次业主大会会议依民法典第二百七十八条表决议事规则、管理规约并选举业主委员会；"
             "业主委员会七日内召开首次会议，三十日内备案。不能成立业主大会的，组建物业管理委员会。"),
    alerts=ALERTS,
    documents=DOCUMENTS,
    states=STATES,
    initial="applied",
    opening=Opening(roles=("developer", "street_office"), label="申请成立首次业主大会筹备组",
                    label_en="apply for the first assembly's preparatory group",
                    schema=ApplicationSchema,
                    guards=(dates_in_order, applicant_matches_actor, enough_owners_signed),
                    starts=("developer_documents", "group_formation", "group_formation_from_conditions"),
                    party="none", exclusive=True, refused_when=("committee_in_office",)),
    transitions=TRANSITIONS,
    deadlines=DEADLINES,
)

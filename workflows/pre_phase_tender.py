"""前期物业管理招标投标 — pre-phase tendering by the developer (docs/procedures.md §4).

A residential developer must choose the first property-service enterprise by tender
(物业管理条例 art. 24; 河南 art. 42: before applying for the pre-sale permit). The
developer (招标人) files the tender with the district housing bureau at least 10 days
before announcing it, announces publicly or invites at least three firms, gives bidders
at least 20 days, clarifies at least 15 days before the bid deadline, opens the bids
(fewer than three: tender again, or choose by agreement with the bureau's approval),
has them evaluated by a lawful committee, awards, files the result within 15 days and
signs the pre-phase contract within 30 days of the award notice. Signing opens the
contract's filing (`contract_filing`, kind "pre_phase") with the winner as its party.

The articles (招标投标法 arts. 17, 23, 24, 28, 34, 37, 46, 47; 物业管理条例 art. 24) are
quoted in docs/procedures.md §4. The 10-day tender filing comes from
前期物业管理招标投标管理暂行办法, whose text is not loaded: its citation says 待核实.
"""
from __future__ import annotations

from datetime import date
from fractions import Fraction

from marshmallow import validates_schema

from engine.bilingual import Bi, embed, join
from engine.definition import (AlertWindows, DeadlineSpec, DocumentSpec, Link, Opening, Period, Procedure, State,
                               Transition, guard)
from engine.legaltime import latest_before
from engine.schema import (Choice, Count, Date, Money, PayloadSchema, Text,
                           ValidationError)
from workflows.rules.voting import percent

# -- the rules, as figures ----------------------------------------------------------

FILING_LEAD_DAYS = 10          # 暂行办法（待核实）: filed 10 days before the announcement
MIN_BID_DAYS = 20              # 招标投标法 art. 24
CLARIFY_LEAD_DAYS = 15         # 招标投标法 art. 23
MIN_INVITED = 3                # 招标投标法 art. 17
MIN_BIDS = 3                   # 招标投标法 art. 28; 物业管理条例 art. 24
MIN_COMMITTEE = 5              # 招标投标法 art. 37: 五人以上单数
EXPERT_SHARE = Fraction(2, 3)  # 招标投标法 art. 37: 专家不得少于成员总数的三分之二

ART_10_DAYS = "《前期物业管理招标投标管理暂行办法》第十三条（待核实）"
ART_17 = "《招标投标法》第十七条"
ART_23 = "《招标投标法》第二十三条"
ART_24 = "《招标投标法》第二十四条"
ART_28 = "《招标投标法》第二十八条"
ART_37 = "《招标投标法》第三十七条"
ART_46 = "《招标投标法》第四十六条"
ART_47 = "《招标投标法》第四十七条"
REG_24 = "《物业管理条例》第二十四条"
ART_10_DAYS_EN = "Interim Measures on Pre-phase Property-management Tendering art. 13 (to be verified)"
ART_17_EN, ART_23_EN, ART_24_EN = "Tendering Law art. 17", "Tendering Law art. 23", "Tendering Law art. 24"
ART_28_EN, ART_37_EN = "Tendering Law art. 28", "Tendering Law art. 37"
REG_24_EN = "Property Management Regulations art. 24"

METHODS = {"public": Bi("公开招标（发布招标公告）", "open tender (public announcement)"),
           "invite": Bi("邀请招标（发出投标邀请书）", "invited tender (letters of invitation)")}
AGREEMENT_GROUNDS = {"few_bidders": Bi("投标人少于三个", "fewer than three bidders"),
                     "small_scale": Bi("住宅规模较小", "a small residential estate")}


# -- payloads ------------------------------------------------------------------------

class OpenSchema(PayloadSchema):
    project_name = Text("招标项目名称", max_length=200, label_en="Tender project")
    method = Choice("招标方式", METHODS, label_en="Tender method")
    planned_announcement_on = Date("拟发布招标公告（发出投标邀请书）日期",
                                   label_en="Planned announcement (or invitation) day")


class RescheduleSchema(PayloadSchema):
    planned_announcement_on = Date("新的拟发布招标公告（发出投标邀请书）日期",
                                   label_en="New planned announcement (or invitation) day")
    reason = Text("变更理由", multiline=True, label_en="Reason for the change")


class SubmitTenderSchema(PayloadSchema):
    materials = Text("报送材料（项目批准文件、招标公告或投标邀请书、招标文件等）", multiline=True,
                     label_en="Documents (project approval, announcement or invitation, tender "
                              "documents, etc.)")


class ReviewSchema(PayloadSchema):
    remark = Text("备案意见", required=False, multiline=True, label_en="Filing opinion")


class ReasonsSchema(PayloadSchema):
    reasons = Text("退回补正的事项及理由", multiline=True,
                   label_en="What to correct, and why")


class AnnounceSchema(PayloadSchema):
    method = Choice("招标方式", METHODS, label_en="Tender method")
    announced_on = Date("招标公告发布（投标邀请书发出）日期",
                        label_en="Announced (or invitations sent) on")
    invited_count = Count("受邀物业服务企业数量（邀请招标时填写）", required=False,
                          label_en="Enterprises invited (for an invited tender)")
    documents_issued_on = Date("招标文件开始发出日期", label_en="Tender documents issued from")
    bid_deadline = Date("投标文件提交截止日期", label_en="Bid deadline")

    @validates_schema
    def _dates(self, data, **_):
        if data.get("documents_issued_on") and data.get("announced_on") \
                and data["documents_issued_on"] < data["announced_on"]:
            raise ValidationError(Bi("招标文件发出日期不应早于招标公告发布日期",
                                     "The documents cannot be issued before the announcement"),
                                  "documents_issued_on")


class ClarifySchema(PayloadSchema):
    clarified_on = Date("澄清或修改通知发出日期", label_en="Clarification sent on")
    content = Text("澄清或修改的内容", multiline=True, label_en="What is clarified or changed")
    new_bid_deadline = Date("顺延后的投标截止日期（如顺延）", required=False,
                            label_en="New bid deadline (if extended)")


class BidsSchema(PayloadSchema):
    opened_on = Date("开标日期", label_en="Bids opened on")
    bids_received = Count("收到的投标文件份数", label_en="Bids received")


class AgreementSchema(PayloadSchema):
    grounds = Choice("申请协议选聘的理由", AGREEMENT_GROUNDS, label_en="Ground")
    explanation = Text("情况说明", multiline=True, label_en="Explanation")


class ApprovalSchema(PayloadSchema):
    approval_no = Text("批准文号", max_length=60, label_en="Approval number")
    remark = Text("批准意见", required=False, multiline=True, label_en="Approval opinion")


class RefusalSchema(PayloadSchema):
    reason = Text("不予批准的理由", multiline=True, label_en="Reason for refusing")


class RetenderSchema(PayloadSchema):
    planned_announcement_on = Date("重新招标拟发布公告日期",
                                   label_en="Planned announcement day of the new tender")
    note = Text("重新招标说明", required=False, multiline=True, label_en="Note on the new tender")


class EvaluationSchema(PayloadSchema):
    evaluated_on = Date("评标日期", label_en="Evaluated on")
    committee_size = Count("评标委员会成员人数", minimum=1, label_en="Evaluation committee members")
    expert_count = Count("其中技术、经济等方面专家人数",
                         label_en="Of whom technical or economic experts")
    candidates = Text("评标报告推荐的中标候选人", multiline=True,
                      label_en="Candidates recommended by the evaluation report")


class _WinnerFields(PayloadSchema):
    """The winner, by its registered name (pages) or its organisation id (API)."""
    winner_name = Text("物业服务企业名称（全称）", required=False, max_length=200,
                       label_en="Enterprise (full registered name)",
                       metadata={"help": "填写已在本系统登记的物业服务企业全称",
                                 "help_en": "The full name of an enterprise registered in this system"})
    winner_id = Count("物业服务企业机构编号（可代替名称）", required=False, minimum=1,
                      label_en="Enterprise's organisation number (instead of the name)")

    @validates_schema
    def _one_of(self, data, **_):
        if not data.get("winner_id") and not (data.get("winner_name") or "").strip():
            raise ValidationError(Bi("请填写物业服务企业名称", "Write the enterprise's name"),
                                  "winner_name")


class AwardSchema(_WinnerFields):
    awarded_on = Date("确定中标人日期", label_en="Winner decided on")
    award_notice_on = Date("中标通知书发出日期", label_en="Award notice sent on")

    @validates_schema
    def _notice(self, data, **_):
        if data.get("awarded_on") and data.get("award_notice_on") \
                and data["award_notice_on"] < data["awarded_on"]:
            raise ValidationError(Bi("中标通知书发出日期不应早于确定中标人日期",
                                     "The award notice cannot be sent before the winner is decided"),
                                  "award_notice_on")


class SelectSchema(_WinnerFields):
    selected_on = Date("协议选聘确定日期", label_en="Selected by agreement on")


class AwardReportSchema(PayloadSchema):
    report = Text("招标投标情况书面报告（招标过程、评标报告、中标理由等）", multiline=True,
                  label_en="Written report on the tender (process, evaluation report, reasons "
                           "for the award, etc.)")


class SignSchema(PayloadSchema):
    contract_no = Text("合同编号", max_length=60, label_en="Contract number")
    signed_on = Date("签订日期", label_en="Signed on")
    term_start = Date("服务期限起", label_en="Service term from")
    term_end = Date("服务期限止", label_en="Service term to")
    fee = Money("物业费标准（元/平方米·月）", label_en="Service fee (yuan per m² per month)")
    area = Money("服务面积（平方米）", label_en="Service area (m²)")

    @validates_schema
    def _term(self, data, **_):
        if data.get("term_start") and data.get("term_end") and data["term_end"] <= data["term_start"]:
            raise ValidationError(Bi("服务期限止应晚于服务期限起",
                                     "The term must end after it starts"), "term_end")


# -- guards --------------------------------------------------------------------------

def _d(v) -> date | None:
    if v is None or isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10])


@guard(f"招标备案应在发布招标公告或发出投标邀请书{FILING_LEAD_DAYS}日前报送（{ART_10_DAYS}）",
       uses_payload=True)
def filed_ten_days_before(ctx):
    announced, filed = ctx.date("announced_on"), _d(ctx.case_data.get("tender_submitted_on"))
    if not (announced and filed):
        return None
    latest = latest_before(announced, FILING_LEAD_DAYS, "day").date
    if filed > latest:
        return Bi(f"招标备案于 {filed.isoformat()} 报送，距招标公告发布日 {announced.isoformat()} "
                  f"不足 {FILING_LEAD_DAYS} 日（最迟应于 {latest.isoformat()} 报送，{ART_10_DAYS}）；"
                  f"请推迟发布日期",
                  f"the tender was submitted for filing on {filed.isoformat()}, less than "
                  f"{FILING_LEAD_DAYS} days before the announcement on {announced.isoformat()} "
                  f"(due by {latest.isoformat()}, {ART_10_DAYS_EN}); announce later")
    return None


@guard(f"邀请招标的，应向三个以上物业服务企业发出投标邀请书（{ART_17}）", uses_payload=True)
def enough_invited(ctx):
    if ctx.value("method") != "invite":
        return None
    n = ctx.payload.get("invited_count")
    if n is None or n < MIN_INVITED:
        got = (Bi("未填写受邀企业数量", "gives no number of invited enterprises") if n is None
               else Bi(f"仅向 {n} 家企业发出投标邀请书", f"invites only {n}"))
        return Bi(f"邀请招标{got}，应当向三个以上物业服务企业发出投标邀请书（{ART_17}）",
                  f"the invited tender {got.en}; at least three enterprises must be invited "
                  f"({ART_17_EN})")
    return None


@guard(f"自招标文件开始发出之日起至投标截止之日止不得少于{MIN_BID_DAYS}日（{ART_24}）",
       uses_payload=True)
def bid_period_long_enough(ctx):
    issued, deadline = ctx.date("documents_issued_on"), ctx.date("bid_deadline")
    if not (issued and deadline):
        return None
    days = (deadline - issued).days
    if days < MIN_BID_DAYS:
        return Bi(f"自招标文件开始发出之日（{issued.isoformat()}）至投标截止日（{deadline.isoformat()}）"
                  f"仅 {days} 日，少于{ART_24}规定的最短 {MIN_BID_DAYS} 日",
                  f"only {days} days from issuing the documents ({issued.isoformat()}) to the bid "
                  f"deadline ({deadline.isoformat()}), less than the {MIN_BID_DAYS} days of "
                  f"{ART_24_EN}")
    return None


@guard(f"澄清或修改应在投标截止时间至少{CLARIFY_LEAD_DAYS}日前书面通知（{ART_23}）",
       uses_payload=True)
def clarified_in_time(ctx):
    on = ctx.date("clarified_on")
    old = _d(ctx.case_data.get("bid_deadline"))
    new = ctx.payload.get("new_bid_deadline")
    if new is not None and old and new < old:
        return Bi(f"顺延后的投标截止日（{new.isoformat()}）不能早于原投标截止日（{old.isoformat()}）",
                  f"the new bid deadline ({new.isoformat()}) cannot be before the old one "
                  f"({old.isoformat()})")
    deadline = new or old
    if not (on and deadline):
        return None
    days = (deadline - on).days
    if days < CLARIFY_LEAD_DAYS:
        return Bi(f"澄清或修改通知于 {on.isoformat()} 发出，距投标截止日（{deadline.isoformat()}）"
                  f"仅 {days} 日，不足{ART_23}规定的 {CLARIFY_LEAD_DAYS} 日；应顺延投标截止时间",
                  f"the clarification sent on {on.isoformat()} is only {days} days before the bid "
                  f"deadline ({deadline.isoformat()}), less than the {CLARIFY_LEAD_DAYS} days of "
                  f"{ART_23_EN}; extend the deadline")
    return None


@guard(f"投标人不少于三个（{ART_28}；{REG_24}）", uses_payload=True)
def three_bids(ctx):
    n = ctx.payload.get("bids_received")
    if n is not None and n < MIN_BIDS:
        return Bi(f"仅收到 {n} 份投标文件，投标人少于三个：应依照{ART_28}重新招标，"
                  f"或经区住建局批准采用协议方式选聘（{REG_24}）",
                  f"only {n} bids received, fewer than three: tender again under {ART_28_EN}, "
                  f"or select by agreement with the housing bureau's approval ({REG_24_EN})")
    return None


@guard("投标人少于三个时方可确认投标人不足", uses_payload=True)
def fewer_than_three_bids(ctx):
    n = ctx.payload.get("bids_received")
    if n is not None and n >= MIN_BIDS:
        return Bi(f"已收到 {n} 份投标文件（三个以上），应当开标评标，不适用投标人不足的处理",
                  f"{n} bids were received (three or more): open and evaluate them")
    return None


@guard("以投标人少于三个为由申请协议选聘的，须已开标确认投标人不足", uses_payload=True)
def grounds_match(ctx):
    if ctx.payload.get("grounds") == "few_bidders" and ctx.case is not None \
            and ctx.case.state != "undersubscribed":
        return Bi("尚未开标确认投标人少于三个，不能以此为由申请协议选聘；住宅规模较小的请选择相应理由",
                  "fewer than three bidders has not been confirmed at an opening, so it cannot be "
                  "the ground; for a small estate choose that ground")
    return None


@guard(f"评标委员会成员为五人以上单数，其中技术、经济等方面的专家不少于成员总数的三分之二（{ART_37}）",
       uses_payload=True)
def lawful_committee(ctx):
    size, experts = ctx.payload.get("committee_size"), ctx.payload.get("expert_count")
    if size is None or experts is None:
        return None
    problems = []
    if size < MIN_COMMITTEE:
        problems.append(Bi(f"评标委员会仅 {size} 人，少于五人",
                           f"the committee has only {size} members, fewer than five"))
    if size % 2 == 0:
        problems.append(Bi(f"评标委员会 {size} 人，不是单数",
                           f"the committee's {size} members are not an odd number"))
    if experts > size:
        problems.append(Bi(f"专家人数（{experts}）多于成员总数（{size}）",
                           f"the experts ({experts}) outnumber the members ({size})"))
    elif Fraction(experts, size) < EXPERT_SHARE:
        share = percent(Fraction(experts, size))
        problems.append(Bi(f"技术、经济等方面的专家 {experts} 人，占成员总数 {size} 人的 "
                           f"{share}，不足三分之二",
                           f"the {experts} technical or economic experts are {share} of the "
                           f"{size} members, less than two thirds"))
    if problems:
        return join(problems) + Bi(f"（{ART_37}：成员人数为五人以上单数，专家不得少于三分之二）",
                                   f" ({ART_37_EN}: an odd number of at least five members, at "
                                   "least two thirds experts)")
    return None


@guard("中标人或协议选聘的企业应为已登记的物业服务企业", uses_payload=True)
def winner_is_enterprise(ctx):
    wid, name = ctx.payload.get("winner_id"), ctx.payload.get("winner_name") or ""
    if not wid and not name.strip():
        return None
    if _winner(ctx) is None:
        who = (Bi(f"机构编号 {wid} ", f"organisation number {wid}") if wid
               else Bi(f"「{name.strip()}」", f"“{embed(name.strip())}”"))
        return Bi(f"{who}不是已登记的物业服务企业，请核对企业全称",
                  f"{who.en} is not a registered property-service enterprise; check the full name")
    return None


def _winner(ctx):
    return ctx.organisation(ctx.payload.get("winner_id"),
                        name=ctx.payload.get("winner_name") or "", kind="enterprise")


def _not_in_future(key: str, label: Bi):
    @guard(f"{label}不得晚于办理之日", uses_payload=True)
    def check(ctx):
        d = ctx.payload.get(key)
        if d is not None and d > ctx.today:
            return Bi(f"{label} {d.isoformat()} 晚于今日，请核对",
                      f"the {label.en} {d.isoformat()} is after today; check it")
        return None
    return check


@guard("签订日期不得早于中标通知书发出（或协议选聘确定）之日", uses_payload=True)
def signed_after_award(ctx):
    signed = ctx.payload.get("signed_on")
    since = _d(ctx.case_data.get("award_notice_on") or ctx.case_data.get("selected_on"))
    if signed and since and signed < since:
        return Bi(f"签订日期 {signed.isoformat()} 早于中标通知书发出（协议选聘确定）之日 {since.isoformat()}",
                  f"the signing day {signed.isoformat()} is before the award notice (or the "
                  f"selection by agreement) on {since.isoformat()}")
    return None


@guard("开标应在投标截止之时进行，不得提前", uses_payload=True)
def opened_at_deadline(ctx):
    on, deadline = ctx.payload.get("opened_on"), _d(ctx.case_data.get("bid_deadline"))
    if on and deadline and on < deadline:
        return Bi(f"开标日期 {on.isoformat()} 早于投标截止日 {deadline.isoformat()}；"
                  f"开标应当在提交投标文件截止时间的同一时间进行（《招标投标法》第三十四条）",
                  f"the opening {on.isoformat()} is before the bid deadline "
                  f"{deadline.isoformat()}; bids are opened at the deadline (Tendering Law "
                  "art. 34)")
    return None


# -- effects: merge the payload, and record what later steps check -------------------

def _stamp(key: str):
    """Merge the payload and record the step's date under `key`."""
    def effect(ctx, data):
        data.update(_json(ctx.payload))
        data[key] = ctx.today.isoformat()
    return effect


def _json(values: dict) -> dict:
    out = {}
    for k, v in values.items():
        out[k] = v.isoformat() if isinstance(v, date) else (str(v) if hasattr(v, "as_tuple") else v)
    return out


def _clarify(ctx, data):
    entry = _json(ctx.payload)
    data.setdefault("clarifications", [])
    data["clarifications"] = list(data["clarifications"]) + [entry]
    if ctx.payload.get("new_bid_deadline"):
        data["bid_deadline"] = ctx.payload["new_bid_deadline"].isoformat()


def _with_winner(ctx, data):
    data.update(_json(ctx.payload))
    org = _winner(ctx)                  # the guard has found it
    data["winner_id"], data["winner_name"] = org.id, org.name


def _contract_filing_data(ctx, data) -> dict:
    """The opening payload of the linked contract filing: a pre-phase contract between
    the developer and the winner."""
    developer = ctx.organisation(getattr(ctx.estate, "developer_id", None))
    client = developer.name if developer else (ctx.actor.org_name if ctx.actor.role == "developer" else "")
    return {
        "contract_kind": "pre_phase",
        "contract_no": data["contract_no"],
        "client": client or "建设单位",
        "signed_on": data["signed_on"],
        "term_start": data["term_start"],
        "term_end": data["term_end"],
        "fee": data["fee"],
        "area": data["area"],
    }


# -- states, deadlines, steps --------------------------------------------------------

STATES = (
    State("preparing", "招标准备（待报送招标备案）", label_en="preparing"),
    State("tender_submitted", "招标备案已报送待审查", label_en="tender filing submitted"),
    State("tender_filed", "招标已备案待发布公告", label_en="tender filed"),
    State("bidding", "投标期", label_en="bidding"),
    State("undersubscribed", "投标人不足三个", label_en="fewer than three bids"),
    State("agreement_requested", "协议选聘待批准", label_en="agreement path requested"),
    State("agreement_approved", "协议选聘已批准", label_en="agreement path approved"),
    State("bids_opened", "已开标待评标", label_en="bids opened"),
    State("evaluated", "评标完成待定标", label_en="evaluated"),
    State("awarded", "已定标待报送中标备案", label_en="awarded"),
    State("award_submitted", "中标结果已报送待备案", label_en="award filing submitted"),
    State("ready_to_sign", "待签订前期物业服务合同", label_en="ready to sign"),
    State("contract_signed", "已签订前期物业服务合同", final=True, label_en="contract signed"),
)

TENDER_FILING = DeadlineSpec(
    key="tender_filing",
    label="招标备案期限（招标公告发布前十日）",
    label_en="tender filing (10 days before the announcement)",
    anchor="planned_announcement_on",
    direction="before",
    party="developer",
    rules={"national": Period(FILING_LEAD_DAYS, "day",
                              f"{ART_10_DAYS}：招标人应当在发布招标公告或者发出投标邀请书的十日前，"
                              "向物业项目所在地的房地产行政主管部门备案")},
    consequence="未按期备案的，不得发布招标公告；应推迟发布日期并报送备案",
    consequence_en="without timely filing the tender may not be announced; announce later and file it",
    escalate_to=("housing_bureau",),
)

AWARD_FILING = DeadlineSpec(
    key="award_filing",
    label="中标结果备案期限",
    label_en="filing of the award",
    anchor="awarded_on",
    party="developer",
    rules={"national": Period(15, "day",
                              f"{ART_47}：依法必须进行招标的项目，招标人应当自确定中标人之日起十五日内，"
                              "向有关行政监督部门提交招标投标情况的书面报告")},
    consequence="逾期未报送的，由区住建局责令改正",
    consequence_en="if it is late, the district housing bureau orders a correction",
    escalate_to=("housing_bureau",),
)

CONTRACT_SIGNING = DeadlineSpec(
    key="contract_signing",
    label="前期物业服务合同签订期限",
    label_en="signing of the pre-phase contract",
    anchor="award_notice_on",
    party="developer",
    rules={"national": Period(30, "day",
                              f"{ART_46}：招标人和中标人应当自中标通知书发出之日起三十日内，"
                              "按照招标文件和中标人的投标文件订立书面合同")},
    consequence="逾期未订立合同的，由区住建局督促；无正当理由不订立合同的依法承担责任",
    consequence_en=("if it is late, the district housing bureau presses for it; refusing to sign "
                    "without good reason carries liability under the law"),
    escalate_to=("housing_bureau",),
)

DEV, BUREAU = ("developer",), ("housing_bureau",)

ALERTS = AlertWindows(due_soon=5, escalate=(3, 10))

DOCUMENTS = (
    DocumentSpec("tender_filing_receipt", "招标备案回执", title_en="Receipt for the tender filing",
                 addressee="developer",
                 basis={"national": "《招标投标法》第二十三条、第二十四条；《物业管理条例》第二十四条"},
                 quotes=("tender_filing",)),
    DocumentSpec("award_filing_receipt", "中标备案回执", title_en="Receipt for the award filing",
                 addressee="developer",
                 basis={"national": "《招标投标法》第四十六条、第四十七条；《物业管理条例》第二十四条"},
                 quotes=("award_filing", "contract_signing")),
)

DEFINITION = Procedure(
    name="pre_phase_tender",
    version=1,
    title="前期物业管理招标投标",
    title_en="Pre-phase property-management tender",
    basis=f"{REG_24}；《招标投标法》第十七条、第二十三条、第二十四条、第二十八条、第三十四条、第三十七条、"
          f"第四十六条、第四十七条；《河南省物业管理条例》第四十二条；{ART_10_DAYS}",
    summary_en=("The developer chooses the pre-phase enterprise by tender: tender filing, "
                "announcement, bids, opening and evaluation, award, award filing and the "
                "pre-phase contract; with fewer than three bidders or a small estate, the "
                "district housing bureau may approve selection by agreement."),
    summary="建设单位通过招投标选聘前期物业服务企业：招标备案、发布公告、投标、开标评标、定标、"
            "中标备案、签订前期物业服务合同；投标人不足三个或规模较小的，经区住建局批准可协议选聘。",
    alerts=ALERTS,
    documents=DOCUMENTS,
    states=STATES,
    initial="preparing",
    opening=Opening(roles=DEV, label="登记前期物业管理招标项目",
                    label_en="register a pre-phase tender", schema=OpenSchema,
                    starts=("tender_filing",), party="none", exclusive=True,
                    refused_when=("owners_chose_enterprise",)),
    transitions=(
        Transition("reschedule", "变更拟发布公告日期", ("preparing",), None, DEV,
                   schema=RescheduleSchema, starts=("tender_filing",),
                   optional=True, label_en="reschedule the announcement"),
        Transition("submit_tender", "报送招标备案", ("preparing",), "tender_submitted", DEV,
                   schema=SubmitTenderSchema, meets=("tender_filing",),
                   effect=_stamp("tender_submitted_on"), label_en="submit the tender for filing"),
        Transition("file_tender", "予以招标备案", ("tender_submitted",), "tender_filed", BUREAU,
                   schema=ReviewSchema, issues=("tender_filing_receipt",),
                   label_en="file the tender"),
        Transition("return_tender", "退回招标备案（补正）", ("tender_submitted",), "preparing", BUREAU,
                   schema=ReasonsSchema, label_en="return the tender filing"),
        Transition("announce", "发布招标公告（发出投标邀请书）", ("tender_filed",), "bidding", DEV,
                   schema=AnnounceSchema,
                   guards=(filed_ten_days_before, enough_invited, bid_period_long_enough,
                           _not_in_future("announced_on", Bi("招标公告发布日期", "announcement day"))),
                   label_en="announce or invite"),
        Transition("clarify", "澄清或修改招标文件", ("bidding",), None, DEV,
                   schema=ClarifySchema, guards=(clarified_in_time,), effect=_clarify,
                   optional=True, label_en="clarify the tender documents"),
        Transition("open_bids", "开标", ("bidding",), "bids_opened", DEV,
                   schema=BidsSchema, guards=(three_bids, opened_at_deadline),
                   label_en="open the bids"),
        Transition("declare_undersubscribed", "确认投标人不足三个", ("bidding",), "undersubscribed", DEV,
                   schema=BidsSchema, guards=(fewer_than_three_bids, opened_at_deadline),
                   label_en="fewer than three bids"),
        Transition("retender", "重新招标", ("undersubscribed",), "preparing", DEV,
                   schema=RetenderSchema, starts=("tender_filing",), label_en="tender again"),
        Transition("apply_agreement", "申请协议方式选聘", ("preparing", "undersubscribed"),
                   "agreement_requested", DEV, schema=AgreementSchema, guards=(grounds_match,),
                   cancels=("tender_filing",), optional=True, label_en="apply for the agreement path"),
        Transition("approve_agreement", "批准协议方式选聘", ("agreement_requested",),
                   "agreement_approved", BUREAU, schema=ApprovalSchema,
                   label_en="approve the agreement path"),
        Transition("refuse_agreement", "不予批准协议选聘（应招标）", ("agreement_requested",),
                   "preparing", BUREAU, schema=RefusalSchema,
                   label_en="refuse the agreement path"),
        Transition("select_by_agreement", "协议选聘物业服务企业", ("agreement_approved",),
                   "ready_to_sign", DEV, schema=SelectSchema,
                   guards=(winner_is_enterprise, _not_in_future("selected_on", Bi("协议选聘确定日期", "selection day"))),
                   effect=_with_winner, label_en="select by agreement"),
        Transition("evaluate", "评标（评标委员会提交评标报告）", ("bids_opened",), "evaluated", DEV,
                   schema=EvaluationSchema, guards=(lawful_committee,), label_en="evaluate"),
        Transition("award", "确定中标人并发出中标通知书", ("evaluated",), "awarded", DEV,
                   schema=AwardSchema,
                   guards=(winner_is_enterprise, _not_in_future("awarded_on", Bi("确定中标人日期", "award day")),
                           _not_in_future("award_notice_on", Bi("中标通知书发出日期", "award notice day"))),
                   effect=_with_winner, starts=("award_filing", "contract_signing"),
                   label_en="award"),
        Transition("submit_award", "报送中标备案（招标投标情况书面报告）", ("awarded",),
                   "award_submitted", DEV, schema=AwardReportSchema, meets=("award_filing",),
                   effect=_stamp("award_submitted_on"), label_en="submit the award for filing"),
        Transition("file_award", "予以中标备案", ("award_submitted",), "ready_to_sign", BUREAU,
                   schema=ReviewSchema, issues=("award_filing_receipt",),
                   label_en="file the award"),
        Transition("return_award", "退回中标备案（补正）", ("award_submitted",), "awarded", BUREAU,
                   schema=ReasonsSchema, label_en="return the award filing"),
        Transition("sign_contract", "签订前期物业服务合同", ("ready_to_sign",), "contract_signed", DEV,
                   schema=SignSchema,
                   guards=(signed_after_award, _not_in_future("signed_on", Bi("签订日期", "signing day"))),
                   meets=("contract_signing",),
                   opens=(Link("contract_filing", _contract_filing_data, enterprise_key="winner_id"),),
                   label_en="sign the pre-phase contract"),
    ),
    deadlines=(TENDER_FILING, AWARD_FILING, CONTRACT_SIGNING),
)

"""物业服务合同备案 — filing of a property-service contract (docs/procedures.md §6).

The enterprise registers the signed contract and submits it for filing within the rule
pack's period from signing; the reviewing authority accepts it (receipt issued), asks for
a correction with reasons (the enterprise resubmits) or rejects it.

Who reviews (《浉河区物业管理实施细则》第十二条, docs/sources.md; 河南 art. 49): the district housing bureau for pre-phase
contracts (前期物业服务合同), the street office for contracts chosen by the owners'
assembly. There is no national filing duty (民法典 art. 938, 物业管理条例 art. 34 only
require a written contract), so the national pack starts no deadline.
"""
from __future__ import annotations

from marshmallow import validates_schema

from engine.bilingual import Bi
from engine.definition import (AlertWindows, DeadlineSpec, DocumentSpec, Opening, Period, Procedure,
                               RegisterDuty, RegisterWrite, State, Transition,
                               guard)
from engine.roles import role_label
from engine.schema import Choice, Date, Money, PayloadSchema, Text, ValidationError

KINDS = {"pre_phase": Bi("前期物业服务合同", "pre-phase service contract"),
         "assembly": Bi("业主大会选聘的物业服务合同", "service contract chosen by the owners' assembly")}
REVIEWER = {"pre_phase": "housing_bureau", "assembly": "street_office"}


class ContractSchema(PayloadSchema):
    contract_kind = Choice("合同类型", KINDS, label_en="Contract kind")
    contract_no = Text("合同编号", max_length=60, label_en="Contract number")
    client = Text("委托方（建设单位或业主委员会）", max_length=200,
                  label_en="Client (the developer or the owners' committee)")
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


class SubmitSchema(PayloadSchema):
    note = Text("报送说明（随附材料）", required=False, multiline=True,
                label_en="Note on the submission (enclosed documents)")


class ReviewSchema(PayloadSchema):
    remark = Text("审查意见", required=False, multiline=True, label_en="Review opinion")


class ReasonsSchema(PayloadSchema):
    reasons = Text("补正事项及理由", multiline=True, label_en="What to correct, and why")


class ResubmitSchema(PayloadSchema):
    note = Text("补正情况说明", multiline=True, label_en="What was corrected")


class RejectSchema(PayloadSchema):
    reason = Text("不予备案的理由", multiline=True, label_en="Reason for refusing to file")


class WithdrawSchema(PayloadSchema):
    reason = Text("撤回理由", multiline=True, label_en="Reason for withdrawing")


@guard("签订日期不得晚于登记之日")
def signed_not_in_future(ctx):
    signed = ctx.date("signed_on")
    if signed and signed > ctx.today:
        return Bi(f"签订日期 {signed.isoformat()} 晚于今日，请核对合同签订日期",
                  f"the signing date {signed.isoformat()} is after today; check the contract's "
                  "signing date")
    return None


@guard("审查机关应与合同类型相符：前期物业服务合同由区住建局备案，业主大会选聘的合同由街道办事处备案")
def reviewer_matches_kind(ctx):
    kind = ctx.case_data.get("contract_kind")
    wanted = REVIEWER.get(kind)
    if ctx.actor.role != "system" and wanted and ctx.actor.role != wanted:
        who = role_label(wanted)
        return Bi(f"{KINDS[kind]}由{who}审查备案", f"a {KINDS[kind].en} is filed by the {who.en}")
    return None


STATES = (
    State("registered", "已登记待报送", label_en="registered"),
    State("submitted", "已报送待审查", label_en="submitted"),
    State("correction", "待补正", label_en="correction requested"),
    State("filed", "已备案", final=True, label_en="filed"),
    State("rejected", "不予备案", final=True, label_en="rejected"),
    State("withdrawn", "已撤回", final=True, label_en="withdrawn"),
)

FILING = DeadlineSpec(
    key="filing",
    label="物业服务合同备案期限",
    label_en="filing of the service contract",
    anchor="signed_on",
    party="enterprise",
    rules={
        "national": None,
        "henan": Period(15, "day", "《河南省物业管理条例》第四十九条第三款：物业服务企业应当自物业服务合同签订之日起十五日内，将服务合同报送物业所在地县（市、区）人民政府物业管理行政主管部门和街道办事处、乡镇人民政府备案"),
        "shandong": Period(10, "day", "《山东省物业管理条例》第五十七条第六款：物业服务人应当自签订物业服务合同之日起十日内，向物业主管部门备案"),
    },
    consequence="逾期未备案的，由主管部门督促限期备案",
    consequence_en="if it is not filed in time, the authority orders filing within a time limit",
    escalate_to=("street_office", "housing_bureau"),
)

REVIEWERS = ("housing_bureau", "street_office")

# A filing is a single step for the enterprise: warn three working days ahead.
ALERTS = AlertWindows(due_soon=3, escalate=(5, 10))

DOCUMENTS = (
    DocumentSpec("contract_filing_receipt", "物业服务合同备案回执", title_en="Receipt for the filing of a service contract",
                 addressee="enterprise",
                 basis={"national": "《民法典》第九百三十八条；《物业管理条例》第三十四条", "henan": "", "shandong": ""},
                 quotes=("filing",)),
    DocumentSpec("correction_notice", "补正通知书", title_en="Notice to correct", addressee="enterprise",
                 basis={"national": "《民法典》第九百三十八条；《物业管理条例》第三十四条", "henan": "", "shandong": ""},
                 quotes=("filing",)),
)

DEFINITION = Procedure(
    name="contract_filing",
    version=1,
    title="物业服务合同备案",
    title_en="Property-service contract filing",
    basis="《河南省物业管理条例》第四十九条；《山东省物业管理条例》第五十七条；《民法典》第九百三十八条",
    summary="物业服务企业自合同签订之日起在规定期限内报送备案；审查机关予以备案、要求补正或不予备案。",
    summary_en=("The enterprise submits the contract for filing within the set period from "
                "signing; the reviewing authority files it, asks for a correction, or refuses."),
    alerts=ALERTS,
    documents=DOCUMENTS,
    states=STATES,
    initial="registered",
    opening=Opening(roles=("enterprise",), label="登记已签订的物业服务合同",
                    label_en="register a signed service contract",
                    schema=ContractSchema, guards=(signed_not_in_future,), starts=("filing",),
                    registers=(RegisterWrite("contract_registered", fields={
                        "kind": "contract_kind", "contract_no": "contract_no",
                        "signed_on": "signed_on", "term_start": "term_start",
                        "term_end": "term_end", "fee": "fee"}),)),
    transitions=(
        Transition("submit", "报送备案", ("registered",), "submitted", ("enterprise",),
                   schema=SubmitSchema, meets=("filing",), label_en="submit for filing",
                   registers=(RegisterWrite("contract_submitted"),),
                   fact_label="报送之日", fact_label_en="day of submission"),
        Transition("accept", "予以备案", ("submitted",), "filed", REVIEWERS,
                   schema=ReviewSchema, guards=(reviewer_matches_kind,),
                   issues=("contract_filing_receipt",), label_en="accept",
                   registers=(RegisterWrite("contract_filed"),),
                   fact_label="备案之日", fact_label_en="day of filing"),
        Transition("request_correction", "要求补正", ("submitted",), "correction", REVIEWERS,
                   schema=ReasonsSchema, guards=(reviewer_matches_kind,),
                   issues=("correction_notice",), label_en="request correction",
                   fact_label="通知补正之日", fact_label_en="day the correction was asked for"),
        Transition("resubmit", "补正后重新报送", ("correction",), "submitted", ("enterprise",),
                   schema=ResubmitSchema, label_en="resubmit",
                   registers=(RegisterWrite("contract_submitted"),),
                   fact_label="重新报送之日", fact_label_en="day of resubmission"),
        Transition("reject", "不予备案", ("submitted",), "rejected", REVIEWERS,
                   schema=RejectSchema, guards=(reviewer_matches_kind,), one_way=True, label_en="reject",
                   registers=(RegisterWrite("contract_refused"),),
                   fact_label="决定不予备案之日", fact_label_en="day filing was refused"),
        Transition("withdraw", "撤回", ("registered", "correction"), "withdrawn", ("enterprise",),
                   schema=WithdrawSchema, cancels=("filing",), optional=True, one_way=True, label_en="withdraw",
                   fact_label="撤回之日", fact_label_en="day of withdrawal"),
    ),
    deadlines=(FILING,),
    # A contract the register knows (e.g. the successor's after an exit) owes its filing
    # from its signing even when the enterprise never opens a filing case.
    duties=(RegisterDuty("contract_unfiled", "contract_unfiled", deadline=FILING,
                         told=("street_office", "housing_bureau")),),
)

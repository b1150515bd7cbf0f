"""问题整改台账 — one entry of the problem ledger: a problem found in an inspection (or
reported otherwise), ordered to be rectified by a day, reported rectified with evidence,
re-checked and closed (销号) or sent back with reasons (docs/procedures.md §11).

「物业管理专项整治方案」四: 排查 → 问题台账 with 整改措施, 整改时限 and 责任人 → 动态销号;
挂牌督办 for serious problems; 《浉河区物业管理实施细则》第十三条: an enterprise that does
not rectify after an order gets a bad credit record. The time limit is the inspector's,
written on the entry (the period runs to that day: 0 days from it, rolled forward past a
holiday, 民法典 art. 203); an overdue entry alerts the enterprise and climbs to the street
office and the bureau like every deadline. The supervision powers: 物业管理条例 art. 5 ¶2;
河南 art. 6 ¶1 (一); 山东 art. 52.
"""
from __future__ import annotations

from datetime import date

from engine.bilingual import Bi
from engine.definition import (AlertWindows, DeadlineSpec, DocumentSpec, Opening, Period, Procedure, State,
                               Transition, guard)
from engine.schema import Choice, Date, PayloadSchema, Text

NAME = "rectification"
INSPECTORS = ("housing_bureau", "street_office", "community")
YES_NO = {"yes": Bi("是", "yes"), "no": Bi("否", "no")}

_LEDGER = "「物业管理专项整治方案」四（地方实践做法，非法律、法规规定；待核实）"
BASIS = {
    "national": "《物业管理条例》第五条第二款：县级以上地方人民政府房地产行政主管部门负责本行政区域内物业管理活动的监督管理工作；" + _LEDGER,
    "henan": "《河南省物业管理条例》第六条第一款第（一）项（对物业服务质量进行监督管理）；" + _LEDGER,
    "shandong": "《山东省物业管理条例》第五十二条：物业主管部门应当加强对物业服务人的监督管理；" + _LEDGER,
}


def _on_the_day(what: str) -> dict:
    return {pack: Period(0, "day", f"{_LEDGER}：{what}，期限由检查单位在台账中确定。依据：{basis}")
            for pack, basis in BASIS.items()}


RECTIFY = DeadlineSpec(
    key="rectify", label="整改时限", label_en="rectification time limit", anchor="rectify_by",
    party="enterprise", rules=_on_the_day("问题台账明确整改措施、整改时限和责任人"),
    consequence="逾期未整改的，挂牌督办并记入企业信用档案（《浉河区物业管理实施细则》第十三条，地方实践做法，待核实）",
    consequence_en="an entry not rectified in time is put under supervision and recorded in the enterprise's credit file",
    escalate_to=("street_office", "housing_bureau"))
LISTED = DeadlineSpec(
    key="listed", label="挂牌督办整改时限", label_en="time limit under listed supervision", anchor="supervise_by",
    party="enterprise", rules=_on_the_day("对严重问题挂牌督办"),
    consequence="挂牌督办逾期未整改的，由区住建局依法处理并记入信用档案",
    consequence_en="the bureau deals with it and records it in the credit file", escalate_to=("housing_bureau",))


class OpenSchema(PayloadSchema):
    part = Text("检查项目类别", required=False, max_length=100, label_en="Part of the checklist")
    item = Text("检查事项", max_length=300, label_en="What was checked")
    problem = Text("存在问题", multiline=True, label_en="Problem found")
    measure = Text("整改措施", multiline=True, label_en="Measure ordered")
    rectify_by = Date("整改时限", label_en="Rectify by")
    responsible_person = Text("责任人", max_length=100, label_en="Person responsible")
    serious = Choice("是否严重问题", YES_NO, required=False, label_en="Serious problem")
    inspection_kind = Text("检查类型", required=False, max_length=40, label_en="Kind of inspection")


class ReportSchema(PayloadSchema):
    measures_taken = Text("整改情况", multiline=True, label_en="What was done")


class CheckSchema(PayloadSchema):
    remark = Text("复查意见", required=False, multiline=True, label_en="Re-check opinion")


class BackSchema(PayloadSchema):
    reasons = Text("未通过复查的理由", multiline=True, label_en="Why it did not pass the re-check")
    rectify_by = Date("新的整改时限", label_en="New time limit")


class SuperviseSchema(PayloadSchema):
    requirements = Text("督办要求", multiline=True, label_en="Requirements")
    supervise_by = Date("督办整改时限", label_en="Rectify by (under supervision)")


def _ahead(key: str, label: Bi):
    @guard(f"{label}应晚于今日", uses_payload=True)
    def check(ctx):
        d = ctx.payload.get(key)
        if d and d <= ctx.today:
            return Bi(f"{label} {d.isoformat()} 不晚于今日，请给出合理的整改时间",
                      f"the {label.en} {d.isoformat()} is not after today; allow time to rectify")
        return None
    return check


# The uploads come with the submission: checked then, not when the step is offered (else
# the enterprise would never be offered the report form at all).
@guard("整改报告应附整改后的照片或其他证明材料", uses_payload=True)
def with_evidence(ctx):
    if not ctx.files:
        return Bi("请上传整改后的照片或其他证明材料", "upload photos or other evidence of the rectification")
    return None


@guard("同一问题只挂牌督办一次")
def not_listed(ctx):
    if ctx.case_data.get("listed"):
        return Bi("本问题已挂牌督办", "this problem is under listed supervision already")
    return None


def _iso(v):
    return v.isoformat() if isinstance(v, date) else v


def merge(ctx, data: dict) -> None:
    data.update({k: _iso(v) for k, v in ctx.payload.items() if v is not None})


def reported(ctx, data: dict) -> None:
    merge(ctx, data)
    data["reported_on"] = ctx.today.isoformat()
    data["evidence"] = [a.id for a in ctx.attachments]


def closed(ctx, data: dict) -> None:
    merge(ctx, data)
    data["closed_on"] = ctx.today.isoformat()


def listed(ctx, data: dict) -> None:
    merge(ctx, data)
    data["listed"] = True
    data["listed_on"] = ctx.today.isoformat()


DOCUMENTS = (
    DocumentSpec("rectification_notice", "整改通知书", title_en="Rectification notice", addressee="enterprise",
                 basis=BASIS, quotes=("rectify",)),
    DocumentSpec("listing_notice", "挂牌督办通知书", title_en="Notice of listed supervision", addressee="enterprise",
                 basis=BASIS, quotes=("listed",)),
    DocumentSpec("closure_confirmation", "整改销号确认书", title_en="Confirmation that the entry is closed",
                 addressee="enterprise", basis=BASIS),
)

DEFINITION = Procedure(
    name=NAME,
    version=1,
    title="问题整改台账",
    title_en="Rectification ledger entry",
    basis="《物业管理条例》第五条第二款；《河南省物业管理条例》第六条第一款第（一）项；《山东省物业管理条例》第五十二条；"
          "「物业管理专项整治方案」四；《浉河区物业管理实施细则》第十一条、第十三条",
    summary=("检查发现的问题逐项列入台账，明确整改措施、整改时限和责任人，下发整改通知书；物业服务企业报告整改情况并附证明材料，"
             "检查单位复查后销号或说明理由退回；严重问题挂牌督办；逾期未整改的逐级预警督办（地方实践做法，待核实）。"),
    summary_en=("Each problem an inspection finds is entered in the ledger with the measure, the time "
                "limit and the person responsible, and a rectification notice is issued; the "
                "enterprise reports what it did with evidence; the inspector re-checks and closes "
                "the entry or sends it back with reasons; serious problems are put under listed "
                "supervision; overdue entries alert and climb (local practice, unverified)."),
    alerts=AlertWindows(due_soon=2, escalate=(1, 5)),
    documents=DOCUMENTS,
    ledger=True,
    states=(
        State("ordered", "待整改", label_en="to be rectified"),
        State("reported", "已报告整改，待复查", label_en="reported, to be re-checked"),
        State("cleared", "已销号", final=True, label_en="closed (struck off the ledger)"),
    ),
    initial="ordered",
    opening=Opening(roles=INSPECTORS, label="列入问题台账", label_en="enter in the ledger", schema=OpenSchema,
                    guards=(_ahead("rectify_by", Bi("整改时限", "time limit")),), effect=merge,
                    starts=("rectify",), issues=("rectification_notice",)),
    transitions=(
        Transition("report", "报告整改情况", ("ordered",), "reported", ("enterprise",), schema=ReportSchema,
                   guards=(with_evidence,), effect=reported, meets=("rectify", "listed"),
                   label_en="report the rectification"),
        Transition("clear", "复查通过，销号", ("reported",), "cleared", INSPECTORS, schema=CheckSchema,
                   effect=closed, issues=("closure_confirmation",), label_en="re-checked: close the entry"),
        Transition("send_back", "复查未通过，退回整改", ("reported",), "ordered", INSPECTORS, schema=BackSchema,
                   guards=(_ahead("rectify_by", Bi("新的整改时限", "new time limit")),), effect=merge,
                   starts=("rectify",), label_en="send back with reasons"),
        Transition("supervise", "挂牌督办", ("ordered", "reported"), None, ("housing_bureau", "street_office"),
                   schema=SuperviseSchema, guards=(not_listed, _ahead("supervise_by", Bi("督办整改时限", "time limit"))),
                   effect=listed, starts=("listed",), issues=("listing_notice",), label_en="put under listed supervision"),
    ),
    deadlines=(RECTIFY, LISTED),
)

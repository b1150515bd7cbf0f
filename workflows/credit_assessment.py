"""物业服务项目季度考评 — the quarterly assessment of an enterprise's project
(docs/procedures.md §12).

「湖南住宅物业监管方案」五(二)1(7): every quarter the community assesses each enterprise's
project, the street office reviews and summarises and reports to the housing bureau; the
results drive the enterprise's credit points and how often it is inspected. The deadline
scan opens one assessment per estate and enterprise at the start of each quarter, for the
quarter just ended (`recurs`). The scoring sheet is rule-pack data
(`workflows/rules/credit.py`); the street office may adjust a score, with reasons; the
bureau confirms, and the confirmed total is the project's basic credit score for that
quarter. The credit duties: 河南 art. 72; 山东 art. 52.
"""
from __future__ import annotations

from decimal import Decimal

from marshmallow import fields, validate

from engine.bilingual import Bi
from engine.definition import (AlertWindows, DeadlineSpec, Opening, Period, Procedure, Recurrence, State,
                               Transition, guard)
from engine.schema import PayloadSchema, Text
from workflows.rules.credit import SHEET, SHEET_BASIS, Entry

NAME = "credit_assessment"
BASIS = {
    "national": SHEET_BASIS,
    "henan": SHEET_BASIS + "；《河南省物业管理条例》第七十二条第二款：县级以上物业管理行政主管部门负责本行政区域内物业服务市场主体信用信息采集和诚信档案管理工作",
    "shandong": SHEET_BASIS + "；《山东省物业管理条例》第五十二条：物业主管部门应当加强对物业服务人的监督管理，开展物业服务人信用评价",
}


def _rules(amount: int, what: str) -> dict:
    return {pack: Period(amount, "workday", f"{what}{amount}个工作日（地方设置，待核实）。依据：{b}")
            for pack, b in BASIS.items()}


def previous_quarter(period: str) -> str:
    year, q = int(period[:4]), int(period[-1])
    return f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"


def _score_field(item, required: bool):
    return fields.Decimal(required=required, as_string=True, places=1,
                          validate=validate.Range(min=0, max=item.weight),
                          metadata={"label": f"{item.label}（满分{item.weight}）",
                                    "label_en": f"{item.label_en} (of {item.weight})"})


class OpenSchema(PayloadSchema):
    period = Text("考评季度", max_length=10, label_en="Quarter assessed")


ScoreSchema = type("ScoreSchema", (PayloadSchema,), {
    **{f"score_{i.key}": _score_field(i, True) for i in SHEET},
    "remarks": Text("评分说明及依据", required=False, multiline=True, label_en="Remarks and evidence"),
})
ReviewSchema = type("ReviewSchema", (PayloadSchema,), {
    **{f"score_{i.key}": _score_field(i, False) for i in SHEET},
    "adjustment_reasons": Text("调整理由", required=False, multiline=True, label_en="Why the scores are adjusted"),
    "summary": Text("审核汇总意见", required=False, multiline=True, label_en="Review and summary"),
})


class ReasonsSchema(PayloadSchema):
    reasons = Text("理由", multiline=True, label_en="Reasons")


class ConfirmSchema(PayloadSchema):
    remark = Text("确认意见", required=False, multiline=True, label_en="Remark")


def _total(scores: dict) -> str:
    return str(sum((Decimal(str(v)) for v in scores.values()), Decimal(0)))


@guard("调整社区评分须说明理由", uses_payload=True)
def adjustment_has_reasons(ctx):
    scores = ctx.case_data.get("scores") or {}
    changed = [i.label for i in SHEET if ctx.payload.get(f"score_{i.key}") is not None
               and Decimal(str(ctx.payload[f"score_{i.key}"])) != Decimal(str(scores.get(i.key, "0")))]
    if changed and not (ctx.payload.get("adjustment_reasons") or "").strip():
        return Bi(f"调整了「{changed[0]}」等{len(changed)}项评分，须填写调整理由",
                  f"{len(changed)} scores are adjusted: give the reasons")
    return None


def scored(ctx, data: dict) -> None:
    scores = {i.key: str(ctx.payload[f"score_{i.key}"]) for i in SHEET}
    data["community_scores"] = scores
    data["scores"] = dict(scores)
    data["total"] = _total(scores)
    if ctx.payload.get("remarks"):
        data["remarks"] = ctx.payload["remarks"]
    data["scored_on"] = ctx.today.isoformat()


def reviewed(ctx, data: dict) -> None:
    scores = dict(data.get("scores") or {})
    adjusted = {}
    for i in SHEET:
        v = ctx.payload.get(f"score_{i.key}")
        if v is not None and Decimal(str(v)) != Decimal(str(scores.get(i.key, "0"))):
            adjusted[i.key] = {"from": scores.get(i.key), "to": str(v)}
            scores[i.key] = str(v)
    data["scores"] = scores
    data["total"] = _total(scores)
    data["adjustments"] = adjusted
    for k in ("adjustment_reasons", "summary"):
        if ctx.payload.get(k):
            data[k] = ctx.payload[k]
    data["reviewed_on"] = ctx.today.isoformat()


def sent_back(ctx, data: dict) -> None:
    data["send_back_reasons"] = ctx.payload["reasons"]


def confirmed(ctx, data: dict) -> None:
    data.update({k: v for k, v in ctx.payload.items() if v})
    data["confirmed_on"] = ctx.today.isoformat()


def credit(state: str, data) -> Entry | None:
    if state == "assessed" and data.get("total") is not None:
        return Entry("basic", Decimal(str(data["total"])), data.get("period", ""),
                     f"{data.get('period', '')}季度考评")
    return None


DEFINITION = Procedure(
    name=NAME,
    version=1,
    title="物业服务项目季度考评",
    title_en="Quarterly assessment of a project",
    basis="「湖南住宅物业监管方案」五(二)1(7)；《河南省物业管理条例》第七十二条；《山东省物业管理条例》第五十二条",
    summary=("每季度初由系统为每个物业管理区域及其物业服务企业建立上一季度的考评：社区按评分表评分并说明依据，"
             "街道审核、可调整评分并说明理由后汇总报区住建局，区住建局确认；确认的得分为该项目当季的信用基础分（评分项目、分值、期限待核实）。"),
    summary_en=("At the start of each quarter the system opens the assessment of the quarter just "
                "ended for every estate and its enterprise: the community scores it on the sheet, "
                "the street office reviews (adjusting with reasons) and reports to the bureau, which "
                "confirms; the confirmed total is the project's basic credit score (items, weights "
                "and time limits unverified)."),
    alerts=AlertWindows(due_soon=3, escalate=(2, 5)),
    recurs=Recurrence("quarter", lambda period, estate: {"period": previous_quarter(period)},
                      basis="「湖南住宅物业监管方案」五(二)1(7)"),
    credit=credit,
    states=(
        State("scoring", "社区评分中", label_en="the community scores"),
        State("reviewing", "街道审核中", label_en="the street office reviews"),
        State("reported", "已报区住建局，待确认", label_en="reported to the bureau"),
        State("assessed", "已确认", final=True, label_en="confirmed"),
    ),
    initial="scoring",
    opening=Opening(roles=("housing_bureau", "system"), label="建立季度考评", label_en="open the quarterly assessment",
                    schema=OpenSchema, starts=("community_score",)),
    transitions=(
        Transition("score", "社区评分", ("scoring",), "reviewing", ("community",), schema=ScoreSchema,
                   effect=scored, meets=("community_score",), starts=("street_review",),
                   label_en="the community scores"),
        Transition("review", "街道审核汇总并上报", ("reviewing",), "reported", ("street_office",), schema=ReviewSchema,
                   guards=(adjustment_has_reasons,), effect=reviewed, meets=("street_review",),
                   starts=("bureau_confirm",), label_en="the street office reviews and reports"),
        Transition("return_scores", "退回社区重新评分", ("reviewing",), "scoring", ("street_office",),
                   schema=ReasonsSchema, effect=sent_back, meets=("street_review",), starts=("community_score",),
                   label_en="send back to the community"),
        Transition("confirm", "区住建局确认", ("reported",), "assessed", ("housing_bureau",), schema=ConfirmSchema,
                   effect=confirmed, meets=("bureau_confirm",), label_en="the bureau confirms"),
    ),
    deadlines=(
        DeadlineSpec("community_score", "社区评分期限", "@event", _rules(10, "社区季度评分时限"), party="community",
                     label_en="the community's scoring", escalate_to=("street_office", "housing_bureau")),
        DeadlineSpec("street_review", "街道审核上报期限", "scored_on", _rules(5, "街道审核汇总上报时限"),
                     party="street_office", label_en="the street office's review", escalate_to=("housing_bureau",)),
        DeadlineSpec("bureau_confirm", "区住建局确认期限", "reviewed_on", _rules(10, "区住建局确认时限"),
                     party="housing_bureau", label_en="the bureau's confirmation"),
    ),
)

"""物业管理检查 — an inspection of an estate against a checklist (docs/procedures.md §11).

The kinds: 专项整治 (a special rectification campaign, 「物业管理专项整治方案」三-四), 日常巡查,
双随机、一公开 (《浉河区物业管理实施细则》第十一条). The inspector answers the template's items
one by one (with photos); when the inspection is completed, every failed item becomes an
entry of the problem ledger (`rectification`), with its problem, measure, time limit and
the person responsible, and the enterprise gets a rectification notice for each.
"""
from __future__ import annotations

from datetime import date

from marshmallow import validates_schema

from engine.bilingual import Bi
from engine.definition import (AlertWindows, Link, Opening, Procedure, State, Transition,
                               guard)
from engine.schema import Choice, Date, PayloadSchema, Text, ValidationError
from workflows.rules.checklists import ALL_ITEMS, TEMPLATE_CHOICES, TEMPLATES

NAME = "inspection"
INSPECTORS = ("housing_bureau", "street_office", "community")
KINDS = {"special": Bi("专项整治检查", "special rectification campaign"),
         "daily": Bi("日常巡查", "routine patrol"),
         "random": Bi("双随机、一公开抽查", "random inspection (random inspectors, random estates, results public)")}
PASS, FAIL, NA = "pass", "fail", "na"
RESULTS = {PASS: Bi("符合", "complies"), FAIL: Bi("不符合", "does not comply"), NA: Bi("不适用", "not applicable")}
YES_NO = {"yes": Bi("是", "yes"), "no": Bi("否", "no")}
BASIS = ("「物业管理专项整治方案」三、四；《浉河区物业管理实施细则》第十一条（地方实践做法，待核实）；"
         "《物业管理条例》第五条第二款：县级以上地方人民政府房地产行政主管部门负责本行政区域内物业管理活动的监督管理工作")


class OpenSchema(PayloadSchema):
    kind = Choice("检查类型", KINDS, label_en="Kind of inspection")
    template = Choice("检查表", TEMPLATE_CHOICES, label_en="Checklist")
    inspectors = Text("检查人员", max_length=300, label_en="Inspectors")


class AnswerSchema(PayloadSchema):
    item = Choice("检查事项", ALL_ITEMS, label_en="Item")
    result = Choice("检查结果", RESULTS, label_en="Result")
    note = Text("检查情况", required=False, multiline=True, label_en="What was seen")
    problem = Text("存在问题", required=False, multiline=True, label_en="Problem")
    measure = Text("整改措施", required=False, multiline=True, label_en="Measure ordered")
    rectify_by = Date("整改时限", required=False, label_en="Rectify by")
    responsible_person = Text("责任人", required=False, max_length=100, label_en="Person responsible")
    serious = Choice("是否严重问题", YES_NO, required=False, label_en="Serious problem")

    @validates_schema
    def _a_failure_is_a_ledger_entry(self, data, **_):
        if data.get("result") != FAIL:
            return
        missing = {k: [Bi("不符合的事项须填写此项（列入问题台账）", "Required for an item that does not comply")]
                   for k in ("problem", "measure", "rectify_by", "responsible_person") if not data.get(k)}
        if missing:
            raise ValidationError(missing)


class DoneSchema(PayloadSchema):
    summary = Text("检查结论", required=False, multiline=True, label_en="Conclusion")


def template_of(data) -> object:
    return TEMPLATES[data.get("template")]


@guard("检查事项应属于本次检查表", uses_payload=True)
def item_of_template(ctx):
    item = ctx.payload.get("item")
    if item is None:
        return None
    t = template_of(ctx.case_data)
    if item not in {i.key for i in t.items()}:
        return Bi(f"「{ALL_ITEMS[item]}」不在{t.title}中", f"that item is not on the {t.title.en}")
    return None


@guard("整改时限应晚于检查之日", uses_payload=True)
def time_to_rectify(ctx):
    d = ctx.payload.get("rectify_by")
    if d and d <= ctx.today:
        return Bi(f"整改时限 {d.isoformat()} 不晚于检查之日", f"the time limit {d.isoformat()} is not after the inspection")
    return None


@guard("检查表各项均已填写结果")
def every_item_answered(ctx):
    t = template_of(ctx.case_data)
    answers = ctx.case_data.get("answers") or {}
    left = [i for i in t.items() if i.key not in answers]
    if left:
        return Bi(f"尚有 {len(left)} 项未填写检查结果（如「{left[0].question}」）",
                  f"{len(left)} items have no result yet")
    return None


def answered(ctx, data: dict) -> None:
    p = ctx.payload
    answers = dict(data.get("answers") or {})
    answers[p["item"]] = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in p.items()
                          if k != "item" and v is not None}
    answers[p["item"]]["attachments"] = [a.id for a in ctx.attachments]
    data["answers"] = answers


def completed(ctx, data: dict) -> None:
    data.update({k: v for k, v in ctx.payload.items() if v is not None})
    data["completed_on"] = ctx.today.isoformat()
    data["findings"] = sum(1 for a in (data.get("answers") or {}).values() if a.get("result") == FAIL)


def ledger_entries(ctx, data: dict) -> list[dict]:
    """One ledger entry per failed item, in the template's order."""
    t = template_of(data)
    answers = data.get("answers") or {}
    out = []
    for item in t.items():
        a = answers.get(item.key) or {}
        if a.get("result") != FAIL:
            continue
        out.append({"part": str(t.part_of(item.key).label), "item": item.question,
                    "problem": a["problem"], "measure": a["measure"], "rectify_by": a["rectify_by"],
                    "responsible_person": a["responsible_person"], "serious": a.get("serious", "no"),
                    "inspection_kind": str(KINDS[data["kind"]])})
    return out


DEFINITION = Procedure(
    name=NAME,
    version=1,
    title="物业管理检查",
    title_en="Inspection of an estate",
    basis=BASIS,
    summary=("按检查表（专项整治自查表等）逐项检查物业管理区域并记录结果和照片；检查完成时，"
             "不符合的每一项列入问题台账，明确整改措施、整改时限和责任人，并向物业服务企业下发整改通知书。"),
    summary_en=("The inspector goes through the checklist item by item, with notes and photos; when "
                "the inspection is completed, each item that does not comply becomes an entry of "
                "the problem ledger (measure, time limit, person responsible) with a rectification "
                "notice to the enterprise."),
    alerts=AlertWindows(),
    states=(
        State("inspecting", "检查中", label_en="inspection under way"),
        State("inspected_all", "检查完成", final=True, label_en="inspection completed"),
    ),
    initial="inspecting",
    opening=Opening(roles=INSPECTORS, label="开始检查", label_en="start an inspection", schema=OpenSchema),
    transitions=(
        Transition("answer", "逐项记录检查结果", ("inspecting",), None, INSPECTORS, schema=AnswerSchema,
                   guards=(item_of_template, time_to_rectify), effect=answered, label_en="record an item"),
        Transition("complete", "完成检查，问题列入台账", ("inspecting",), "inspected_all", INSPECTORS,
                   schema=DoneSchema, guards=(every_item_answered,), effect=completed,
                   opens=(Link("rectification", ledger_entries, many=True),),
                   label_en="complete: problems into the ledger"),
    ),
)



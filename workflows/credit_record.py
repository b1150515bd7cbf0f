"""物业服务企业信用记录 — a good or bad record of an enterprise's credit
(docs/procedures.md §12).

A record is proposed by an authority or by the system from facts it knows (a statutory
deadline of the enterprise missed, a rectification not done after an order: the deadline
scan proposes one for each missed deadline of an enterprise; a complaint found
substantiated: the complaint's return visit proposes one), confirmed by the housing
bureau, then published for objection (异议) for the pack's period: the enterprise may
object, the bureau upholds the objection (the record is revoked) or dismisses it; after
the period the bureau puts the record in force. Only records in force count (河南 art. 72
¶2: the county bureau keeps the credit files; 《浉河区物业管理实施细则》第十三条、第十八条).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine import legaltime
from engine.bilingual import Bi
from engine.definition import (AlertWindows, DeadlineSpec, Opening, Period, Procedure, State, Transition,
                               guard)
from engine.schema import Choice, Count, Money, PayloadSchema, Text
from workflows.rules.credit import FACT_CHOICES, FACTS, FACTS_BASIS, OBJECTION_WORKDAYS, Entry

NAME = "credit_record"
AUTHORITIES = ("housing_bureau", "street_office", "community", "system")
# The ledger's time limits: a missed one is a rectification not done after an order.
RECTIFICATION_KEYS = ("rectify", "listed")


class OpenSchema(PayloadSchema):
    fact = Choice("信用信息类别", FACT_CHOICES, label_en="Kind of record")
    points = Money("分值（不填按规则包）", required=False, places=1, label_en="Points (default: the rule pack's)")
    description = Text("事实及依据", multiline=True, label_en="Facts and basis")
    source_case = Count("来源案件编号", required=False, minimum=1, label_en="Case it comes from")


class ReasonsSchema(PayloadSchema):
    reasons = Text("理由", multiline=True, label_en="Reasons")


class ObjectionSchema(PayloadSchema):
    objection = Text("异议内容及理由", multiline=True, label_en="The objection and its grounds")


class NoteSchema(PayloadSchema):
    remark = Text("意见", required=False, multiline=True, label_en="Remark")


def proposed(ctx, data: dict) -> None:
    fact = FACTS[ctx.payload["fact"]]
    data.update({k: (str(v) if isinstance(v, Decimal) else v) for k, v in ctx.payload.items() if v is not None})
    data["kind"] = "good" if fact.good else "bad"
    data["points"] = str(ctx.payload.get("points") or fact.points)
    data["proposed_on"] = ctx.today.isoformat()


def published(ctx, data: dict) -> None:
    data.update({k: v for k, v in ctx.payload.items() if v})
    n = OBJECTION_WORKDAYS.get(ctx.rulepack, OBJECTION_WORKDAYS["national"])
    data["objection_until"] = legaltime.period_end(ctx.today, n, "workday").date.isoformat()
    data["published_on"] = ctx.today.isoformat()


def merge(ctx, data: dict) -> None:
    data.update({k: v for k, v in ctx.payload.items() if v})
    data["decided_on"] = ctx.today.isoformat()


@guard("异议应在异议期内提出")
def within_objection_period(ctx):
    until = ctx.case_data.get("objection_until")
    if until and ctx.today > date.fromisoformat(until):
        return Bi(f"异议期已于{until}届满", f"the objection period ended on {until}")
    return None


@guard("异议期届满后方可生效")
def objection_period_over(ctx):
    until = ctx.case_data.get("objection_until")
    if until and ctx.today <= date.fromisoformat(until):
        return Bi(f"异议期至{until}届满，届满后方可生效", f"the objection period runs until {until}")
    return None


def credit(state: str, data) -> Entry | None:
    if state == "in_force":
        return Entry(data.get("kind", "bad"), Decimal(str(data.get("points", "0"))), "",
                     str(FACTS[data["fact"]].label) if data.get("fact") in FACTS else "")
    return None


def from_missed(facts) -> dict | None:
    fact = "overdue_rectification" if facts.get("key") in RECTIFICATION_KEYS else "missed_deadline"
    return {"fact": fact, "source_case": facts["case_id"],
            "description": f"{facts['label']}（{facts['due_date']}届满）逾期未履行。依据：{facts['citation'][:300]}"}


_OBJECTION = {pack: Period(5, "workday", f"异议期（{n}个工作日，待核实）届满后区住建局确认生效时限5个工作日（地方设置，待核实）。依据：{FACTS_BASIS}")
              for pack, n in OBJECTION_WORKDAYS.items()}

DEFINITION = Procedure(
    name=NAME,
    version=1,
    title="物业服务企业信用记录",
    title_en="Credit record of an enterprise",
    basis="《河南省物业管理条例》第七十二条；《山东省物业管理条例》第五十二条；《浉河区物业管理实施细则》第十三条、第十八条",
    summary=("良好或不良信用信息由主管部门提出或由系统依已知事实（期限逾期未履行、责令整改逾期未整改、投诉属实）拟记录，"
             "区住建局确认后公示，企业可在异议期内提出异议；异议成立的撤销，不成立或期满无异议的生效计入信用档案（分值、期限待核实）。"),
    summary_en=("A good or bad record is proposed by an authority or by the system from facts it "
                "knows (a missed deadline, a rectification not done, a substantiated complaint), "
                "confirmed by the bureau and published; the enterprise may object within the "
                "period; an upheld objection revokes it, otherwise it comes into force and counts "
                "(points and periods unverified)."),
    alerts=AlertWindows(due_soon=3, escalate=(5,)),
    credit=credit,
    from_missed=from_missed,
    states=(
        State("proposed", "拟记录，待区住建局确认", label_en="proposed"),
        State("publicised", "公示中（异议期）", label_en="published, open to objection"),
        State("objected", "异议审查中", label_en="objection under review"),
        State("in_force", "已生效，计入信用档案", final=True, label_en="in force"),
        State("revoked", "不予记录（已撤销）", final=True, label_en="revoked"),
    ),
    initial="proposed",
    opening=Opening(roles=AUTHORITIES, label="拟记录信用信息", label_en="propose a credit record",
                    schema=OpenSchema, effect=proposed, starts=("bureau_review",)),
    transitions=(
        Transition("publish", "确认并公示", ("proposed",), "publicised", ("housing_bureau",), schema=NoteSchema,
                   effect=published, meets=("bureau_review",), starts=("take_effect",),
                   label_en="confirm and publish"),
        Transition("decline", "不予记录", ("proposed",), "revoked", ("housing_bureau",), schema=ReasonsSchema,
                   effect=merge, label_en="decline"),
        Transition("object", "提出异议", ("publicised",), "objected", ("enterprise",), schema=ObjectionSchema,
                   guards=(within_objection_period,), effect=merge, label_en="object"),
        Transition("uphold_objection", "异议成立，撤销记录", ("objected",), "revoked", ("housing_bureau",),
                   schema=ReasonsSchema, effect=merge, label_en="uphold the objection"),
        Transition("dismiss_objection", "异议不成立，记录生效", ("objected",), "in_force", ("housing_bureau",),
                   schema=ReasonsSchema, effect=merge, label_en="dismiss the objection"),
        Transition("take_effect", "异议期满，记录生效", ("publicised",), "in_force", ("housing_bureau",),
                   schema=NoteSchema, guards=(objection_period_over,), effect=merge, meets=("take_effect",),
                   label_en="the period is over: in force"),
    ),
    deadlines=(
        DeadlineSpec("bureau_review", "区住建局确认期限", "@event",
                     {p: Period(10, "workday", f"拟记录信用信息的确认时限10个工作日（地方设置，待核实）。依据：{FACTS_BASIS}")
                      for p in OBJECTION_WORKDAYS}, party="housing_bureau", label_en="the bureau's confirmation"),
        DeadlineSpec("take_effect", "异议期满后确认生效期限", "objection_until", _OBJECTION, party="housing_bureau",
                     label_en="putting it in force after the objection period"),
    ),
)

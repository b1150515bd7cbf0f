"""物业承接查验及备案 — handover inspection of a new estate and its filing (docs/procedures.md §5).

The developer and the pre-phase enterprise jointly inspect the common parts and
facilities before the enterprise takes the estate over (河南 art. 44; 山东 art. 15), at
the latest 15 days before the homes are delivered to buyers (物业承接查验办法 [S], its
article number not yet checked against a loaded text); in Henan the county housing
authority and owner representatives must be invited (河南 art. 44 para. 2). After the
handover the enterprise files the inspection with the district housing bureau within 30
days (河南 art. 46); once filed, the result is posted in the estate within 5 days (local
practice: 《浉河区物业管理实施细则》第十三条, see docs/sources.md).
"""
from __future__ import annotations

from datetime import date

from marshmallow import fields

from engine.bilingual import Bi, join
from engine.definition import (AlertWindows, DeadlineSpec, DocumentSpec, Opening, Period, Procedure,
                               RegisterWrite, State, Transition, guard)
from engine.schema import Date, PayloadSchema, Text


# The 15 days are national (not loaded, hence 待核实); each province adds its own duty to
# inspect, so a Shandong estate is not told Henan's article.
_MEASURES_15_DAYS = ("《物业承接查验办法》（建房〔2010〕165号）：建设单位应当在物业交付使用15日前，与选聘的物业服务企业"
                     "完成物业共用部位、共用设施设备的承接查验工作（条号待核实）")

INSPECTION = DeadlineSpec(
    key="inspection",
    label="承接查验完成期限（交付使用十五日前）",
    label_en="inspection done (15 days before delivery)",
    anchor="delivery_on",
    direction="before",
    party="developer",
    rules={"national": Period(15, "day", _MEASURES_15_DAYS),
           "henan": Period(15, "day", _MEASURES_15_DAYS + "；《河南省物业管理条例》第四十四条第一款：承接新建物业前，物业服务企业应当与建设单位按照国家相关规定和前期物业服务合同的约定，共同对物业的共用部位、共用设施设备进行检查验收"),
           "shandong": Period(15, "day", _MEASURES_15_DAYS + "；《山东省物业管理条例》第十五条第二款：物业服务人承接物业时，应当对物业共用部位、共用设施设备进行查验")},
    consequence="未经承接查验的物业不得交付；物业服务企业擅自承接未经查验的物业，因共用部位、共用设施设备缺陷给业主造成损害的，应承担相应赔偿责任（《河南省物业管理条例》第四十七条第三款）",
    consequence_en=("an estate that was not inspected may not be delivered; an enterprise that "
                    "takes over an uninspected estate is liable for owners' losses from defects of "
                    "common parts and facilities (Henan regulations art. 47 para. 3)"),
    escalate_to=("housing_bureau",),
)

FILING = DeadlineSpec(
    key="filing",
    label="承接查验备案期限（物业交接后三十日内）",
    label_en="filing of the inspection (30 days after the handover)",
    anchor="handed_over_on",
    party="enterprise",
    rules={
        "national": Period(30, "day", "《物业承接查验办法》（建房〔2010〕165号）：物业服务企业应当自物业交接后30日内办理备案手续（条号待核实）"),
        "henan": Period(30, "day", "《河南省物业管理条例》第四十六条第一款：物业服务企业应当自物业交接后三十日内，向物业所在地县（市、区）人民政府物业管理行政主管部门办理备案手续"),
    },
    consequence="逾期未备案的，由区住建局督促限期办理",
    consequence_en="if it is not filed in time, the district housing bureau orders filing within a time limit",
    escalate_to=("community", "housing_bureau"),
)

PUBLIC_NOTICE = DeadlineSpec(
    key="public_notice",
    label="承接查验结果公示期限（备案后五日内）",
    label_en="posting the inspection result (5 days after filing)",
    anchor="filed_on",
    party="enterprise",
    rules={"national": Period(5, "day", "《浉河区物业管理实施细则》第十三条（地方实践做法，非法律、法规规定；待核实）：备案后五日内在物业管理区域内公示承接查验结果")},
    consequence="未按期公示的，由社区居委会督促公示",
    consequence_en="if it is not posted in time, the community committee presses for it",
    escalate_to=("community", "street_office"),
)


class PlanSchema(PayloadSchema):
    delivery_on = Date("计划交付使用日期", label_en="Planned delivery day")
    inspection_plan = Text("查验方案（时间、范围、人员）", required=False, multiline=True,
                           label_en="Inspection plan (when, what, who)")


class InspectedSchema(PayloadSchema):
    inspected_on = Date("查验完成日期", label_en="Inspection completed on")
    bureau_invited = fields.Boolean(load_default=False, metadata={
        "label": "已邀请区住建局参加", "label_en": "The district housing bureau was invited"})
    owner_representatives = Text("参加查验的业主代表", required=False, max_length=500,
                                 label_en="Owners' representatives present")
    findings = Text("查验记录及问题处理", multiline=True,
                    label_en="Inspection record and how problems were dealt with")


class HandedOverSchema(PayloadSchema):
    handed_over_on = Date("物业交接日期", label_en="Handed over on")
    agreement_no = Text("承接查验协议编号", max_length=60, label_en="Inspection agreement number")


class FilingSchema(PayloadSchema):
    documents = Text("备案材料（前期物业服务合同、临时管理规约、查验协议、交接清单、查验记录等）", multiline=True,
                     label_en="Filing documents (pre-phase contract, interim covenant, inspection "
                              "agreement, handover list, inspection record, etc.)")


class AcceptSchema(PayloadSchema):
    remark = Text("审查意见", required=False, multiline=True, label_en="Review opinion")


class ReasonsSchema(PayloadSchema):
    reasons = Text("补正事项及理由", multiline=True, label_en="What to correct, and why")


class PublishSchema(PayloadSchema):
    published_on = Date("公示日期", label_en="Posted on")
    place = Text("公示地点", max_length=200, label_en="Where it is posted")


def _not_future(key: str, label: Bi):
    @guard(f"{label}不得晚于办理之日", uses_payload=True)
    def check(ctx):
        d = ctx.payload.get(key)
        if d and d > ctx.today:
            return Bi(f"{label} {d.isoformat()} 晚于今日，请核对",
                      f"the {label.en} {d.isoformat()} is after today; check it")
        return None
    return check


@guard("计划交付使用日期应晚于登记之日", uses_payload=True)
def delivery_ahead(ctx):
    d = ctx.payload.get("delivery_on")
    if d and d <= ctx.today:
        return Bi(f"计划交付使用日期 {d.isoformat()} 不晚于今日：承接查验应在交付使用前完成",
                  f"the planned delivery {d.isoformat()} is not after today: the inspection comes "
                  "before delivery")
    return None


@guard("河南省：承接查验应当邀请县（市、区）物业管理行政主管部门、业主代表参加（《河南省物业管理条例》第四十四条第二款）", uses_payload=True)
def henan_invitations(ctx):
    if ctx.rulepack != "henan" or "inspected_on" not in ctx.payload:
        return None
    missing = []
    if not ctx.payload.get("bureau_invited"):
        missing.append(Bi("区住建局", "the district housing bureau"))
    if not (ctx.payload.get("owner_representatives") or "").strip():
        missing.append(Bi("业主代表", "owners' representatives"))
    if missing:
        who = join(missing, "、", " and ")
        return Bi(f"承接查验应当邀请{who}参加（《河南省物业管理条例》第四十四条第二款）",
                  f"the inspection must invite {who.en} (Henan regulations art. 44 para. 2)")
    return None


@guard("物业交接应在承接查验完成之后", uses_payload=True)
def handed_over_after_inspection(ctx):
    d, inspected = ctx.payload.get("handed_over_on"), ctx.date("inspected_on")
    if d and inspected and d < inspected:
        return Bi(f"物业交接日期 {d.isoformat()} 早于查验完成日期 {inspected.isoformat()}",
                  f"the handover {d.isoformat()} is before the inspection was completed "
                  f"({inspected.isoformat()})")
    return None


def _iso(v):
    return v.isoformat() if isinstance(v, date) else v


def merge(ctx, data: dict) -> None:
    data.update({k: _iso(v) for k, v in ctx.payload.items()})


def filed(ctx, data: dict) -> None:
    merge(ctx, data)
    data["filed_on"] = ctx.today.isoformat()


STATES = (
    State("planned", "待承接查验", label_en="inspection planned"),
    State("inspected", "查验完成，待交接", label_en="inspected"),
    State("handed_over", "已交接，待备案", label_en="handed over"),
    State("submitted", "已报送备案，待审查", label_en="filing submitted"),
    State("filed", "已备案，待公示", label_en="filed"),
    State("published", "已公示", final=True, label_en="published"),
)

ALERTS = AlertWindows(due_soon=5, escalate=(3, 10))

DOCUMENTS = (
    DocumentSpec("correction_notice", "补正通知书", title_en="Notice to correct", addressee="enterprise",
                 basis={"national": "《物业管理条例》第二十八条；物业承接查验办法（待核实）", "henan": "", "shandong": ""},
                 quotes=("filing",)),
    DocumentSpec("inspection_filing_receipt", "承接查验备案回执", title_en="Receipt for the filing of the handover inspection",
                 addressee="enterprise",
                 basis={"national": "《物业管理条例》第二十八条；物业承接查验办法（待核实）", "henan": "", "shandong": ""},
                 quotes=("filing", "public_notice")),
)

DEFINITION = Procedure(
    name="handover_inspection",
    version=1,
    title="物业承接查验及备案",
    title_en="Handover inspection and its filing",
    basis="《河南省物业管理条例》第四十四条、第四十六条；《山东省物业管理条例》第十五条；《物业管理条例》第二十九条；物业承接查验办法（待核实）",
    summary_en=("The developer and the enterprise inspect the common parts and facilities "
                "together at least 15 days before delivery (in Henan inviting the district "
                "housing bureau and owners' representatives); within 30 days of the handover "
                "the enterprise files it with the housing bureau, and within 5 days of filing "
                "the result is posted in the estate (local practice)."),
    summary=("建设单位与物业服务企业在物业交付使用十五日前共同完成共用部位、共用设施设备的承接查验（河南须邀请区住建局和业主代表）；"
             "物业交接后三十日内由物业服务企业向区住建局备案，备案后五日内在物业管理区域内公示查验结果（地方实践做法）。"),
    alerts=ALERTS,
    documents=DOCUMENTS,
    states=STATES,
    initial="planned",
    opening=Opening(roles=("developer", "enterprise"), label="登记承接查验计划",
                    label_en="register the inspection plan", schema=PlanSchema,
                    guards=(delivery_ahead,), starts=("inspection",)),
    transitions=(
        Transition("complete_inspection", "完成承接查验", ("planned",), "inspected",
                   ("developer", "enterprise"), schema=InspectedSchema,
                   guards=(_not_future("inspected_on", Bi("查验完成日期", "inspection day")), henan_invitations),
                   meets=("inspection",), effect=merge, label_en="inspection completed"),
        Transition("hand_over", "办理物业交接", ("inspected",), "handed_over",
                   ("developer", "enterprise"), schema=HandedOverSchema,
                   guards=(_not_future("handed_over_on", Bi("物业交接日期", "handover day")), handed_over_after_inspection),
                   starts=("filing",), effect=merge, label_en="hand over"),
        Transition("submit_filing", "报送承接查验备案", ("handed_over",), "submitted", ("enterprise",),
                   schema=FilingSchema, meets=("filing",), effect=merge, label_en="submit the filing"),
        Transition("request_correction", "要求补正", ("submitted",), "handed_over", ("housing_bureau",),
                   schema=ReasonsSchema, issues=("correction_notice",), effect=merge,
                   label_en="request correction"),
        Transition("accept_filing", "予以备案", ("submitted",), "filed", ("housing_bureau",),
                   schema=AcceptSchema, starts=("public_notice",),
                   issues=("inspection_filing_receipt",), effect=filed, label_en="accept the filing",
                   registers=(RegisterWrite("handover_recorded",
                                            fields={"handed_over_on": "handed_over_on"}),)),
        Transition("publish", "公示查验结果", ("filed",), "published", ("enterprise",),
                   schema=PublishSchema, guards=(_not_future("published_on", Bi("公示日期", "posting day")),),
                   meets=("public_notice",), effect=merge, label_en="publish the result"),
    ),
    deadlines=(INSPECTION, FILING, PUBLIC_NOTICE),
)

"""投诉及12345工单办理 — complaints and 12345 hotline work orders (docs/procedures.md §10).

Who handles what (「湖南住宅物业监管方案」四(二), 五(一); 《浉河区物业管理实施细则》第二条、
第八条、第九条、附件2): the community takes what it can settle itself (disputes among owners,
the committee and the enterprise; fire lanes, 飞线充电 reported in the first place), the
street office takes complaints about enterprises (fees, service quality) and whatever the
community escalates; what only a department may decide is transferred (移送) by the street
office to the competent department with reasons ("小事不出社区，大事不出街道，难事街道吹哨
部门报到"). The routing by category is the table `ROUTES` below.

The law makes the bureaus and departments handle complaints (物业管理条例 art. 48; 河南 art.
6(五), art. 75; 山东 art. 73) but fixes no time limits: the limits for 签收, 首次响应 and 办结
are local 12345 settings (国办发〔2020〕53号 sets the frame), declared here as settings cited
待核实 until a local text is loaded. One extension with reasons; one reopening when the
complainant is not satisfied at the return visit (回访).

Which unit handles the complaint now is the case's `level`; each level's periods run from
the day it took the complaint (`<level>_on`), and only the current level's day is kept in
the case's data, so only its periods start, and the alerts go to the unit that holds it.
A department sees only the complaints transferred to it (the case's `department_id`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from marshmallow import validates_schema

from engine.bilingual import Bi
from engine.definition import (AlertWindows, DeadlineSpec, DocumentSpec, Link, Opening, Period, Procedure,
                               State, Transition, guard)
from engine.schema import Choice, Count, PayloadSchema, Text, ValidationError

NAME = "complaint"

# -- the basis ----------------------------------------------------------------------------

BASIS = {
    "national": "《物业管理条例》第四十八条：县级以上地方人民政府房地产行政主管部门应当及时处理业主、业主委员会、"
                "物业使用人和物业服务企业在物业管理活动中的投诉",
    "henan": "《河南省物业管理条例》第六条第一款第（五）项（处理物业管理中的投诉）、第七十五条（有关部门建立违法行为投诉登记制度；"
             "任何单位和个人可以向物业管理行政主管部门、街道办事处、乡镇人民政府及其他有关部门投诉举报，有关单位应当及时调查核实，并依法处理）",
    "shandong": "《山东省物业管理条例》第七十三条：物业管理、综合执法、公安、自然资源、生态环境等部门应当建立违法行为投诉登记制度，"
                "并在物业服务区域公布工作职责和联系方式，对违法行为及时作出处理",
}
_HOTLINE = ("12345热线工单办理时限为地方设置（待核实）：法律、法规未规定投诉办理期限，本期限为部署设置，"
            "框架见《国务院办公厅关于进一步优化地方政务服务便民热线的指导意见》（国办发〔2020〕53号）")


def _rules(amount: int, what: str) -> dict:
    """The same local setting under every pack, each citing its own province's duty."""
    return {pack: Period(amount, "workday", f"{_HOTLINE}；{what}{amount}个工作日。依据：{basis}")
            for pack, basis in BASIS.items()}


# -- routing by category ---------------------------------------------------------------------

COMMUNITY, STREET, DEPARTMENT = "community", "street_office", "department"
LEVELS = {COMMUNITY: Bi("社区居委会", "community committee"),
          STREET: Bi("街道办事处", "street office"),
          DEPARTMENT: Bi("主管部门", "competent department")}
SHORT = {COMMUNITY: "community", STREET: "street", DEPARTMENT: "department"}


@dataclass(frozen=True)
class Route:
    """Where a category of complaint goes first, and which department is competent for
    it (`department` names it; `keywords` recognise it in an organisation's name)."""
    label: Bi
    first: str
    department: Bi = Bi("", "")
    keywords: tuple[str, ...] = ()
    basis: str = "「湖南住宅物业监管方案」四(二)、五(一)；《浉河区物业管理实施细则》第二条、附件2"


_MARKET = (Bi("市场监督管理部门", "market regulation"), ("市场监督管理", "市场监管"))
_FIRE = (Bi("消防救援机构", "fire and rescue"), ("消防救援", "消防"))
_URBAN = (Bi("城市管理（综合执法）部门", "urban management (law enforcement)"), ("城市管理", "综合执法", "城管"))
_HEALTH = (Bi("卫生健康部门", "health"), ("卫生健康", "卫健"))
_POLICE = (Bi("公安机关", "public security"), ("公安", "派出所"))
_JUSTICE = (Bi("司法所（人民调解）", "justice office (mediation)"), ("司法",))
_HOUSING = (Bi("住房和城乡建设部门", "housing and urban-rural development"), ("住房和城乡建设", "住建"))

ROUTES: dict[str, Route] = {
    "fees": Route(Bi("收费价格", "fees and prices"), STREET, *_MARKET),
    "fire_lane": Route(Bi("消防通道占用", "blocked fire lanes"), COMMUNITY, *_FIRE),
    "flying_wire": Route(Bi("飞线充电", "charging e-bikes over trailing cables"), COMMUNITY, *_FIRE),
    "illegal_building": Route(Bi("违法建设", "illegal building"), COMMUNITY, *_URBAN),
    "decoration": Route(Bi("违规装修", "unlawful decoration works"), COMMUNITY, *_URBAN),
    "dogs_smoke": Route(Bi("养犬、油烟扰民", "dogs, cooking fumes"), COMMUNITY, *_URBAN),
    "elevator": Route(Bi("电梯安全", "lifts"), STREET, *_MARKET),
    "water_supply": Route(Bi("二次供水", "secondary water supply"), STREET, *_HEALTH),
    "security": Route(Bi("治安秩序", "order and security"), COMMUNITY, *_POLICE),
    "service_quality": Route(Bi("物业服务质量", "quality of the property service"), STREET, *_HOUSING),
    "neighbours": Route(Bi("邻里纠纷", "disputes between neighbours"), COMMUNITY, *_JUSTICE,
                        basis="「湖南住宅物业监管方案」四(二)；《浉河区物业管理实施细则》第八条（社区调解→街道社会治理中心→区）"),
    "other": Route(Bi("其他", "other"), COMMUNITY),
}
CATEGORIES = {k: r.label for k, r in ROUTES.items()}

SOURCES = {
    "community_window": Bi("社区窗口来访", "in person at the community"),
    "street_window": Bi("街道窗口来访", "in person at the street office window"),
    "phone": Bi("来电", "telephone"),
    "hotline_12345": Bi("12345热线工单", "12345 hotline work order"),
}
HOTLINE = "hotline_12345"
FINDINGS = {"substantiated": Bi("属实", "substantiated"),
            "partly": Bi("部分属实", "partly substantiated"),
            "unfounded": Bi("不属实", "unfounded")}
SATISFACTION = {"satisfied": Bi("满意", "satisfied"),
                "basically": Bi("基本满意", "fairly satisfied"),
                "unsatisfied": Bi("不满意", "not satisfied")}
UNSATISFIED = "unsatisfied"


def competent(category: str, org_name: str) -> bool:
    """Whether an organisation's name shows it is the competent department for the
    category (any department when the table names none)."""
    route = ROUTES.get(category)
    if route is None or not route.keywords:
        return True
    return any(k in (org_name or "") for k in route.keywords)


# -- deadlines ---------------------------------------------------------------------------------

def _anchor(level: str) -> str:
    return f"{SHORT[level]}_on"


_ESCALATE = {COMMUNITY: ("street_office", "housing_bureau"),
             STREET: ("housing_bureau",),
             DEPARTMENT: ("street_office", "housing_bureau")}


def _level_deadlines(level: str) -> tuple[DeadlineSpec, ...]:
    who, s = LEVELS[level], SHORT[level]
    return (
        DeadlineSpec(f"sign_for_{s}", f"签收期限（{who}）", _anchor(level), _rules(1, "签收时限"), party=level,
                     label_en=f"signing for it ({who.en})", escalate_to=_ESCALATE[level],
                     consequence="逾期未签收的，由上级督办", consequence_en="if it is not signed for, the supervisor presses"),
        DeadlineSpec(f"respond_{s}", f"首次响应期限（{who}）", _anchor(level), _rules(2, "首次响应（联系投诉人）时限"),
                     party=level, label_en=f"first response to the complainant ({who.en})",
                     escalate_to=_ESCALATE[level]),
        DeadlineSpec(f"complete_{s}", f"办结期限（{who}）", _anchor(level), _rules(10, "办结时限"), party=level,
                     label_en=f"completion ({who.en})", escalate_to=_ESCALATE[level],
                     consequence="逾期未办结的，由上级督办并计入考核",
                     consequence_en="if it is not completed in time, the supervisor presses and it counts in the assessment"),
        DeadlineSpec(f"extended_{s}", f"延期后办结期限（{who}）", _anchor(level), _rules(20, "延期一次后的办结时限（自受理起）"),
                     party=level, label_en=f"completion after the extension ({who.en})", escalate_to=_ESCALATE[level]),
    )


def _keys(prefix: str, levels=(COMMUNITY, STREET, DEPARTMENT)) -> tuple[str, ...]:
    return tuple(f"{prefix}_{SHORT[lv]}" for lv in levels)


VISIT_LEVELS = (COMMUNITY, STREET)
DEADLINES = (
    *_level_deadlines(COMMUNITY), *_level_deadlines(STREET), *_level_deadlines(DEPARTMENT),
    *(DeadlineSpec(f"visit_{SHORT[lv]}", f"回访期限（{LEVELS[lv]}）", f"visit_{SHORT[lv]}_on",
                   _rules(3, "答复后回访时限"), party=lv, label_en=f"return visit ({LEVELS[lv].en})",
                   escalate_to=_ESCALATE[lv]) for lv in VISIT_LEVELS),
)
SIGN_FOR, RESPOND, COMPLETE, EXTENDED, VISIT = (
    _keys("sign_for"), _keys("respond"), _keys("complete"), _keys("extended"), _keys("visit", VISIT_LEVELS))
ALL_RUNNING = SIGN_FOR + RESPOND + COMPLETE + EXTENDED


# -- payloads ----------------------------------------------------------------------------------

class OpenSchema(PayloadSchema):
    source = Choice("来源", SOURCES, label_en="Source")
    hotline_no = Text("12345工单编号", required=False, max_length=60, label_en="12345 work order number")
    category = Choice("事项类别", CATEGORIES, label_en="Category")
    complainant = Text("投诉人", max_length=100, label_en="Complainant")
    phone = Text("联系电话", required=False, max_length=40, label_en="Telephone")
    content = Text("投诉内容", multiline=True, label_en="What the complaint says")
    about_enterprise = Choice("是否针对物业服务企业", {"yes": Bi("是", "yes"), "no": Bi("否", "no")},
                              required=False, label_en="Against the property-service enterprise")

    @validates_schema
    def _hotline_number(self, data, **_):
        if data.get("source") == HOTLINE and not (data.get("hotline_no") or "").strip():
            raise ValidationError({"hotline_no": [Bi("12345热线工单须填写工单编号", "A 12345 work order needs its number")]})


class NoteSchema(PayloadSchema):
    note = Text("办理情况", required=False, multiline=True, label_en="Notes")


class RespondSchema(PayloadSchema):
    note = Text("首次响应情况（联系投诉人的方式和内容）", multiline=True, label_en="First response (how and what)")


class ReasonsSchema(PayloadSchema):
    reasons = Text("理由", multiline=True, label_en="Reasons")


class TransferSchema(PayloadSchema):
    department_id = Count("移送部门（组织编号）", minimum=1, label_en="Department (organisation number)")
    reasons = Text("移送理由", multiline=True, label_en="Why it is transferred")


class ReplySchema(PayloadSchema):
    finding = Choice("核查结论", FINDINGS, label_en="Finding")
    reply = Text("答复内容", multiline=True, label_en="Reply to the complainant")


class VisitSchema(PayloadSchema):
    satisfaction = Choice("回访满意度", SATISFACTION, label_en="Satisfaction")
    visit_note = Text("回访情况", required=False, multiline=True, label_en="Return visit notes")


class MergeSchema(PayloadSchema):
    into_case = Count("并入案件编号", minimum=1, label_en="Merged into case")
    reasons = Text("并案理由（同一事项重复投诉）", multiline=True, label_en="Why (the same matter complained of again)")


# -- guards -------------------------------------------------------------------------------------

@guard("由当前承办单位办理")
def by_handler(ctx):
    level = ctx.case_data.get("level")
    if ctx.actor.role in ("admin", "system"):
        return None
    if ctx.actor.role != level:
        who = LEVELS.get(level, Bi(str(level), str(level)))
        return Bi(f"本件当前由{who}承办", f"the {who.en} handles this complaint now")
    if level == DEPARTMENT and ctx.case_data.get("department_id") != ctx.actor.org_id:
        return Bi("本件未移送贵单位", "this complaint was not transferred to your organisation")
    return None


@guard("回访由受理单位进行")
def by_receiver(ctx):
    level = ctx.case_data.get("received_by")
    if ctx.actor.role not in ("admin", "system") and ctx.actor.role != level:
        who = LEVELS.get(level, Bi(str(level), str(level)))
        return Bi(f"回访由受理单位（{who}）进行", f"the return visit is made by the receiving {who.en}")
    return None


@guard("社区承办的才能上报街道")
def at_community(ctx):
    if ctx.case_data.get("level") != COMMUNITY:
        return Bi("本件已不在社区承办，无需上报", "the community no longer handles it; nothing to escalate")
    return None


@guard("只能延期一次")
def not_extended(ctx):
    if ctx.case_data.get("extended"):
        return Bi("本件已延期一次，不能再次延期", "it was extended once already; no second extension")
    return None


@guard("不满意的只能重新办理一次")
def not_reopened(ctx):
    if ctx.case_data.get("reopened"):
        return Bi("本件已重新办理一次，不再重办；请回访后办结并如实记录满意度",
                  "it was reopened once already; make the visit and close it, recording the satisfaction")
    return None


@guard("投诉人不满意的，应先重新办理一次", uses_payload=True)
def unsatisfied_reopens_first(ctx):
    if ctx.payload.get("satisfaction") == UNSATISFIED and not ctx.case_data.get("reopened"):
        return Bi("投诉人不满意的，应先重新办理一次（“不满意，重新办理”），不能直接办结",
                  "the complainant is not satisfied: reopen it once first instead of closing it")
    return None


@guard("移送的部门应为该类事项的主管部门", uses_payload=True)
def competent_department(ctx):
    oid = ctx.payload.get("department_id")
    if oid is None:
        return None
    org = ctx.organisation(oid, kind=DEPARTMENT)
    if org is None:
        return Bi(f"组织 {oid} 不是已登记的职能部门", f"organisation {oid} is not a registered department")
    category = ctx.case_data.get("category")
    route = ROUTES.get(category)
    if not competent(category, org.name):
        return Bi(f"「{route.label}」事项的主管部门为{route.department}（{route.basis}），{org.name}不是",
                  f"“{route.label.en}” belongs to {route.department.en}; {org.name} is not it")
    return None


@guard("并入同一物业管理区域内在办的另一投诉", uses_payload=True)
def into_a_running_complaint(ctx):
    into = ctx.payload.get("into_case")
    if into is None:
        return None
    if ctx.case is not None and into == ctx.case.id:
        return Bi("不能并入本案自身", "a complaint cannot be merged into itself")
    other = ctx.other_case(into)
    if other is None or other.procedure != NAME or other.estate_id != ctx.estate.id:
        return Bi(f"案件 {into} 不是本物业管理区域的投诉", f"case {into} is not a complaint about this estate")
    if other.state == "merged":
        return Bi(f"案件 {into} 本身已并案，请并入其所并入的案件", f"case {into} was itself merged; merge into that one")
    return None


# -- effects -----------------------------------------------------------------------------------

def _hand_to(data: dict, level: str, today: date) -> None:
    """The complaint now lies with `level` from today: only its day is kept, so only its
    periods start."""
    for lv in LEVELS:
        data.pop(_anchor(lv), None)
    data["level"] = level
    data[_anchor(level)] = today.isoformat()


def opened(ctx, data: dict) -> None:
    data.update({k: v for k, v in ctx.payload.items() if v is not None})
    route = ROUTES[ctx.payload["category"]]
    data["received_by"] = ctx.actor.role if ctx.actor.role in (COMMUNITY, STREET) else route.first
    data["received_on"] = ctx.today.isoformat()
    data["route_basis"] = route.basis
    data["competent_department"] = str(route.department)
    if ctx.payload.get("about_enterprise") == "yes" and ctx.estate.enterprise_id:
        data["enterprise_id"] = ctx.estate.enterprise_id
    _hand_to(data, route.first, ctx.today)


def merged_note(ctx, data: dict) -> None:
    data.update({k: v for k, v in ctx.payload.items()})


def escalated(ctx, data: dict) -> None:
    data["escalation_reasons"] = ctx.payload["reasons"]
    _hand_to(data, STREET, ctx.today)


def transferred(ctx, data: dict) -> None:
    org = ctx.organisation(ctx.payload["department_id"], kind=DEPARTMENT)
    data["department_id"] = ctx.payload["department_id"]
    data["department_name"] = org.name if org else ""
    data["transfer_reasons"] = ctx.payload["reasons"]
    _hand_to(data, DEPARTMENT, ctx.today)


def returned(ctx, data: dict) -> None:
    data["return_reasons"] = ctx.payload["reasons"]
    data.pop("department_id", None)
    _hand_to(data, STREET, ctx.today)


def extended(ctx, data: dict) -> None:
    data["extended"] = True
    data["extension_reasons"] = ctx.payload["reasons"]


def replied(ctx, data: dict) -> None:
    data.update(ctx.payload)
    data["replied_by"] = data.get("level")
    data["replied_on"] = ctx.today.isoformat()
    data[f"visit_{SHORT[data['received_by']]}_on"] = ctx.today.isoformat()


def credit_proposal(ctx, data: dict) -> list[dict]:
    """A complaint about the enterprise found substantiated proposes a bad credit record
    (confirmed by the bureau, open to objection: `credit_record`)."""
    if data.get("finding") != "substantiated" or not data.get("enterprise_id"):
        return []
    return [{"fact": "substantiated_complaint", "source_case": ctx.case.id,
             "description": f"投诉（{CATEGORIES[data['category']]}）经查属实：{data.get('content', '')[:200]}"}]


def visited(ctx, data: dict) -> None:
    data.update({k: v for k, v in ctx.payload.items() if v is not None})
    data["closed_on"] = ctx.today.isoformat()


def reopened(ctx, data: dict) -> None:
    data["reopened"] = True
    data["reopen_reasons"] = ctx.payload["reasons"]
    data["first_satisfaction"] = UNSATISFIED
    for lv in VISIT_LEVELS:
        data.pop(f"visit_{SHORT[lv]}_on", None)
    _hand_to(data, data.get("replied_by") or data.get("level"), ctx.today)


# -- the declaration ----------------------------------------------------------------------------

STATES = (
    State("registered", "已登记，待签收", label_en="registered, to be signed for"),
    State("signed", "已签收，待首次响应", label_en="signed for, first response due"),
    State("handling", "办理中", label_en="being handled"),
    State("transferred", "已移送，待部门签收", label_en="transferred, department to sign for it"),
    State("replied", "已答复，待回访", label_en="replied, return visit due"),
    State("closed", "已办结", final=True, label_en="closed"),
    State("merged", "已并案", final=True, label_en="merged into another"),
)

DOCUMENTS = (
    DocumentSpec("complaint_receipt", "投诉受理回执", title_en="Receipt for a complaint",
                 basis=BASIS, quotes=COMPLETE),
    DocumentSpec("transfer_order", "投诉转办单", title_en="Complaint transfer order", addressee=DEPARTMENT,
                 basis={pack: b + "；「湖南住宅物业监管方案」四(二)、五(一)；《浉河区物业管理实施细则》第二条"
                        "（难事街道吹哨部门报到；地方实践做法）" for pack, b in BASIS.items()},
                 quotes=("complete_department",)),
)

_HANDLERS = (COMMUNITY, STREET, DEPARTMENT)

DEFINITION = Procedure(
    name=NAME,
    version=1,
    title="投诉及12345工单办理",
    title_en="Complaints and 12345 work orders",
    basis="《物业管理条例》第四十八条；《河南省物业管理条例》第六条第一款第（五）项、第七十五条；《山东省物业管理条例》第七十三条；"
          "「湖南住宅物业监管方案」四(二)、五(一)；《浉河区物业管理实施细则》第二条、第八条、第九条",
    summary=("社区或街道窗口、来电、12345热线工单登记投诉；按事项类别先由社区或街道承办，社区可上报街道，"
             "街道将须由部门处理的事项移送主管部门（附理由）；签收、首次响应、办结期限为地方设置（待核实），可延期一次；"
             "答复后由受理单位回访，不满意的重新办理一次；同一事项的重复投诉并案。"),
    summary_en=("A complaint registered at a community or street window, by telephone or as a 12345 "
                "work order goes first to the community or the street office by its category; the "
                "community may escalate it to the street office, which transfers what only a "
                "department may decide to that department with reasons. Signing for it, the first "
                "response and completion have local time limits (unverified), extendable once; the "
                "receiving unit visits the complainant after the reply and an unsatisfied complaint "
                "is reopened once; repeated complaints about one matter are merged."),
    alerts=AlertWindows(due_soon=1, escalate=(1, 3)),
    documents=DOCUMENTS,
    ledger=True,
    states=STATES,
    initial="registered",
    opening=Opening(roles=(COMMUNITY, STREET), label="登记投诉", label_en="register a complaint",
                    schema=OpenSchema, effect=opened, starts=SIGN_FOR + RESPOND + COMPLETE,
                    issues=("complaint_receipt",), party="none", external_key="hotline_no"),
    transitions=(
        Transition("sign_for", "签收", ("registered",), "signed", (COMMUNITY, STREET), schema=NoteSchema,
                   guards=(by_handler,), meets=SIGN_FOR, label_en="sign for it"),
        Transition("accept_transfer", "部门签收", ("transferred",), "signed", (DEPARTMENT,), schema=NoteSchema,
                   guards=(by_handler,), meets=SIGN_FOR, label_en="the department signs for it"),
        Transition("respond", "首次响应（联系投诉人）", ("signed",), "handling", _HANDLERS, schema=RespondSchema,
                   guards=(by_handler,), meets=RESPOND, label_en="first response to the complainant"),
        Transition("escalate", "上报街道办事处", ("registered", "signed", "handling"), "registered", (COMMUNITY,),
                   schema=ReasonsSchema, guards=(at_community,), effect=escalated,
                   cancels=_keys("sign_for", (COMMUNITY,)) + _keys("respond", (COMMUNITY,))
                   + _keys("complete", (COMMUNITY,)) + _keys("extended", (COMMUNITY,)),
                   starts=_keys("sign_for", (STREET,)) + _keys("respond", (STREET,)) + _keys("complete", (STREET,)),
                   label_en="escalate to the street office"),
        Transition("transfer", "移送主管部门", ("registered", "signed", "handling"), "transferred", (STREET,),
                   schema=TransferSchema, guards=(by_handler, competent_department), effect=transferred,
                   cancels=ALL_RUNNING, starts=_keys("sign_for", (DEPARTMENT,)) + _keys("respond", (DEPARTMENT,))
                   + _keys("complete", (DEPARTMENT,)),
                   issues=("transfer_order",), label_en="transfer to the competent department"),
        Transition("return_transfer", "退回街道（非本部门职责）", ("transferred", "signed", "handling"), "handling",
                   (DEPARTMENT,), schema=ReasonsSchema, guards=(by_handler,), effect=returned,
                   cancels=ALL_RUNNING, starts=_keys("complete", (STREET,)),
                   label_en="return it to the street office (not this department's)"),
        Transition("extend", "延期办理（一次）", ("signed", "handling"), None, _HANDLERS, schema=ReasonsSchema,
                   guards=(by_handler, not_extended), effect=extended, cancels=COMPLETE, starts=EXTENDED,
                   label_en="extend once"),
        Transition("reply", "答复投诉人", ("handling",), "replied", _HANDLERS, schema=ReplySchema,
                   guards=(by_handler,), effect=replied, meets=COMPLETE + EXTENDED + RESPOND, starts=VISIT,
                   label_en="reply to the complainant"),
        Transition("close", "回访办结", ("replied",), "closed", (COMMUNITY, STREET), schema=VisitSchema,
                   guards=(by_receiver, unsatisfied_reopens_first), effect=visited, meets=VISIT,
                   opens=(Link("credit_record", credit_proposal, enterprise_key="enterprise_id", many=True),),
                   label_en="return visit, close"),
        Transition("reopen", "不满意，重新办理", ("replied",), "handling", (COMMUNITY, STREET), schema=ReasonsSchema,
                   guards=(by_receiver, not_reopened), effect=reopened, meets=VISIT, starts=COMPLETE,
                   label_en="not satisfied: reopen"),
        Transition("merge", "重复投诉并案", ("registered", "signed", "handling"), "merged", (COMMUNITY, STREET),
                   schema=MergeSchema, guards=(into_a_running_complaint,), effect=merged_note,
                   label_en="merge a repeated complaint"),
    ),
    deadlines=DEADLINES,
)

"""物业服务企业退出与交接 — an enterprise's exit and handover (docs/procedures.md §7-8).

How an exit starts (the case's `ground`):
- 业主大会决定解聘: the owners dismiss the provider by a vote under 民法典 art. 278 item
  (4) (figures checked by `workflows.rules.voting.tally` against the estate's register); the
  provider must be told in writing 60 days ahead (民法典 art. 946);
- 物业服务企业不再续聘: the provider gives written notice 90 days before the term ends
  (民法典 art. 947); Henan: three months, and a report to the street office
  (河南 art. 51);
- 合同期满终止: the term ends and the owners have chosen another provider or to manage
  the estate themselves.
When the case opens, an early-warning notice goes to the community and the street office
(《浉河区物业管理实施细则》附件2; 河南 art. 51); it is recorded in the case and the alerts deliver it.

After the contract ends the enterprise hands over item by item (the materials checklist
below: 民法典 art. 949, 物业管理条例 arts. 29 and 38, 河南 art. 52, 山东 art. 58); the
committee or the community accepts each item or sends it back with a reason; the
handover record (交接确认书) can be signed only when every required item is accepted. A
refusal to hand over or to leave goes to the district housing bureau, which orders a
correction within a time limit (物业管理条例 art. 58 for documents not handed over; 河南
art. 83 also fines an enterprise that does not leave in time).

The handover period: the law says "within the agreed or a reasonable period" (民法典
art. 949; 山东 art. 58); Henan says from the contract's end (河南 art. 52). The product
declares 15 days from the end of the contract as the reference period, after Hunan's
rule [S] whose text is not loaded: every citation of it says so（待核实）, and the
contract's own period prevails where it sets one.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import fields, validates_schema

from engine import materials
from engine.bilingual import Bi, embed, join
from engine.definition import (AlertWindows, DeadlineSpec, DocumentSpec, Material, Opening, Period, Procedure,
                               RegisterDuty, RegisterWrite, State, Transition, guard)
from engine.schema import (Choice, Count, Date, Money, PayloadSchema, Text,
                           ValidationError)
from workflows.owners_vote import vote_result
from workflows.rules.voting import TYPED, VoteInputError, tally, totals_of

DISMISSAL, NON_RENEWAL, EXPIRY = "dismissal", "non_renewal", "expiry"
GROUNDS = {
    DISMISSAL: Bi("业主大会决定解聘", "dismissal by the owners' assembly"),
    NON_RENEWAL: Bi("物业服务企业不再续聘", "the enterprise does not renew"),
    EXPIRY: Bi("合同期满终止（另行选聘或自行管理）",
               "the contract expires (another provider, or the owners manage themselves)"),
}
DISMISSAL_MATTER = 4          # 民法典 art. 278 item (4): hiring or dismissing the provider
# Who may register each ground (the party that decides or gives notice, or the street
# office recording it on their behalf).
GROUND_ROLES = {
    DISMISSAL: ("committee", "street_office"),
    NON_RENEWAL: ("enterprise", "street_office"),
    EXPIRY: ("committee", "enterprise", "street_office"),
}
NOTICE_PARTY = {DISMISSAL: "committee", NON_RENEWAL: "enterprise"}
PARTY_LABEL = {"committee": Bi("业主委员会", "the owners' committee"),
               "enterprise": Bi("物业服务企业", "the property-service enterprise"),
               "street_office": Bi("街道办事处", "the street office")}
REFUSALS = {"refuse_handover": Bi("拒不移交物业服务用房、设施或资料",
                                  "refuses to hand over the service premises, facilities or records"),
            "refuse_leave": Bi("拒不退出物业管理区域", "refuses to leave the estate")}

STILL_SERVING = "在新物业服务人或自行管理的业主接管之前，原物业服务企业应当继续处理物业服务事项（《民法典》第九百五十条）"
STILL_SERVING_EN = ("until a new provider or the self-managing owners take over, the outgoing enterprise "
                    "keeps providing the service (Civil Code art. 950)")

# -- the materials checklist -----------------------------------------------------------

CC_949 = "《民法典》第九百四十九条"


def _per_pack(national: str, henan: str = "", shandong: str = "") -> dict:
    """A checklist item's basis per rule pack: the national articles, plus the province's
    own where its regulation adds one."""
    out = {"national": national}
    if henan:
        out["henan"] = f"{national}；{henan}"
    if shandong:
        out["shandong"] = f"{national}；{shandong}"
    return out


MATERIALS = (
    Material("premises_keys", "物业服务用房及钥匙", label_en="service premises and keys",
             basis=_per_pack(f"{CC_949}；《物业管理条例》第三十八条第一款",
                             shandong="《山东省物业管理条例》第五十八条第二款")),
    Material("common_facilities", "共用部位、共用设施设备",
             label_en="common parts, common facilities and equipment",
             basis=_per_pack(f"{CC_949}（相关设施）",
                             henan="《河南省物业管理条例》第五十二条第二款第（一）项")),
    Material("inspection_docs", "物业承接查验资料（竣工验收资料、保修和使用说明文件）",
             label_en="handover-inspection records (completion acceptance, warranty and "
                      "operating documents)",
             basis=_per_pack("《物业管理条例》第二十九条、第三十八条第一款",
                             henan="《河南省物业管理条例》第四十六条第三款、第五十二条第二款第（二）项")),
    Material("technical_records", "设施设备技术资料及运行、维护、保养记录",
             label_en="technical documents of facilities and their operation and maintenance "
                      "records",
             basis=_per_pack("《物业管理条例》第二十九条第一款第（二）项",
                             henan="《河南省物业管理条例》第五十二条第二款第（三）项")),
    Material("owner_register", "业主名册及物业服务档案",
             label_en="register of owners and service files",
             basis=_per_pack(f"{CC_949}（物业服务所必需的相关资料）；《物业管理条例》第二十九条第一款第（四）项")),
    Material("fund_and_fees", "专项维修资金账目及预收、代收费用结算",
             label_en="maintenance-fund accounts and settlement of fees collected in advance "
                      "or on others' behalf",
             basis=_per_pack("合同约定（全国规则未作专门规定）",
                             henan="《河南省物业管理条例》第五十二条第二款第（四）项")),
    Material("others", "其他应移交事项", required=False, label_en="other items to hand over",
             basis=_per_pack("合同约定", henan="《河南省物业管理条例》第五十二条第二款第（五）项")),
)

# -- deadlines ----------------------------------------------------------------------

DISMISSAL_NOTICE = DeadlineSpec(
    key="dismissal_notice",
    label="解聘书面通知期限（合同终止日前六十日）",
    label_en="written notice of dismissal (60 days before the contract ends)",
    anchor="dismissal_end_on",          # set only when the ground is a dismissal
    direction="before",
    party="committee",
    rules={"national": Period(60, "day", "《民法典》第九百四十六条第一款：决定解聘的，应当提前六十日书面通知物业服务人，但是合同对通知期限另有约定的除外")},
    consequence="未提前六十日书面通知的，不能在原定日期终止合同（合同另有约定的除外）；造成物业服务人损失的，业主应依法赔偿",
    consequence_en=("without written notice 60 days ahead the contract cannot end on the planned "
                    "day (unless the contract says otherwise); the owners compensate the "
                    "provider's loss as the law provides"),
    escalate_to=("street_office",),
)

NON_RENEWAL_NOTICE = DeadlineSpec(
    key="non_renewal_notice",
    label="不再续聘书面通知期限（合同期限届满前）",
    label_en="written notice of non-renewal (before the term ends)",
    anchor="non_renewal_term_end",      # set only when the ground is non-renewal
    direction="before",
    party="enterprise",
    rules={
        "national": Period(90, "day", "《民法典》第九百四十七条第二款：物业服务人不同意续聘的，应当在合同期限届满前九十日书面通知业主或者业主委员会，但是合同对通知期限另有约定的除外"),
        "henan": Period(3, "month", "《河南省物业管理条例》第五十一条第二款：物业服务企业决定不再续签物业服务合同的，应当在合同期限届满三个月前书面告知业主或者业主委员会，同时报告街道办事处、乡镇人民政府"),
        "shandong": Period(90, "day", "《民法典》第九百四十七条第二款；《山东省物业管理条例》第五十八条第一款：解除或者终止物业服务合同，应当依法履行提前通知义务"),
    },
    consequence="未按期书面通知的，物业服务企业应依约或依法承担责任，合同期满后在新管理人接管前仍须继续服务",
    consequence_en=("without timely written notice the enterprise is liable under the contract "
                    "or the law, and after the term ends it must keep serving until a new "
                    "manager takes over"),
    escalate_to=("street_office",),
)

CONTRACT_TERM = DeadlineSpec(
    key="contract_term",
    label="物业服务合同期限届满前续聘或退出",
    label_en="renewal or exit before the contract's term ends",
    anchor="term_end",
    direction="before",
    party="committee",
    rules={"national": Period(0, "day", "《民法典》第九百四十七条第一款：物业服务期限届满前，业主依法共同决定续聘的，"
                                        "应当与原物业服务人在合同期限届满前续订物业服务合同")},
    consequence="期满未续订也未退出的，成为不定期物业服务合同（民法典第九百四十八条）",
    consequence_en="neither renewed nor ended, it becomes a contract of indefinite term (Civil Code art. 948)",
    escalate_to=("street_office",),
)

_REFERENCE = "“合理期限”本系统暂按十五日计（参照湖南省物业管理条例，参考期限，待核实）；合同约定期限的，以约定为准"
HANDOVER_PERIOD = DeadlineSpec(
    key="handover_period",
    label="退出交接期限（合同终止之日起）",
    label_en="handover period (from the contract's end)",
    anchor="ended_on",
    party="enterprise",
    rules={
        "national": Period(15, "day", "《民法典》第九百四十九条第一款：原物业服务人应当在约定期限或者合理期限内退出物业服务区域，将物业服务用房、相关设施、物业服务所必需的相关资料等交还给业主委员会、决定自行管理的业主或者其指定的人；" + _REFERENCE),
        "henan": Period(15, "day", "《河南省物业管理条例》第五十二条第二款：原物业服务企业应当自物业服务合同终止之日起退出物业管理区域，并向业主委员会或者在业主委员会监督下向新选聘的物业服务企业，履行下列交接义务；完成交接的期限本系统暂按十五日计（参考期限，待核实）"),
        "shandong": Period(15, "day", "《山东省物业管理条例》第五十八条第二款：原物业服务人应当在约定期限或者合理期限内退出物业服务区域；" + _REFERENCE),
    },
    consequence="逾期不移交的，由区住建局责令限期改正；逾期仍不移交的，予以通报并处一万元以上十万元以下罚款（《物业管理条例》第五十八条）；原物业服务人不得请求业主支付合同终止后的物业费（《民法典》第九百四十九条第二款）",
    consequence_en=("if it does not hand over in time, the district housing bureau orders a "
                    "correction within a time limit; if it still does not, it is named publicly "
                    "and fined 10,000 to 100,000 yuan (Property Management Regulations art. 58); "
                    "the outgoing provider may not charge the owners fees after the contract "
                    "ended (Civil Code art. 949 para. 2)"),
    escalate_to=("street_office", "housing_bureau"),
)

# -- payloads -----------------------------------------------------------------------


class OpenSchema(PayloadSchema):
    ground = Choice("退出原因", GROUNDS, label_en="Ground")
    contract_no = Text("物业服务合同编号", required=False, max_length=60,
                       label_en="Service contract number")
    term_end = Date("物业服务合同期限届满日", label_en="End of the contract's term")
    end_on = Date("解聘决定的合同终止日", required=False,
                  label_en="Contract end set by the dismissal")
    resolved_on = Date("业主大会表决日", required=False, label_en="Day of the owners' vote")
    voted_area = Money("参与表决业主专有部分面积（平方米）", required=False,
                       label_en="Exclusive area of the owners who voted (m²)")
    voted_owners = Count("参与表决业主人数", required=False, label_en="Owners who voted")
    yes_area = Money("同意解聘业主专有部分面积（平方米）", required=False,
                     label_en="Exclusive area of the owners for dismissal (m²)")
    yes_owners = Count("同意解聘业主人数", required=False, label_en="Owners for dismissal")
    vote_id = Count("表决编号（业主决策平台已计票的表决，填写后不必录入表决数据）", required=False,
                    minimum=1, label_en="Number of the counted vote on the platform (instead of the figures)")
    note = Text("情况说明", required=False, multiline=True, label_en="Remarks")

    @validates_schema
    def _dismissal_figures(self, data, **_):
        errors = {}
        if data.get("ground") == DISMISSAL:
            figures = () if data.get("vote_id") else ("voted_area", "voted_owners", "yes_area", "yes_owners")
            for k in ("end_on", "resolved_on") + figures:
                if data.get(k) is None:
                    errors[k] = [Bi("业主大会决定解聘的，此项为必填项",
                                    "Required when the owners' assembly dismisses the provider")]
        if data.get("yes_area") is not None and data.get("voted_area") is not None \
                and data["yes_area"] > data["voted_area"]:
            errors["yes_area"] = [Bi("同意面积不能大于参与表决面积",
                                     "The area in favour cannot exceed the area that voted")]
        if data.get("yes_owners") is not None and data.get("voted_owners") is not None \
                and data["yes_owners"] > data["voted_owners"]:
            errors["yes_owners"] = [Bi("同意人数不能大于参与表决人数",
                                       "The owners in favour cannot outnumber those who voted")]
        if errors:
            raise ValidationError(errors)


class NoticeSchema(PayloadSchema):
    served_on = Date("书面通知送达日期", label_en="Day the written notice was served")
    recipient = Text("通知对象（业主委员会、全体业主或物业服务企业）", max_length=200,
                     label_en="Served on (the owners' committee, all owners or the enterprise)")
    reported_to_street_office = fields.Boolean(load_default=False, metadata={
        "label": "已同时报告街道办事处", "label_en": "Also reported to the street office"})


class EndSchema(PayloadSchema):
    ended_on = Date("合同终止日", label_en="Day the contract ended")
    successor = Text("接管方（新物业服务企业或自行管理的业主）", required=False, max_length=200,
                     label_en="Successor (new enterprise, or the self-managing owners)")


class SignSchema(PayloadSchema):
    signed_on = Date("交接确认书签署日期", label_en="Day the handover record was signed")
    successor = Text("接管方（台账中的物业服务企业全称，或“业主自行管理”）", max_length=200,
                     label_en="Successor (an enterprise in the register, by its full name, or "
                              "“业主自行管理” when the owners manage themselves)")
    successor_id = Count("接管企业机构编号（可代替名称）", required=False, minimum=1,
                         label_en="Successor enterprise's organisation id (instead of the name)")
    parties = Text("签署各方及监督单位", required=False, multiline=True,
                   label_en="Signatories and supervising bodies")


class DepartureSchema(PayloadSchema):
    left_on = Date("撤出物业管理区域日期", label_en="Day it left the estate")
    note = Text("情况说明", required=False, multiline=True, label_en="Remarks")


class EscalateSchema(PayloadSchema):
    refusal = Choice("情形", REFUSALS, label_en="Situation")
    facts = Text("事实经过", multiline=True, label_en="Facts")


class OrderSchema(PayloadSchema):
    rectify_by = Date("改正期限", label_en="Correct by")
    order = Text("督办意见", multiline=True, label_en="Supervision order")


class NoteSchema(PayloadSchema):
    note = Text("情况说明", required=False, multiline=True, label_en="Remarks")


class WithdrawSchema(PayloadSchema):
    reason = Text("撤销理由（如业主大会决定续聘）", multiline=True,
                  label_en="Reason for withdrawing (e.g. the owners' assembly renews)")


# -- guards ---------------------------------------------------------------------------


def _iso(v):
    return v.isoformat() if isinstance(v, date) else v


def _plain(values: dict) -> dict:
    """Typed payload → JSON-safe case data (dates as ISO strings, Decimals as text)."""
    return {k: (str(v) if isinstance(v, Decimal) else _iso(v)) for k, v in values.items()}


@guard("退出原因须由相应的一方登记：解聘由业主委员会（或街道办事处）登记表决结果，不再续聘由物业服务企业发出通知", uses_payload=True)
def ground_fits_role(ctx):
    ground = ctx.payload.get("ground")
    roles = GROUND_ROLES.get(ground, ())
    if ground and ctx.actor.role != "system" and ctx.actor.role not in roles:
        who = join((PARTY_LABEL[r] for r in roles), "、", " or ")
        return Bi(f"「{GROUNDS[ground]}」应由{who}登记",
                  f"“{GROUNDS[ground].en}” is registered by {who.en}")
    return None


def _tally(ctx, figures: dict):
    total_area, total_owners, _ = totals_of(ctx)
    return tally(DISMISSAL_MATTER, total_area=total_area, total_owners=total_owners,
                 voted_area=figures["voted_area"], voted_owners=figures["voted_owners"],
                 yes_area=figures["yes_area"], yes_owners=figures["yes_owners"])


@guard("解聘须经业主共同决定：参与表决的专有部分面积和人数均达三分之二以上，同意的面积和人数均过半数（民法典第二百七十八条第一款第（四）项、第二款）", uses_payload=True)
def dismissal_vote_passed(ctx):
    if ctx.payload.get("ground") != DISMISSAL:
        return None
    if ctx.payload.get("vote_id"):
        r, why = vote_result(ctx, ctx.payload["vote_id"], DISMISSAL_MATTER)
        if why:
            return why
        if not r["passed"]:
            return (Bi("解聘物业服务企业的表决未通过：", "the vote to dismiss the enterprise failed: ")
                    + "；".join(r["reasons"]))
        return None
    try:
        t = _tally(ctx, ctx.payload)
    except VoteInputError as exc:
        return Bi("解聘表决数据有误：", "the dismissal vote's figures are wrong: ") + exc.message
    if not t.passed:
        return (Bi("解聘物业服务企业的表决未通过：", "the vote to dismiss the enterprise failed: ")
                + join(t.reasons))
    return None


def _not_future(key: str, label: Bi):
    @guard(f"{label}不得晚于办理之日", uses_payload=True)
    def check(ctx):
        d = ctx.payload.get(key)
        if d and d > ctx.today:
            return Bi(f"{label} {d.isoformat()} 晚于今日，请核对",
                      f"the {label.en} {d.isoformat()} is after today; check it")
        return None
    return check


@guard("撤销退出程序须由作出决定或发出通知的一方（或街道办事处）办理")
def withdrawn_by_party(ctx):
    ground = ctx.case_data.get("ground")
    roles = GROUND_ROLES.get(ground, ())
    if roles and ctx.actor.role not in roles + ("system",):
        who = join((PARTY_LABEL[r] for r in roles), "、", " or ")
        return Bi(f"「{GROUNDS[ground]}」的退出程序只能由{who}撤销",
                  f"an exit on the ground “{GROUNDS[ground].en}” may be withdrawn only by {who.en}")
    return None


@guard("书面通知应由负有通知义务的一方送达：解聘由业主委员会通知物业服务企业，不再续聘由物业服务企业通知业主委员会")
def notice_by_party(ctx):
    party = NOTICE_PARTY.get(ctx.case_data.get("ground"))
    if party and ctx.actor.role not in (party, "street_office", "system"):
        return Bi(f"本案的书面通知应由{PARTY_LABEL[party]}送达",
                  f"in this case the written notice is served by {PARTY_LABEL[party].en}")
    return None


@guard("河南省：物业服务企业不再续签的，应同时报告街道办事处（《河南省物业管理条例》第五十一条第二款）", uses_payload=True)
def henan_report_to_street_office(ctx):
    if (ctx.rulepack == "henan" and ctx.case_data.get("ground") == NON_RENEWAL
            and not ctx.payload.get("reported_to_street_office")):
        return Bi("物业服务企业决定不再续签的，应在书面告知业主的同时报告街道办事处（《河南省物业管理条例》第五十一条第二款）",
                  "an enterprise that does not renew must report to the street office when it "
                  "tells the owners in writing (Henan Property Management Regulations art. 51 "
                  "para. 2)")
    return None


@guard("解聘或不再续聘的，须先送达书面通知（《民法典》第九百四十六条、第九百四十七条）")
def notice_served(ctx):
    ground = ctx.case_data.get("ground")
    if ground in NOTICE_PARTY and not ctx.case_data.get("served_on"):
        return Bi(f"「{GROUNDS[ground]}」尚未送达书面通知，不能开始交接",
                  f"the written notice of “{GROUNDS[ground].en}” has not been served, so the "
                  "handover cannot start")
    return None


@guard("合同终止后方可开始交接；此前原物业服务企业继续服务（《民法典》第九百五十条）", uses_payload=True)
def contract_has_ended(ctx):
    d = ctx.payload.get("ended_on")
    if d and d > ctx.today:
        return Bi(f"合同终止日 {d.isoformat()} 尚未到来，{STILL_SERVING}",
                  f"the contract's end {d.isoformat()} has not come yet; {STILL_SERVING_EN}")
    return None


@guard("交接确认书签署后方可确认撤出")
def handover_signed(ctx):
    if not ctx.case_data.get("signed_on"):
        return Bi("交接确认书尚未签署，不能确认原物业服务企业撤出",
                  "the handover record is not signed yet, so the departure cannot be confirmed")
    return None


@guard("改正期限应晚于今日", uses_payload=True)
def rectify_in_future(ctx):
    d = ctx.payload.get("rectify_by")
    if d and d <= ctx.today:
        return Bi("改正期限应晚于今日", "the date to correct by must be after today")
    return None


# -- effects --------------------------------------------------------------------------


def open_effect(ctx, data: dict) -> None:
    p = ctx.payload
    data.update(_plain({k: v for k, v in p.items() if v is not None}))
    ground = p["ground"]
    data["ground_label"] = GROUNDS[ground]
    data["end_on"] = _iso(p.get("end_on") or p["term_end"])
    if ground == DISMISSAL:
        data["dismissal_end_on"] = data["end_on"]
        if p.get("vote_id"):
            data["vote"] = vote_result(ctx, p["vote_id"], DISMISSAL_MATTER)[0]
        else:
            data["vote"] = {**_tally(ctx, p).as_dict(), "entered": TYPED,
                            "totals_from": totals_of(ctx)[2]}
    elif ground == NON_RENEWAL:
        data["non_renewal_term_end"] = data["term_end"]
    estate = ctx.estate
    data["early_warning"] = {
        "on": ctx.today.isoformat(),
        "to": [{"role": "community", "org_id": estate.community_id},
               {"role": "street_office", "org_id": estate.street_office_id}],
        "text": (f"{estate.name}物业服务企业退出预警：{GROUNDS[ground]}，合同拟于 {data['end_on']} 终止。"
                 f"请社区居委会、街道办事处指导业主决定新的管理方式并监督交接。{STILL_SERVING}。"),
    }
    data[materials.KEY] = materials.initial(MATERIALS)


def merge(ctx, data: dict) -> None:
    data.update(_plain(dict(ctx.payload)))


SELF_MANAGED = "自行管理"


def _successor(ctx):
    """The successor enterprise from the register (by id or exact name), or None."""
    return ctx.organisation(ctx.payload.get("successor_id"),
                            name=ctx.payload.get("successor") or "", kind="enterprise")


@guard("接管方须为台账中登记的物业服务企业，或业主自行管理", uses_payload=True)
def successor_in_register(ctx):
    name = (ctx.payload.get("successor") or "").strip()
    if not ctx.payload.get("successor_id") and SELF_MANAGED in name:
        return None
    org = _successor(ctx)
    if org is None:
        return Bi(f"接管方「{name}」不是台账中登记的物业服务企业：请填写企业全称（先在台账登记该企业），"
                  "业主自行管理的请填写“业主自行管理”",
                  f"the successor “{embed(name)}” is not an enterprise in the register: give its "
                  "full registered name (register the enterprise first), or “业主自行管理” when "
                  "the owners manage the estate themselves")
    if ctx.case is not None and org.id == ctx.case.enterprise_id:
        return Bi(f"接管方「{org.name}」正是退出的物业服务企业",
                  f"the successor {embed(org.name)} is the enterprise that is leaving")
    return None


def sign_effect(ctx, data: dict) -> None:
    merge(ctx, data)
    org = _successor(ctx)
    data["successor_id"] = org.id if org is not None else None
    if org is not None:
        data["successor"] = org.name


def escalate_effect(ctx, data: dict) -> None:
    data.update(_plain(dict(ctx.payload)))
    data["refusal_label"] = REFUSALS[ctx.payload["refusal"]]


# -- the procedure ------------------------------------------------------------------

STATES = (
    State("notice_period", "通知期（原物业服务企业继续服务）", label_en="notice period"),
    State("awaiting_end", "已书面通知，待合同终止", label_en="notice served, awaiting the contract's end"),
    State("handover", "逐项移交中", label_en="handing over"),
    State("escalated", "已报区住建局督办", label_en="escalated to the housing bureau"),
    State("signed", "交接确认书已签署，待撤出", label_en="handover signed, awaiting departure"),
    State("closed", "已退出，新管理人已接管", final=True, label_en="left; taken over"),
    State("withdrawn", "已撤销（续聘或决定撤回）", final=True, label_en="withdrawn"),
)

SUPERVISORS = ("committee", "community", "street_office")
HANDOVER_STATES = ("handover", "escalated")

# Service continues during an exit (民法典 art. 950) and owners are exposed: short
# warning, fast escalation.
ALERTS = AlertWindows(due_soon=5, escalate=(2, 5))

DOCUMENTS = (
    DocumentSpec("handover_checklist", "物业服务企业退出交接清单", title_en="Handover checklist of the outgoing enterprise",
                 addressee="enterprise",
                 basis={"national": "《民法典》第九百四十九条、第九百五十条；《物业管理条例》第二十九条、第三十八条"},
                 quotes=("handover_period",)),
    DocumentSpec("handover_confirmation", "交接确认书", title_en="Handover record",
                 addressee="enterprise",
                 basis={"national": "《民法典》第九百四十九条；《物业管理条例》第三十八条"}),
    DocumentSpec("rectification_order", "责令限期改正通知书", title_en="Order to correct within a time limit",
                 addressee="enterprise",
                 basis={"national": "《物业管理条例》第五十八条；《民法典》第九百四十九条"},
                 quotes=("handover_period",)),
)

DEFINITION = Procedure(
    name="enterprise_exit",
    version=1,
    title="物业服务企业退出与交接",
    title_en="Enterprise exit and handover",
    basis=("《民法典》第二百七十八条、第九百四十六条至第九百五十条；《物业管理条例》第二十九条、第三十八条、第五十八条；"
           "《河南省物业管理条例》第五十一条、第五十二条；《山东省物业管理条例》第五十八条"),
    summary_en=("Starts when the owners' assembly dismisses the provider (written notice 60 days "
                "ahead), the enterprise does not renew (90 days ahead; in Henan three months, "
                "reported to the street office) or the contract expires, warning the community "
                "and the street office; after the contract ends the enterprise hands over the "
                "service premises, facilities and records item by item, the owners' committee or "
                "the community accepts or returns each, and the handover record is signed once "
                "every required item is accepted; a refusal to hand over or to leave goes to the "
                "district housing bureau, which orders a correction within a time limit. "
                + STILL_SERVING_EN[0].upper() + STILL_SERVING_EN[1:] + "."),
    summary=("业主大会决定解聘（提前六十日书面通知）、物业服务企业不再续聘（提前九十日书面通知，河南为三个月并报告街道办事处）"
             "或合同期满时启动，同时向社区居委会和街道办事处预警；合同终止后，物业服务企业逐项移交物业服务用房、设施和资料，"
             "业主委员会或社区居委会逐项接收或退回，全部必交事项接收后签署交接确认书；拒不移交或拒不撤出的，报区住建局责令限期改正。"
             + STILL_SERVING + "。"),
    alerts=ALERTS,
    documents=DOCUMENTS,
    # Within 90 days of a contract's end the owners decide to renew, or the enterprise
    # gives notice (民法典 art. 947); an exit case under way answers it.
    duties=(RegisterDuty("contract_term", "contract_term", deadline=CONTRACT_TERM,
                         told=("enterprise",), notice_days=90),),
    states=STATES,
    initial="notice_period",
    materials=MATERIALS,
    opening=Opening(
        roles=("committee", "enterprise", "street_office"), label="启动物业服务企业退出",
        label_en="start an enterprise's exit",
        schema=OpenSchema,
        guards=(ground_fits_role, dismissal_vote_passed, _not_future("resolved_on", Bi("表决日", "day of the vote"))),
        starts=("dismissal_notice", "non_renewal_notice"),
        effect=open_effect, exclusive=True),
    transitions=(
        Transition("serve_notice", "送达书面通知", ("notice_period",), "awaiting_end",
                   ("committee", "enterprise", "street_office"), schema=NoticeSchema,
                   guards=(notice_by_party, _not_future("served_on", Bi("送达日期", "day of service")),
                           henan_report_to_street_office),
                   meets=("dismissal_notice", "non_renewal_notice"), effect=merge,
                   label_en="serve written notice"),
        Transition("start_handover", "合同终止，开始交接", ("notice_period", "awaiting_end"), "handover",
                   SUPERVISORS + ("enterprise",), schema=EndSchema,
                   guards=(notice_served, contract_has_ended),
                   starts=("handover_period",), cancels=("dismissal_notice", "non_renewal_notice"),
                   issues=("handover_checklist",), effect=merge, label_en="contract ended; start handover"),
        *materials.item_steps(MATERIALS, sources=HANDOVER_STATES, submitters=("enterprise",),
                              reviewers=("committee", "community")),
        Transition("sign_handover", "签署交接确认书", HANDOVER_STATES, "signed",
                   ("committee", "community"), schema=SignSchema,
                   guards=(materials.all_accepted(MATERIALS), _not_future("signed_on", Bi("签署日期", "day of signing")),
                           successor_in_register),
                   meets=("handover_period",), issues=("handover_confirmation",), effect=sign_effect,
                   registers=(RegisterWrite("enterprise_changed", fields={
                       "successor_id": "successor_id", "since": "signed_on"}),),
                   label_en="sign the handover record"),
        Transition("confirm_departure", "确认原物业服务企业撤出", ("signed", "escalated"), "closed",
                   SUPERVISORS, schema=DepartureSchema,
                   guards=(handover_signed, _not_future("left_on", Bi("撤出日期", "day of departure"))), effect=merge,
                   one_way=True, label_en="confirm departure"),
        Transition("escalate", "拒不移交或拒不撤出，报区住建局", ("handover", "signed"), "escalated",
                   SUPERVISORS, schema=EscalateSchema, effect=escalate_effect,
                   optional=True, one_way=True, label_en="escalate to the housing bureau"),
        Transition("order_rectification", "责令限期改正", ("escalated",), None, ("housing_bureau",),
                   schema=OrderSchema, guards=(rectify_in_future,), issues=("rectification_order",),
                   effect=merge, label_en="order correction within a time limit"),
        Transition("resume_handover", "改正后继续交接", ("escalated",), "handover",
                   ("housing_bureau", "street_office"), schema=NoteSchema, effect=merge,
                   label_en="resume the handover"),
        Transition("withdraw", "撤销退出程序", ("notice_period", "awaiting_end"), "withdrawn",
                   ("committee", "enterprise", "street_office"), schema=WithdrawSchema,
                   guards=(withdrawn_by_party,), cancels=("dismissal_notice", "non_renewal_notice"), effect=merge,
                   optional=True, one_way=True, label_en="withdraw"),
    ),
    deadlines=(DISMISSAL_NOTICE, NON_RENEWAL_NOTICE, HANDOVER_PERIOD),
)

"""业主共同决定事项的表决 — an owners' vote on the platform (docs/procedures.md §13).

The organiser — the street office for a first assembly, the owners' committee, or the
street office when the committee does not convene the assembly (河南 arts. 25, 33;
山东 art. 28 ¶3) — opens a vote on one or more matters of 民法典 art. 278 ¶1, each
decided by the threshold the article gives it (items 6-8: three quarters of the voting
area and owners; the others: more than half), with a voting period and the documents
owners must be able to read. The notice goes to every owner 15 days before voting
starts (物业管理条例 art. 14 ¶1), with a voting code per unit.

While the ballot is open owners vote real-name (河南 art. 26 ¶2; 山东 art. 26: internet
consultation) online, on paper entered twice, or through representatives carrying
their signed opinions (山东 art. 27); the ballots are kept by the engine
(engine/ballots.py). Closing reads every ballot and the owners' register and decides
each matter exactly (`workflows.rules.owners`, `workflows.rules.voting.tally`); the
result is published as a stamped notice. A closed vote's result is what the owners'
procedures (`owners_assembly`, `committee_reelection`, `enterprise_exit`) take as their
vote (`vote_result`).

Which ballot counts (decided here, cited on the result):
    - one owner (区分所有权解释 art. 9: the developer's unsold and sold-undelivered units
      together, a buyer's several units together) casts one ballot per matter; ballots
      cast through any of its units are the same owner's, and the latest counts;
    - online, the owner may change the ballot until the ballot closes (the latest
      counts), because the vote is the owners' decision at its close;
    - a signed paper ballot entered by two agreeing clerks, or a signed opinion a
      representative carries, prevails over online ballots of the same unit: it is the
      owner's signed written act (山东 art. 27: 经业主本人签字的书面意见…如实反映), and
      once it is entered the platform refuses online changes for that matter;
    - whoever did not vote is not counted (no silent ballot goes with the majority).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Mapping, Optional

from marshmallow import ValidationError, validates

from engine.bilingual import Bi, embed
from engine.definition import (AlertWindows, DocumentSpec, Opening, Procedure, State, Transition,
                               guard)
from engine.legaltime import latest_before
from engine.schema import Choice, Date, PayloadSchema, Text
from workflows.rules.owners import (DEVELOPER, Totals, count_matter, totals, turnout, units_of,
                                    voter_of)
from workflows.rules.voting import (MATTERS, SPECIAL_MATTERS, Tally, matter_number)

NOTICE_ARTICLE = "《物业管理条例》第十四条第一款"
NOTICE_QUOTE = f"{NOTICE_ARTICLE}：召开业主大会会议，应当于会议召开15日以前通知全体业主"
REAL_NAME = "《河南省物业管理条例》第二十六条第二款"
INTERNET = "《山东省物业管理条例》第二十六条"
REPRESENTATIVES = "《山东省物业管理条例》第二十七条"
CONVENE_HENAN = "《河南省物业管理条例》第二十五条"
REELECT_HENAN = "《河南省物业管理条例》第三十三条"

ORGANISERS: dict[str, Bi] = {
    "first_assembly": Bi("街道办事处（首次业主大会）", "street office (first assembly)"),
    "committee": Bi("业主委员会", "owners' committee"),
    "street_in_place": Bi("街道办事处（业主委员会逾期不召集）",
                          "street office (the committee failed to convene)"),
}
ORGANISER_ROLE = {"first_assembly": "street_office", "committee": "committee",
                  "street_in_place": "street_office"}

COUNTING_RULE = Bi(
    "计票规则：一名业主（建设单位未售和已售未交付的房屋合计、同一买受人的多套房屋合计）每一事项一票；"
    "网上投票在投票截止前可以更改，以最后一次为准；经两名录入员一致录入的纸质表决票和业主代表带来的经业主本人签字的书面意见"
    "优先于网上投票；未参与表决的业主不计入（《最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》"
    "第九条；《山东省物业管理条例》第二十七条）",
    "Counting: one owner (the developer's unsold and undelivered units together, a buyer's "
    "several units together) has one ballot per matter; online ballots may be changed until "
    "the close and the latest counts; paper ballots entered alike by two clerks and signed "
    "opinions carried by representatives prevail over online ballots; owners who did not vote "
    "are not counted (SPC interpretation on building ownership art. 9; Shandong regulations "
    "art. 27)")


def parse_matters(text: str) -> list[int]:
    """"3、1、2" or "选举业主委员会, 1" -> item numbers of art. 278 ¶1, in order, once each."""
    out = []
    for part in re.split(r"[、，,;；\s]+", text or ""):
        if part:
            n = matter_number(part)
            if n not in out:
                out.append(n)
    return out


def matter_rows(numbers: Iterable[int]) -> list[dict]:
    rows = []
    for no, n in enumerate(numbers, 1):
        special = n in SPECIAL_MATTERS
        rows.append({"no": no, "matter": n, "label": str(MATTERS[n]),
                     "threshold": ("参与表决专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意" if special
                                   else "参与表决专有部分面积过半数且参与表决人数过半数的业主同意")})
    return rows


class OpenSchema(PayloadSchema):
    organiser = Choice("召集人", ORGANISERS, label_en="Convener")
    title = Text("表决名称", max_length=200, label_en="Name of the vote")
    matters = Text("表决事项（民法典第二百七十八条第一款项号，如 1、2、3）", max_length=200,
                   label_en="Matters (items of Civil Code art. 278 para. 1, e.g. 1, 2, 3)")
    starts_on = Date("投票开始日期", label_en="Voting starts on")
    ends_on = Date("投票截止日期", label_en="Voting ends on")
    documents = Text("供业主查阅的文件（议事规则草案、候选人名单等）", multiline=True,
                     label_en="Documents for the owners to read (drafts, candidates…)")

    @validates("matters")
    def _matters(self, value, **_):
        try:
            if not parse_matters(value):
                raise ValidationError(Bi("请填写至少一项表决事项", "Name at least one matter"))
        except ValueError as exc:
            raise ValidationError(str(getattr(exc, "message", exc))) from None


class AnnounceSchema(PayloadSchema):
    posted_at = Text("公告张贴位置及送达方式", max_length=300,
                     label_en="Where the notice is posted and how it reaches each unit")


class CloseSchema(PayloadSchema):
    note = Text("备注", required=False, max_length=500, label_en="Note")


class WithdrawSchema(PayloadSchema):
    reason = Text("撤回理由", max_length=500, label_en="Reason for withdrawing")


# -- guards -------------------------------------------------------------------------------

@guard("召集人与办理单位一致（河南省物业管理条例第二十五条、第三十三条）", uses_payload=True)
def organiser_matches_actor(ctx):
    organiser = ctx.value("organiser")
    role = ORGANISER_ROLE.get(organiser)
    if ctx.actor.role in ("system", "admin") or role is None or ctx.actor.role == role:
        return None
    return Bi(f"召集人为「{ORGANISERS[organiser]}」的表决应由{'街道办事处' if role == 'street_office' else '业主委员会'}发起；"
              f"业主委员会不按规定召集的，由街道办事处负责召集（{CONVENE_HENAN}、{REELECT_HENAN}）",
              f"a vote convened by the {ORGANISERS[organiser].en} is opened by the "
              f"{'street office' if role == 'street_office' else 'owners committee'}; when the "
              "committee does not convene, the street office does (Henan regulations arts. 25, 33)")


@guard("投票截止日期不早于开始日期", uses_payload=True)
def period_in_order(ctx):
    s, e = ctx.date("starts_on"), ctx.date("ends_on")
    if s and e and e < s:
        return Bi(f"投票截止日期 {e.isoformat()} 早于开始日期 {s.isoformat()}",
                  f"voting ends on {e.isoformat()}, before it starts on {s.isoformat()}")
    return None


def notice_due(starts_on: date) -> date:
    return latest_before(starts_on, 15, "day").date


@guard("投票开始十五日前公告并通知全体业主（物业管理条例第十四条第一款）")
def notice_in_time(ctx):
    starts = ctx.date("starts_on")
    if starts is None:
        return None
    due = notice_due(starts)
    if ctx.today > due:
        return Bi(f"投票定于 {starts.isoformat()} 开始，公告最迟应于 {due.isoformat()} 发布（{NOTICE_ARTICLE}："
                  "会议召开15日以前通知全体业主）；请撤回后重新发起表决",
                  f"voting starts on {starts.isoformat()}, so its notice had to go out by "
                  f"{due.isoformat()} ({embed(NOTICE_ARTICLE)}: owners are told 15 days "
                  "before); withdraw and open the vote again")
    return None


@guard("到达投票开始日期")
def voting_has_started(ctx):
    starts = ctx.date("starts_on")
    if starts and ctx.today < starts:
        return Bi(f"投票定于 {starts.isoformat()} 开始，尚未到期", f"voting starts on {starts.isoformat()}")
    return None


@guard("本物业管理区域已有业主名册")
def register_exists(ctx):
    if ctx.read is None or not ctx.read("register_units", estate_id=ctx.estate.id):
        return Bi("本物业管理区域尚无业主名册，无法按专有部分面积和业主人数计票；请先导入业主名册",
                  "the estate has no owners' register, so no ballot can be weighed; import it first")
    return None


@guard("投票期已届满")
def voting_period_over(ctx):
    ends = ctx.date("ends_on")
    if ends and ctx.today <= ends:
        return Bi(f"投票截止日期为 {ends.isoformat()}，投票期届满后方可计票",
                  f"voting ends on {ends.isoformat()}; count after the period is over")
    return None


def _organiser_acts(ctx):
    role = ORGANISER_ROLE.get(ctx.case_data.get("organiser"))
    if ctx.actor.role in ("system", "admin") or role is None or ctx.actor.role == role:
        return None
    return Bi(f"本次表决由{ORGANISERS[ctx.case_data['organiser']]}召集，此步骤由召集人办理",
              f"the vote is convened by the {ORGANISERS[ctx.case_data['organiser']].en}, who takes this step")


organiser_acts = guard("由召集人办理")(_organiser_acts)


# -- counting -------------------------------------------------------------------------------

PRIORITY = {"online": 0, "paper": 1, "representative": 1}


def effective(register_rows: Iterable[Mapping], ballots: Iterable[Mapping]) -> dict[int, dict[str, Mapping]]:
    """{matter no: {voter: the ballot row that counts}} by the counting rule above."""
    voter_of_unit = {r["id"]: voter_of(r["status"], r["owners"]) for r in register_rows}
    out: dict[int, dict[str, Mapping]] = {}
    for b in ballots:                       # in the order cast (id)
        voter = voter_of_unit.get(b["unit_id"])
        if voter is None:
            continue
        have = out.setdefault(int(b["matter"]), {}).get(voter)
        if have is None or PRIORITY[b["channel"]] >= PRIORITY[have["channel"]]:
            out[int(b["matter"])][voter] = b
    return out


@dataclass(frozen=True)
class Count:
    register: Totals
    results: dict[int, Tally]          # by matter no
    turnout: Any
    counted_ids: frozenset


def count(matters: list[Mapping], register_rows: list[Mapping], ballots: list[Mapping]) -> Count:
    reg = totals(units_of(register_rows))
    eff = effective(register_rows, ballots)
    results = {}
    for m in matters:
        chosen = eff.get(int(m["no"]), {})
        results[int(m["no"])] = count_matter(reg, int(m["matter"]), {v: b["choice"] for v, b in chosen.items()})
    voters = {v for chosen in eff.values() for v in chosen}
    ids = frozenset(b["id"] for chosen in eff.values() for b in chosen.values())
    return Count(reg, results, turnout(reg, voters), ids)


def count_of(ctx, *, for_closing: bool = False) -> Count:
    case_id = ctx.case.id
    rows = ctx.read("register_units", estate_id=ctx.estate.id)
    ballots = ctx.read("ballots", case_id=case_id, for_closing=for_closing)
    return count(ctx.case_data["matters"], rows, ballots)


# -- effects ----------------------------------------------------------------------------------

def _iso(v):
    return v.isoformat() if isinstance(v, date) else v


def open_effect(ctx, data: dict) -> None:
    p = ctx.payload
    data.update({k: _iso(v) for k, v in p.items()})
    data["organiser_label"] = str(ORGANISERS[p["organiser"]])
    data["matters"] = matter_rows(parse_matters(p["matters"]))
    data["accepting_ballots"] = False
    data["counting_rule"] = str(COUNTING_RULE)


def announce_effect(ctx, data: dict) -> None:
    data["posted_at"] = ctx.payload["posted_at"]
    data["announced_on"] = ctx.today.isoformat()


def open_ballot_effect(ctx, data: dict) -> None:
    data["accepting_ballots"] = True
    data["ballot_opened_on"] = ctx.today.isoformat()


def close_effect(ctx, data: dict) -> None:
    c = count_of(ctx, for_closing=True)
    data["accepting_ballots"] = False
    data["counted_on"] = ctx.today.isoformat()
    if ctx.payload.get("note"):
        data["close_note"] = ctx.payload["note"]
    data["turnout"] = c.turnout.as_dict()
    data["results"] = {str(no): {**t.as_dict(), "entered": "逐票计票（业主决策平台）",
                                 "totals_from": "业主名册（按最高人民法院建筑物区分所有权解释第八条、第九条计算）"}
                       for no, t in c.results.items()}
    data["passed_matters"] = [t.matter for t in c.results.values() if t.passed]
    data["counted_ballots"] = len(c.counted_ids)


def withdraw_effect(ctx, data: dict) -> None:
    data["accepting_ballots"] = False
    data["withdrawn_reason"] = ctx.payload["reason"]


# -- the result, as the owners' procedures take it ---------------------------------------------

NAME = "owners_vote"
COUNTED = "vote_counted"


def vote_result(ctx, vote_id, matter: int) -> tuple[Optional[dict], Optional[Bi]]:
    """(the closed vote's result for art. 278 item `matter`, None) or (None, the reason it
    cannot be taken): the vote must be this estate's, counted, and have put the matter."""
    if ctx.read is None or vote_id in (None, ""):
        return None, Bi("请指定已计票的表决", "name a counted vote")
    snap = ctx.read("case", case_id=int(vote_id))
    if snap is None or snap["procedure"] != NAME:
        return None, Bi(f"表决 {vote_id} 不存在", f"there is no vote {vote_id}")
    if snap["estate_id"] != ctx.estate.id:
        return None, Bi(f"表决 {vote_id} 不是本物业管理区域的表决", f"vote {vote_id} is another estate's")
    if snap["state"] != COUNTED:
        return None, Bi(f"表决 {vote_id} 尚未截止计票", f"vote {vote_id} has not been counted")
    for no, r in (snap["data"].get("results") or {}).items():
        if int(r["matter"]) == int(matter):
            return {**r, "vote_id": snap["id"], "vote_title": snap["data"].get("title", "")}, None
    return None, Bi(f"表决 {vote_id} 未对「{MATTERS[matter]}」表决",
                    f"vote {vote_id} did not put “{MATTERS[matter].en}”")


def result_schema(name: str, extra: dict | None = None):
    """The payload of a step that takes a counted vote as its result: the vote's number
    (and `extra` fields, e.g. the elected members)."""
    from engine.schema import Count as _Count
    attrs = {"vote_id": _Count("表决编号（业主决策平台已计票的表决）", minimum=1,
                               label_en="Number of the counted vote on the platform")}
    attrs.update(extra or {})
    return type(name, (PayloadSchema,), attrs)


def _results(ctx, ballots) -> tuple[dict, list]:
    got, problems = {}, []
    for b in ballots:
        r, why = vote_result(ctx, ctx.value("vote_id"), b.matter)
        if why:
            problems.append(why)
        else:
            got[b.prefix] = r
    return got, problems


def results_passed_guard(ballots):
    """Guard: the counted vote put every matter of `ballots` and each passed."""
    def check(ctx):
        got, problems = _results(ctx, ballots)
        if problems:
            return problems[0] if len(problems) == 1 else Bi("；".join(problems), "; ".join(
                getattr(p, "en", str(p)) for p in problems))
        failed = [b for b in ballots if not got[b.prefix]["passed"]]
        if failed:
            return Bi("表决未通过的事项：" + "、".join(str(b.label) for b in failed),
                      "matters that failed: " + ", ".join(b.label.en for b in failed))
        return None
    return guard("所取表决结果中各事项均依《民法典》第二百七十八条通过", uses_payload=True)(check)


def results_failed_guard(ballots):
    """Guard: the counted vote put every matter of `ballots` and at least one failed."""
    def check(ctx):
        got, problems = _results(ctx, ballots)
        if problems:
            return problems[0]
        if all(r["passed"] for r in got.values()):
            return Bi("所取表决的各事项均已通过，应按表决通过办理",
                      "every matter of that vote passed; take it as passed")
        return None
    return guard("所取表决结果中至少一项事项未获通过", uses_payload=True)(check)


def record_results(ctx, data: dict, ballots) -> None:
    """Store the counted vote's result of each matter under data["votes"][prefix]."""
    got, _ = _results(ctx, ballots)
    votes = dict(data.get("votes") or {})
    votes.update(got)
    data["votes"] = votes


# -- the declaration ------------------------------------------------------------------------------

STATES = (
    State("vote_prepared", "表决已发起，待公告", label_en="prepared, notice pending"),
    State("vote_announced", "已公告，待开始投票", label_en="announced"),
    State("ballot_open", "投票中", label_en="ballot open"),
    State(COUNTED, "已计票并公示结果", final=True, label_en="counted and published"),
    State("vote_withdrawn", "已撤回", final=True, label_en="withdrawn"),
)

BASIS_ALL = (f"《民法典》第二百七十八条；{NOTICE_ARTICLE}；"
             "《最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第八条、第九条")

DOCUMENTS = (
    DocumentSpec("owners_vote_notice", "业主共同决定事项表决公告", title_en="Notice of an owners' vote",
                 issuer="", public=True,
                 basis={"national": f"{NOTICE_ARTICLE}；《民法典》第二百七十八条",
                        "henan": f"{NOTICE_ARTICLE}；《民法典》第二百七十八条；{REAL_NAME}",
                        "shandong": f"{NOTICE_ARTICLE}；《民法典》第二百七十八条；{INTERNET}、第二十七条"}),
    DocumentSpec("owners_vote_result", "业主共同决定事项表决结果公示", title_en="Published result of an owners' vote",
                 issuer="", public=True, basis={"national": BASIS_ALL}),
)

TRANSITIONS = (
    Transition("announce", "公告表决事项并通知全体业主", ("vote_prepared",), "vote_announced",
               ("street_office", "committee"), schema=AnnounceSchema,
               guards=(organiser_acts, notice_in_time), effect=announce_effect,
               issues=("owners_vote_notice",), label_en="publish the notice to all owners",
               fact_label="公告之日", fact_label_en="day of the notice"),
    Transition("open_ballot", "开始投票", ("vote_announced",), "ballot_open",
               ("street_office", "committee"), guards=(organiser_acts, voting_has_started, register_exists),
               effect=open_ballot_effect, label_en="open the ballot",
               fact_label="开始投票之日", fact_label_en="day voting opened"),
    Transition("close_vote", "截止投票并计票公示", ("ballot_open",), COUNTED,
               ("street_office", "committee"), schema=CloseSchema,
               guards=(organiser_acts, voting_period_over), effect=close_effect,
               issues=("owners_vote_result",), label_en="close, count and publish",
               fact_label="计票之日", fact_label_en="day of the count"),
    Transition("withdraw", "撤回表决", ("vote_prepared", "vote_announced", "ballot_open"), "vote_withdrawn",
               ("street_office", "committee"), schema=WithdrawSchema, guards=(organiser_acts,),
               effect=withdraw_effect, label_en="withdraw the vote"),
)

DEFINITION = Procedure(
    name=NAME,
    version=1,
    title="业主共同决定事项表决（业主决策平台）",
    title_en="Owners' vote on the decision platform",
    basis=(f"《民法典》第二百七十八条；{NOTICE_ARTICLE}；"
           "《最高人民法院关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第八条、第九条；"
           f"{CONVENE_HENAN}、第二十六条、第三十三条；{INTERNET}、第二十七条"),
    summary=("召集人（首次业主大会为街道办事处，其后为业主委员会，业主委员会逾期不召集的由街道办事处召集）发起表决，"
             "投票开始十五日前公告并向每户送达投票码；业主凭投票码和证件号码后四位实名网上投票，纸质表决票由两名录入员分别录入一致后计入，"
             "业主代表录入经业主签字的书面意见；投票期满按业主名册逐项依民法典第二百七十八条计票，并公示盖章的表决结果。"),
    summary_en=("The convener (the street office for a first assembly, then the owners' committee, or "
                "the street office when the committee fails to convene) opens a vote, publishes it 15 "
                "days before voting and delivers a voting code to every unit; owners vote real-name "
                "online with the code and the last four ID characters, paper ballots count once two "
                "clerks enter them alike, representatives enter their owners' signed opinions; at the "
                "close each matter is decided from the owners' register under Civil Code art. 278 and "
                "the stamped result is published."),
    alerts=AlertWindows(due_soon=3, escalate=(3, 10)),
    documents=DOCUMENTS,
    states=STATES,
    initial="vote_prepared",
    opening=Opening(roles=("street_office", "committee"), label="发起业主共同决定事项表决",
                    label_en="open an owners' vote", schema=OpenSchema,
                    guards=(organiser_matches_actor, period_in_order), effect=open_effect,
                    party="none"),
    transitions=TRANSITIONS,
)

"""Materials checklists: items a party must hand over one by one (e.g. an exiting
enterprise's handover list), each submitted, then accepted or sent back with a reason.

A procedure declares its items as `engine.definition.Material`; the state of each item
lives in the case's data, the one shape pages, forms and the API read:

    case.data["materials"] = {item_key: {"status": "pending"|"submitted"|"accepted"|"rejected",
                                         "reason": str, "declaration": str,
                                         "attachments": [attachment ids]}}

`item_steps()` builds the three generic item-level steps (dest=None: the case's state
does not move), `all_accepted()` the guard of the step that needs every required item,
`checklist()`/`blocking()` what pages, forms and refusals show. Nothing here does I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from engine.bilingual import Bi, embed, join, labelled
from engine.definition import (NATIONAL, Guard, GuardContext, Material, Procedure, Transition,
                               guard)
from engine.rulepacks import pack_for_estate
from engine.schema import Choice, PayloadSchema, Text

PENDING, SUBMITTED, ACCEPTED, REJECTED = "pending", "submitted", "accepted", "rejected"
STATUS_LABELS = {PENDING: Bi("未提交", "not submitted"), SUBMITTED: Bi("已提交", "submitted"),
                 ACCEPTED: Bi("已接收", "accepted"), REJECTED: Bi("退回", "returned")}
KEY = "materials"
SUBMIT, ACCEPT, REJECT = "submit_item", "accept_item", "reject_item"
ITEM_TRIGGERS = (SUBMIT, ACCEPT, REJECT)
# The item statuses each item step acts on: the step is work only while one waits.
WAITS_IN = {SUBMIT: (PENDING, REJECTED), ACCEPT: (SUBMITTED,), REJECT: (SUBMITTED,)}


@dataclass(frozen=True)
class ItemView:
    key: str
    label: str
    required: bool
    basis: str
    status: str
    status_label: str
    reason: str
    declaration: str
    attachments: tuple[int, ...]


def _blank() -> dict:
    return {"status": PENDING, "reason": "", "declaration": "", "attachments": []}


def initial(materials: Iterable[Material]) -> dict:
    """The checklist as it starts: every item not yet submitted."""
    return {m.key: _blank() for m in materials}


def _data_of(case_or_data: Any) -> Mapping:
    data = getattr(case_or_data, "data", case_or_data)
    return data or {}


def _state(data: Mapping, key: str) -> dict:
    return {**_blank(), **((data.get(KEY) or {}).get(key) or {})}


def _pack(case: Any, pack: Optional[str]) -> str:
    if pack:
        return pack
    estate = getattr(case, "estate", None)
    return pack_for_estate(estate).pack if estate is not None else NATIONAL


def checklist(defn: Procedure, case: Any, pack: Optional[str] = None) -> list[ItemView]:
    """Every declared item with its current status and its basis under the estate's rule
    pack (`case` may be a Case, or its data with `pack` given)."""
    data = _data_of(case)
    pack = _pack(case, pack)
    out = []
    for m in defn.materials:
        s = _state(data, m.key)
        out.append(ItemView(m.key, labelled(m), m.required, m.basis_for(pack), s["status"],
                            STATUS_LABELS.get(s["status"], s["status"]), s["reason"] or "",
                            s["declaration"] or "", tuple(s["attachments"] or ())))
    return out


def blocking(defn: Procedure, case: Any) -> list[Bi]:
    """Sentences naming each required item that is not accepted yet."""
    out = []
    for v in checklist(defn, case):
        if not v.required or v.status == ACCEPTED:
            continue
        zh, en = f"「{v.label}」", f"“{v.label.en}”"
        if v.status == REJECTED:
            out.append(Bi(f"{zh}已退回（{v.reason}），待重新提交",
                          f"{en} was returned ({embed(v.reason)}) and awaits resubmission")
                       if v.reason else
                       Bi(f"{zh}已退回，待重新提交", f"{en} was returned and awaits resubmission"))
        elif v.status == SUBMITTED:
            out.append(Bi(f"{zh}已提交，尚未接收", f"{en} is submitted, not yet accepted"))
        else:
            out.append(Bi(f"{zh}尚未提交", f"{en} is not submitted yet"))
    return out


# -- data updates (used by the item steps' effects) -----------------------------------

def _items(data: dict) -> dict:
    items = data.get(KEY)
    if not isinstance(items, dict):
        items = data[KEY] = {}
    return items


def record_submission(data: dict, item: str, declaration: str = "",
                      attachment_ids: Iterable[int] = ()) -> None:
    s = _state(data, item)
    s.update(status=SUBMITTED, reason="", declaration=declaration or "",
             attachments=list(s["attachments"]) + [int(i) for i in attachment_ids])
    _items(data)[item] = s


def record_decision(data: dict, item: str, accepted: bool, reason: str = "") -> None:
    s = _state(data, item)
    s.update(status=ACCEPTED if accepted else REJECTED, reason=reason or "")
    _items(data)[item] = s


# -- generic steps --------------------------------------------------------------------

def _label(materials: tuple[Material, ...], key: str) -> Bi:
    return next((labelled(m) for m in materials if m.key == key), Bi(key, key))


def item_steps(materials: tuple[Material, ...], *, sources: tuple[str, ...],
               submitters: tuple[str, ...], reviewers: tuple[str, ...]) -> tuple[Transition, ...]:
    """`submit_item`, `accept_item`, `reject_item` for a checklist.

    submit: payload `item` and `declaration`; files (FileIn with `item` unset or equal to
    the payload's item) are recorded under the item; files or a declaration are required;
    an accepted item cannot be submitted again. accept/reject: payload `item`, `reason`
    (required when sending back); only a submitted item can be decided."""
    choices = {m.key: labelled(m) for m in materials}

    class SubmitItemSchema(PayloadSchema):
        item = Choice("移交事项", choices, label_en="Item")
        declaration = Text("移交说明（无文件时须书面说明）", required=False, multiline=True,
                           label_en="Declaration (required in writing when no file is attached)")

    class AcceptItemSchema(PayloadSchema):
        item = Choice("移交事项", choices, label_en="Item")
        reason = Text("接收意见", required=False, multiline=True, label_en="Remarks on acceptance")

    class RejectItemSchema(PayloadSchema):
        item = Choice("移交事项", choices, label_en="Item")
        reason = Text("退回理由", multiline=True, label_en="Reason for returning it")

    def status_of(ctx: GuardContext) -> str:
        return _state(ctx.case_data, ctx.payload.get("item", "")).get("status", PENDING)

    @guard("已接收的事项不再重复提交", uses_payload=True)
    def not_yet_accepted(ctx):
        if ctx.payload.get("item") and status_of(ctx) == ACCEPTED:
            label = _label(materials, ctx.payload["item"])
            return Bi(f"「{label}」已接收，无需再次提交",
                      f"“{label.en}” is already accepted; it need not be submitted again")
        return None

    @guard("每一事项须附文件或书面说明", uses_payload=True)
    def files_or_declaration(ctx):
        item = ctx.payload.get("item")
        files = ctx.files
        stray = [f.filename for f in files if f.item and f.item != item]
        label = _label(materials, item)
        if stray:
            return Bi(f"文件 {'、'.join(stray)} 属于其他事项，请分别提交（本次提交的是「{label}」）",
                      f"the files {', '.join(map(embed, stray))} belong to other items; submit them "
                      f"separately (this submission is “{label.en}”)")
        if not files and not (ctx.payload.get("declaration") or "").strip():
            return Bi(f"提交「{label}」须附文件或填写书面说明",
                      f"submitting “{label.en}” needs a file or a written declaration")
        return None

    @guard("只能对已提交待接收的事项作出接收或退回", uses_payload=True)
    def is_submitted(ctx):
        st = status_of(ctx)
        if ctx.payload.get("item") and st != SUBMITTED:
            label, now = _label(materials, ctx.payload["item"]), STATUS_LABELS.get(st, Bi(st, st))
            return Bi(f"「{label}」当前状态为「{now}」，不能接收或退回",
                      f"“{label.en}” is {now.en}; it cannot be accepted or returned")
        return None

    def submit_effect(ctx, data):
        ids = [a.id for a in ctx.attachments]
        record_submission(data, ctx.payload["item"], ctx.payload.get("declaration", ""), ids)

    def accept_effect(ctx, data):
        record_decision(data, ctx.payload["item"], True, ctx.payload.get("reason", ""))

    def reject_effect(ctx, data):
        record_decision(data, ctx.payload["item"], False, ctx.payload["reason"])

    return (
        Transition(SUBMIT, "提交移交事项", sources, None, submitters,
                   schema=SubmitItemSchema, guards=(not_yet_accepted, files_or_declaration),
                   effect=submit_effect, label_en="submit an item"),
        Transition(ACCEPT, "接收移交事项", sources, None, reviewers,
                   schema=AcceptItemSchema, guards=(is_submitted,), effect=accept_effect,
                   label_en="accept an item"),
        Transition(REJECT, "退回移交事项", sources, None, reviewers,
                   schema=RejectItemSchema, guards=(is_submitted,), effect=reject_effect,
                   label_en="send an item back"),
    )


def all_accepted(procedure_materials: tuple[Material, ...],
                 description: str = "全部必交事项均已接收") -> Guard:
    """Guard: every required item accepted; the refusal lists what still blocks."""
    def check(ctx: GuardContext) -> Optional[str]:
        # A stand-in with only `materials` is enough for `blocking`.
        stub = _Declared(procedure_materials)
        left = blocking(stub, ctx.case_data)
        if left:
            return Bi("以下移交事项尚未全部接收，不能签署：", "these items are not all accepted, "
                      "so it cannot be signed: ") + join(left)
        return None
    return Guard(description, check)


@dataclass(frozen=True)
class _Declared:
    materials: tuple[Material, ...]

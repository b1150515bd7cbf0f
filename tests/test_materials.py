"""engine.materials: a checklist's items, their statuses, and what blocks signing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine import materials as M
from engine.definition import GuardContext, Material
from engine.files import FileIn

ITEMS = (Material("keys", "钥匙"), Material("records", "技术资料"),
         Material("others", "其他", required=False))


@dataclass(frozen=True)
class Defn:                      # `checklist`/`blocking` only read `materials`
    materials: tuple = ITEMS


def ctx(data, payload, files=(), attachments=()):
    return GuardContext(case_data=data, payload=payload, actor=None, estate=None,
                        rulepack="national", today=date(2026, 9, 1), files=tuple(files),
                        attachments=tuple(attachments))


def steps():
    return {t.trigger: t for t in M.item_steps(ITEMS, sources=("handover",),
                                               submitters=("enterprise",), reviewers=("committee",))}


def test_a_new_checklist_has_every_item_pending_and_blocking():
    data = {"materials": M.initial(ITEMS)}
    views = M.checklist(Defn(), data)
    assert [(v.key, v.status_label, v.required) for v in views] == [
        ("keys", "未提交", True), ("records", "未提交", True), ("others", "未提交", False)]
    assert M.blocking(Defn(), data) == ["「钥匙」尚未提交", "「技术资料」尚未提交"]
    # Data written before an item was declared reads as pending, not as an error.
    assert M.checklist(Defn(), {})[0].status == "pending"


def test_submitted_rejected_resubmitted_accepted():
    data = {"materials": M.initial(ITEMS)}
    M.record_submission(data, "keys", "", [7])
    assert M.blocking(Defn(), data)[0] == "「钥匙」已提交，尚未接收"
    M.record_decision(data, "keys", False, "少两把")
    assert M.checklist(Defn(), data)[0].status_label == "退回"
    assert M.blocking(Defn(), data)[0] == "「钥匙」已退回（少两把），待重新提交"
    M.record_submission(data, "keys", "补交两把", [9])
    v = M.checklist(Defn(), data)[0]
    assert (v.status, v.reason, v.declaration, v.attachments) == ("submitted", "", "补交两把", (7, 9))
    M.record_decision(data, "keys", True)
    M.record_submission(data, "records", "见移交清单")
    M.record_decision(data, "records", True, "齐全")
    assert M.blocking(Defn(), data) == []


def test_signing_guard_lists_what_blocks():
    g = M.all_accepted(ITEMS)
    data = {"materials": M.initial(ITEMS)}
    M.record_submission(data, "keys", "x")
    M.record_decision(data, "keys", True)
    assert g.check(ctx(data, {})) == "以下移交事项尚未全部接收，不能签署：「技术资料」尚未提交"
    M.record_submission(data, "records", "x")
    M.record_decision(data, "records", True)
    assert g.check(ctx(data, {})) is None


def test_item_steps_guards_and_effects():
    s = steps()
    assert {t.dest for t in s.values()} == {None}
    submit = s["submit_item"]
    data = {"materials": M.initial(ITEMS)}
    reasons = [g.check(ctx(data, {"item": "keys"})) for g in submit.guards]
    assert "提交「钥匙」须附文件或填写书面说明" in reasons
    stray = FileIn("a.pdf", "application/pdf", b"x", "records")
    assert any("属于其他事项" in (g.check(ctx(data, {"item": "keys"}, [stray])) or "") for g in submit.guards)

    @dataclass
    class Row:
        id: int
    new = {"materials": M.initial(ITEMS)}
    submit.effect(ctx(data, {"item": "keys", "declaration": ""}, attachments=[Row(3)]), new)
    assert new["materials"]["keys"]["attachments"] == [3]
    accept = s["accept_item"]
    assert "当前状态为「未提交」" in accept.guards[0].check(ctx(data, {"item": "records"}))
    # The reviewer's schema requires a reason only when sending back.
    assert "reason" in s["reject_item"].schema().validate({"item": "keys"})
    assert s["accept_item"].schema().validate({"item": "keys"}) == {}
    assert "item" in submit.schema().validate({"item": "nothing", "declaration": "x"})

"""The supervision work's printed documents, rendered and stamped like every form: the
complaint's 受理回执 and 转办单, the ledger's 整改通知书, 挂牌督办通知书 and 销号确认书."""
from __future__ import annotations

from datetime import date as D

import pytest

import forms
from engine.files import FileIn
from engine.runtime import advance, open_case
from tests.helpers import at
from tests.test_complaint import ORDER, department
from tests.test_forms import assert_genuine, only


@pytest.fixture(autouse=True)
def issuer(monkeypatch, session):
    monkeypatch.setitem(session.info, "issuers", [forms.issue])


def test_receipt_and_transfer_order(session, district):
    community, street = district.actor("community"), district.actor("street")
    fire = department(session, "浉河区消防救援大队", "fire")
    case = open_case(session, "complaint", district.estates["jinxiu"].id, community, ORDER, now=at(D(2026, 11, 2)))
    doc, data, text = only(session, case.id, "complaint_receipt")
    assert_genuine(doc, data)
    for fact in ("投诉受理回执", "刘女士：", "XY12345-20261102-0017", "飞线充电", "文化社区居民委员会",
                 "办结期限", "待核实", "第七十五条"):
        assert fact in text, fact
    advance(session, case.id, "escalate", community, {"reasons": "劝阻无效"}, now=at(D(2026, 11, 3)))
    advance(session, case.id, "transfer", street, {"department_id": fire.org_id, "reasons": "飞线充电属消防救援机构职责"},
            now=at(D(2026, 11, 3)))
    doc, data, text = only(session, case.id, "transfer_order")
    assert_genuine(doc, data)
    for fact in ("投诉转办单", "浉河区消防救援大队：", "飞线充电属消防救援机构职责", "老城街道办事处", "吹哨"):
        assert fact in text, fact


def test_rectification_notice_listing_and_closure(session, district):
    street, bureau, ent = district.actor("street"), district.actor("bureau"), district.actor("enterprise")
    case = open_case(session, "rectification", district.estates["jinxiu"].id, street,
                     {"item": "消防通道是否畅通", "problem": "5号楼消防车通道被占用", "measure": "清理并施划禁停标线",
                      "rectify_by": "2026-11-09", "responsible_person": "周经理"}, now=at(D(2026, 11, 2)))
    doc, data, text = only(session, case.id, "rectification_notice")
    assert_genuine(doc, data)
    for fact in ("整改通知书", "信阳安居物业服务有限公司：", "5号楼消防车通道被占用", "2026年11月9日", "周经理"):
        assert fact in text, fact
    advance(session, case.id, "supervise", bureau, {"requirements": "挂牌督办，限期整改", "supervise_by": "2026-11-06"},
            now=at(D(2026, 11, 3)))
    _, _, text = only(session, case.id, "listing_notice")
    assert "挂牌督办通知书" in text and "2026年11月6日" in text
    advance(session, case.id, "report", ent, {"measures_taken": "已清理"}, now=at(D(2026, 11, 5)),
            files=[FileIn("a.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 32)])
    advance(session, case.id, "clear", street, {"remark": "整改到位"}, now=at(D(2026, 11, 6)))
    _, _, text = only(session, case.id, "closure_confirmation")
    assert "整改销号确认书" in text and "整改到位" in text

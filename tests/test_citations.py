"""One citation per rule, for the estate's own rule pack, wherever it is shown: a checklist
item, a guard's refusal and the deadline panel name the same article, and a Henan estate
never reads a Shandong article (nor the reverse)."""
from __future__ import annotations

from datetime import date

from engine import materials
from engine.errors import GuardRefused
from engine.runtime import advance, open_case
from tests.helpers import at, deadlines, refused
from workflows import REGISTRY

D = date


def test_a_checklist_item_cites_the_estates_own_province():
    defn = REGISTRY["enterprise_exit"]
    keys = {"premises_keys", "common_facilities"}
    henan = {v.key: v.basis for v in materials.checklist(defn, {}, pack="henan") if v.key in keys}
    shandong = {v.key: v.basis for v in materials.checklist(defn, {}, pack="shandong") if v.key in keys}
    national = {v.key: v.basis for v in materials.checklist(defn, {}, pack="national") if v.key in keys}
    assert "山东" not in "".join(henan.values()) and "河南" not in "".join(shandong.values())
    assert "山东省物业管理条例》第五十八条" in shandong["premises_keys"]
    assert "河南省物业管理条例》第五十二条" in henan["common_facilities"]
    assert "省" not in "".join(national.values())


def _scheduled(session, district, estate, street):
    case = open_case(session, "owners_assembly", district.estates[estate].id, district.actor(street),
                     {"applicant": "report", "applicant_name": "街道办事处", "condition": "delivered_half",
                      "conditions_met_on": "2026-02-20", "applied_on": "2026-03-02"}, now=at(D(2026, 3, 2)))
    st = district.actor(street)
    advance(session, case.id, "form_group", st, {"leader": "主任", "member_count": 9, "owner_members": 5,
                                                 "members": "名单"}, now=at(D(2026, 3, 20)))
    advance(session, case.id, "publish_members", st, {"posted_at": "公告栏"}, now=at(D(2026, 3, 23)))
    advance(session, case.id, "schedule_meeting", st,
            {"meeting_on": "2026-05-09", "place": "小区广场", "meeting_form": "gathering"},
            now=at(D(2026, 3, 25)))
    return case


def test_the_late_notice_refusal_cites_the_article_the_deadline_panel_cites(session, district):
    for estate, street, province in (("jinxiu", "street", "河南"), ("taishan", "street2", "山东")):
        case = _scheduled(session, district, estate, street)
        panel = deadlines(session, case.id)["meeting_notice"].citation
        err = refused(session, GuardRefused, advance, case.id, "publish_notice", district.actor(street),
                      {"contents": "议事规则草案", "posted_at": "公告栏"}, now=at(D(2026, 4, 30)))
        article = panel.split("：", 1)[0]
        assert article in err.message and province in article, (estate, err.message, panel)

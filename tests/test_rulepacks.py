"""Rule packs: an estate's province chooses the pack; Hunan and Guizhou fall back to the
national pack and say so; every deadline row records its pack and article."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.models import Deadline
from engine.rulepacks import NATIONAL, PACKS, pack_for, pack_for_estate, pack_label
from engine.runtime import open_case
from tests.helpers import at


@pytest.mark.parametrize("province,pack", [
    ("河南省", "henan"), ("河南", "henan"), ("豫", "henan"), (" 河南省 ", "henan"),
    ("山东省", "shandong"), ("山东", "shandong"), ("鲁", "shandong"), ("Shandong", "shandong"),
])
def test_province_chooses_its_pack(province, pack):
    choice = pack_for(province)
    assert choice.pack == pack and choice.label == PACKS[pack] and choice.note == ""
    assert choice.sentence == f"适用规则包：{PACKS[pack]}"


@pytest.mark.parametrize("province,text", [("湖南省", "湖南省物业管理条例"),
                                           ("湖南", "湖南省物业管理条例"),
                                           ("贵州省", "贵州省物业管理条例")])
def test_pending_provinces_use_the_national_pack_and_say_so(province, text):
    choice = pack_for(province)
    assert choice.pack == NATIONAL
    assert choice.note == f"{text}尚未载入，暂适用全国规则"
    assert "全国规则" in choice.sentence and "尚未载入" in choice.sentence


def test_other_provinces_and_overrides():
    assert pack_for("北京市").pack == NATIONAL and "暂无地方规则包" in pack_for("北京市").note
    assert pack_for("").note == ""
    chosen = pack_for("湖南省", override="henan")
    assert chosen.pack == "henan" and "管理员" in chosen.note
    with pytest.raises(ValueError):
        pack_for("河南省", override="beijing")
    assert pack_label("shandong") == PACKS["shandong"] and pack_label("x") == "x"


def test_pack_for_estate_reads_province_and_override(district):
    assert pack_for_estate(district.estates["jinxiu"]).pack == "henan"
    assert pack_for_estate(district.estates["taishan"]).pack == "shandong"


def test_each_deadline_row_records_pack_and_article(session, district):
    """Contract filing signed 16 Sept 2026: Henan 15 days (-> 8 Oct, National Day),
    Shandong 10 days (-> 26 Sept is in the Mid-Autumn holiday -> Mon 28 Sept)."""
    data = {"contract_kind": "assembly", "contract_no": "HT-2", "client": "业主委员会",
            "signed_on": "2026-09-16", "term_start": "2026-10-01", "term_end": "2029-09-30",
            "fee": "1.80", "area": "1000.00"}
    henan = open_case(session, "contract_filing", district.estates["jinxiu"].id,
                      district.actor("enterprise"), data, now=at(date(2026, 9, 17)))
    shandong = open_case(session, "contract_filing", district.estates["taishan"].id,
                         district.actor("enterprise2"), data, now=at(date(2026, 9, 17)))
    rows = {r.case_id: r for r in session.scalars(select(Deadline))}
    h, s = rows[henan.id], rows[shandong.id]
    assert (h.rulepack, h.due_date) == ("henan", date(2026, 10, 8))
    assert "《河南省物业管理条例》第四十九条" in h.citation and "民法典第二百零三条" in h.basis
    assert (s.rulepack, s.due_date) == ("shandong", date(2026, 9, 28))
    assert "《山东省物业管理条例》第五十七条" in s.citation and "中秋节" in s.basis

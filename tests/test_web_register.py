"""The register's pages: a street office keeps its estates (with Chinese messages), sees
its committees, contracts and the estates with no management; imports its 调度表 with a
dry-run preview and a confirmation; exports it."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from engine.models import Estate
from tests.helpers import signed_in, text
from tests.test_register_io import row, xlsx


def test_street_office_keeps_its_estates(client, district, session):
    signed_in(client, "street")
    page = text(client.get("/register/"))
    assert "锦绣花园" in page and "滨河湾小区" in page and "湖东新苑" not in page
    r = client.post("/register/estates/new", data={"name": "", "province": "河南省", "total_area": "1.234",
                                                   "management_mode": "外聘物业服务企业"})
    assert r.status_code == 400
    body = text(r)
    assert "此项为必填项" in body and "最多两位小数" in body
    r = client.post("/register/estates/new", data={"name": "桂花苑", "province": "河南省",
                                                   "management_mode": "外聘物业服务企业"})
    assert r.status_code == 400 and "应填写入驻企业" in text(r)
    r = client.post("/register/estates/new", data={"name": "桂花苑", "province": "河南省", "total_area": "1000.00",
                                                   "total_owners": "10", "management_mode": "无物业管理",
                                                   "community_id": str(district.orgs["community"].id)})
    assert r.status_code == 302
    e = session.scalar(select(Estate).where(Estate.name == "桂花苑"))
    assert e.street_office_id == district.orgs["street"].id
    page = text(client.get(f"/register/estates/{e.id}"))
    assert "台账历史" in page and "total_area" in page
    assert "桂花苑" in text(client.get("/register/"))
    r = client.post(f"/register/estates/{e.id}", data={"name": "桂花苑", "province": "河南省",
                                                      "management_mode": "社区托管", "fact_date": "2026-01-01"})
    assert r.status_code == 302
    signed_in(client, "street2")
    assert client.get(f"/register/estates/{e.id}").status_code == 404
    signed_in(client, "enterprise")
    assert client.get("/register/estates/new").status_code == 403


def test_import_with_preview_then_confirm_and_export(client, district, session):
    signed_in(client, "street")
    data = xlsx([row("桂花苑"), row("丹桂园", owners="很多")])
    r = client.post("/register/import", data={"file": (io.BytesIO(data), "调度表.xlsx")},
                    content_type="multipart/form-data")
    page = text(r)
    assert "发现 1 处错误" in page and "业主总人数" in page and "确认导入" not in page
    data = xlsx([row("桂花苑"), row("丹桂园")])
    page = text(client.post("/register/import", data={"file": (io.BytesIO(data), "调度表.xlsx")},
                            content_type="multipart/form-data"))
    assert "将新建 2 个" in page and "确认导入" in page
    assert session.scalar(select(Estate).where(Estate.name == "桂花苑")) is None
    import re
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', client.post(
        "/register/import", data={"file": (io.BytesIO(data), "调度表.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)).group(1)
    r = client.post("/register/import", data={"sha256": sha})
    assert r.status_code == 302
    session.rollback()
    assert session.scalar(select(Estate).where(Estate.name == "桂花苑")) is not None
    r = client.get("/register/export.xlsx")
    ws = load_workbook(io.BytesIO(r.data)).active
    names = [c.value for c in ws["C"]]
    assert "桂花苑" in names and "锦绣花园" in names and "湖东新苑" not in names
    assert "物业管理性质" in text(client.get("/dashboard/progress"))


def test_monthly_changes_from_the_history(client, district, session):
    from datetime import date
    from engine import queries
    from engine.register import Recorder, change, profile
    from engine.register_edit import create_estate
    street = district.actor("street")
    e = session.get(Estate, district.estates["binhe"].id)
    change(session, e, {"enterprise_id": district.orgs["enterprise"].id}, Recorder(date(2026, 10, 12), street))
    create_estate(session, street, {"name": "桂花苑", "province": "河南省", "fact_date": "2026-10-03"})
    change(session, profile(session, session.get(Estate, district.estates["jinxiu"].id)),
           {"management_mode": "外聘物业服务企业"}, Recorder(date(2026, 9, 30), street))
    session.commit()
    rows = queries.monthly_changes(session, street, date(2026, 10, 1), date(2026, 10, 31))
    (r,) = rows
    assert r["street_office"] == "老城街道办事处" and r["enterprise_changed"] == ["滨河湾小区"]
    assert r["new_estate"] == ["桂花苑"] and r["became_unmanaged"] == ["桂花苑"]
    assert queries.monthly_changes(session, district.actor("street2"), date(2026, 10, 1), date(2026, 10, 31)) == []
    signed_in(client, "street")
    page = text(client.get("/register/changes?month=2026-10"))
    assert "更换物业服务企业" in page and "滨河湾小区" in page


def test_progress_percentages_of_a_non_whole_share():
    from web.dashboard import _pct
    assert (_pct(5, 6), _pct(1, 3), _pct(2, 4), _pct(0, 0)) == ("83.3%", "33.3%", "50%", "—")

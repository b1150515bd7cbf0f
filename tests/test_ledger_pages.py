"""The ledgers (台账) as officers and departments read them: counts by street office,
estate, enterprise and category, the entries behind them, the weekly dispatch report and
the self-inspection table as XLSX."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.helpers import signed_in, text
from workflows.rules.checklists import SPECIAL


@pytest.fixture
def demo_app(app):
    from web.db import get_session
    from web.demo import load_demo
    app.extensions["session_info"]["issuers"][:] = []
    with app.app_context():
        load_demo(get_session())
    return app


def test_the_bureau_reads_both_ledgers_and_downloads_the_reports(demo_app):
    c = signed_in(demo_app.test_client(), "bureau")
    page = text(c.get("/ledgers/"))
    assert "投诉及12345工单办理" in page and "问题整改台账" in page
    page = text(c.get("/ledgers/rectification?by=enterprise"))
    assert "信阳安居物业服务有限公司" in page and "挂牌督办" in page
    page = text(c.get("/ledgers/complaint?by=category"))
    assert "飞线充电" in page and "收费价格" in page
    overdue = text(c.get("/ledgers/complaint?which=overdue"))
    assert "物业公司擅自上调停车费" in overdue and "楼上住户夜间噪音" not in overdue

    r = c.get("/ledgers/rectification/weekly.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["汇总", "台账明细"]
    rows = list(wb["台账明细"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 and sum(1 for row in rows if row[3] == "是") == 1

    wb = load_workbook(io.BytesIO(c.get(f"/ledgers/checklists/{SPECIAL.key}.xlsx").data))
    questions = [row[2] for row in wb.active.iter_rows(min_row=5, values_only=True)]
    assert len(questions) == len(SPECIAL.items()) == 24
    parts = {row[1] for row in wb.active.iter_rows(min_row=5, values_only=True)}
    assert parts == {"物业承接（退出）", "业主及业主委员会", "内部管理", "物业服务", "消防安全", "其他安全"}


def test_a_department_sees_only_what_was_transferred_to_it(demo_app):
    c = signed_in(demo_app.test_client(), "market")
    page = text(c.get("/ledgers/complaint"))
    assert "2号楼电梯频繁停梯困人" in page
    assert "物业公司擅自上调停车费" not in page and "3号楼住户从窗口拉线" not in page
    assert "台账中没有记录" in text(c.get("/ledgers/rectification"))


def test_the_credit_ranking_and_an_enterprise_page(demo_app):
    c = signed_in(demo_app.test_client(), "bureau")
    page = text(c.get("/credit/"))
    assert "信阳安居物业服务有限公司" in page and "信阳宜家物业管理有限公司" in page
    from web.db import get_session
    from engine.models import Organisation
    from sqlalchemy import select
    with demo_app.app_context():
        org = get_session().scalar(select(Organisation).where(Organisation.name == "信阳宜家物业管理有限公司"))
        oid = org.id
    page = text(c.get(f"/credit/{oid}"))
    assert "信用档案" in page and "不良信息" in page and "其他不良行为" in page
    # An enterprise reads its own page, a department none.
    assert signed_in(demo_app.test_client(), "fire").get("/credit/").status_code == 403

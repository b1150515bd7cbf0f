"""Setting a district up from its 调度表 （「物业管理调度方案」附件5） and keeping it: import XLSX or CSV
with a dry run that lists each row's errors, an all-or-nothing apply, idempotence; and
the export, which imports back to no change."""
from __future__ import annotations

import csv
import io
import time
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from engine import credit_code
from engine.models import Estate, Organisation
from engine.register_edit import create_enterprise, create_estate, update_estate
from engine.register_io import COLUMNS, export_register, import_register
from engine.register_models import EnterpriseProfile, EstateProfile, RegisterChange
from engine.errors import NotPermitted, PayloadInvalid
from tests.helpers import at, snapshot

NOW = at(date(2026, 11, 2))
CODE = "91411502MA44XY712" + credit_code.check_character("91411502MA44XY712")


def row(name, community="文化社区", category="2", enterprise="信阳安居物业服务有限公司",
        mode="外聘物业服务企业", since="2019-05-01", area="32000.50", owners="410", **extra):
    r = {"社区名称": community, "小区名称": name, "类别": category, "入驻物业管理企业名称": enterprise,
         "物业管理性质": mode, "入驻时间": since, "服务内容": "全委托", "物业负责人": "张经理",
         "联系电话": "0376-1234567", "备注": "", "总建筑面积": area, "业主总人数": owners}
    r.update(extra)
    return r


def xlsx(rows, header=None):
    wb = Workbook()
    ws = wb.active
    header = header or list(COLUMNS) + sorted({k for r in rows for k in r} - set(COLUMNS))
    ws.append(header)
    for r in rows:
        ws.append([r.get(h, "") for h in header])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows, header=None, encoding="utf-8-sig"):
    header = header or list(COLUMNS)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    return buf.getvalue().encode(encoding)


def test_dry_run_then_apply_then_idempotent(session, district):
    street = district.actor("street")
    data = xlsx([row("桂花苑"), row("锦绣花园", category="1", area="86420.50", owners="812"),
                 row("新华小区", community="新华社区", enterprise="", mode="无物业管理", since="")])
    before = snapshot(session)
    dry = import_register(session, street, data, apply=False, now=NOW)
    assert dry.errors == [] and (dry.created, dry.changed, dry.unchanged) == (2, 1, 0)
    assert {r["name"]: r["action"] for r in dry.rows} == {"桂花苑": "create", "锦绣花园": "change",
                                                          "新华小区": "create"}
    assert snapshot(session) == before              # a dry run writes nothing
    done = import_register(session, street, data, apply=True, now=NOW)
    assert done.written and (done.created, done.changed) == (2, 1)
    gh = session.scalar(select(Estate).where(Estate.name == "桂花苑"))
    assert gh.street_office_id == district.orgs["street"].id and gh.province == "河南省"
    assert gh.total_area == __import__("decimal").Decimal("32000.50") and gh.total_owners == 410
    p = session.get(EstateProfile, gh.id)
    assert (p.category, p.management_mode, p.enterprise_since) == (2, "外聘物业服务企业", date(2019, 5, 1))
    xh = session.scalar(select(Estate).where(Estate.name == "新华小区"))
    community = session.get(Organisation, xh.community_id)
    assert community.name == "新华社区" and community.parent_id == district.orgs["street"].id
    # Every change has its history row and evidence leaf.
    assert session.scalar(select(func.count()).select_from(RegisterChange)
                          .where(RegisterChange.note == "调度表导入")) > 10
    again = import_register(session, street, data, apply=True, now=NOW)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3), [r.get("changes") for r in again.rows]


def test_the_export_imports_back_to_no_change(session, district):
    street = district.actor("street")
    import_register(session, street, xlsx([row("桂花苑"), row("新华小区", enterprise="", mode="无物业管理", since="")]),
                    apply=True, now=NOW)
    for fmt in ("xlsx", "csv"):
        data = export_register(session, street, fmt)
        res = import_register(session, street, data, apply=True, now=NOW)
        assert res.errors == [] and res.created == res.changed == 0, (fmt, res.rows)
        assert res.unchanged == 4          # 锦绣花园, 滨河湾小区 and the two imported


def test_wrong_columns_are_named_and_nothing_is_written(session, district):
    street = district.actor("street")
    before = snapshot(session)
    header = [c for c in COLUMNS if c != "物业管理性质"] + ["楼栋数"]
    res = import_register(session, street, csv_bytes([row("桂花苑")], header=header), apply=True, now=NOW)
    assert {(e["row"], e["column"]) for e in res.errors} == {(1, "物业管理性质"), (1, "楼栋数")}
    assert "缺少列" in res.errors[0]["message"] and not res.written
    assert snapshot(session) == before


def test_bad_credit_codes_and_bad_cells_are_row_errors(session, district):
    street = district.actor("street")
    bad = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    rows = [row("桂花苑"),
            row("丹桂园", enterprise="信阳新物业有限公司", 统一社会信用代码=bad),
            row("银杏苑", enterprise="信阳无码物业有限公司"),
            row("松柏园", category="5", area="12.345", owners="-3", since="2099-01-01"),
            row("竹园", mode="外包")]
    before = snapshot(session)
    res = import_register(session, street, xlsx(rows), apply=True, now=NOW)
    got = {(e["row"], e["column"]) for e in res.errors}
    assert (3, "统一社会信用代码") in got and (4, "入驻物业管理企业名称") in got
    assert {(5, "类别"), (5, "总建筑面积"), (5, "业主总人数"), (5, "入驻时间"), (6, "物业管理性质")} <= got
    assert any("校验位错误" in e["message"] for e in res.errors)
    assert not res.written and snapshot(session) == before      # the good row is not written either


def test_a_new_enterprise_is_registered_from_a_valid_code(session, district):
    street = district.actor("street")
    res = import_register(session, street, xlsx([row("丹桂园", enterprise="信阳新物业有限公司",
                                                     统一社会信用代码=CODE)]), apply=True, now=NOW)
    assert res.errors == [] and res.written
    org = session.scalar(select(Organisation).where(Organisation.name == "信阳新物业有限公司"))
    assert org.kind == "enterprise" and session.get(EnterpriseProfile, org.id).credit_code == CODE


def test_duplicate_estates_in_one_file(session, district):
    res = import_register(session, district.actor("street"), xlsx([row("桂花苑"), row("桂花苑", category="1")]),
                          apply=False, now=NOW)
    assert res.errors and res.errors[0]["row"] == 3 and "与第 2 行重复" in res.errors[0]["message"]


def test_an_empty_file_and_an_unreadable_one(session, district):
    before = snapshot(session)
    res = import_register(session, district.actor("street"), b"", apply=True, now=NOW)
    assert res.errors[0]["row"] == 0 and "0 字节" in res.errors[0]["message"]
    res = import_register(session, district.actor("street"), b"PK\x03\x04garbage", apply=True, now=NOW)
    assert "无法读取" in res.errors[0]["message"]
    assert snapshot(session) == before


def test_gbk_csv_as_excel_saves_it(session, district):
    res = import_register(session, district.actor("street"), csv_bytes([row("桂花苑")], encoding="gb18030"),
                          apply=False, now=NOW)
    assert res.errors == [] and res.created == 1


def test_five_thousand_rows(session, district):
    rows = [row(f"测试小区{i:04d}", community=f"社区{i % 20}") for i in range(5000)]
    data = xlsx(rows)
    t = time.perf_counter()
    res = import_register(session, district.actor("street"), data, apply=True, now=NOW)
    took = time.perf_counter() - t
    assert res.errors == [] and res.created == 5000
    assert session.scalar(select(func.count()).select_from(Estate)) == 5004
    assert took < 300
    # One bad row among 5,000 stops everything.
    rows[4321] = row("测试小区4321", owners="很多")
    res = import_register(session, district.actor("street"), xlsx(rows), apply=True, now=NOW)
    assert [(e["row"], e["column"]) for e in res.errors] == [(4323, "业主总人数")] and not res.written


def test_a_bureau_import_names_the_street_office_and_stays_in_its_district(session, district):
    bureau = district.actor("bureau")
    res = import_register(session, bureau, xlsx([row("桂花苑")]), apply=False, now=NOW)
    assert res.errors[0]["column"] == "街道办事处"
    res = import_register(session, bureau, xlsx([row("桂花苑", 街道办事处="湖东街道办事处", 社区名称="湖滨社区居民委员会")]),
                          apply=True, now=NOW)
    assert res.errors == [] and res.written
    e = session.scalar(select(Estate).where(Estate.name == "桂花苑"))
    assert e.street_office_id == district.orgs["street2"].id and e.community_id == district.orgs["community2"].id
    with pytest.raises(NotPermitted):
        import_register(session, district.actor("enterprise"), xlsx([row("桂花苑")]), apply=False, now=NOW)


# -- by hand --------------------------------------------------------------------------------

def test_estates_and_enterprises_by_hand_with_chinese_messages(session, district):
    street = district.actor("street")
    with pytest.raises(PayloadInvalid) as err:
        create_estate(session, street, {"name": "", "province": "河南省", "total_area": "1.234",
                                        "management_mode": "外包", "category": 4}, now=NOW)
    e = err.value.errors
    assert set(e) >= {"name", "total_area", "management_mode", "category"}
    session.rollback()
    est = create_estate(session, street, {"name": "桂花苑", "province": "河南省", "total_area": "1000.00",
                                          "total_owners": 10}, now=NOW)
    session.commit()
    assert session.get(EstateProfile, est.id).management_mode == "无物业管理"
    with pytest.raises(PayloadInvalid) as err:
        create_enterprise(session, district.actor("bureau"), {"name": "信阳甲物业", "credit_code": CODE[:-1] + "Z"}, now=NOW)
    assert "不允许的字符" in err.value.errors["credit_code"][0]
    session.rollback()
    org = create_enterprise(session, district.actor("bureau"), {"name": "信阳甲物业", "credit_code": CODE}, now=NOW)
    session.commit()
    update_estate(session, street, est.id, {"enterprise_id": org.id, "fact_date": "2026-10-01"}, now=NOW)
    session.commit()
    p = session.get(EstateProfile, est.id)
    assert p.management_mode == "外聘物业服务企业" and p.enterprise_since == date(2026, 10, 1)
    # Another street office cannot see it.
    from engine.errors import NotFound
    with pytest.raises(NotFound):
        update_estate(session, district.actor("street2"), est.id, {"total_owners": 11}, now=NOW)

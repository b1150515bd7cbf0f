"""The register over the API (docs/contract.md): estates created and changed with their
history as of a day, enterprises with checked credit codes, committees, contracts, and
the 调度表 import by multipart with a dry run."""
from __future__ import annotations

import io

from engine import credit_code
from engine.models import Estate
from engine.register_models import RegisterChange
from tests.helpers import assert_error
from tests.test_register_io import row, xlsx

CODE = "91411502MA44XY712" + credit_code.check_character("91411502MA44XY712")


def test_create_read_patch_and_history(api, district):
    r = api.post("/estates", {"name": "桂花苑", "province": "河南省", "total_area": "32000.50",
                              "total_owners": 410, "category": 2, "fact_date": "2026-01-05"})
    assert r.status_code == 201, r.get_json()
    e = r.get_json()
    assert e["street_office_id"] == district.orgs["street"].id and e["total_area"] == "32000.50"
    assert e["management_mode"] == "无物业管理"
    # Not in the other street office's chain.
    assert_error(api.get(f"/estates/{e['id']}", user="street2"), 404)
    assert e["id"] not in [x["id"] for x in api.get("/estates?per_page=100", user="street2").get_json()["items"]]
    r = api.client.patch(f"/api/v1/estates/{e['id']}", headers=api.headers("street"),
                         json={"enterprise_id": district.orgs["enterprise"].id, "fact_date": "2026-03-01"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["management_mode"] == "外聘物业服务企业" and r.get_json()["enterprise_since"] == "2026-03-01"
    h = api.get(f"/estates/{e['id']}/history?as_of=2026-02-01").get_json()
    assert h["estate"]["total_owners"] == 410 and "enterprise_id" not in h["estate"]
    h = api.get(f"/estates/{e['id']}/history?as_of=2026-03-01").get_json()
    assert h["estate"]["enterprise_id"] == district.orgs["enterprise"].id
    assert all(c["recorder"] == "李主任" for c in h["changes"])
    assert_error(api.get(f"/estates/{e['id']}/history?asof=2026-03-01"), 400)


def test_validation_is_in_chinese_by_field(api):
    r = api.post("/estates", {"name": "桂花苑", "province": "河南省", "management_mode": "外聘物业服务企业"})
    body = assert_error(r, 400)
    assert "enterprise_id" in body["errors"] and "外聘" in body["errors"]["enterprise_id"][0]
    body = assert_error(api.post("/estates", {"name": "桂花苑", "province": "河南省",
                                              "fact_date": "2099-01-01"}), 400)
    assert "fact_date" in body["errors"]
    assert_error(api.post("/estates", {"name": "桂花苑", "province": "河南省"}, user="enterprise"), 403)


def test_enterprises_with_credit_codes(api):
    bad = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    body = assert_error(api.post("/enterprises", {"name": "信阳新物业有限公司", "credit_code": bad}, user="bureau"), 400)
    assert "校验位错误" in body["errors"]["credit_code"][0]
    r = api.post("/enterprises", {"name": "信阳新物业有限公司", "credit_code": CODE}, user="bureau")
    assert r.status_code == 201 and r.get_json()["credit_code"] == CODE
    names = [x["name"] for x in api.get("/enterprises").get_json()["items"]]
    assert "信阳新物业有限公司" in names and "信阳安居物业服务有限公司" in names


def test_committees_and_contracts_follow_the_cases(api, district):
    api.open_contract()
    items = api.get("/contracts", user="enterprise").get_json()["items"]
    assert len(items) == 1 and items[0]["filing_status"] == "unfiled" and items[0]["filing_status_label"] == "未备案"
    assert api.get("/contracts", user="enterprise2").get_json()["items"] == []
    assert api.get("/committees").get_json()["items"] == []


def test_import_dry_run_then_apply(api, session):
    data = xlsx([row("桂花苑"), row("丹桂园", category="")])

    def send(dry):
        return api.client.post("/api/v1/register/import", headers=api.headers("street"),
                               data={"file": (io.BytesIO(data), "调度表.xlsx"), "dry_run": dry},
                               content_type="multipart/form-data")
    r = send("true")
    assert r.status_code == 200 and r.get_json()["created"] == 2 and not r.get_json()["written"]
    assert api.count(RegisterChange) == 0
    r = send("false")
    assert r.get_json()["written"] and api.count(Estate) == 6
    r = send("false")
    assert (r.get_json()["created"], r.get_json()["changed"], r.get_json()["unchanged"]) == (0, 0, 2)
    empty = api.client.post("/api/v1/register/import", headers=api.headers("street"),
                            data={"file": (io.BytesIO(b""), "空.csv"), "dry_run": "false"},
                            content_type="multipart/form-data").get_json()
    assert empty["errors"][0]["row"] == 0 and empty["created"] == 0
    assert_error(api.client.post("/api/v1/register/import", headers=api.headers("street"),
                                 json={"dry_run": "false"}), 415)


def test_the_command_line_imports_and_exports(runner, district, tmp_path):
    f = tmp_path / "调度表.xlsx"
    f.write_bytes(xlsx([row("桂花苑", 街道办事处="老城街道办事处")]))
    r = runner.invoke(args=["register", "import", str(f)])
    assert r.exit_code == 0, r.output
    assert '"created": 1' in r.output and '"written": false' in r.output
    r = runner.invoke(args=["register", "import", str(f), "--apply"])
    assert '"written": true' in r.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes("小区名称\n桂花苑\n".encode())
    r = runner.invoke(args=["register", "import", str(bad), "--user", "street"])
    assert r.exit_code == 1 and "缺少列" in r.output
    out = tmp_path / "台账.csv"
    r = runner.invoke(args=["register", "export", str(out), "--user", "street"])
    assert r.exit_code == 0 and "桂花苑" in out.read_text(encoding="utf-8-sig")

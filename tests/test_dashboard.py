"""The pages: unread badge on every page and acknowledgement in the inbox; the supervisor
dashboard's counts, chart and links to the cases behind each count; the 调度表 page and
its CSV; issuing a supervision notice from the dashboard."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.alerts import Alert
from engine.legaltime import TZ
from engine.models import Deadline, Event
from engine.runtime import open_case
from engine.scan import scan
from tests.helpers import at, signed_in as login

TODAY = datetime.now(TZ).date()



def filing(session, district, signed, estate="jinxiu", actor="enterprise", no="XY-1"):
    return open_case(session, "contract_filing", district.estates[estate].id,
                     district.actor(actor),
                     {"contract_kind": "assembly", "contract_no": no, "client": "业主委员会",
                      "signed_on": signed.isoformat(), "term_start": signed.isoformat(),
                      "term_end": (signed + timedelta(days=900)).isoformat(),
                      "fee": "1.80", "area": "100.00"}, now=at(signed))


@pytest.fixture
def late_cases(app, session, district):
    """Relative to the real today (the pages count as of now): two overdue filings in the
    first street office's estates, one in the second's, one due on the next working day."""
    overdue1 = filing(session, district, TODAY - timedelta(days=40), "jinxiu", no="OD-1")
    overdue2 = filing(session, district, TODAY - timedelta(days=30), "binhe", "enterprise2", no="OD-2")
    overdue3 = filing(session, district, TODAY - timedelta(days=40), "hudong", no="OD-3")
    # Henan: 15 days from signing, so its last day is the first working day after today.
    fresh = filing(session, district, TODAY - timedelta(days=14), "jinxiu", no="NEW-1")
    scan(session, at(TODAY, 9))
    return {"od1": overdue1, "od2": overdue2, "od3": overdue3, "fresh": fresh}


def badge(html: str):
    m = re.search(r'class="badge unread-badge"[^>]*>(\d+)<', html)
    return int(m.group(1)) if m else 0


def test_unread_badge_on_every_page_and_acknowledgement(client, session, district, late_cases):
    login(client, "enterprise")
    for path in ("/", "/cases", "/inbox/"):
        r = client.get(path)
        assert r.status_code == 200
        assert badge(r.data.decode()) == 3          # OD-1, OD-3 overdue; NEW-1 due soon
    page = client.get("/inbox/").data.decode()
    assert "【已逾期】锦绣花园" in page and "【已逾期】湖东新苑" in page
    alert = session.scalars(select(Alert).where(Alert.case_id == late_cases["od1"].id,
                                                Alert.kind == "overdue")).one()
    r = client.post(f"/inbox/{alert.id}/ack", data={"next": "//evil.example/"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/inbox/")
    assert badge(client.get("/inbox/?show=all").data.decode()) == 2
    # Someone else's alert: 404, and nothing changes.
    other = session.scalars(select(Alert).where(Alert.case_id == late_cases["od2"].id)).first()
    assert client.post(f"/inbox/{other.id}/ack").status_code == 404
    session.rollback()
    session.refresh(other)
    assert other.acknowledged_at is None


def test_enterprises_have_no_dashboard(client, district, late_cases):
    login(client, "enterprise")
    assert client.get("/dashboard/").status_code == 403
    assert "督办看板" not in client.get("/inbox/").data.decode()


def test_bureau_dashboard_counts_by_street_office_and_links_to_the_cases(app, client, district, late_cases):
    login(client, "bureau")
    html = client.get("/dashboard/").data.decode()
    assert 'id="total-overdue">3<' in html
    assert "<svg" in html and "老城街道办事处" in html and "湖东街道办事处" in html
    assert "cdn" not in html.lower()
    # Estate counts link to the deadlines behind them, each linking its case.
    jinxiu = district.estates["jinxiu"].id
    from flask import url_for
    with app.test_request_context():
        url = url_for("dashboard.cases", which="overdue", estate=jinxiu)
    assert f'href="{url.replace("&", "&amp;")}"' in html
    listing = client.get(url).data.decode()
    assert f'#{late_cases["od1"].id}' in listing or f'/cases/{late_cases["od1"].id}"' in listing
    # A street office's count links to the deadlines behind it.
    street = district.orgs["street"].id
    m = re.search(r'href="(/dashboard/cases\?[^"]*street_office=%d[^"]*)"' % street, html)
    assert m, "street office count has no link"
    listing = client.get(m.group(1).replace("&amp;", "&")).data.decode()
    assert "锦绣花园" in listing and "滨河湾小区" in listing and "湖东新苑" not in listing


def test_street_office_sees_only_its_own_district(client, district, late_cases):
    login(client, "street2")
    html = client.get("/dashboard/").data.decode()
    assert 'id="total-overdue">1<' in html
    assert "锦绣花园" not in html
    listing = client.get("/dashboard/cases?which=overdue").data.decode()
    assert "湖东新苑" in listing and "锦绣花园" not in listing
    # Drilling into the other street office shows nothing of it.
    other = district.orgs["street"].id
    assert 'id="total-overdue">0<' in client.get(f"/dashboard/?street_office={other}").data.decode()


def test_due_soon_counts_and_list(client, district, late_cases):
    login(client, "street")
    html = client.get("/dashboard/").data.decode()
    assert 'id="total-due-soon">1<' in html and 'id="total-overdue">2<' in html
    listing = client.get("/dashboard/cases?which=due_soon").data.decode()
    assert f'#{late_cases["fresh"].id} ' in listing and f'#{late_cases["od1"].id} ' not in listing


def test_supervision_notice_from_the_dashboard(client, session, district, late_cases):
    login(client, "street")
    case = late_cases["od1"]
    dl = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    listing = client.get("/dashboard/cases?which=overdue").data.decode()
    assert f"/dashboard/supervise/{dl.id}" in listing
    assert client.get(f"/dashboard/supervise/{dl.id}").status_code == 200
    r = client.post(f"/dashboard/supervise/{dl.id}", data={"requirements": ""})
    assert r.status_code == 400 and "请填写督办要求" in r.data.decode()
    r = client.post(f"/dashboard/supervise/{dl.id}", data={"requirements": "三日内报送备案"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/cases/{case.id}")
    session.rollback()            # end the test's read snapshot; see the request's commit
    ev = session.scalars(select(Event).where(Event.case_id == case.id)
                         .order_by(Event.seq.desc())).first()
    assert ev.trigger == "supervision_notice" and ev.payload["deadline_id"] == dl.id
    assert ev.payload["requirements"] == "三日内报送备案"
    documents = pytest.importorskip("engine.documents")
    docs = [d for d in documents.for_case(session, case.id) if d.kind == "supervision_notice"]
    assert len(docs) == 1 and docs[0].event_id == ev.id
    # The party's inbox carries the notice with its PDF (the e-mail too, made absolute).
    alert = session.scalars(select(Alert).where(Alert.kind == "supervision")).one()
    assert f"督办通知书：/documents/{docs[0].id}.pdf" in alert.body
    client.post("/logout")
    login(client, "enterprise")
    inbox = client.get("/inbox/?show=all").data.decode()
    assert f'class="chip notice-pdf" href="/documents/{docs[0].id}.pdf"' in inbox
    # Another street office cannot even open the form.
    client.post("/logout")
    login(client, "street2")
    assert client.get(f"/dashboard/supervise/{dl.id}").status_code == 404


def test_progress_table_page_and_csv(client, session, district, late_cases):
    login(client, "bureau")
    html = client.get("/dashboard/progress").data.decode()
    assert "全覆盖工作调度表" in html and "已成立业委会" in html and "前期物业" in html
    r = client.get("/dashboard/progress.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["街道办事处", "社区", "物业管理区域", "地址", "管理状态"]
    by_name = {row[2]: row for row in rows[1:] if len(row) > 4}
    assert by_name["锦绣花园"][4] == "已成立业委会"       # has an owners' committee
    assert by_name["湖东新苑"][4] == "前期物业"           # an enterprise, no committee
    assert by_name["锦绣花园"][8] == "1"                  # one overdue case
    total = next(row for row in rows if row and row[0] == "合计")
    assert total[1] == "4"


def test_community_sees_its_estates_charted(client, district, late_cases):
    login(client, "community")
    html = client.get("/dashboard/").data.decode()
    assert 'id="total-overdue">2<' in html            # 锦绣花园 and 滨河湾小区
    assert "按物业管理区域统计" in html and "湖东新苑" not in html
    # A community supervises but does not issue supervision notices.
    assert "/dashboard/supervise/" not in client.get("/dashboard/cases?which=overdue").data.decode()


def test_progress_percentages_are_exact_to_one_place_half_up():
    from web.dashboard import _pct
    assert [_pct(1, 3), _pct(2, 3), _pct(1, 8), _pct(1, 16), _pct(3, 3), _pct(0, 7), _pct(1, 0)] == \
        ["33.3%", "66.7%", "12.5%", "6.3%", "100%", "0%", "—"]

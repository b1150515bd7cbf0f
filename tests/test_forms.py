"""Printed forms: every document kind issued by a real step of its procedure (through
engine.runtime), its PDF text checked for the case's facts, the serial number (文号) and
the article; serial numbers per organisation and year, also under concurrency; seals;
PAdES signatures; reissue; templates that survive missing data.

A few pages are rendered to PNG in test-artifacts/forms/ for a human to look at."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import forms
from engine import files, runtime
from engine.audit import verify_all
from engine.documents import Document, SerialCounter, for_case, next_serial_no
from engine.models import Deadline, Event
from engine.runtime import advance, open_case
from forms import fonts, render, seal, signing
from forms.issuer import build_context, default_prefix
from forms.kinds import kind as kind_of, missing_layouts
from tests.helpers import at, pdf_text

D = date
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "forms"


@pytest.fixture(autouse=True)
def issuer(monkeypatch, session, upload_dir):
    """Only the forms issuer."""
    monkeypatch.setitem(session.info, "issuers", [forms.issue])



def docs_of(session, case_id, kind=None) -> list[Document]:
    session.expire_all()
    return [d for d in for_case(session, case_id) if kind is None or d.kind == kind]


PICTURED = {"contract_filing_receipt", "correction_notice", "preparatory_group_notice",
            "first_meeting_notice", "committee_filing_certificate", "tender_filing_receipt",
            "handover_checklist", "handover_confirmation", "supervision_notice"}


def only(session, case_id, kind) -> tuple[Document, bytes, str]:
    rows = docs_of(session, case_id, kind)
    assert len(rows) == 1, [d.kind for d in docs_of(session, case_id)]
    data = files.load(rows[0].sha256)
    if kind in PICTURED:
        save_png(data, kind)
    return rows[0], data, pdf_text(data)


def save_png(data: bytes, name: str) -> None:
    """Keep a picture of the page for a human to check (test-artifacts/forms/)."""
    if not shutil.which("pdftoppm"):     # pragma: no cover
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(ARTIFACTS / f"{name}.pdf"),
                    str(ARTIFACTS / name)], check=True)


def assert_genuine(doc: Document, data: bytes) -> None:
    assert hashlib.sha256(data).hexdigest() == doc.sha256 and len(data) == doc.size
    assert data.startswith(b"%PDF-")
    assert doc.size <= 300 * 1024


CONTRACT = {"contract_kind": "pre_phase", "contract_no": "XY-QQ-2026-001",
            "client": "信阳城投置业有限公司", "signed_on": "2026-09-20", "term_start": "2026-10-01",
            "term_end": "2029-09-30", "fee": "1.80", "area": "86420.50"}


def contract_case(session, district, **over):
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent,
                     {**CONTRACT, **over}, now=at(D(2026, 9, 21)))
    advance(session, case.id, "submit", ent, {"note": "合同正本及附件"}, now=at(D(2026, 9, 25)))
    return case


# -- contract filing: receipt and correction notice --------------------------------------------

def test_contract_filing_receipt_states_the_facts_serial_article_and_verification(session, district):
    case = contract_case(session, district)
    advance(session, case.id, "accept", district.actor("bureau"), {"remark": "材料齐全，予以备案"},
            now=at(D(2026, 10, 8)))
    doc, data, text = only(session, case.id, "contract_filing_receipt")
    assert_genuine(doc, data)
    assert doc.serial == "浉住建备〔2026〕1号"
    assert doc.issuer_org_id == district.orgs["bureau"].id and doc.status == "valid"
    assert doc.event_id == session.scalar(select(Event.id).where(Event.case_id == case.id,
                                                                 Event.trigger == "accept"))
    for fact in ("物业服务合同备案回执", "浉河区住房和城乡建设局", "浉住建备〔2026〕1号",
                 "信阳安居物业服务有限公司", "锦绣花园", "XY-QQ-2026-001", "信阳城投置业有限公司",
                 "2026年9月20日", "2026年10月1日至2029年9月30日", "1.80元/平方米·月",
                 "86420.50平方米", "材料齐全，予以备案", "2026年10月8日",
                 "《河南省物业管理条例》第四十九条", doc.code[:5] + "-" + doc.code[5:],
                 f"/verify/{doc.code}"):
        assert fact in text, fact


def test_correction_notice_lists_the_reasons_and_goes_to_the_enterprise(session, district):
    case = contract_case(session, district, contract_kind="assembly", client="锦绣花园业主委员会")
    advance(session, case.id, "request_correction", district.actor("street"),
            {"reasons": "缺少物业服务用房说明及收费标准附件"}, now=at(D(2026, 9, 28)))
    doc, data, text = only(session, case.id, "correction_notice")
    assert_genuine(doc, data)
    assert doc.serial == "老城街补〔2026〕1号" and doc.issuer_name == "老城街道办事处"
    for fact in ("补正通知书", "信阳安居物业服务有限公司：", "缺少物业服务用房说明及收费标准附件",
                 "业主大会选聘的物业服务合同", "XY-QQ-2026-001", "2026年9月28日",
                 "第四十九条", "老城街补〔2026〕1号"):
        assert fact in text, fact


# -- first owners' assembly ---------------------------------------------------------------------

APPLICATION = {"applicant": "developer", "applicant_name": "信阳城投置业有限公司",
               "condition": "delivered_half", "conditions_met_on": "2026-02-20",
               "applied_on": "2026-03-02", "note": "交付面积已达百分之五十二"}
GROUP = {"leader": "李主任（老城街道办事处）", "member_count": 9, "owner_members": 5,
         "members": "街道办事处1人、社区居委会1人、建设单位1人、业主代表5人、派出所1人"}


def assembly_to_notice(session, district):
    dev, st = district.actor("developer"), district.actor("street")
    case = open_case(session, "owners_assembly", district.estates["jinxiu"].id, dev, APPLICATION,
                     now=at(D(2026, 3, 2)))
    advance(session, case.id, "form_group", st, GROUP, now=at(D(2026, 3, 20)))
    advance(session, case.id, "publish_members", st, {"posted_at": "各楼栋单元公告栏"},
            now=at(D(2026, 3, 23)))
    advance(session, case.id, "schedule_meeting", st,
            {"meeting_on": "2026-05-09", "place": "小区广场", "meeting_form": "gathering"},
            now=at(D(2026, 3, 25)))
    advance(session, case.id, "publish_notice", st,
            {"contents": "业主名册及投票权数、管理规约草案、议事规则草案、选举办法及候选人名单",
             "posted_at": "各楼栋单元公告栏"}, now=at(D(2026, 4, 20)))
    return case


def test_preparatory_group_and_first_meeting_notices_are_posted_by_the_street_office(session, district):
    case = assembly_to_notice(session, district)
    doc, data, text = only(session, case.id, "preparatory_group_notice")
    assert_genuine(doc, data)
    assert doc.issuer_name == "老城街道办事处" and doc.serial == "老城街告〔2026〕1号"
    for fact in ("业主大会筹备组成立公告", "锦绣花园全体业主：", "2026年3月20日",
                 "李主任（老城街道办事处）", "9人，其中业主代表5人", "业主代表5人、派出所1人",
                 "各楼栋单元公告栏", "第二十条", "2026年3月23日", "特此公告"):
        assert fact in text, fact

    doc, data, text = only(session, case.id, "first_meeting_notice")
    assert doc.serial == "老城街告〔2026〕2号"          # the street office's second this year
    for fact in ("首次业主大会会议公告", "2026年5月9日", "小区广场", "管理规约草案",
                 "《物业管理条例》第十四条", "2026年4月20日"):
        assert fact in text, fact


def test_committee_filing_certificate(session, district):
    case = assembly_to_notice(session, district)
    st, committee = district.actor("street"), district.actor("committee")
    advance(session, case.id, "hold_meeting", st, {"record": "到会业主签到"}, now=at(D(2026, 5, 9)))
    figures = {}
    for p, yes in (("rules", "45000.00"), ("covenant", "44000.00"), ("election", "41000.00")):
        figures.update({f"{p}_voted_area": "60000.00", f"{p}_voted_owners": 560,
                        f"{p}_yes_area": yes, f"{p}_yes_owners": 420})
    advance(session, case.id, "record_vote", st,
            {**figures, "committee_members": "郑某、钱某、孙某、李某、周某"}, now=at(D(2026, 5, 10)))
    advance(session, case.id, "first_committee_meeting", committee,
            {"chair": "郑某", "vice_chair": "钱某"}, now=at(D(2026, 5, 14)))
    advance(session, case.id, "submit_filing", committee,
            {"filing_materials": "业主大会会议决议、议事规则、管理规约、业主委员会成员名单"}, now=at(D(2026, 5, 20)))
    advance(session, case.id, "accept_filing", st, {"remark": "予以备案"}, now=at(D(2026, 5, 25)))
    doc, data, text = only(session, case.id, "committee_filing_certificate")
    assert_genuine(doc, data)
    for fact in ("业主委员会备案证明", "锦绣花园业主委员会：", "2026年5月10日", "郑某", "钱某",
                 "管理规约", "《物业管理条例》第十六条", "2026年5月25日", "特此证明", doc.serial):
        assert fact in text, fact


# -- handover inspection ---------------------------------------------------------------------

def test_inspection_filing_receipt(session, district):
    dev, ent, bureau = (district.actor(u) for u in ("developer", "enterprise", "bureau"))
    case = open_case(session, "handover_inspection", district.estates["jinxiu"].id, dev,
                     {"delivery_on": "2026-09-15", "inspection_plan": "8 月下旬查验"}, now=at(D(2026, 8, 3)))
    advance(session, case.id, "complete_inspection", dev,
            {"inspected_on": "2026-08-28", "bureau_invited": True, "owner_representatives": "张某、李某",
             "findings": "共用部位查验合格"}, now=at(D(2026, 8, 28)))
    advance(session, case.id, "hand_over", dev, {"handed_over_on": "2026-09-01", "agreement_no": "CJ-2026-01"},
            now=at(D(2026, 9, 1)))
    advance(session, case.id, "submit_filing", ent, {"documents": "前期物业服务合同、临时管理规约、承接查验协议"},
            now=at(D(2026, 9, 10)))
    advance(session, case.id, "accept_filing", bureau, {"remark": "材料齐全"}, now=at(D(2026, 9, 25)))
    doc, data, text = only(session, case.id, "inspection_filing_receipt")
    assert_genuine(doc, data)
    for fact in ("承接查验备案回执", "信阳安居物业服务有限公司：", "信阳城投置业有限公司", "2026年9月15日",
                 "2026年8月28日", "2026年9月1日", "CJ-2026-01", "承接查验协议", "第四十六条",
                 "浉住建备〔2026〕1号"):
        assert fact in text, fact


# -- pre-phase tender ----------------------------------------------------------------------

def test_tender_and_award_filing_receipts(session, district):
    dev, bureau = district.actor("developer"), district.actor("bureau")
    case = open_case(session, "pre_phase_tender", district.estates["binhe"].id, dev,
                     {"project_name": "滨河湾小区前期物业服务", "method": "public",
                      "planned_announcement_on": "2026-08-24"}, now=at(D(2026, 8, 3)))
    advance(session, case.id, "submit_tender", dev, {"materials": "项目批准文件、招标公告、招标文件"},
            now=at(D(2026, 8, 10)))
    advance(session, case.id, "file_tender", bureau, {"remark": "材料齐全，予以备案"}, now=at(D(2026, 8, 12)))
    doc, data, text = only(session, case.id, "tender_filing_receipt")
    assert_genuine(doc, data)
    for fact in ("招标备案回执", "信阳城投置业有限公司：", "滨河湾小区前期物业服务", "公开招标",
                 "2026年8月24日", "项目批准文件", "《招标投标法》第二十三条", "浉住建备〔2026〕1号"):
        assert fact in text, fact

    advance(session, case.id, "announce", dev,
            {"method": "public", "announced_on": "2026-08-24", "documents_issued_on": "2026-08-24",
             "bid_deadline": "2026-09-14"}, now=at(D(2026, 8, 24)))
    advance(session, case.id, "open_bids", dev, {"opened_on": "2026-09-14", "bids_received": 4},
            now=at(D(2026, 9, 14)))
    advance(session, case.id, "evaluate", dev,
            {"evaluated_on": "2026-09-15", "committee_size": 7, "expert_count": 5,
             "candidates": "第一名 信阳安居物业服务有限公司"}, now=at(D(2026, 9, 15)))
    advance(session, case.id, "award", dev,
            {"winner_id": district.orgs["enterprise"].id, "awarded_on": "2026-09-16",
             "award_notice_on": "2026-09-16"}, now=at(D(2026, 9, 16)))
    advance(session, case.id, "submit_award", dev, {"report": "招标过程、评标报告及中标理由"},
            now=at(D(2026, 9, 18)))
    advance(session, case.id, "file_award", bureau, {}, now=at(D(2026, 9, 22)))
    doc, data, text = only(session, case.id, "award_filing_receipt")
    assert doc.serial == "浉住建备〔2026〕2号"
    for fact in ("中标备案回执", "信阳安居物业服务有限公司", "2026年9月16日", "评标报告",
                 "《招标投标法》第四十六条", "2026年9月22日"):
        assert fact in text, fact


# -- enterprise exit ---------------------------------------------------------------------------

def test_handover_checklist_confirmation_and_supervision_notice(session, district):
    from workflows import REGISTRY
    defn = REGISTRY["enterprise_exit"]
    committee, community, ent, bureau = (district.actor(u) for u in
                                         ("committee", "community", "enterprise", "bureau"))
    case = open_case(session, "enterprise_exit", district.estates["jinxiu"].id, committee,
                     {"ground": "expiry", "term_end": "2026-09-15"}, now=at(D(2026, 8, 1)))
    advance(session, case.id, "start_handover", committee,
            {"ended_on": "2026-09-15", "successor": "信阳宜家物业管理有限公司"}, now=at(D(2026, 9, 16)))
    doc, data, text = only(session, case.id, "handover_checklist")
    assert_genuine(doc, data)
    assert doc.issuer_name == "锦绣花园业主委员会"          # the acting actor's organisation
    for fact in ("物业服务企业退出交接清单", "信阳安居物业服务有限公司：", "2026年9月15日",
                 "信阳宜家物业管理有限公司", "《民法典》第九百四十九条", defn.materials[0].label,
                 "未提交", "2026年9月30日"):
        assert fact in text, fact

    advance(session, case.id, "escalate", community,
            {"refusal": "refuse_handover", "facts": "拒不交出物业服务用房钥匙"}, now=at(D(2026, 10, 9)))
    advance(session, case.id, "order_rectification", bureau,
            {"rectify_by": "2026-10-20", "order": "责令十日内移交全部资料及用房"}, now=at(D(2026, 10, 10)))
    doc, data, text = only(session, case.id, "rectification_order")
    for fact in ("责令限期改正通知书", "信阳安居物业服务有限公司：", "拒不交出物业服务用房钥匙",
                 "责令十日内移交全部资料及用房", "2026年10月20日", "《物业管理条例》第五十八条",
                 "浉住建督〔2026〕1号"):
        assert fact in text, fact

    advance(session, case.id, "resume_handover", bureau, {"note": "已按期改正"}, now=at(D(2026, 10, 15)))
    for m in defn.materials:
        advance(session, case.id, "submit_item", ent, {"item": m.key, "declaration": f"{m.label}已移交"},
                now=at(D(2026, 10, 16)))
        advance(session, case.id, "accept_item", committee, {"item": m.key}, now=at(D(2026, 10, 17)))
    advance(session, case.id, "sign_handover", committee,
            {"signed_on": "2026-10-18", "successor": "信阳宜家物业管理有限公司",
             "parties": "原、新物业服务企业，业主委员会，文化社区居委会"}, now=at(D(2026, 10, 18)))
    doc, data, text = only(session, case.id, "handover_confirmation")
    assert doc.serial == "锦绣业委交〔2026〕2号"
    for fact in ("交接确认书", "信阳宜家物业管理有限公司", "已接收", "2026年10月18日",
                 "文化社区居委会", f"{defn.materials[0].label}已移交", "《民法典》第九百四十九条"):
        assert fact in text, fact


def test_supervision_notice_from_an_overdue_deadline(session, district):
    """The supervision path: engine.supervision.issue_notice appends a note event with
    deadline_id and requirements and issues "supervision_notice" through the issuer."""
    from engine.supervision import issue_notice
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent, CONTRACT,
                     now=at(D(2026, 9, 21)))
    dl = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    issue_notice(session, case.id, dl.id, district.actor("street"), "请于五个工作日内报送备案",
                 rectify_by=D(2026, 10, 19), now=at(D(2026, 10, 12)))
    doc, data, text = only(session, case.id, "supervision_notice")
    assert_genuine(doc, data)
    assert doc.issuer_name == "老城街道办事处" and doc.serial == "老城街督〔2026〕1号"
    for fact in ("逾期督办通知书", "信阳安居物业服务有限公司：", dl.label, "2026年10月8日",
                 "请于五个工作日内报送备案", "2026年10月19日", "《河南省物业管理条例》第四十九条第三款",
                 "逾期未备案的，由主管部门督促限期备案", "2026年10月12日"):
        assert fact in text, fact


def test_supervision_notice_issued_by_the_system_comes_from_the_escalation_level(session, district):
    ent = district.actor("enterprise")
    case = open_case(session, "contract_filing", district.estates["jinxiu"].id, ent, CONTRACT,
                     now=at(D(2026, 9, 21)))
    dl = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
    ev = runtime.note(session, case, "supervise", "逾期督办",
                      {"deadline_id": dl.id, "requirements": "请尽快报送备案"},
                      runtime.SYSTEM, now=at(D(2026, 10, 12)))
    session.flush()
    forms.issue(session, case, ev, "supervision_notice", runtime.SYSTEM, at(D(2026, 10, 12)))
    session.commit()
    (doc,) = docs_of(session, case.id)
    # The deadline escalates to the street office first (contract_filing: FILING.escalate_to).
    assert doc.issuer_name == "老城街道办事处" and doc.issued_by_id is None


# -- serial numbers --------------------------------------------------------------------------

def test_serials_count_per_organisation_and_year(session, district):
    bureau, street = district.orgs["bureau"].id, district.orgs["street"].id
    assert [next_serial_no(session, bureau, 2026) for _ in range(3)] == [1, 2, 3]
    assert next_serial_no(session, street, 2026) == 1
    assert next_serial_no(session, bureau, 2027) == 1
    session.commit()
    assert next_serial_no(session, bureau, 2026) == 4
    session.rollback()                  # a refused step gives its number back
    assert next_serial_no(session, bureau, 2026) == 4
    session.commit()


def test_serials_are_unique_under_concurrency(session, district, db_engine):
    from engine.db import make_sessionmaker
    org = district.orgs["bureau"].id
    maker = make_sessionmaker(db_engine)
    got, errors = [], []
    barrier = threading.Barrier(4)

    def worker():
        s = maker()
        try:
            barrier.wait()
            for _ in range(5):
                for attempt in range(20):
                    try:
                        got.append(next_serial_no(s, org, 2026))
                        s.commit()
                        break
                    except Exception as exc:  # SQLite: "database is locked" → retry like a user
                        s.rollback()
                        if attempt == 19:
                            errors.append(exc)
        finally:
            s.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == list(range(1, 21))
    session.expire_all()
    assert session.get(SerialCounter, (org, 2026)).last_no == 20


def test_default_prefixes():
    assert default_prefix("浉河区住房和城乡建设局") == "浉住建"
    assert default_prefix("老城街道办事处") == "老城街"
    assert default_prefix("文化社区居民委员会") == "文化社"
    assert default_prefix("锦绣花园业主委员会") == "锦绣业委"


# -- reissue ---------------------------------------------------------------------------------

def test_reissue_gives_a_new_serial_and_supersedes_the_old_one(session, district):
    case = contract_case(session, district)
    bureau = district.actor("bureau")
    advance(session, case.id, "accept", bureau, {}, now=at(D(2026, 10, 8)))
    old = docs_of(session, case.id)[0]
    old_bytes = files.load(old.sha256)
    new = forms.reissue(session, old, bureau, at(D(2026, 10, 9)))
    session.commit()
    session.expire_all()
    old, new = session.get(Document, old.id), session.get(Document, new.id)
    assert (old.status, old.superseded_by_id) == ("superseded", new.id)
    assert new.status == "valid" and new.serial == "浉住建备〔2026〕2号" and new.code != old.code
    assert files.load(old.sha256) == old_bytes                 # the old file never changes
    assert "2026年10月9日" in pdf_text(files.load(new.sha256))
    last = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq.desc())).first()
    assert last.trigger == "reissue_document" and last.payload["replaces"] == old.serial
    assert verify_all(session)[1] == []          # the audit chain still holds
    with pytest.raises(ValueError):
        forms.reissue(session, old, bureau, at(D(2026, 10, 10)))


# -- signatures ------------------------------------------------------------------------------

def test_documents_are_signed_when_a_certificate_is_configured(session, district):
    bureau = district.orgs["bureau"]
    settings = signing.ensure_demo_certificate(session, bureau)
    cert = settings.cert_pem
    assert signing.ensure_demo_certificate(session, bureau).cert_pem == cert    # idempotent
    session.commit()
    case = contract_case(session, district)
    advance(session, case.id, "accept", district.actor("bureau"), {}, now=at(D(2026, 10, 8)))
    doc, data, text = only(session, case.id, "contract_filing_receipt")
    assert doc.signed and hashlib.sha256(data).hexdigest() == doc.sha256     # hash of the signed bytes
    check = signing.check_signature(data, (cert,))
    assert check.present and check.intact and check.trusted and check.covers_whole_file
    assert check.signer == "浉河区住房和城乡建设局" and check.present and check.intact
    assert not signing.check_signature(data, ()).trusted       # self-signed: not trusted by default
    # One byte changed inside the signed range: the signature no longer validates.
    i = data.index(b"/Producer")
    tampered = data[:i] + b"/Producex" + data[i + 9:]
    assert not signing.check_signature(tampered, (cert,)).intact
    # Signing also works where an event loop is running (pyHanko uses asyncio.run).
    import asyncio

    async def inside_a_loop():
        return signing.sign_pdf(render.html_to_pdf("<p>测试</p>"), cert, settings.key_pem,
                                signer_name="测试")
    again = asyncio.run(inside_a_loop())
    assert signing.check_signature(again, (cert,)).intact
    # An organisation without a certificate issues unsigned documents.
    advance(session, contract_case(session, district, contract_kind="assembly").id, "accept",
            district.actor("street"), {}, now=at(D(2026, 10, 8)))
    unsigned = [d for d in session.scalars(select(Document)) if d.issuer_name == "老城街道办事处"][0]
    assert not unsigned.signed and not signing.check_signature(files.load(unsigned.sha256)).present


# -- templates that survive missing data; seals; fonts -------------------------------------------

def fake_case(district, procedure):
    estate = district.estates["jinxiu"]
    return SimpleNamespace(id=0, procedure=procedure, version=1, estate=estate, data={},
                           enterprise_id=None)


def declared_documents():
    """(procedure, DocumentSpec) for every document any procedure declares, and the
    engine's overdue supervision notice (on a contract filing)."""
    from engine.supervision import DOCUMENT
    from workflows import REGISTRY
    return [(name, spec) for name, defn in sorted(REGISTRY.items()) for spec in defn.documents] + [
        ("contract_filing", DOCUMENT)]


def test_every_declared_document_has_a_layout_and_an_unknown_kind_is_refused():
    assert missing_layouts(spec.kind for _, spec in declared_documents()) == []
    with pytest.raises(KeyError, match="not_yet_designed"):
        kind_of("not_yet_designed")


def test_every_template_prints_with_no_data_at_all(session, district):
    """Procedures are written independently of the forms: a missing key prints "—"."""
    ev = SimpleNamespace(payload={}, label="某步骤", created_at=datetime(2026, 10, 8, tzinfo=timezone.utc),
                         id=None)
    for procedure, spec in declared_documents():
        case = fake_case(district, procedure)
        k = kind_of(spec.kind)
        ctx = build_context(session, case, ev, k, org=district.orgs["street"],
                            serial="老城街字〔2026〕9号", code="ABCDE23456",
                            issued_at=datetime(2026, 10, 8, 2, tzinfo=timezone.utc),
                            actor=district.actor("street"))
        html = render.render_html(k.template, ctx)
        assert "Undefined" not in html and "None" not in html, spec.kind
        assert "—" in html, spec.kind          # missing facts print as a dash
        text = pdf_text(render.html_to_pdf(html))
        for fact in (spec.title, "老城街字〔2026〕9号", "2026年10月8日", "ABCDE-23456", "老城街道办事处"):
            assert fact in text, (spec.kind, fact)


def test_seal_is_drawn_from_the_name_with_a_star():
    svg = seal.seal_svg("浉河区住房和城乡建设局", "serif")
    # One outline per character of the name (no text objects: the seal adds no text).
    assert svg.count("<path") == len("浉河区住房和城乡建设局") and "<polygon" in svg
    assert "<text" not in svg
    assert seal.SEAL_RED in svg


def test_uploaded_seal_is_checked_and_used(session, district):
    import io

    from PIL import Image

    from engine.documents import settings_for
    with pytest.raises(ValueError, match="无法识别"):
        seal.normalise_upload(b"not an image")
    img = Image.new("RGBA", (1200, 1200), (217, 0, 27, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    png, ctype = seal.normalise_upload(buf.getvalue())
    assert ctype == "image/png" and Image.open(io.BytesIO(png)).size == (seal.SEAL_PIXELS, seal.SEAL_PIXELS)
    row = settings_for(session, district.orgs["bureau"].id, create=True)
    row.seal_image, row.seal_content_type = png, ctype
    session.commit()
    case = contract_case(session, district)
    advance(session, case.id, "accept", district.actor("bureau"), {}, now=at(D(2026, 10, 8)))
    doc, data, _ = only(session, case.id, "contract_filing_receipt")
    assert b"/Subtype /Image" in data or b"/Subtype/Image" in data


def test_fonts_are_subset_with_harfbuzz_from_the_trimmed_noto_faces():
    assert fonts.environment_problems() == []
    assert fonts.harfbuzz_subsetter_ok()
    assert fonts.trimmed_face("regular") is not None
    pdf = render.html_to_pdf(f"<html><head><style>{render.stylesheet()}</style></head>"
                             "<body><p>浉河区住房和城乡建设局</p></body></html>")
    from pypdf import PdfReader
    import io
    names = [str(f.get_object()["/BaseFont"]) for f in
             PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()]
    assert names and all("WuyeSerif" in n for n in names), names
    assert len(pdf) < 150 * 1024         # a subset, not the 20 MB collection


def test_a_character_outside_gb2312_is_added_to_the_trimmed_faces():
    """堃 is in GBK but not GB 2312: it still prints from the trimmed face, not from a
    third (full, 20 MB) font."""
    import io

    from pypdf import PdfReader
    body = "<p>业主委员会委员：王堃</p>"
    fonts.ensure_covered(body)
    pdf = render.html_to_pdf(f"<html><head><style>{render.stylesheet()}</style></head>"
                             f"<body>{body}</body></html>")
    names = [str(f.get_object()["/BaseFont"]) for f in
             PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()]
    assert names and all("WuyeSerif" in n for n in names), names
    assert "王堃" in pdf_text(pdf)

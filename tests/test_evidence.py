"""The evidence log against tampering: every way of changing the record in the database
found by an adversarial run (and a few more) is made here with plain SQL, the way an
intruder or a careless administrator would, and `flask audit verify` must name it.

The record is the `record` fixture (tests/conftest.py): three contract filings — filed,
overdue with an attachment, submitted — and a signed checkpoint.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, insert, select, update

from engine import evidence
from engine.alerts import Alert
from engine.audit import event_hash, verify_all
from engine.documents import Document
from engine.evidence import Checkpoint, LogEntry
from engine.files import StoredFile
from engine.models import Attachment, Case, Deadline, Event
from engine.runtime import advance
from tests.helpers import at


def problems(session, rec, saved=True) -> list[str]:
    session.commit()
    session.expire_all()
    return verify_all(session, rec.public, [rec.saved] if saved else []).problems


def found(session, rec, *needles: str) -> str:
    got = problems(session, rec)
    text = "\n".join(got)
    for n in needles:
        assert n in text, (n, got)
    return text


def event_row(session, case_id: int, seq: int) -> Event:
    return session.scalars(select(Event).where(Event.case_id == case_id, Event.seq == seq)).one()


def test_the_record_verifies_clean_with_its_checkpoint(session, record):
    assert problems(session, record) == []
    rep = verify_all(session, record.public, [record.saved])
    assert rep.cases == 3 and rep.log.saved == 1 and rep.log.checkpoints == 1
    assert rep.log.size == record.saved["size"] > 20 and rep.log.pending == 0
    assert rep.files >= 2              # the receipt and the attachment


def test_leaves_cover_every_kind_of_evidence(session, record):
    kinds = dict(session.execute(select(LogEntry.kind, func.count()).group_by(LogEntry.kind)).all())
    assert {"case", "event", "document", "deadline", "alert", "attachment"} <= set(kinds)
    assert kinds["case"] == 3
    assert kinds["event"] == session.scalar(select(func.count(Event.id)))


# -- the fifteen tamperings of the adversarial run, and more --------------------------------

def test_case_state_changed(session, record):
    session.execute(update(Case).where(Case.id == record.open).values(state="filed"))
    found(session, record, f"案件 {record.open}：状态为「已备案」，按办理记录重放应为「已报送待审查」")


def test_case_data_changed(session, record):
    case = session.get(Case, record.filed)
    session.execute(update(Case).where(Case.id == case.id).values(
        data={**case.data, "contract_no": "XY-QQ-2026-999"}))
    found(session, record, f"案件 {record.filed}：案件数据与最后一步办理后的记录不符")


@pytest.mark.parametrize("column,value", [
    ("label", "伪造的步骤名称"), ("actor_name", "张三"), ("organisation_id", "other"),
    ("organisation_name", "某某公司")])
def test_event_columns_outside_the_hash_changed(session, record, column, value):
    ev = event_row(session, record.filed, 3)
    if value == "other":
        value = record.district.orgs["street"].id
    session.execute(update(Event).where(Event.id == ev.id).values({column: value}))
    found(session, record, f"办理记录 event:{ev.id}：{column} 与存证日志不符")


def test_last_events_deleted_and_head_moved_back(session, record):
    first = event_row(session, record.open, 1)
    last = event_row(session, record.open, 2)
    session.execute(delete(Event).where(Event.id == last.id))
    session.execute(update(Case).where(Case.id == record.open).values(
        state="registered", event_seq=1, event_head=first.hash))
    found(session, record, f"办理记录 event:{last.id}：存证日志中有此记录，表中已不存在",
          f"案件 {record.open}：案件记录的步数为 1，办理记录为 2 步")


def test_whole_case_deleted_with_its_events_documents_and_deadlines(session, record):
    cid = record.filed
    session.execute(delete(Document).where(Document.case_id == cid))
    session.execute(delete(Deadline).where(Deadline.case_id == cid))
    session.execute(delete(Event).where(Event.case_id == cid))
    session.execute(delete(Case).where(Case.id == cid))
    found(session, record, f"案件 {cid}：存证日志中有 3 条办理记录，案件表中已不存在",
          f"文书 document:{record.doc}：存证日志中有此记录，表中已不存在",
          "文号缺号：浉河区住房和城乡建设局 2026 年第 1 号没有对应的文书")


def test_whole_case_deleted_with_its_leaves_too_is_caught_by_the_checkpoint(session, record):
    cid = record.filed
    for model in (Document, Deadline, Event):
        session.execute(delete(model).where(model.case_id == cid))
    session.execute(delete(Case).where(Case.id == cid))
    session.execute(delete(LogEntry).where(LogEntry.case_id == cid))
    text = found(session, record, "日志被截断", "文号缺号")
    assert "的签名无效" not in text


def test_chain_recomputed_with_the_projects_own_hash_after_editing_a_payload(session, record):
    """The intruder edits the contract number everywhere and recomputes every hash the
    database holds: event chain, case head, the log's leaves, even the stored checkpoint's
    root. Only the signature and the checkpoint kept outside can tell."""
    cid = record.filed
    case = session.get(Case, cid)
    data = {**case.data, "contract_no": "XY-QQ-2026-999"}
    prev = "0" * 64
    for ev in session.scalars(select(Event).where(Event.case_id == cid).order_by(Event.seq)):
        payload = dict(ev.payload)
        if ev.seq == 1:
            payload["contract_no"] = "XY-QQ-2026-999"
        ev.payload, ev.prev_hash = payload, prev
        ev.hash = event_hash(ev)
        prev = ev.hash
        leaf = session.scalars(select(LogEntry).where(LogEntry.key == f"event:{ev.id}")).one()
        body = json.loads(leaf.body)
        body["record"].update(payload=payload, prev_hash=ev.prev_hash, hash=ev.hash)
        if "_case" in body["record"]:
            body["record"]["_case"]["data"] = evidence.digest(data)
        leaf.body = evidence.canonical(body)
        leaf.leaf_hash = evidence.leaf_hash(leaf.body)
    session.execute(update(Case).where(Case.id == cid).values(data=data, event_head=prev))
    session.flush()
    root = evidence.merkle_root(session.scalars(select(LogEntry.leaf_hash).order_by(LogEntry.seq)))
    session.execute(update(Checkpoint).values(root=root))
    assert problems(session, record, saved=False) and all(
        "签名无效" in p for p in problems(session, record, saved=False))
    found(session, record, "签名无效", "保存的检查点 1", "签署的根哈希与日志前")


def test_document_row_forged(session, record):
    session.execute(update(Document).where(Document.id == record.doc).values(
        serial="浉住建备〔2026〕99号", issuer_name="某某单位"))
    found(session, record, f"文书 document:{record.doc}：serial 与存证日志不符",
          "issuer_name 与存证日志不符")


def test_deadline_row_edited(session, record):
    dl = session.scalars(select(Deadline).where(Deadline.case_id == record.late)).one()
    session.execute(update(Deadline).where(Deadline.id == dl.id).values(
        due_date=dl.due_date + timedelta(days=30), status="met"))
    found(session, record, f"期限 deadline:{dl.id}：due_date 与存证日志不符",
          f"期限 deadline:{dl.id}：status 与存证日志不符")


def test_stored_file_changed(session, record):
    doc = session.get(Document, record.doc)
    data = session.scalar(select(StoredFile.data).where(StoredFile.sha256 == doc.sha256))
    session.execute(update(StoredFile).where(StoredFile.sha256 == doc.sha256)
                    .values(data=bytes(data) + b"\n% altered"))
    found(session, record, f"存储文件 {doc.sha256}：内容已被改动")


def test_stored_file_deleted(session, record):
    doc = session.get(Document, record.doc)
    session.execute(delete(StoredFile).where(StoredFile.sha256 == doc.sha256))
    found(session, record, f"存储文件 {doc.sha256}：文书或附件引用的文件缺失")


def test_event_payload_edited(session, record):
    ev = event_row(session, record.filed, 2)
    session.execute(update(Event).where(Event.id == ev.id).values(payload={"note": "篡改"}))
    found(session, record, f"办理记录 event:{ev.id}：payload 与存证日志不符")


def test_event_deleted_from_the_middle(session, record):
    ev = event_row(session, record.late, 2)
    session.execute(update(Attachment).where(Attachment.event_id == ev.id).values(event_id=None))
    session.execute(delete(Event).where(Event.id == ev.id))
    found(session, record, f"办理记录 event:{ev.id}：存证日志中有此记录，表中已不存在")


def test_event_inserted_and_head_moved(session, record):
    last = event_row(session, record.open, 2)
    forged = dict(case_id=record.open, seq=3, trigger="accept", label="备案", from_state="submitted",
                  to_state="filed", actor_id=None, actor_name="王科长", organisation_id=None,
                  organisation_name="浉河区住房和城乡建设局", role="housing_bureau", payload={},
                  created_at=last.created_at + timedelta(days=1), prev_hash=last.hash)
    forged["hash"] = event_hash(SimpleNamespace(**forged))
    new_id = session.execute(insert(Event).values(**forged)).inserted_primary_key[0]
    session.execute(update(Case).where(Case.id == record.open).values(
        state="filed", event_seq=3, event_head=forged["hash"]))
    found(session, record, f"办理记录 event:{new_id}：表中有此记录，存证日志中没有",
          f"案件 {record.open}：案件记录的步数为 3，办理记录为 2 步")


def test_log_truncated(session, record):
    top = session.scalar(select(func.max(LogEntry.seq)))
    session.execute(delete(LogEntry).where(LogEntry.seq > top - 3))
    session.execute(delete(Checkpoint))
    found(session, record, f"记录了 {top} 条，日志现只有 {top - 3} 条：日志被截断")


def test_leaf_edited_in_place(session, record):
    leaf = session.scalars(select(LogEntry).where(LogEntry.kind == "document")).first()
    session.execute(update(LogEntry).where(LogEntry.id == leaf.id)
                    .values(body=leaf.body.replace("浉河区", "某某区")))
    found(session, record, f"存证日志条目 #{leaf.id}（{leaf.key}）的内容与其哈希不符")


def test_alert_deleted(session, record):
    from engine.alerts import OutboxMessage
    alert = session.scalars(select(Alert).where(Alert.case_id == record.late)).first()
    session.execute(delete(OutboxMessage).where(OutboxMessage.alert_id == alert.id))
    session.execute(delete(Alert).where(Alert.id == alert.id))
    found(session, record, f"提醒 alert:{alert.id}：存证日志中有此记录，表中已不存在")


def test_lock_version_changed(session, record):
    session.execute(update(Case).where(Case.id == record.filed).values(lock_version=1))
    found(session, record, f"案件 {record.filed}：版本号为 1")


def test_case_moved_to_another_estate(session, record):
    other = record.district.estates["binhe"].id
    session.execute(update(Case).where(Case.id == record.filed).values(estate_id=other))
    found(session, record, f"案件 case:{record.filed}：estate_id 与存证日志不符")


def test_attachment_renamed(session, record):
    att = session.scalars(select(Attachment)).one()
    session.execute(update(Attachment).where(Attachment.id == att.id).values(filename="合同.pdf"))
    found(session, record, f"附件 attachment:{att.id}：filename 与存证日志不符")


def test_checkpoint_signed_with_another_key(session, record):
    from engine.evidence import generate_key_pem, load_private_key
    evidence.checkpoint(session, load_private_key(generate_key_pem()))
    found(session, record, "的签名无效：检查点被伪造或改动")


# -- what keeps the record clean ---------------------------------------------------------

def test_later_work_and_checkpoints_stay_consistent(session, record):
    bureau = record.district.actor("bureau")
    advance(session, record.open, "accept", bureau, {}, now=at(date(2026, 10, 9)))
    assert problems(session, record) == []            # the new leaves are not yet signed
    later = evidence.checkpoint(session, record.key)
    assert later["size"] > record.saved["size"]
    rep = verify_all(session, record.public, [record.saved, later])
    assert rep.problems == [] and rep.log.saved == 2 and rep.log.checkpoints == 2


def test_checkpoint_refuses_to_sign_a_leaf_altered_before_it_was_signed(session, record):
    bureau = record.district.actor("bureau")
    advance(session, record.open, "accept", bureau, {}, now=at(date(2026, 10, 9)))
    leaf = session.scalars(select(LogEntry).where(LogEntry.seq.is_(None))).first()
    session.execute(update(LogEntry).where(LogEntry.id == leaf.id).values(body=leaf.body + " "))
    session.commit()
    with pytest.raises(evidence.LogError, match="拒绝为其签署检查点"):
        evidence.checkpoint(session, record.key)


def test_cli_verify_with_a_saved_checkpoint(app, runner, session, record, tmp_path):
    saved = tmp_path / "checkpoint.json"
    out = runner.invoke(args=["audit", "checkpoint"])
    assert out.exit_code == 0, out.output
    cp = json.loads(out.stdout)
    assert cp["size"] == record.saved["size"] and cp["signature"] and cp["public_key"]
    saved.write_text(out.stdout, encoding="utf-8")
    res = runner.invoke(args=["audit", "verify", "--checkpoint", str(saved)])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["problems"] == 0 and summary["cases"] == 3 and summary["saved_checkpoints"] == 1
    session.commit()                     # a fresh snapshot: the commands wrote meanwhile
    session.execute(update(Case).where(Case.id == record.open).values(state="filed"))
    session.commit()
    res = runner.invoke(args=["audit", "verify", "--checkpoint", str(saved)])
    assert res.exit_code == 1 and f"案件 {record.open}：状态为" in res.stderr
    assert json.loads(res.stdout)["problems"] == 1


def test_every_scan_writes_a_signed_checkpoint(app, runner, session, record):
    res = runner.invoke(args=["deadlines", "scan", "--now", "2026-10-21T08:00"])
    assert res.exit_code == 0, res.output
    cp = json.loads(res.stdout)["checkpoint"]
    assert cp["size"] >= record.saved["size"] and evidence.signature_ok(cp, record.public)
    session.commit()
    assert session.scalar(select(func.count(Checkpoint.id))) == 2


def test_an_upgraded_database_enters_the_log_as_it_stands(db_url, tmp_path):
    """Records written before the log existed are logged by the migration, so the first
    verify after an upgrade is clean."""
    from engine.db import make_engine, make_sessionmaker, upgrade
    if not db_url.startswith("sqlite"):
        pytest.skip("the migration's backfill is the same code on both backends")
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0005")
    eng = make_engine(url)
    ev = dict(case_id=1, seq=1, trigger="open", label="登记", from_state=None,
              to_state="registered", actor_id=None, actor_name="甲", organisation_id=1,
              organisation_name="局", role="enterprise", payload={"a": 1},
              created_at=at(date(2026, 1, 5)), prev_hash="0" * 64)
    ev["hash"] = event_hash(SimpleNamespace(**ev))
    with eng.begin() as c:
        c.exec_driver_sql("INSERT INTO organisations (id, name, kind) VALUES "
                          "(1, '局', 'housing_bureau'), (2, '街', 'street_office')")
        c.exec_driver_sql("INSERT INTO estates (id, name, province, address, bureau_id, "
                          "street_office_id) VALUES (1, '小区', '河南省', '', 1, 2)")
        c.execute(Case.__table__.insert(), [dict(
            id=1, procedure="contract_filing", version=1, estate_id=1, state="registered",
            data={"a": 1}, created_at=ev["created_at"], updated_at=ev["created_at"],
            lock_version=2, event_seq=1, event_head=ev["hash"], enterprise_id=None,
            parent_case_id=None, opened_by_id=None)])
        c.execute(Event.__table__.insert(), [ev])
    upgrade(url)
    s = make_sessionmaker(eng)()
    rep = verify_all(s)
    assert rep.problems == [] and rep.cases == 1 and rep.log.pending == 2
    s.close()
    eng.dispose()

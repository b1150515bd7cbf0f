"""Backup and restore as the README describes it: `flask backup FILE` (SQLite) or
pg_dump/pg_restore (PostgreSQL), then `flask audit verify --checkpoint` on the restored
copy, which holds the files too. And a demo load killed half-way leaves nothing behind,
so the next `flask demo` completes it."""
from __future__ import annotations

import json
import subprocess

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from engine.db import make_engine, make_sessionmaker
from engine.documents import Document
from engine.models import Case, User
from web import create_app, demo


def _restore(db_url: str, tmp_path, runner) -> str:
    """A restored copy of the database; its URL."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        copy = tmp_path / "restored.db"
        res = runner.invoke(args=["backup", str(copy)])
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["bytes"] > 0
        return f"sqlite:///{copy}"
    dump = tmp_path / "wuye.dump"
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), plain], check=True)
    target = url.set(database=f"{url.database}_restore")
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        c.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    subprocess.run(["pg_restore", "--no-owner", "-d",
                    target.set(drivername="postgresql").render_as_string(hide_password=False),
                    str(dump)], check=True)
    return target.render_as_string(hide_password=False)


def test_a_restored_backup_verifies_against_the_checkpoint_kept_outside(
        app, runner, db_url, session, record, tmp_path, evidence_key):
    kept = tmp_path / "checkpoint.json"
    kept.write_text(json.dumps(record.saved), encoding="utf-8")
    restored = _restore(db_url, tmp_path, runner)
    copy = create_app({"TESTING": True, "DATABASE_URL": restored, "SECRET_KEY": "test",
                       "EVIDENCE_KEY": evidence_key, "INSTANCE_PATH": str(tmp_path / "copy")})
    res = copy.test_cli_runner().invoke(args=["audit", "verify", "--checkpoint", str(kept)])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["problems"] == 0 and summary["cases"] == 3 and summary["saved_checkpoints"] == 1
    assert summary["files"] >= 2 and summary["log_size"] == record.saved["size"]
    eng = make_engine(restored)
    with make_sessionmaker(eng)() as s:
        doc = s.scalars(select(Document)).one()
        from engine import files
        assert files.load(s, doc.sha256).startswith(b"%PDF")
    eng.dispose()


def test_backup_refuses_to_overwrite_or_to_copy_postgresql(app, runner, db_url, tmp_path):
    target = tmp_path / "exists.db"
    target.write_bytes(b"")
    res = runner.invoke(args=["backup", str(target)])
    assert res.exit_code == 2
    assert ("已存在" if db_url.startswith("sqlite") else "pg_dump") in res.output


def test_a_demo_load_killed_half_way_leaves_nothing_and_the_next_one_completes(
        app, session, monkeypatch):
    monkeypatch.setitem(session.info, "issuers", [])
    monkeypatch.setattr(demo, "_certificates", lambda session, district: None)

    def killed(*_a, **_k):
        raise KeyboardInterrupt("killed during the tenders")
    real = demo.build_tenders
    monkeypatch.setattr(demo, "build_tenders", killed)
    with pytest.raises(KeyboardInterrupt):
        demo.load_demo(session)
    session.rollback()
    assert session.scalar(select(func.count(User.id))) == 0
    assert session.scalar(select(func.count(Case.id))) == 0
    monkeypatch.setattr(demo, "build_tenders", real)
    assert demo.load_demo(session) is True
    session.rollback()
    assert session.scalar(select(User.id).where(User.username == "bureau"))
    assert session.scalar(select(func.count(Case.id)).where(Case.procedure == "pre_phase_tender")) >= 3
    from engine.audit import verify_all
    assert verify_all(session).problems == []

"""E-mail delivery from the outbox against a real local SMTP server (aiosmtpd on
127.0.0.1, a free port): delivered once, retried after a failure, never lost, and a
message interrupted between send and mark is re-sent once after its lease (at-least-once)."""
from __future__ import annotations

import email
import json
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine.alerts import OutboxMessage
from engine.mailer import SMTPConfig, claim, config_from, deliver
from tests.helpers import at

NOW = at(date(2026, 10, 9), 9)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps what it accepted; can refuse the next N messages."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 暂时无法投递，请稍后重试"
        msg = email.message_from_bytes(envelope.original_content or envelope.content)
        msg["X-Rcpt"] = ",".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


@pytest.fixture
def smtp():
    handler = Inbox()
    ctl = Controller(handler, hostname="127.0.0.1", port=free_port())
    ctl.start()
    handler.port = ctl.port
    yield handler
    ctl.stop()


def cfg_for(port: int, **kw) -> SMTPConfig:
    return SMTPConfig(host="127.0.0.1", port=port, sender="alerts@shihe.example.gov.cn",
                      timeout=5, **kw)


def queue(session, n=1, to="a@example.com"):
    rows = [OutboxMessage(to_addr=to, subject=f"【已逾期】锦绣花园 第{i}号", body="物业服务合同备案期限已届满",
                          status="pending", attempts=0, next_attempt_at=NOW, created_at=NOW,
                          last_error="")
            for i in range(n)]
    session.add_all(rows)
    session.commit()
    return rows


def statuses(session):
    session.expire_all()
    return [(m.status, m.attempts) for m in
            session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def subject(msg) -> str:
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def test_queued_mail_is_delivered_once(session, smtp):
    rows = queue(session, 3)
    out = deliver(session, cfg_for(smtp.port), now=NOW)
    assert (out["sent"], out["retry"], out["queued"]) == (3, 0, 0)
    assert len(smtp.messages) == 3
    m = smtp.messages[0]
    assert subject(m) == "【已逾期】锦绣花园 第0号" and m["X-Rcpt"] == "a@example.com"
    assert m["Message-ID"] == f"<outbox-{rows[0].id}@shihe.example.gov.cn>"
    assert "物业服务合同备案期限已届满" in m.get_payload(decode=True).decode()
    assert statuses(session) == [("sent", 1)] * 3
    # Running again (or on another host) sends nothing twice.
    assert deliver(session, cfg_for(smtp.port), now=NOW + timedelta(hours=1))["sent"] == 0
    assert len(smtp.messages) == 3


def test_a_refused_send_is_retried_after_the_backoff(session, smtp):
    queue(session, 1)
    smtp.refuse = 1
    cfg = cfg_for(smtp.port, backoff=60)
    out = deliver(session, cfg, now=NOW)
    assert (out["sent"], out["retry"]) == (0, 1)
    m = session.scalars(select(OutboxMessage)).one()
    assert m.status == "pending" and m.attempts == 1 and "451" in m.last_error
    assert m.next_attempt_at == NOW + timedelta(seconds=60)
    # Not due yet: nothing happens.
    assert deliver(session, cfg, now=NOW + timedelta(seconds=30))["sent"] == 0
    out = deliver(session, cfg, now=NOW + timedelta(seconds=61))
    assert out["sent"] == 1 and len(smtp.messages) == 1
    assert statuses(session) == [("sent", 2)]


def test_an_unreachable_server_loses_nothing(session, smtp):
    queue(session, 2)
    down = cfg_for(free_port(), backoff=60)          # nothing listens there
    out = deliver(session, down, now=NOW)
    assert (out["sent"], out["retry"], out["queued"]) == (0, 2, 2)
    assert statuses(session) == [("pending", 1)] * 2
    # Backoff doubles: the second failure waits 120 s.
    deliver(session, down, now=NOW + timedelta(seconds=61))
    m = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    assert m.next_attempt_at == NOW + timedelta(seconds=61 + 120)
    out = deliver(session, cfg_for(smtp.port), now=NOW + timedelta(seconds=200))
    assert out["sent"] == 2 and len(smtp.messages) == 2


def test_after_max_attempts_a_message_is_kept_as_failed(session):
    queue(session, 1)
    down = cfg_for(free_port(), backoff=1, max_attempts=2)
    deliver(session, down, now=NOW)
    out = deliver(session, down, now=NOW + timedelta(seconds=5))
    assert out["failed"] == 1
    m = session.scalars(select(OutboxMessage)).one()
    assert m.status == "failed" and m.attempts == 2 and m.last_error
    assert deliver(session, down, now=NOW + timedelta(days=1))["retry"] == 0


def test_a_crash_between_send_and_mark_resends_once_after_the_lease(session, smtp):
    """at-least-once: the claimed row stays 'sending'; until its lease ends nobody sends
    it again, then exactly one later run does, with the same Message-ID."""
    rows = queue(session, 1)
    cfg = cfg_for(smtp.port, lease=600)
    token, claimed = claim(session, cfg, NOW)      # the crashed run claimed and sent …
    assert [m.id for m in claimed] == [rows[0].id]
    assert statuses(session) == [("sending", 1)]   # … but never marked it
    assert deliver(session, cfg, now=NOW + timedelta(seconds=599))["sent"] == 0
    out = deliver(session, cfg, now=NOW + timedelta(seconds=601))
    assert out["sent"] == 1 and statuses(session) == [("sent", 2)]
    assert smtp.messages[0]["Message-ID"] == f"<outbox-{rows[0].id}@shihe.example.gov.cn>"
    assert deliver(session, cfg, now=NOW + timedelta(hours=2))["sent"] == 0
    assert len(smtp.messages) == 1


def test_two_senders_at_once_send_each_message_once(session, smtp, db_engine):
    import threading
    from engine.db import make_sessionmaker
    queue(session, 30)
    Session = make_sessionmaker(db_engine)
    barrier, errors = threading.Barrier(2), []

    def work():
        s = Session()
        try:
            barrier.wait()
            deliver(s, cfg_for(smtp.port), now=NOW, batch=5)
        except Exception as exc:   # pragma: no cover
            errors.append(exc)
        finally:
            s.close()

    ts = [threading.Thread(target=work) for _ in range(2)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert not errors
    ids = sorted(m["Message-ID"] for m in smtp.messages)
    assert len(ids) == 30 and len(set(ids)) == 30
    assert statuses(session) == [("sent", 1)] * 30


def test_config_comes_from_the_app_config_or_the_environment(monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    assert config_from({}) is None
    cfg = config_from({"SMTP_HOST": "mail.example.gov.cn", "SMTP_PORT": "2525",
                       "MAIL_FROM": "dbb@example.gov.cn"})
    assert (cfg.host, cfg.port, cfg.sender, cfg.domain) == ("mail.example.gov.cn", 2525,
                                                           "dbb@example.gov.cn", "example.gov.cn")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    assert config_from({}).host == "127.0.0.1"


def test_cli_scan_sends_what_it_queued(app, runner, session, district, smtp):
    from engine.runtime import open_case
    open_case(session, "contract_filing", district.estates["jinxiu"].id, district.actor("enterprise"),
              {"contract_kind": "assembly", "contract_no": "XY-1", "client": "锦绣花园业主委员会",
               "signed_on": "2026-09-16", "term_start": "2026-10-01", "term_end": "2029-09-30",
               "fee": "1.80", "area": "100.00"}, now=at(date(2026, 9, 16)))
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, MAIL_FROM="alerts@example.gov.cn")
    res = runner.invoke(args=["deadlines", "scan", "--now", "2026-10-14T08:00+08:00"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["mail"] == {**out["mail"], "sent": 2, "queued": 0}
    assert sorted(m["X-Rcpt"] for m in smtp.messages) == ["a@example.com", "street@example.gov.cn"]
    res = runner.invoke(args=["deadlines", "scan", "--now", "2026-10-14T09:00+08:00"])
    assert json.loads(res.output)["mail"]["sent"] == 0 and len(smtp.messages) == 2


def test_pages_named_in_a_message_are_absolute_links():
    from datetime import datetime, timezone
    from engine.mailer import build
    cfg = config_from({"SMTP_HOST": "127.0.0.1", "PUBLIC_URL": "https://wuye.shihe.gov.cn/"})
    assert cfg.public_url == "https://wuye.shihe.gov.cn"
    m = OutboxMessage(id=1, to_addr="a@example.com", subject="逾期提醒",
                      body="案件页面：/cases/7\n督办通知书：/documents/12.pdf；核验 https://x/verify/AB")
    text = build(cfg, m, datetime(2026, 11, 30, tzinfo=timezone.utc)).get_content()
    assert "案件页面：https://wuye.shihe.gov.cn/cases/7" in text
    assert "督办通知书：https://wuye.shihe.gov.cn/documents/12.pdf；" in text
    assert "https://x/verify/AB" in text                    # already absolute: untouched

"""E-mail delivery from the outbox (engine.alerts.OutboxMessage) over SMTP, with retries.

The protocol, per run of `deliver`:

1. **claim** up to `batch` due rows in one short transaction: status pending → sending,
   `claimed_at`, a fresh `claim_token`, attempts + 1 (PostgreSQL: FOR UPDATE SKIP LOCKED,
   so two hosts never claim the same row; SQLite: BEGIN IMMEDIATE, one writer);
2. **send** each claimed message over one SMTP connection (smtplib);
3. **mark** each one right after its send, in its own transaction: sent (with `sent_at`),
   or back to pending with `next_attempt_at = now + backoff` and the error kept, or
   `failed` after `max_attempts` (kept in the table for an operator, never deleted).

A crash between 2 and 3 leaves the row in "sending". After the lease (`lease`, default
15 minutes) a later run claims it again and sends it again. **We choose at-least-once**:
a statutory overdue warning that silently never arrives is worse than one that arrives
twice, and SMTP offers no way to make "sent" and "recorded" one atomic step. The window
is one message wide (each is marked as soon as the server accepted it), and every
message carries a stable `Message-ID` (`<outbox-<id>@<domain>>`) so a re-send after such
a crash is recognisably the same message to mail clients and archives that deduplicate
on it. Outside that crash window a message is never sent twice: the claim token must
still match when it is marked, and only a claimed row is sent.
"""
from __future__ import annotations

import os
import re
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Callable, Mapping, Optional

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from engine.alerts import OutboxMessage

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


@dataclass(frozen=True)
class SMTPConfig:
    host: str
    port: int = 25
    sender: str = "noreply@wuye.local"
    user: Optional[str] = None
    password: Optional[str] = None
    starttls: bool = False
    ssl: bool = False
    timeout: float = 10.0
    max_attempts: int = 8
    backoff: float = 60.0          # seconds before the 1st retry; doubles each time
    backoff_max: float = 6 * 3600.0
    lease: float = 15 * 60.0       # a "sending" row older than this is claimed again
    domain: str = ""               # of the Message-ID; default: the sender's domain
    public_url: str = ""           # the site's address: a page path in a body becomes a link


def config_from(mapping: Mapping[str, Any]) -> Optional[SMTPConfig]:
    """SMTP settings from the app config (SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD,
    SMTP_STARTTLS, SMTP_SSL, MAIL_FROM, MAIL_MAX_ATTEMPTS), falling back to the same names
    in the environment. None when no host is configured."""
    def get(key, default=None):
        v = mapping.get(key)
        return v if v not in (None, "") else os.environ.get(key, default)

    host = get("SMTP_HOST")
    if not host:
        return None
    flag = lambda v: str(v).lower() in ("1", "true", "yes", "on")  # noqa: E731
    sender = get("MAIL_FROM", "noreply@wuye.local")
    return SMTPConfig(host=host, port=int(get("SMTP_PORT", 25)), sender=sender,
                      user=get("SMTP_USER"), password=get("SMTP_PASSWORD"),
                      starttls=flag(get("SMTP_STARTTLS", "")), ssl=flag(get("SMTP_SSL", "")),
                      max_attempts=int(get("MAIL_MAX_ATTEMPTS", 8)),
                      domain=sender.rpartition("@")[2] or "wuye.local",
                      public_url=str(get("PUBLIC_URL", "") or "").rstrip("/"))


def backoff(cfg: SMTPConfig, attempts: int) -> timedelta:
    return timedelta(seconds=min(cfg.backoff * (2 ** max(attempts - 1, 0)), cfg.backoff_max))


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count(OutboxMessage.id))
                              .where(OutboxMessage.status.in_((PENDING, SENDING)))) or 0)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def claim(session: Session, cfg: SMTPConfig, now: datetime, batch: int = 50) -> tuple[str, list[OutboxMessage]]:
    """Claim due messages for this run; commits. Returns (token, rows)."""
    if session.in_transaction():
        session.commit()
    pg = _postgres(session)
    if not pg:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    stale = now - timedelta(seconds=cfg.lease)
    q = (select(OutboxMessage.id).where(or_(
            and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == SENDING, OutboxMessage.claimed_at <= stale)))
         .order_by(OutboxMessage.id).limit(batch))
    if pg:
        q = q.with_for_update(skip_locked=True)
    ids = list(session.scalars(q))
    token = uuid.uuid4().hex
    if ids:
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(
            status=SENDING, claimed_at=now, claim_token=token,
            attempts=OutboxMessage.attempts + 1).execution_options(synchronize_session=False))
    session.commit()
    rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.claim_token == token)
                                .order_by(OutboxMessage.id).execution_options(populate_existing=True)))
    session.commit()
    return token, rows


def build(cfg: SMTPConfig, m: OutboxMessage, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = m.to_addr
    msg["Subject"] = m.subject
    msg["Date"] = format_datetime(now.astimezone(timezone.utc))
    domain = cfg.domain or cfg.sender.rpartition("@")[2] or "wuye.local"
    msg["Message-ID"] = f"<outbox-{m.id}@{domain}>"
    msg.set_content(absolute_links(m.body or m.subject, cfg.public_url))
    return msg


# A page of the site named by its path in a message ("案件页面：/cases/7"): a mail reader
# cannot follow a relative path, so it is written with the site's public address.
_PAGE_PATH = re.compile(r"(?<![\w/.:])(/(?:cases|documents|inbox|dashboard|verify)(?:/[^\s，。；）)]*)?)")


def absolute_links(text: str, public_url: str) -> str:
    if not public_url:
        return text
    return _PAGE_PATH.sub(lambda m: public_url + m.group(1), text)


def _connect(cfg: SMTPConfig) -> smtplib.SMTP:
    cls = smtplib.SMTP_SSL if cfg.ssl else smtplib.SMTP
    conn = cls(cfg.host, cfg.port, timeout=cfg.timeout)
    if cfg.starttls and not cfg.ssl:
        conn.starttls()
    if cfg.user:
        conn.login(cfg.user, cfg.password or "")
    return conn


def _mark(session: Session, m: OutboxMessage, token: str, **values) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == m.id,
                                                OutboxMessage.claim_token == token)
                    .values(**values).execution_options(synchronize_session=False))
    session.commit()


def _retry(session, cfg, m, token, now, error: str) -> str:
    status = FAILED if m.attempts >= cfg.max_attempts else PENDING
    _mark(session, m, token, status=status, last_error=error[:2000],
          next_attempt_at=now + backoff(cfg, m.attempts), claim_token=None)
    return status


def deliver(session: Session, cfg: SMTPConfig, *, now: Optional[datetime] = None,
            batch: int = 50, max_batches: int = 20,
            connect: Optional[Callable[[SMTPConfig], Any]] = None) -> dict:
    """Send what is due in the outbox; returns counts {sent, retry, failed, queued}."""
    now = now or datetime.now(timezone.utc)
    connect = connect or _connect
    out = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(max_batches):
        token, rows = claim(session, cfg, now, batch)
        if not rows:
            break
        conn, conn_error = None, ""
        try:
            conn = connect(cfg)
        except (OSError, smtplib.SMTPException) as exc:
            conn_error = f"无法连接邮件服务器 {cfg.host}:{cfg.port}：{exc}"
        try:
            for m in rows:
                if conn is None:
                    out["retry" if _retry(session, cfg, m, token, now, conn_error) == PENDING
                        else "failed"] += 1
                    continue
                try:
                    conn.send_message(build(cfg, m, now), from_addr=cfg.sender, to_addrs=[m.to_addr])
                except (OSError, smtplib.SMTPException) as exc:
                    out["retry" if _retry(session, cfg, m, token, now, f"{type(exc).__name__}: {exc}")
                        == PENDING else "failed"] += 1
                    if isinstance(exc, (OSError, smtplib.SMTPServerDisconnected)):
                        conn = None
                        conn_error = f"与邮件服务器的连接中断：{exc}"
                    continue
                _mark(session, m, token, status=SENT, sent_at=now, last_error="")
                out["sent"] += 1
        finally:
            if conn is not None:
                try:
                    conn.quit()
                except (OSError, smtplib.SMTPException):
                    pass
        if len(rows) < batch:
            break
    out["queued"] = pending_count(session)
    return out

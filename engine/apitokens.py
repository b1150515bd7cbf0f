"""API credentials and idempotency keys for the JSON API (web/api).

* `ApiToken`: a bearer token issued to a user. Only the SHA-256 of the secret is
  stored, so a copy of the database does not hand out working tokens. A token expires
  (`expires_at`) and can be revoked (`revoked_at`); either makes it useless at once.
* `IdempotencyKey`: the first result of a POST sent with an `Idempotency-Key` header,
  per user. The row is written in the same transaction as the step it answers (see
  web/api/idempotency.py), so a retried request can never apply a step twice.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.access import Actor
from engine.models import Base, Organisation, User, utcnow

TOKEN_PREFIX = "wy_"
DEFAULT_TTL = timedelta(hours=24)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[Optional[datetime]] = mapped_column()

    user: Mapped[User] = relationship()


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64))     # sha256 of method, path and body
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[Optional[dict[str, Any]]] = mapped_column()
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# -- tokens ------------------------------------------------------------------------

_T, _U, _O = ApiToken.__table__, User.__table__, Organisation.__table__
_LOOKUP = (select(_T.c.id.label("token_id"), _T.c.expires_at, _T.c.revoked_at, _U.c.active,
                  _U.c.id.label("user_id"), _U.c.username, _U.c.display_name, _U.c.role,
                  _U.c.organisation_id, _O.c.name.label("org_name"))
           .join_from(_T, _U, _T.c.user_id == _U.c.id)
           .outerjoin(_O, _U.c.organisation_id == _O.c.id)
           .where(_T.c.token_hash == bindparam("h")))


def issue(session: Session, user: User, *, ttl: timedelta = DEFAULT_TTL,
          name: str = "", now: Optional[datetime] = None) -> tuple[str, ApiToken]:
    """Create a token for `user`; returns (secret shown once, row). Commits."""
    now = now or datetime.now(timezone.utc)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=hash_secret(secret), name=name[:100],
                   created_at=now, expires_at=now + ttl)
    session.add(row)
    session.commit()
    return secret, row


def lookup(session: Session, secret: str, *,
           now: Optional[datetime] = None) -> Optional[tuple[int, Actor]]:
    """(token id, the actor it acts for) of the active token with this secret whose user
    is active, or None. One joined read of plain columns: it runs before every API
    request, where loading ORM objects would cost more than the read itself."""
    if not secret or len(secret) > 200:
        return None
    now = now or datetime.now(timezone.utc)
    row = session.connection().execute(_LOOKUP, {"h": hash_secret(secret)}).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.active:
        return None
    return row.token_id, Actor(row.user_id, row.username, row.display_name, row.role,
                               row.organisation_id, row.org_name or "")


def revoke(session: Session, token: ApiToken, *, now: Optional[datetime] = None) -> None:
    """Revoke one token. Commits."""
    token.revoked_at = now or datetime.now(timezone.utc)
    session.commit()


def revoke_all(session: Session, user_id: int, *, now: Optional[datetime] = None) -> int:
    """Revoke every active token of a user (e.g. when the account is disabled). Commits."""
    now = now or datetime.now(timezone.utc)
    res = session.execute(update(ApiToken).where(ApiToken.user_id == user_id,
                                                 ApiToken.revoked_at.is_(None))
                          .values(revoked_at=now))
    session.commit()
    return res.rowcount


# -- idempotency keys ----------------------------------------------------------------------

KEY_RETENTION = timedelta(days=7)


def purge_idempotency_keys(session: Session, *, older_than: timedelta = KEY_RETENTION,
                           now: Optional[datetime] = None) -> int:
    """Forget stored answers older than `older_than` (a client retries within minutes,
    not weeks). Commits; returns how many were removed."""
    from sqlalchemy import delete
    now = now or datetime.now(timezone.utc)
    res = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - older_than))
    session.commit()
    return res.rowcount

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

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from engine.models import Base, User, utcnow

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

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


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


def lookup(session: Session, secret: str, *, now: Optional[datetime] = None) -> Optional[ApiToken]:
    """The active token with this secret (its user loaded and active), or None."""
    if not secret or len(secret) > 200:
        return None
    now = now or datetime.now(timezone.utc)
    tok = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
                         .options(joinedload(ApiToken.user).joinedload(User.organisation)))
    if tok is None or not tok.active(now) or not tok.user.active:
        return None
    return tok


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

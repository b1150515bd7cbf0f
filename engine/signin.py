"""Sign-in throttling kept in the database, so every app process on every host counts
the same failures, and password changes that end a user's access everywhere.

Each attempt is counted against keys: the account name and the client address, or,
for a browser that has signed in to that account before (a signed "device" cookie,
web/auth.py), that device instead. Before the password is checked, `reserve` counts the
attempt as a failure in one short transaction that locks the keys' rows; a key still
inside its delay refuses the attempt without looking at the password (so the right
password does not work either, and a burst of concurrent guesses passes one at a time).
A correct password then clears the account's and the device's count (`succeeded`);
the address keeps its count, so signing in to one's own account does not buy guesses at
others.

No key is ever locked: after `free` failures each further one makes the next attempt
wait twice as long, up to `cap` seconds, and a key left alone for `forget` starts again.
An attacker therefore gets about 40 guesses in the first hour at one account and 30 an
hour after that (tests/test_signin.py counts them), while its owner, on a browser it has
used before, is not slowed down by someone else's failures at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Sequence

from sqlalchemy import Integer, String, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.security import generate_password_hash

from engine.models import Base, User


@dataclass(frozen=True)
class Policy:
    free: int                 # failures without any delay
    base: float               # delay after the first failure beyond `free`, seconds
    cap: float                # longest delay, seconds
    forget: timedelta         # quiet time after which the count starts again

    def delay(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        return min(self.cap, self.base * 2 ** (failures - self.free - 1))


ACCOUNT = Policy(free=5, base=1, cap=120, forget=timedelta(hours=1))
# One address may be a whole office behind one gateway: more room before delays.
ADDRESS = Policy(free=20, base=1, cap=120, forget=timedelta(hours=1))
DEVICE = Policy(free=5, base=1, cap=120, forget=timedelta(hours=1))


class SigninThrottle(Base):
    __tablename__ = "signin_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[datetime] = mapped_column()
    blocked_until: Mapped[Optional[datetime]] = mapped_column()


def account_key(username: str) -> str:
    return "account:" + (username or "").strip().casefold()[:150]


def address_key(addr: Optional[str]) -> str:
    return "address:" + (addr or "unknown")[:100]


def device_key(device_id: str) -> str:
    return "device:" + device_id[:100]


def _begin(session: Session) -> bool:
    if session.in_transaction():
        session.commit()
    pg = session.get_bind().dialect.name == "postgresql"
    if not pg:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    return pg


def reserve(session: Session, keys: Sequence[tuple[str, Policy]], now: datetime) -> float:
    """Count an attempt against every key, unless one of them is still waiting out its
    delay: then nothing is counted and the seconds left are returned (0.0: go ahead).
    Commits."""
    keys = sorted(dict(keys).items())         # one order for every process: no deadlock
    try:
        pg = _begin(session)
        t = SigninThrottle.__table__
        ins = (postgresql.insert(t) if pg else sqlite.insert(t)).on_conflict_do_nothing(
            index_elements=["key"])
        session.connection().execute(ins, [{"key": k, "failures": 0, "last_at": now,
                                            "blocked_until": None} for k, _ in keys])
        rows = {r.key: r for r in session.execute(
            select(t).where(t.c.key.in_([k for k, _ in keys])).order_by(t.c.key)
            .with_for_update())}
        wait = max(((rows[k].blocked_until - now).total_seconds() for k, _ in keys
                    if rows[k].blocked_until and _aware(rows[k].blocked_until) > now), default=0.0)
        if wait > 0:
            session.rollback()
            return wait
        for k, policy in keys:
            r = rows[k]
            failures = (r.failures if now - _aware(r.last_at) < policy.forget else 0) + 1
            session.execute(update(SigninThrottle).where(SigninThrottle.key == k).values(
                failures=failures, last_at=now,
                blocked_until=now + timedelta(seconds=policy.delay(failures))))
        session.commit()
        return 0.0
    except BaseException:
        session.rollback()
        raise


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def succeeded(session: Session, keys: Sequence[str]) -> None:
    """The password was right: forget the failures counted against these keys. Commits."""
    if keys:
        session.execute(delete(SigninThrottle).where(SigninThrottle.key.in_(list(keys))))
        session.commit()


def purge(session: Session, now: datetime, older_than: timedelta = timedelta(days=1)) -> int:
    """Drop the counts of keys left alone for a day (names tried once, old addresses).
    Commits; returns how many."""
    res = session.execute(delete(SigninThrottle).where(SigninThrottle.last_at < now - older_than))
    session.commit()
    return res.rowcount or 0


def set_password(session: Session, user: User, password: str, now: datetime) -> None:
    """A new password for `user`: every session signed in with the old one ends (the
    session carries a fingerprint of the password hash, web/auth.py) and every API token
    is revoked, in the caller's transaction (no commit)."""
    from engine.apitokens import ApiToken
    user.password_hash = generate_password_hash(password)
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                           ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now))

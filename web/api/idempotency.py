"""`Idempotency-Key` for the API's POSTs that change a case (open, actions).

A client that did not hear the answer repeats its request with the same key; it gets the
first answer back (header `Idempotent-Replayed: true`) and nothing is written again.

How it cannot double-apply: the key's row (unique per user and key) is added to the
session *before* the step runs, so the engine's one commit writes the step and the key
together; the response body is computed in that same commit (a `before_commit` hook on
the request's session). Either both are written or neither is. Two copies racing: both
carry the same `lock_version`, so one loses on the case's optimistic lock (or on the
key's unique constraint); the loser then finds the winner's key and replays its answer.

Refusals (400, 403, 404, 409, 422) write nothing and are not stored: a retry with the
same key is evaluated again. A key reused for a different request is refused (422).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Callable, Optional

from flask import jsonify, request
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.apitokens import IdempotencyKey
from engine.errors import StaleCase
from engine.models import Case
from web.api.errors import ApiError

HEADER = "Idempotency-Key"
MAX_LEN = 200


def key_from_request() -> Optional[str]:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_LEN or not key.isprintable():
        raise ApiError(400, f"{HEADER} 应为 1 至 {MAX_LEN} 个可打印字符",
                       errors={HEADER: [f"应为 1 至 {MAX_LEN} 个可打印字符"]})
    return key


def fingerprint(method: str, path: str, body) -> str:
    raw = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False,
                     separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def find(session: Session, user_id: int, key: str) -> Optional[IdempotencyKey]:
    return session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                       IdempotencyKey.key == key))


def replay(session: Session, row: IdempotencyKey, fp: str, body_of: Callable[[Case], dict]):
    if row.fingerprint != fp:
        raise ApiError(422, f"此 {HEADER} 已用于另一个请求；每个新请求请使用新的键",
                       code="idempotency_mismatch")
    body = row.body
    if body is None:        # defensive: an answer stored without its body: the case as it is
        case = session.get(Case, row.case_id) if row.case_id else None
        body = body_of(case) if case is not None else {}
    resp = jsonify(body)
    resp.status_code = row.status
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def run(session: Session, *, user_id: int, key: Optional[str], fp: str, status: int,
        step: Callable[[], Case], body_of: Callable[[Case], dict],
        case_id: Optional[int] = None):
    """Run `step` (which commits once) and answer `status` with `body_of(case)`.

    The answer is computed in the step's own transaction, just before it commits, when
    it is stored with a key, and on PostgreSQL (it then needs no transaction of its own);
    after the commit on SQLite without a key, where writers take turns and the write
    lock is best held as briefly as possible.

    With a key: replay a stored answer, or store this one in the step's own commit.
    `case_id` names the case the step changes; None when the step opens a case (the
    first case flushed in the transaction is then the one opened). The caller has begun
    the transaction with `begin_for_write`."""
    row = None
    if key is not None:
        existing = find(session, user_id, key)
        if existing is not None:
            return replay(session, existing, fp, body_of)
        row = IdempotencyKey(user_id=user_id, key=key, method=request.method,
                             path=request.path[:300], fingerprint=fp, status=status,
                             body=None, case_id=case_id, created_at=datetime.now(timezone.utc))
        session.add(row)
    elif _writers_take_turns(session):
        case = step()
        return _json(status, body_of(case))
    seen: dict = {}

    def after_flush(sess, _ctx):
        if "case" not in seen:
            for obj in sess.new:
                if isinstance(obj, Case) and obj.parent_case_id is None:
                    seen["case"] = obj
                    break

    def before_commit(sess):
        if "body" in seen or (row is not None and row not in sess):
            return
        sess.flush()
        case = sess.get(Case, case_id) if case_id is not None else seen.get("case")
        if case is None:
            return
        seen["body"] = body_of(case)
        if row is not None:
            row.case_id, row.body = case.id, seen["body"]

    hooks = [("before_commit", before_commit)]
    if case_id is None:
        hooks.append(("after_flush", after_flush))
    for name, fn in hooks:
        event.listen(session, name, fn)
    try:
        case = step()
    except (StaleCase, IntegrityError) as exc:
        if row is None:
            raise
        session.rollback()
        twin = find(session, user_id, key)
        if twin is not None:
            return replay(session, twin, fp, body_of)
        if isinstance(exc, StaleCase):
            raise
        raise ApiError(409, "请求冲突，请稍后重试", code="conflict") from exc
    finally:
        for name, fn in hooks:
            event.remove(session, name, fn)
    if "body" not in seen:          # defensive: the step committed without our hook
        seen["body"] = body_of(case)
        if row is not None:
            row.body = seen["body"]
            session.commit()
    return _json(status, seen["body"])


def begin_for_write(session: Session) -> None:
    """Start the transaction that (looks the key up and) takes the step.

    SQLite: as a write transaction (BEGIN IMMEDIATE, after ending the read transaction
    of the token check), so a concurrent writer waits for the lock (busy timeout) and
    then reads the latest data, instead of failing on a stale snapshot with "database
    is locked" although it touches another case; a twin request then sees the first
    one's key. PostgreSQL: the transaction goes on (READ COMMITTED: every statement
    sees what is committed when it runs); row locks, the case's lock_version and the
    key's unique index do the same."""
    if _writers_take_turns(session):
        session.rollback()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _writers_take_turns(session: Session) -> bool:
    """SQLite: one write transaction at a time for the whole database."""
    return session.get_bind().dialect.name == "sqlite"


def _json(status: int, body: dict):
    resp = jsonify(body)
    resp.status_code = status
    return resp

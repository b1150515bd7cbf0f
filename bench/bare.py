"""The peer of the action POST (bench/hotpath.py): a bare Flask endpoint issuing the SQL an
authenticated action needs, without the engine, the API's schemas or its idempotency.

`POST /cases/<id>/actions/<trigger>` with `Authorization: Bearer <token>` and
`{"lock_version": n, …}`: look the token up (one read, joined with its user), read the case
joined with its estate, check the caller's enterprise and the version, insert the next
event of the hash chain (with the day the act happened), UPDATE the case under its
lock_version, append the event's leaf to the evidence log, commit; answer a small JSON.
The statements are built once, as a hand-tuned endpoint would build them. The database
set-up is the application's own (engine.db.make_engine: the same pool, driver and SQLite
pragmas, BEGIN IMMEDIATE on SQLite like the API's writes), so the two differ only in what
runs in Python between the statements.

Served by gunicorn: `bare:create()` with BENCH_DATABASE (the database URL) in the environment.
"""
from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import Flask, abort, jsonify, request
from sqlalchemy import bindparam, select

from engine import evidence
from engine.apitokens import ApiToken
from engine.audit import event_hash
from engine.db import make_engine
from engine.models import Case, Estate, Event, User

_T, _U, _C, _E, _EV = (m.__table__ for m in (ApiToken, User, Case, Estate, Event))
TOKEN = (select(_T.c.expires_at, _T.c.revoked_at, _U.c.id, _U.c.display_name, _U.c.role,
                _U.c.organisation_id, _U.c.active)
         .join_from(_T, _U, _T.c.user_id == _U.c.id)
         .where(_T.c.token_hash == bindparam("h")))
CASE = (select(_C, _E.c.name.label("estate_name"))
        .join_from(_C, _E, _C.c.estate_id == _E.c.id)
        .where(_C.c.id == bindparam("b_id")))
INSERT_EVENT = _EV.insert()
INSERT_LEAF = evidence.LogEntry.__table__.insert()
UPDATE_CASE = (_C.update()
               .where(_C.c.id == bindparam("b_id"), _C.c.lock_version == bindparam("b_seen"))
               .values(state=bindparam("state"), updated_at=bindparam("updated_at"),
                       lock_version=bindparam("lock_version"), event_seq=bindparam("event_seq"),
                       event_head=bindparam("event_head"), fact_date=bindparam("fact_date")))
# The one step the benchmark takes (contract_filing: correction → submitted).
STEP = {"resubmit": ("补正后重新报送", "correction", "submitted")}
BEIJING = ZoneInfo("Asia/Shanghai")        # the day an act happened is a Beijing day


def create(url: str | None = None) -> Flask:
    app = Flask(__name__)
    eng = make_engine(url or os.environ["BENCH_DATABASE"])
    write = {"sqlite_begin": "IMMEDIATE"} if eng.dialect.name == "sqlite" else {}

    @app.get("/health")
    def health():
        return "ok"

    @app.post("/cases/<int:case_id>/actions/<trigger>")
    def act(case_id: int, trigger: str):
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        body = request.get_json(silent=True) or {}
        if trigger not in STEP or not isinstance(body.get("lock_version"), int):
            abort(400)
        label, source, dest = STEP[trigger]
        now = datetime.now(timezone.utc)
        with eng.connect() as c:
            user = c.execute(TOKEN, {"h": hashlib.sha256(secret.encode()).hexdigest()}).first()
            if (scheme.lower() != "bearer" or user is None or user.revoked_at is not None
                    or user.expires_at <= now or not user.active):
                abort(401)
            c.rollback()
            c = c.execution_options(**write)
            with c.begin():
                case = c.execute(CASE, {"b_id": case_id}).first()
                if case is None or case.enterprise_id != user.organisation_id:
                    abort(404)
                if case.lock_version != body["lock_version"] or case.state != source:
                    abort(409)
                ev = dict(case_id=case_id, seq=case.event_seq + 1, trigger=trigger, label=label,
                          from_state=source, to_state=dest, actor_id=user.id,
                          actor_name=user.display_name, organisation_id=user.organisation_id,
                          organisation_name="", role=user.role,
                          payload={"note": body.get("note", "")}, created_at=now,
                          fact_date=now.astimezone(BEIJING).date(), prev_hash=case.event_head)
                ev["hash"] = event_hash(SimpleNamespace(**ev))
                ev["id"] = c.execute(INSERT_EVENT, ev).inserted_primary_key[0]
                res = c.execute(UPDATE_CASE, {
                    "b_id": case_id, "b_seen": case.lock_version, "state": dest, "updated_at": now,
                    "lock_version": case.lock_version + 1, "event_seq": ev["seq"],
                    "event_head": ev["hash"], "fact_date": ev["fact_date"]})
                if res.rowcount != 1:
                    abort(409)
                c.execute(INSERT_LEAF, evidence.entries_for(Event, [ev], extra={"_case": {
                    "state": dest, "data": evidence.digest(case.data),
                    "lock_version": case.lock_version + 1, "fact_date": ev["fact_date"]}}))
        return jsonify(id=case_id, state=dest, estate_name=case.estate_name,
                       lock_version=case.lock_version + 1)

    return app


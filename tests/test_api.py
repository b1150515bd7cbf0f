"""The JSON API (/api/v1, docs/contract.md): tokens, every endpoint, every error, visibility,
stale versions and idempotency — on SQLite and PostgreSQL (the `app` fixture is
parametrised by backend)."""
from __future__ import annotations

import hashlib
import io
import json
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from engine import apitokens
from engine.apitokens import ApiToken, IdempotencyKey
from tests.helpers import build_cases
from engine.audit import verify_all
from engine.legaltime import TZ
from engine.models import Attachment, Case, Deadline, Event

TODAY = datetime.now(TZ).date()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def contract(kind="assembly", signed=None, **over):
    signed = signed or TODAY - timedelta(days=3)
    data = {"contract_kind": kind, "contract_no": "API-2026-001", "client": "锦绣花园业主委员会",
            "signed_on": signed.isoformat(), "term_start": signed.isoformat(),
            "term_end": (signed + timedelta(days=1095)).isoformat(), "fee": "1.80",
            "area": "86420.50"}
    data.update(over)
    return data


class Api:
    """A test client that speaks to /api/v1 with a user's bearer token."""

    def __init__(self, app, session, district):
        self.app, self.session, self.district = app, session, district
        self.client = app.test_client()
        self._tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self._tokens:
            self.session.rollback()      # no stale read snapshot under the write (SQLite)
            secret, _ = apitokens.issue(self.session, self.district.users[username])
            self._tokens[username] = secret
        return self._tokens[username]

    def headers(self, username, **extra):
        return {"Authorization": f"Bearer {self.token(username)}", **extra}

    def get(self, path, user="street", **kw):
        return self.client.get("/api/v1" + path, headers=self.headers(user), **kw)

    def post(self, path, json=None, user="street", headers=None, **kw):
        h = self.headers(user, **(headers or {}))
        return self.client.post("/api/v1" + path, json=json, headers=h, **kw)

    def open_contract(self, user="enterprise", estate="jinxiu", **over):
        r = self.post("/cases", {"procedure": "contract_filing",
                                 "estate_id": self.district.estates[estate].id,
                                 "data": contract(**over)}, user=user)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def count(self, model) -> int:
        self.session.rollback()          # a fresh snapshot: the app wrote with its own sessions
        n = self.session.scalar(select(func.count()).select_from(model))
        self.session.rollback()
        return n


@pytest.fixture
def api(app, session, district):
    return Api(app, session, district)


def assert_error(r, status, code=None):
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.mimetype == "application/json"
    body = r.get_json()
    assert body["status"] == status and body["message"]
    if code:
        assert body["code"] == code, body
    return body


# -- tokens ---------------------------------------------------------------------------

def test_token_issued_for_password_stored_hashed_and_expiring(api):
    r = api.client.post("/api/v1/tokens", json={"username": "street", "password": "demo12345"})
    assert r.status_code == 201
    body = r.get_json()
    token = body["token"]
    assert body["token_type"] == "Bearer"
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() == timedelta(hours=8)          # Beijing time
    assert timedelta(hours=23) < expires - datetime.now(timezone.utc) <= timedelta(hours=24)
    row = api.session.scalars(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps([row.token_hash, row.name])
    me = api.client.get("/api/v1/tokens/current", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json()["username"] == "street" and me.get_json()["role"] == "street_office"
    assert me.get_json()["organisation_name"] == "老城街道办事处"


@pytest.mark.parametrize("creds", [{"username": "street", "password": "wrong-password"},
                                   {"username": "nobody", "password": "demo12345"}])
def test_token_refused_for_bad_credentials(api, creds):
    r = api.client.post("/api/v1/tokens", json=creds)
    body = assert_error(r, 401, "bad_credentials")
    assert body["message"] == "用户名或密码不正确"
    assert api.count(ApiToken) == 0


def test_token_request_field_errors_and_content_type(api):
    body = assert_error(api.client.post("/api/v1/tokens", json={"username": "street"}), 400, "invalid")
    assert body["errors"] == {"password": ["此项为必填项"]}
    body = assert_error(api.client.post("/api/v1/tokens", json={"username": "street", "password": "x",
                                                                "admin": True}), 400)
    assert "admin" in body["errors"]
    assert_error(api.client.post("/api/v1/tokens", data="username=street&password=demo12345",
                                 content_type="application/x-www-form-urlencoded"), 415)
    assert_error(api.client.post("/api/v1/tokens", data="{not json", content_type="application/json"),
                 400, "invalid_json")


def test_revoked_expired_and_disabled_tokens_are_refused(api):
    h = api.headers("street")
    assert api.client.get("/api/v1/cases", headers=h).status_code == 200
    r = api.client.delete("/api/v1/tokens/current", headers=h)
    assert r.status_code == 204
    assert_error(api.client.get("/api/v1/cases", headers=h), 401, "invalid_token")

    user = api.district.users["bureau"]
    secret, tok = apitokens.issue(api.session, user, ttl=timedelta(seconds=-1))
    assert_error(api.client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}),
                 401, "invalid_token")

    secret, tok = apitokens.issue(api.session, user)
    user.active = False
    api.session.commit()
    assert_error(api.client.get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}),
                 401, "invalid_token")


def test_missing_or_malformed_authorization_is_401_with_challenge(api):
    for h in ({}, {"Authorization": "Basic c3RyZWV0OmRlbW8xMjM0NQ=="}, {"Authorization": "Bearer "},
              {"Authorization": "Bearer wy_not-a-token"}):
        r = api.client.get("/api/v1/estates", headers=h)
        assert_error(r, 401)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_api_ignores_the_session_cookie(api):
    c = api.client
    r = c.post("/login", data={"username": "street", "password": "demo12345"})
    assert r.status_code in (302, 303)
    assert c.get("/").status_code == 200                       # the pages see the session
    assert_error(c.get("/api/v1/cases"), 401)                  # the API does not
    assert_error(c.post("/api/v1/cases", json={}), 401)


def test_api_posts_need_no_csrf_token_but_pages_still_do(db_engine, db_url, tmp_path, upload_dir,
                                                         session, district):
    from web import create_app
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test",
                      "WTF_CSRF_ENABLED": True, "UPLOAD_FOLDER": str(upload_dir),
                      "INSTANCE_PATH": str(tmp_path)})
    c = app.test_client()
    r = c.post("/api/v1/tokens", json={"username": "enterprise", "password": "demo12345"})
    assert r.status_code == 201
    r = c.post("/api/v1/cases", headers={"Authorization": "Bearer " + r.get_json()["token"]},
               json={"procedure": "contract_filing", "estate_id": district.estates["jinxiu"].id,
                     "data": contract()})
    assert r.status_code == 201
    assert c.post("/login", data={"username": "street", "password": "demo12345"}).status_code == 400


# -- procedures -----------------------------------------------------------------------

def test_procedures_describe_states_transitions_roles_and_fields(api):
    r = api.get("/procedures")
    assert r.status_code == 200
    procs = {p["name"]: p for p in r.get_json()["items"]}
    cf = procs["contract_filing"]
    assert cf["title"] == "物业服务合同备案" and cf["version"] == 1 and cf["initial"] == "registered"
    states = {s["name"]: s for s in cf["states"]}
    assert states["filed"] == {"name": "filed", "label": "已备案", "label_en": "filed", "final": True}
    assert {"name": "enterprise", "label": "物业服务企业"} in cf["roles"]
    fields = {f["name"]: f for f in cf["opening"]["fields"]}
    assert fields["contract_kind"]["type"] == "choice" and fields["contract_kind"]["required"]
    assert {"value": "pre_phase", "label": "前期物业服务合同"} in fields["contract_kind"]["choices"]
    assert fields["signed_on"] == {"name": "signed_on", "type": "date", "required": True,
                                   "label": "签订日期", "choices": None, "multiline": False,
                                   "max_length": None, "minimum": None}
    assert fields["fee"]["type"] == "decimal" and fields["fee"]["minimum"] == "0"
    assert fields["contract_no"]["max_length"] == 60
    tr = {t["trigger"]: t for t in cf["transitions"]}
    assert tr["accept"]["sources"] == ["submitted"] and tr["accept"]["dest"] == "filed"
    assert tr["accept"]["issues"] == ["contract_filing_receipt"]
    assert set(tr["accept"]["roles"]) == {"housing_bureau", "street_office"}
    assert tr["accept"]["guards"] and "审查机关" in tr["accept"]["guards"][0]
    reasons = {f["name"]: f for f in tr["request_correction"]["fields"]}["reasons"]
    assert reasons["required"] and reasons["type"] == "text" and reasons["multiline"]
    dl = cf["deadlines"][0]
    assert dl["key"] == "filing" and {"rulepack": "national", "amount": None, "unit": None,
                                      "citation": None} in dl["rules"]
    assert any(x["rulepack"] == "henan" and x["amount"] == 15 and "第四十九条" in x["citation"]
               for x in dl["rules"])
    one = api.get("/procedures/contract_filing")
    assert one.status_code == 200 and one.get_json() == cf
    assert_error(api.get("/procedures/no_such_thing"), 404, "not_found")


# -- estates and case lists: visibility, filters, pages --------------------------------

def test_estates_are_only_those_the_caller_may_see(api):
    names = lambda user: {e["name"] for e in api.get("/estates", user=user).get_json()["items"]}  # noqa: E731
    assert names("street") == {"锦绣花园", "滨河湾小区"}
    assert names("street2") == {"湖东新苑", "泰山御园（山东规则演示）"}
    assert names("enterprise") == {"锦绣花园", "湖东新苑"}
    assert len(names("bureau")) == 4 and len(names("admin")) == 4
    body = api.get("/estates?per_page=3&page=2", user="bureau").get_json()
    assert (body["total"], body["pages"], body["page"], len(body["items"])) == (4, 2, 2, 1)
    jin = api.get("/estates", user="street").get_json()["items"][0]
    assert jin["rulepack"] == "henan" and jin["total_area"] == "86420.50"



@pytest.fixture
def demo_cases(api):
    build_cases(api.session, api.district, TODAY)
    return api


def test_case_list_visibility_filters_and_pagination(demo_cases):
    api = demo_cases
    ids = lambda user, q="": [c["id"] for c in api.get("/cases" + q, user=user).get_json()["items"]]  # noqa: E731
    assert len(ids("bureau")) == 5
    street, street2 = set(ids("street")), set(ids("street2"))
    assert len(street) == 3 and len(street2) == 2 and not street & street2
    ent, ent2 = set(ids("enterprise")), set(ids("enterprise2"))
    assert len(ent) == 3 and len(ent2) == 2 and not ent & ent2
    overdue = api.get("/cases?overdue=true", user="bureau").get_json()["items"]
    assert [c["estate_name"] for c in overdue] == ["湖东新苑"]
    assert len(ids("bureau", "?overdue=false")) == 4
    assert len(ids("bureau", "?state=submitted")) == 1
    assert ids("bureau", "?procedure=owners_assembly") == []
    assert len(ids("bureau", "?procedure=contract_filing")) == 5
    page = api.get("/cases?per_page=2&page=3", user="bureau").get_json()
    assert (page["total"], page["pages"], page["page"], page["per_page"]) == (5, 3, 3, 2)
    assert len(page["items"]) == 1
    first = api.get("/cases?per_page=2", user="bureau").get_json()["items"]
    assert first[0]["id"] > first[1]["id"]                   # newest first
    assert set(first[0]) >= {"id", "procedure", "version", "estate_id", "state", "state_label",
                             "lock_version", "created_at", "updated_at"}


def test_bad_list_parameters_are_field_errors(api):
    for query, field in [("?per_page=0", "per_page"), ("?per_page=101", "per_page"),
                         ("?page=0", "page"), ("?page=abc", "page"), ("?page=" + "9" * 40, "page"),
                         ("?overdue=perhaps", "overdue"), ("?estate_id=-3", "estate_id"),
                         ("?staet=filed", "staet")]:
        body = assert_error(api.get("/cases" + query), 400, "invalid")
        assert field in body["errors"] and body["errors"][field][0], (query, body)


def test_developer_sees_cases_of_its_estates(demo_cases):
    # the developer of every demo estate: it may follow their contract filings
    items = demo_cases.get("/cases", user="developer").get_json()["items"]
    assert len(items) == 5


# -- one case -------------------------------------------------------------------------

def test_case_has_the_contract_shape(demo_cases):
    api = demo_cases
    overdue = api.get("/cases?overdue=true", user="enterprise").get_json()["items"][0]
    r = api.get(f"/cases/{overdue['id']}", user="enterprise")
    assert r.status_code == 200
    case = r.get_json()
    assert set(case) >= {"id", "procedure", "version", "estate_id", "state", "state_label",
                         "lock_version", "data", "deadlines", "actions"}
    assert case["procedure"] == "contract_filing" and case["state"] == "registered"
    assert case["state_label"] == "已登记待报送" and case["data"]["contract_no"] == "XY-QQ-2026-009"
    dl = case["deadlines"][0]
    assert set(dl) >= {"key", "due_date", "ends_at", "status", "basis", "provisional",
                       "citation", "rulepack"}
    assert dl["key"] == "filing" and dl["overdue"] is True and dl["rulepack"] == "henan"
    due = date.fromisoformat(dl["due_date"])
    ends = datetime.fromisoformat(dl["ends_at"])
    assert ends.utcoffset() == timedelta(hours=8) and ends.date() == due + timedelta(days=1)
    assert ends.time().hour == 0 and "第四十九条" in dl["citation"] and dl["basis"]
    acts = {a["trigger"]: a for a in case["actions"]}
    assert acts["submit"] == {"trigger": "submit", "label": "报送备案", "allowed": True, "reason": "",
                              "roles": ["enterprise"], "dest": "submitted"}
    as_bureau = {a["trigger"]: a for a in api.get(f"/cases/{overdue['id']}", user="bureau")
                 .get_json()["actions"]}
    assert as_bureau["submit"]["allowed"] is False
    assert as_bureau["submit"]["reason"] == "只能由物业服务企业办理"


def test_case_of_someone_else_is_404_like_a_missing_one(demo_cases):
    api = demo_cases
    theirs = api.get("/cases", user="enterprise2").get_json()["items"][0]["id"]
    a = assert_error(api.get(f"/cases/{theirs}", user="enterprise"), 404, "not_found")
    b = assert_error(api.get("/cases/99999", user="enterprise"), 404, "not_found")
    assert a == b
    assert_error(api.get("/cases/" + "9" * 30, user="enterprise"), 404)
    assert_error(api.get("/cases/-1", user="enterprise"), 404)
    assert_error(api.get(f"/cases/{theirs}/events", user="enterprise"), 404)
    assert_error(api.get(f"/cases/{theirs}/documents", user="enterprise"), 404)


# -- opening a case -------------------------------------------------------------------

def test_open_case(api):
    case = api.open_contract()
    assert case["state"] == "registered" and case["lock_version"] >= 1
    assert case["data"]["fee"] == "1.80" and case["deadlines"][0]["status"] == "open"
    assert api.get(f"/cases/{case['id']}", user="enterprise").get_json() == case


def test_open_case_refusals(api):
    jin = api.district.estates["jinxiu"].id
    hudong = api.district.estates["hudong"].id
    base = {"procedure": "contract_filing", "estate_id": jin}
    body = assert_error(api.post("/cases", {**base, "data": contract(signed_on="16/09/2026")},
                                 user="enterprise"), 400, "invalid")
    assert list(body["errors"]) == ["data"] and "signed_on" in body["errors"]["data"]
    body = assert_error(api.post("/cases", {**base, "data": {}}, user="enterprise"), 400)
    assert body["errors"]["data"]["contract_no"] == ["此项为必填项"]
    body = assert_error(api.post("/cases", {**base, "data": contract(), "extra": 1},
                                 user="enterprise"), 400)
    assert "extra" in body["errors"]
    body = assert_error(api.post("/cases", {**base, "procedure": "nope", "data": {}},
                                 user="enterprise"), 400)
    assert "procedure" in body["errors"]
    body = assert_error(api.post("/cases", {"procedure": "contract_filing", "estate_id": "1",
                                            "data": []}, user="enterprise"), 400)
    assert set(body["errors"]) == {"estate_id", "data"}
    # an estate of another street office: as if it did not exist
    assert_error(api.post("/cases", {**base, "estate_id": hudong, "data": contract()},
                          user="street"), 404)
    # the wrong role
    body = assert_error(api.post("/cases", {**base, "data": contract()}, user="street"), 403,
                        "forbidden")
    assert "物业服务企业" in body["message"]
    # a legal condition: signed in the future
    body = assert_error(api.post("/cases", {**base, "data": contract(
        signed=TODAY + timedelta(days=5))}, user="enterprise"), 422, "guard_refused")
    assert "晚于今日" in body["reason"] and body["reasons"] == [body["reason"]]
    assert api.count(Case) == 0 and api.count(Event) == 0


# -- actions: stale versions, refusals, idempotency ----------------------------------------

def test_action_moves_the_case_and_requires_the_version_seen(api):
    case = api.open_contract()
    path = f"/cases/{case['id']}/actions/submit"
    body = assert_error(api.post(path, {"note": "合同正本"}, user="enterprise"), 400, "invalid")
    assert body["errors"] == {"lock_version": ["此项为必填项"]}
    body = assert_error(api.post(path, {"lock_version": case["lock_version"] - 1},
                                 user="enterprise"), 409, "stale")
    assert body["message"] == "此案件已被他人更新，请刷新后重试"
    events = api.count(Event)
    r = api.post(path, {"lock_version": case["lock_version"], "note": "合同正本"}, user="enterprise")
    assert r.status_code == 200
    after = r.get_json()
    assert after["state"] == "submitted" and after["lock_version"] > case["lock_version"]
    assert after["deadlines"][0]["status"] == "met"
    assert api.count(Event) == events + 1
    # the same version again: someone (we) changed it since
    assert_error(api.post(path, {"lock_version": case["lock_version"]}, user="enterprise"), 409, "stale")


def test_action_refusals_in_the_one_error_shape(api):
    case = api.open_contract(kind="pre_phase")
    cid, v = case["id"], case["lock_version"]
    base = f"/cases/{cid}/actions"
    # not possible in this state
    body = assert_error(api.post(f"{base}/accept", {"lock_version": v}, user="bureau"), 409,
                        "invalid_state")
    assert "已登记待报送" in body["message"]
    # the wrong role
    body = assert_error(api.post(f"{base}/submit", {"lock_version": v}, user="bureau"), 403, "forbidden")
    assert "物业服务企业" in body["message"]
    # not the caller's case
    assert_error(api.post(f"{base}/submit", {"lock_version": v}, user="enterprise2"), 404)
    # no such step
    assert_error(api.post(f"{base}/fly_away", {"lock_version": v}, user="enterprise"), 404, "not_found")
    # field errors: unknown field, wrong types, too long
    body = assert_error(api.post(f"{base}/submit", {"lock_version": v, "colour": "red"},
                                 user="enterprise"), 400)
    assert body["errors"] == {"colour": ["未知字段"]}
    for bad in ("3", 3.5, True, None, 10**30, -1, [1]):
        body = assert_error(api.post(f"{base}/submit", {"lock_version": bad}, user="enterprise"), 400)
        assert "lock_version" in body["errors"]
    body = assert_error(api.post(f"{base}/submit", {"lock_version": v, "note": "x" * 2001},
                                 user="enterprise"), 400)
    assert body["errors"]["note"] == ["不能超过 2000 个字符"]
    # the guard: a pre-phase contract is the bureau's to file, not the street office's
    r = api.post(f"{base}/submit", {"lock_version": v}, user="enterprise")
    v = r.get_json()["lock_version"]
    body = assert_error(api.post(f"{base}/accept", {"lock_version": v}, user="street"), 422,
                        "guard_refused")
    assert body["reason"] == "前期物业服务合同由区住房和城乡建设局审查备案"
    body = assert_error(api.post(f"{base}/request_correction", {"lock_version": v}, user="bureau"), 400)
    assert body["errors"] == {"reasons": ["此项为必填项"]}
    assert api.get(f"/cases/{cid}", user="bureau").get_json()["lock_version"] == v


def test_idempotency_key_returns_the_first_result_and_writes_nothing_new(api):
    case = api.open_contract()
    path = f"/cases/{case['id']}/actions/submit"
    req = {"lock_version": case["lock_version"], "note": "第一次"}
    key = {"Idempotency-Key": "hotline-12345-0001"}
    first = api.post(path, req, user="enterprise", headers=key)
    assert first.status_code == 200 and "Idempotent-Replayed" not in first.headers
    counts = (api.count(Event), api.count(Deadline), api.count(IdempotencyKey))
    again = api.post(path, req, user="enterprise", headers=key)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert (api.count(Event), api.count(Deadline), api.count(IdempotencyKey)) == counts
    # the same key with another request is refused, not silently replayed
    body = assert_error(api.post(path, {**req, "note": "第二次"}, user="enterprise", headers=key),
                        422, "idempotency_mismatch")
    assert "Idempotency-Key" in body["message"]
    # keys are per user: another user's same key is a new request, evaluated afresh
    r = api.post(path, req, user="street", headers=key)
    assert_error(r, 409, "stale")
    assert "Idempotent-Replayed" not in r.headers
    # a stored key names its case and status
    row = api.session.scalars(select(IdempotencyKey)).one()
    assert (row.case_id, row.status, row.body["state"]) == (case["id"], 200, "submitted")


def test_a_refused_request_is_not_stored_under_its_key(api):
    case = api.open_contract()
    path = f"/cases/{case['id']}/actions/submit"
    key = {"Idempotency-Key": "retry-after-refresh"}
    assert_error(api.post(path, {"lock_version": 0}, user="enterprise", headers=key), 409, "stale")
    assert api.count(IdempotencyKey) == 0
    r = api.post(path, {"lock_version": case["lock_version"]}, user="enterprise", headers=key)
    assert r.status_code == 200 and r.get_json()["state"] == "submitted"


@pytest.mark.parametrize("value", ["", " ", "x" * 201])
def test_bad_idempotency_keys_are_field_errors(api, value):
    case = api.open_contract()
    body = assert_error(api.post(f"/cases/{case['id']}/actions/submit",
                                 {"lock_version": case["lock_version"]}, user="enterprise",
                                 headers={"Idempotency-Key": value}), 400)
    assert "Idempotency-Key" in body["errors"]
    assert api.count(Event) == 1


def test_opening_with_an_idempotency_key_opens_one_case(api):
    req = {"procedure": "contract_filing", "estate_id": api.district.estates["jinxiu"].id,
           "data": contract()}
    key = {"Idempotency-Key": "open-once"}
    a = api.post("/cases", req, user="enterprise", headers=key)
    b = api.post("/cases", req, user="enterprise", headers=key)
    assert a.status_code == b.status_code == 201
    assert a.get_json() == b.get_json() and b.headers["Idempotent-Replayed"] == "true"
    assert api.count(Case) == 1


def test_concurrent_retries_with_one_key_apply_the_step_once(api):
    """Two copies of the same request in flight at once (a client that retried too early):
    both answer with the one result, and the step is written once."""
    case = api.open_contract()
    path = f"/api/v1/cases/{case['id']}/actions/submit"
    headers = api.headers("enterprise", **{"Idempotency-Key": "race-1"})
    req = {"lock_version": case["lock_version"], "note": "并发"}
    barrier = threading.Barrier(2)
    results = []

    def send():
        c = api.app.test_client()
        barrier.wait()
        results.append(c.post(path, json=req, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [200, 200], [r.get_json() for r in results]
    assert results[0].get_json() == results[1].get_json()
    assert api.count(Event) == 2          # open + one submit
    assert api.count(IdempotencyKey) == 1


def test_concurrent_writers_without_key_one_wins_one_gets_409(api):
    case = api.open_contract()
    path = f"/api/v1/cases/{case['id']}/actions/submit"
    barrier = threading.Barrier(2)
    results = []

    def send(note):
        c = api.app.test_client()
        barrier.wait()
        results.append(c.post(path, json={"lock_version": case["lock_version"], "note": note},
                              headers=api.headers("enterprise")))

    threads = [threading.Thread(target=send, args=(n,)) for n in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [200, 409]
    loser = next(r for r in results if r.status_code == 409).get_json()
    assert loser["code"] == "stale"
    assert api.count(Event) == 2


# -- events, attachments ----------------------------------------------------------------

def test_events_are_the_audit_trail(api):
    case = api.open_contract()
    api.post(f"/cases/{case['id']}/actions/submit", {"lock_version": case["lock_version"],
                                                     "note": "正本"}, user="enterprise")
    r = api.get(f"/cases/{case['id']}/events", user="street")
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 2 and [e["seq"] for e in body["items"]] == [1, 2]
    first, second = body["items"]
    assert first["trigger"] == "open" and first["from_state"] is None
    assert second["trigger"] == "submit" and second["to_state"] == "submitted"
    assert second["prev_hash"] == first["hash"] and second["payload"] == {"note": "正本"}
    assert second["actor_name"] == "周经理" and second["role_label"] == "物业服务企业"
    assert datetime.fromisoformat(second["created_at"]).utcoffset() == timedelta(hours=8)
    one = api.get(f"/cases/{case['id']}/events?per_page=1&page=2", user="street").get_json()
    assert [e["seq"] for e in one["items"]] == [2] and one["pages"] == 2


def upload(api, case_id, data=PDF, filename="合同扫描件.pdf", content_type="application/pdf",
           user="enterprise", **form):
    return api.client.post(f"/api/v1/cases/{case_id}/attachments",
                           data={"file": (io.BytesIO(data), filename, content_type), **form},
                           headers=api.headers(user), content_type="multipart/form-data")


def test_attachment_outside_a_step_is_stored_and_audited(api, upload_dir):
    case = api.open_contract()
    r = upload(api, case["id"], item="contract", note="补充合同附件")
    assert r.status_code == 201, r.get_json()
    att = r.get_json()
    assert att["filename"] == "合同扫描件.pdf" and att["content_type"] == "application/pdf"
    assert att["size"] == len(PDF) and att["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert att["item"] == "contract" and att["case_lock_version"] > case["lock_version"]
    events = api.get(f"/cases/{case['id']}/events", user="enterprise").get_json()["items"]
    note = events[-1]
    assert note["trigger"] == "attach" and note["label"] == "上传附件"
    assert note["from_state"] == note["to_state"] == "registered"
    assert note["payload"]["note"] == "补充合同附件" and note["attachments"][0]["id"] == att["id"]
    assert (upload_dir / att["sha256"][:2] / att["sha256"]).read_bytes() == PDF
    assert verify_all(api.session) == (1, [])
    # the case's state did not move; the version the caller sees did
    now = api.get(f"/cases/{case['id']}", user="enterprise").get_json()
    assert now["state"] == "registered" and now["lock_version"] == att["case_lock_version"]


def test_attachment_refusals(api, monkeypatch):
    case = api.open_contract()
    cid = case["id"]
    assert_error(upload(api, cid, data=b""), 400)
    body = assert_error(upload(api, cid, data=b"MZ\x90\x00 not a pdf", filename="x.exe",
                               content_type="application/octet-stream"), 415)
    assert "PDF" in body["message"]
    assert_error(upload(api, cid, data=PNG, filename="x.pdf", content_type="application/pdf"), 415)
    assert_error(upload(api, cid, data=b"hello", filename="a.txt", content_type="text/plain"), 415)
    import engine.uploads
    monkeypatch.setattr(engine.uploads, "MAX_BYTES", 100)
    assert_error(upload(api, cid, data=PDF + b"0" * 200), 413, "too_large")
    monkeypatch.undo()
    api.app.config["MAX_CONTENT_LENGTH"] = 1000
    assert_error(upload(api, cid, data=PDF + b"0" * 5000), 413)
    api.app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    # not multipart / no file
    r = api.client.post(f"/api/v1/cases/{cid}/attachments", json={"file": "x"},
                        headers=api.headers("enterprise"))
    assert_error(r, 415)
    r = api.client.post(f"/api/v1/cases/{cid}/attachments", data={"item": "x"},
                        headers=api.headers("enterprise"), content_type="multipart/form-data")
    assert assert_error(r, 400)["errors"] == {"file": ["请选择要上传的文件"]}
    # someone else's case
    assert_error(upload(api, cid, user="enterprise2"), 404)
    assert api.count(Attachment) == 0 and api.count(Event) == 1


def test_png_accepted_and_extension_free_octet_stream_sniffed(api):
    case = api.open_contract()
    r = upload(api, case["id"], data=PNG, filename="现场照片.png", content_type="image/png")
    assert r.status_code == 201 and r.get_json()["content_type"] == "image/png"
    r = upload(api, case["id"], data=PDF, filename="scan", content_type="application/octet-stream")
    assert r.status_code == 201 and r.get_json()["content_type"] == "application/pdf"


# -- documents, deadlines, alerts --------------------------------------------------------

def test_documents_list_and_unknown_pdf(api):
    case = api.open_contract()
    r = api.get(f"/cases/{case['id']}/documents", user="enterprise")
    assert r.status_code == 200 and r.get_json() == {"items": []}
    assert_error(api.get("/documents/424242.pdf"), 404)


def test_deadlines_list_by_status_with_visibility(demo_cases):
    api = demo_cases
    over = api.get("/deadlines?status=overdue", user="bureau").get_json()
    assert over["total"] == 1
    d = over["items"][0]
    assert d["overdue"] and d["estate_name"] == "湖东新苑" and d["procedure"] == "contract_filing"
    assert api.get("/deadlines?status=overdue", user="street").get_json()["total"] == 0
    assert api.get("/deadlines?status=overdue", user="street2").get_json()["total"] == 1
    assert api.get("/deadlines?status=overdue", user="enterprise2").get_json()["total"] == 0
    met = api.get("/deadlines?status=met", user="bureau").get_json()["items"]
    assert met and all(x["status"] == "met" and x["status_label"] == "已履行" for x in met)
    all_ = api.get("/deadlines", user="bureau").get_json()["items"]
    assert [x["due_date"] for x in all_] == sorted(x["due_date"] for x in all_)
    cid = d["case_id"]
    assert [x["case_id"] for x in api.get(f"/deadlines?case_id={cid}", user="bureau")
            .get_json()["items"]] == [cid]
    body = assert_error(api.get("/deadlines?status=soon", user="bureau"), 400)
    assert "status" in body["errors"]


def test_alerts_are_the_callers_organisations(demo_cases):
    api = demo_cases
    alerts = pytest.importorskip("engine.alerts")
    s = api.session
    dl = s.scalars(select(Deadline).where(Deadline.status == "open")).first()
    street = api.district.orgs["street"]
    s.add(alerts.Alert(deadline_id=dl.id, case_id=dl.case_id, kind="overdue", stage="test-1",
                       level=1, role="street_office", organisation_id=street.id,
                       title="合同备案逾期", body="请督促", due_date=dl.due_date))
    s.commit()
    mine = api.get("/alerts", user="street").get_json()
    assert mine["total"] == 1 and mine["unread"] == 1
    a = mine["items"][0]
    assert a["title"] == "合同备案逾期" and a["read"] is False and a["kind_label"] == "已逾期"
    assert api.get("/alerts", user="street2").get_json()["total"] == 0
    assert api.get("/alerts?unread=false", user="street").get_json()["total"] == 0


# -- errors that must never be 500 ---------------------------------------------------------

def test_unknown_paths_and_methods_answer_in_the_error_shape(api):
    assert_error(api.get("/no/such/thing"), 404, "not_found")
    assert_error(api.client.get("/api/v1"), 404)
    r = api.client.put("/api/v1/cases", headers=api.headers("street"), json={})
    assert_error(r, 405, "method_not_allowed")
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    r = api.client.delete("/api/v1/tokens", headers=api.headers("street"))
    assert_error(r, 405)


MALFORMED = [
    (b"[1, 2, 3]", "application/json", 400),
    (b'"just a string"', "application/json", 400),
    (b"{" * 100000, "application/json", 400),
    (b"[" * 50000 + b"]" * 50000, "application/json", 400),
    (b'{"lock_version": 1' + b"0" * 5000 + b"}", "application/json", 400),
    (b'{"lock_version": 1e999}', "application/json", 400),
    (b'{"lock_version": NaN}', "application/json", 400),
    (b'{"lock_version": 1, "note": "a\\u0000b"}', "application/json", 400),
    (b'{"lock_version": 1, "note": "\\ud800"}', "application/json", 400),
    (b'{"lock_version": 1, "note": "\xff\xfe"}', "application/json", 400),
    (b"lock_version=1", "text/plain", 415),
    (b"<xml/>", "application/xml", 415),
]


def test_malformed_bodies_are_client_errors(api):
    case = api.open_contract()
    for raw, ctype, status in MALFORMED:
        r = api.client.post(f"/api/v1/cases/{case['id']}/actions/submit", data=raw,
                            content_type=ctype, headers=api.headers("enterprise"))
        assert_error(r, status)
    assert api.count(Event) == 1


def test_oversized_json_is_413(api):
    case = api.open_contract()
    r = api.post(f"/cases/{case['id']}/actions/submit",
                 {"lock_version": case["lock_version"], "note": "长" * 600_000}, user="enterprise")
    assert_error(r, 413, "too_large")


def test_nul_in_query_and_login_are_client_errors(api):
    assert_error(api.get("/cases?procedure=a%00b"), 400)
    assert_error(api.client.post("/api/v1/tokens", json={"username": "st\u0000reet",
                                                          "password": "demo12345"}), 400)


# -- description and documentation ---------------------------------------------------

CONTRACT_TABLE = [
    ("post", "/api/v1/tokens"), ("get", "/api/v1/procedures"), ("get", "/api/v1/estates"),
    ("post", "/api/v1/cases"), ("get", "/api/v1/cases"), ("get", "/api/v1/cases/{case_id}"),
    ("post", "/api/v1/cases/{case_id}/actions/{trigger}"),
    ("get", "/api/v1/cases/{case_id}/events"), ("post", "/api/v1/cases/{case_id}/attachments"),
    ("get", "/api/v1/cases/{case_id}/documents"), ("get", "/api/v1/documents/{doc_id}.pdf"),
    ("get", "/api/v1/deadlines"), ("get", "/api/v1/alerts"),
]


def test_openapi_describes_every_contract_endpoint(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    for method, path in CONTRACT_TABLE:
        op = spec["paths"][path][method]
        assert op["operationId"] and op["summary"]
        if path != "/api/v1/tokens":
            assert "401" in op["responses"]
    assert spec["paths"]["/api/v1/tokens"]["post"]["security"] == []
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    err = spec["components"]["schemas"]["Error"]
    assert set(err["properties"]) >= {"status", "code", "message", "errors", "reason"}
    case = spec["components"]["schemas"]["CaseOut"]
    assert set(case["required"]) >= {"id", "procedure", "version", "estate_id", "state",
                                     "state_label", "lock_version", "data", "deadlines", "actions"}
    action = spec["paths"]["/api/v1/cases/{case_id}/actions/{trigger}"]["post"]
    assert {"409", "422", "400", "403", "404"} <= set(action["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in action["parameters"])


def test_interactive_docs_are_served_from_the_project(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and b"swagger-ui-bundle.js" in r.data
    html = r.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html and "cdn" not in html.lower()
    import re
    from urllib.parse import urljoin
    for src in re.findall(r'(?:src|href)="([^"]+\.(?:js|css|json))"', html):  # relative to the page
        a = client.get(urljoin("/api/v1/docs", src))
        assert a.status_code == 200, src
        a.close()
    spec_url = re.search(r'data-spec-url="([^"]+)"', html).group(1)
    assert urljoin("/api/v1/docs", spec_url) == "/api/v1/openapi.json"
    lic = client.get("/static/apidocs/LICENSE.txt")
    assert b"Apache License" in lic.data
    lic.close()


def test_html_pages_keep_their_own_error_pages(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and r.mimetype == "text/html"


def test_old_idempotency_keys_are_purged(api):
    case = api.open_contract()
    r = api.post(f"/cases/{case['id']}/actions/submit", {"lock_version": case["lock_version"]},
                 user="enterprise", headers={"Idempotency-Key": "old"})
    assert r.status_code == 200
    assert apitokens.purge_idempotency_keys(api.session) == 0
    later = datetime.now(timezone.utc) + apitokens.KEY_RETENTION + timedelta(minutes=1)
    assert apitokens.purge_idempotency_keys(api.session, now=later) == 1
    assert api.count(IdempotencyKey) == 0


def in_handover(api):
    """An enterprise exit (dismissal by the owners' assembly) in its handover stage."""
    from engine.runtime import advance, open_case
    from tests.helpers import at
    d, s = api.district, api.session
    committee = d.actor("committee")
    case = open_case(s, "enterprise_exit", d.estates["jinxiu"].id, committee, {
        "ground": "dismissal", "contract_no": "XY-YZ-2024-007", "term_end": "2027-06-30",
        "end_on": "2026-09-15", "resolved_on": "2026-07-01", "voted_area": "60000.00",
        "voted_owners": 600, "yes_area": "40000.00", "yes_owners": 400}, now=at(date(2026, 7, 2)))
    advance(s, case.id, "serve_notice", committee,
            {"served_on": "2026-07-03", "recipient": "信阳安居物业服务有限公司"}, now=at(date(2026, 7, 3)))
    return advance(s, case.id, "start_handover", committee,
                   {"ended_on": "2026-09-15", "successor": "信阳宜家物业管理有限公司"},
                   now=at(date(2026, 9, 16)))


def test_a_step_with_files_as_multipart_submits_a_handover_item(api):
    case = in_handover(api)
    path = f"/api/v1/cases/{case.id}/actions/submit_item"
    events = api.count(Event)
    # a file of the wrong type: refused before anything is written
    r = api.client.post(path, headers=api.headers("enterprise"), content_type="multipart/form-data",
                        data={"lock_version": str(case.lock_version), "item": "premises_keys",
                              "file": (io.BytesIO(b"just text"), "keys.txt", "text/plain")})
    assert_error(r, 415)
    assert api.count(Event) == events and api.count(Attachment) == 0
    # stale version in a form field: 409 as with JSON
    r = api.client.post(path, headers=api.headers("enterprise"), content_type="multipart/form-data",
                        data={"lock_version": "0", "item": "premises_keys",
                              "file": (io.BytesIO(PDF), "钥匙清单.pdf", "application/pdf")})
    assert_error(r, 409, "stale")
    r = api.client.post(path, headers=api.headers("enterprise"), content_type="multipart/form-data",
                        data={"lock_version": str(case.lock_version), "item": "premises_keys",
                              "file": (io.BytesIO(PDF), "钥匙清单.pdf", "application/pdf")})
    assert r.status_code == 200, r.get_json()
    item = r.get_json()["data"]["materials"]["premises_keys"]
    assert item["status"] == "submitted" and len(item["attachments"]) == 1
    trail = api.get(f"/cases/{case.id}/events", user="committee").get_json()["items"]
    assert trail[-1]["trigger"] == "submit_item"
    assert trail[-1]["attachments"][0]["filename"] == "钥匙清单.pdf"
    assert trail[-1]["attachments"][0]["id"] == item["attachments"][0]


def test_a_stored_key_without_its_body_replays_the_case_as_it_is(api):
    from web.api.idempotency import fingerprint
    case = api.open_contract()
    path = f"/api/v1/cases/{case['id']}/actions/submit"
    req = {"lock_version": case["lock_version"]}
    api.session.add(IdempotencyKey(user_id=api.district.users["enterprise"].id, key="k", method="POST",
                                   path=path, fingerprint=fingerprint("POST", path, req), status=200,
                                   body=None, case_id=case["id"]))
    api.session.commit()
    r = api.post(f"/cases/{case['id']}/actions/submit", req, user="enterprise",
                 headers={"Idempotency-Key": "k"})
    assert r.status_code == 200 and r.headers["Idempotent-Replayed"] == "true"
    assert r.get_json()["id"] == case["id"] and r.get_json()["state"] == "registered"
    assert api.count(Event) == 1
    assert r.headers["Cache-Control"] == "no-store"

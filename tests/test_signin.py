"""Sign-in that resists guessing on any number of processes and hosts: the throttle's
arithmetic (guesses an attacker gets per hour), known browsers not slowed down by
someone else's failures, the API's token endpoint, two real app processes counting the
same failures and serving each other's files and idempotency keys, password resets
ending access, and the configuration the app refuses to start without."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import select

from engine import apitokens, signin
from engine.apitokens import ApiToken
from engine.signin import SigninThrottle
from tests.helpers import PASSWORD, login
from tests.hosts import AppProcess

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def guesses(session, seconds: int, keys) -> list[float]:
    """An attacker trying again the moment the throttle allows, for `seconds`: the
    moments (seconds from the start) at which a guess was checked."""
    t, made = 0.0, []
    while t < seconds:
        wait = signin.reserve(session, keys, T0 + timedelta(seconds=t))
        if wait:
            t += wait
        else:
            made.append(t)
    return made


def test_an_attacker_gets_41_guesses_in_the_first_hour_and_30_an_hour_after(session):
    keys = [(signin.account_key("bureau"), signin.ACCOUNT)]
    made = guesses(session, 3 * 3600, keys)
    first = [t for t in made if t < 3600]
    # 5 free, then waits of 1, 2, 4 … 64 s, then 120 s: 5 + 1 + 7 + (3600 - 127) // 120.
    assert len(first) == 41
    assert len([t for t in made if 3600 <= t < 7200]) == 30
    assert all(b - a <= signin.ACCOUNT.cap for a, b in zip(made, made[1:]))   # never a lock


def test_a_success_clears_the_count_and_quiet_time_forgets_it(session):
    keys = [(signin.account_key("bureau"), signin.ACCOUNT)]
    for _ in range(signin.ACCOUNT.free + 1):
        assert signin.reserve(session, keys, T0) == 0.0
    assert signin.reserve(session, keys, T0) == 1.0                      # 6 failures: wait 1 s
    signin.succeeded(session, [keys[0][0]])
    assert signin.reserve(session, keys, T0) == 0.0
    for _ in range(10):
        signin.reserve(session, keys, T0 + timedelta(minutes=5))
    later = T0 + timedelta(minutes=5) + signin.ACCOUNT.forget + timedelta(seconds=1)
    assert signin.reserve(session, keys, later) == 0.0
    assert session.get(SigninThrottle, keys[0][0]).failures == 1


def test_one_address_spraying_many_accounts_is_slowed_down(session):
    addr = (signin.address_key("203.0.113.9"), signin.ADDRESS)
    for i in range(signin.ADDRESS.free + 1):
        assert signin.reserve(session, [(signin.account_key(f"user{i}"), signin.ACCOUNT), addr], T0) == 0.0
    wait = signin.reserve(session, [(signin.account_key("another"), signin.ACCOUNT), addr], T0)
    assert wait == 1.0
    # A refused attempt is not counted against its other keys.
    assert session.get(SigninThrottle, signin.account_key("another")) is None


def hold(session, key, minutes=1):
    """Make `key` wait (as its failures would have made it) without the test timing it."""
    session.rollback()
    row = session.get(SigninThrottle, key)
    row.blocked_until = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    session.commit()


def test_the_owner_on_her_own_browser_is_not_slowed_down_by_someone_elses_failures(app, session, district):
    owner = app.test_client()
    assert login(owner, "street").status_code == 302                     # her browser is known now
    owner.post("/logout")
    attacker = app.test_client()
    for _ in range(signin.ACCOUNT.free + 1):
        assert login(attacker, "street", "guess").status_code == 401
    hold(session, signin.account_key("street"))
    assert login(attacker, "street").status_code == 429                  # the name waits …
    assert login(owner, "street").status_code == 302                     # … her browser does not
    owner.post("/logout")
    assert login(owner, "street", "typo").status_code == 401             # her own typos count on it
    session.rollback()
    assert session.get(SigninThrottle, signin.account_key("street")).failures == signin.ACCOUNT.free + 1


def test_the_token_endpoint_is_throttled_like_the_sign_in_page(app, client, session, district):
    for _ in range(signin.ACCOUNT.free + 1):
        r = client.post("/api/v1/tokens", json={"username": "bureau", "password": "guess"})
        assert r.status_code == 401
    hold(session, signin.account_key("bureau"))
    r = client.post("/api/v1/tokens", json={"username": "bureau", "password": PASSWORD})
    assert r.status_code == 429 and r.get_json()["code"] == "too_many_attempts"
    assert int(r.headers["Retry-After"]) >= 1 and "秒后再试" in r.get_json()["message"]
    # The page and the API count against the same name.
    assert login(client, "bureau").status_code == 429


def test_a_password_reset_ends_sessions_and_revokes_tokens(app, session, district):
    user = district.users["street"]
    secret, _ = apitokens.issue(session, user)
    victim = app.test_client()
    assert login(victim, "street").status_code == 302
    assert victim.get("/cases").status_code == 200
    admin = app.test_client()
    assert login(admin, "admin").status_code == 302
    r = admin.post(f"/admin/users/{user.id}", data={
        "display_name": user.display_name, "role": "street_office",
        "organisation_id": user.organisation_id, "email": user.email, "active": "1",
        "password": "a-new-password-2026"})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert victim.get("/cases").status_code == 302                       # signed out
    r = victim.get("/api/v1/tokens/current", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 401
    session.rollback()
    assert session.scalars(select(ApiToken)).one().revoked_at is not None
    assert login(app.test_client(), "street", "a-new-password-2026").status_code == 302


# -- several processes, several hosts ----------------------------------------------------------

@pytest.fixture
def hosts(db_url, session, district, tmp_path):
    with AppProcess(db_url, tmp_path / "host-a") as a, AppProcess(db_url, tmp_path / "host-b") as b:
        yield a, b


def _row(session, key):
    session.rollback()
    session.expunge_all()
    return session.get(SigninThrottle, key)


def test_two_processes_count_the_same_failures(hosts, session):
    a, b = hosts
    form = {"username": "developer", "password": "guess"}
    for host in (a, b, a, b, a, b):
        assert requests.post(host.url + "/login", data=form, allow_redirects=False).status_code == 401
    row = _row(session, signin.account_key("developer"))
    assert row.failures == signin.ACCOUNT.free + 1 and row.blocked_until > datetime.now(timezone.utc) - timedelta(seconds=5)
    row.blocked_until = datetime.now(timezone.utc) + timedelta(minutes=1)
    session.commit()
    right = {"username": "developer", "password": PASSWORD}
    for host in (a, b):                                   # the right password waits on both
        assert requests.post(host.url + "/login", data=right, allow_redirects=False).status_code == 429
        r = requests.post(host.url + "/api/v1/tokens", json=right)
        assert r.status_code == 429 and r.headers["Retry-After"]
    row = _row(session, signin.account_key("developer"))
    row.blocked_until = None
    session.commit()
    assert requests.post(b.url + "/login", data=right, allow_redirects=False).status_code == 302
    assert _row(session, signin.account_key("developer")) is None


def test_a_file_uploaded_through_one_process_is_served_by_the_other(hosts, session, district):
    a, b = hosts
    token = requests.post(a.url + "/api/v1/tokens",
                          json={"username": "enterprise", "password": PASSWORD}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    case = requests.post(a.url + "/api/v1/cases", headers=auth, json={
        "procedure": "contract_filing", "estate_id": district.estates["jinxiu"].id,
        "data": {"contract_kind": "assembly", "contract_no": "HOSTS-001", "client": "锦绣花园业主委员会",
                 "signed_on": "2026-11-20", "term_start": "2026-11-20", "term_end": "2029-11-19",
                 "fee": "1.80", "area": "86420.50"}}).json()
    r = requests.post(a.url + f"/api/v1/cases/{case['id']}/attachments", headers=auth,
                      files={"file": ("合同扫描件.pdf", PDF, "application/pdf")})
    assert r.status_code == 201, r.text
    att = r.json()
    browser = requests.Session()
    assert browser.post(b.url + "/login", data={"username": "enterprise", "password": PASSWORD},
                        allow_redirects=False).status_code == 302
    r = browser.get(b.url + f"/cases/{case['id']}/files/{att['id']}")
    assert r.status_code == 200 and r.content == PDF
    assert hashlib.sha256(r.content).hexdigest() == att["sha256"]
    # An idempotency key used on one host replays on the other.
    step = {"lock_version": att["case_lock_version"], "note": "正本"}
    key = {**auth, "Idempotency-Key": "submit-hosts-001"}
    first = requests.post(a.url + f"/api/v1/cases/{case['id']}/actions/submit", headers=key, json=step)
    again = requests.post(b.url + f"/api/v1/cases/{case['id']}/actions/submit", headers=key, json=step)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()


# -- configuration ----------------------------------------------------------------------------

@pytest.mark.parametrize("config,named", [
    ({"PUBLIC_URL": "https://wuye.example.gov.cn"}, "SECRET_KEY"),
    ({"SECRET_KEY": "dev-only-change-me", "PUBLIC_URL": "https://wuye.example.gov.cn"}, "SECRET_KEY"),
    ({"SECRET_KEY": "short", "PUBLIC_URL": "https://wuye.example.gov.cn"}, "SECRET_KEY"),
    ({"SECRET_KEY": "0123456789abcdef0123"}, "PUBLIC_URL"),
])
def test_the_app_refuses_to_start_without_a_secret_key_or_its_public_address(db_url, tmp_path, config, named):
    from web import UnsafeConfiguration, create_app
    with pytest.raises(UnsafeConfiguration, match=named) as info:
        create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path), **config})
    assert "拒绝启动" in str(info.value) and "make run" in str(info.value)


def test_make_run_writes_a_local_configuration_once(db_url, tmp_path):
    from web import create_app
    from web.localconfig import ensure
    assert ensure(tmp_path) == ["SECRET_KEY", "PUBLIC_URL", "EVIDENCE_KEY_FILE"]
    text = (tmp_path / "config.py").read_text()
    assert ensure(tmp_path) == [] and (tmp_path / "config.py").read_text() == text
    assert (tmp_path / "evidence-key.pem").stat().st_mode & 0o077 == 0
    settings: dict = {}
    exec(compile(text, "config.py", "exec"), settings)
    app = create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path),
                      **{k: v for k, v in settings.items() if k.isupper()}})
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5000" and len(app.config["SECRET_KEY"]) >= 32

"""Done when: a client that knows only /api/v1/openapi.json can sign in, open a contract
filing, move it to filed and download its receipt.

The client below finds every operation by its operationId in the description, builds
the opening form from GET /procedures (field types, choices), walks the procedure's
transitions to the state `filed`, and at each step uses whichever of its accounts the
case itself says may take it (`actions[].allowed`). Runs on SQLite and PostgreSQL."""
from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from engine.legaltime import TZ

TODAY = datetime.now(TZ).date()


class SpecClient:
    def __init__(self, http):
        self.http = http
        spec = http.get("/api/v1/openapi.json").get_json()
        self.ops = {op["operationId"]: (path, method)
                    for path, item in spec["paths"].items()
                    for method, op in item.items() if isinstance(op, dict) and "operationId" in op}

    def call(self, op_id, token=None, params=None, **kw):
        path, method = self.ops[op_id]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.open(path.format(**(params or {})), method=method.upper(),
                              headers={**headers, **kw.pop("headers", {})}, **kw)


def value_for(field):
    kind = field["type"]
    if kind == "choice":
        return field["choices"][0]["value"]
    if kind == "date":
        return (TODAY - timedelta(days=2)).isoformat()
    if kind == "decimal":
        return "1.50"
    if kind in ("integer", "number"):
        return max(1, int(field["minimum"] or 1))
    if kind == "boolean":
        return True
    return f"{field['label']}（接口测试）"[: field["max_length"] or 2000]


def path_to(proc, start, goal):
    """Triggers leading from `start` to `goal` over the described transitions (BFS)."""
    todo, seen = deque([(start, [])]), {start}
    while todo:
        state, path = todo.popleft()
        if state == goal:
            return path
        for t in proc["transitions"]:
            if state in t["sources"] and t["dest"] and t["dest"] not in seen:
                seen.add(t["dest"])
                todo.append((t["dest"], path + [t]))
    raise AssertionError(f"no way from {start} to {goal}")


def test_openapi_only_client_files_a_contract_and_downloads_the_receipt(app, district):
    api = SpecClient(app.test_client())
    # sign in: three accounts of the demo district
    tokens = {}
    for user in ("enterprise", "street", "bureau"):
        r = api.call("createToken", json={"username": user, "password": "demo12345"})
        assert r.status_code == 201, r.get_json()
        tokens[user] = r.get_json()["token"]
    roles = {u: api.call("whoami", t).get_json()["role"] for u, t in tokens.items()}

    # what a contract filing needs, from the procedures' description
    procs = {p["name"]: p for p in api.call("listProcedures", tokens["enterprise"]).get_json()["items"]}
    proc = procs["contract_filing"]
    opener = next(u for u, r in roles.items() if r in proc["opening"]["roles"])
    data = {f["name"]: value_for(f) for f in proc["opening"]["fields"]}
    data["term_end"] = (TODAY + timedelta(days=3 * 365)).isoformat()
    estate = api.call("listEstates", tokens[opener]).get_json()["items"][0]

    r = api.call("createCase", tokens[opener], json={
        "procedure": "contract_filing", "estate_id": estate["id"], "data": data})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    assert case["state"] == proc["initial"]

    for t in path_to(proc, case["state"], "filed"):
        payload = {f["name"]: value_for(f) for f in t["fields"] if f["required"]}
        for user, token in tokens.items():
            seen = api.call("getCase", token, {"case_id": case["id"]})
            if seen.status_code != 200:
                continue
            action = next((a for a in seen.get_json()["actions"] if a["trigger"] == t["trigger"]), None)
            if action and action["allowed"]:
                r = api.call("takeAction", token, {"case_id": case["id"], "trigger": t["trigger"]},
                             json={"lock_version": seen.get_json()["lock_version"], **payload},
                             headers={"Idempotency-Key": f"{case['id']}-{t['trigger']}"})
                assert r.status_code == 200, r.get_json()
                case = r.get_json()
                break
        else:
            raise AssertionError(f"no account may take {t['trigger']}")
    assert case["state"] == "filed" and case["state_label"] == "已备案"

    # the receipt, listed and downloaded
    docs = api.call("listDocuments", tokens[opener], {"case_id": case["id"]}).get_json()["items"]
    receipt = next(d for d in docs if d["kind"] == "contract_filing_receipt")
    assert receipt["serial"] and receipt["code"] and receipt["pdf_url"].endswith(".pdf")
    pdf = api.call("documentPdf", tokens[opener], {"doc_id": receipt["id"]})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-") and len(pdf.data) == receipt["size"]
    # someone outside the case's jurisdiction cannot download it
    other = api.call("createToken", json={"username": "enterprise2", "password": "demo12345"})
    assert api.call("documentPdf", other.get_json()["token"], {"doc_id": receipt["id"]}).status_code == 404

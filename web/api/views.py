"""The endpoints of the HTTP API (docs/contract.md) and a few helpers around them."""
from __future__ import annotations

import hashlib
import math
from functools import lru_cache
from datetime import timedelta

from flask import current_app, g, jsonify, request, send_file
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from engine import apitokens, clock, external_refs, files as file_store, queries, registry
from engine.access import case_condition, may_see_case, visible_cases, visible_estates
from engine.errors import NotFound, PayloadInvalid
from engine.models import Attachment, Case, Deadline, Estate, Event, User
from engine.runtime import advance, load_case, open_case
from web.api import idempotency, present as P, schemas as S
from web.api.blueprint import bp, current_actor
from web.api.errors import ApiError
from web.db import alert_windows, get_session
from web.i18n import N_

E400, E401, E403, E404, E409, E413, E415, E422, E429 = (
    "BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT",
    "REQUEST_ENTITY_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "UNPROCESSABLE_ENTITY",
    "TOO_MANY_REQUESTS")
_CODE = {E400: 400, E401: 401, E403: 403, E404: 404, E409: 409, E413: 413, E415: 415,
         E422: 422, E429: 429}

IDEMPOTENCY_PARAM = {
    "in": "header", "name": "Idempotency-Key", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": N_("可选。同一用户以同一键重复提交时，返回第一次的结果且不再写入。")}


def errors(*names):
    """Document the error responses an endpoint may give (all in ErrorSchema's shape)."""
    def deco(fn):
        for name in names:
            fn = bp.alt_response(_CODE[name], response=name)(fn)
        return fn
    return deco


def _page(q: dict, stmt, order_by, count_stmt=None):
    s = get_session()
    page, per_page = q["page"], q["per_page"]
    if count_stmt is None:
        count_stmt = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = s.scalar(count_stmt) or 0
    rows = s.execute(stmt.order_by(*order_by).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, {"page": page, "per_page": per_page, "total": total,
                  "pages": max(1, math.ceil(total / per_page))}


def _visible_case(case_id: int) -> Case:
    case = load_case(get_session(), case_id)
    if case is None or not may_see_case(current_actor(), case):
        # Same answer whether it does not exist or is someone else's.
        raise NotFound("案件不存在")
    return case


# -- tokens ---------------------------------------------------------------------------

@bp.route("/tokens", methods=["POST"])
@bp.doc(operationId="createToken", security=[], summary=N_("取得访问令牌"), description=N_(
    "以用户名和密码换取访问令牌（Bearer）。令牌只在此处显示一次，服务器仅保存其摘要；"
    "到期（expires_at）或撤销后失效，修改密码时全部撤销。错误的密码按账号和来源地址计数："
    "连续失败后须等待的时间逐次加倍（最长 2 分钟），其间请求一律返回 429 及 Retry-After。"))
@bp.arguments(S.TokenRequest)
@bp.response(201, S.TokenOut)
@errors(E400, E401, E415, E429)
def create_token(body):
    from web.auth import throttle, wait_message
    s = get_session()
    username = body["username"].strip()
    wait, keys = throttle().attempt(username, device=False)
    if wait:
        raise ApiError(429, wait_message(wait), code="too_many_attempts",
                       headers={"Retry-After": str(max(1, math.ceil(wait)))})
    user = s.scalar(select(User).where(User.username == username))
    # The same work whether or not the account exists: no user enumeration by timing.
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), body["password"])
    if user is None or not user.active or not ok:
        raise ApiError(401, "用户名或密码不正确", code="bad_credentials")
    throttle().succeeded(keys)
    ttl = timedelta(hours=float(current_app.config.get("API_TOKEN_TTL_HOURS", 24)))
    secret, tok = apitokens.issue(s, user, ttl=ttl, name=body.get("name", ""))
    return {"token": secret, "token_type": "Bearer", "expires_at": tok.expires_at}


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    from werkzeug.security import generate_password_hash
    return generate_password_hash("no such account")


@bp.route("/tokens/current", methods=["GET"])
@bp.doc(operationId="whoami", summary=N_("当前令牌及其用户"))
@bp.response(200, S.WhoAmI)
@errors(E401)
def whoami():
    tok, a = get_session().get(apitokens.ApiToken, g.api_token_id), current_actor()
    u = tok.user
    return {"username": u.username, "display_name": u.display_name, "role": a.role,
            "role_label": P.role_label(a.role), "organisation_id": a.org_id,
            "organisation_name": a.org_name or "", "token_name": tok.name or "",
            "expires_at": tok.expires_at}


@bp.route("/tokens/current", methods=["DELETE"])
@bp.doc(operationId="revokeToken", summary=N_("撤销当前令牌"), description=N_("撤销后此令牌立即失效（退出）。"))
@bp.response(204)
@errors(E401)
def revoke_token():
    s = get_session()
    apitokens.revoke(s, s.get(apitokens.ApiToken, g.api_token_id))
    return ""


# -- procedures -----------------------------------------------------------------------

@bp.route("/procedures", methods=["GET"])
@bp.doc(operationId="listProcedures", summary=N_("程序定义"), description=N_(
    "每个程序的状态、角色、立案与各步骤的字段（类型、是否必填、标签、可选值），"
    "供调用方自行生成表单。"))
@bp.response(200, S.ProcedureList)
@errors(E401)
def list_procedures():
    defs = registry.all_current()
    return {"items": [P.present_procedure(d) for _, d in sorted(defs.items())]}


@bp.route("/procedures/<string(maxlength=40):name>", methods=["GET"])
@bp.doc(operationId="getProcedure", summary=N_("一个程序的定义（当前版本）"))
@bp.response(200, S.ProcedureOut)
@errors(E401, E404)
def get_procedure(name):
    return P.present_procedure(registry.current(name))


# -- estates --------------------------------------------------------------------------

@bp.route("/estates", methods=["GET"])
@bp.doc(operationId="listEstates", summary=N_("调用方可见的物业管理区域"))
@bp.arguments(S.Paging, location="query")
@bp.response(200, S.EstateList)
@errors(E400, E401)
def list_estates(q):
    stmt = visible_estates(current_actor()).order_by(None)
    rows, meta = _page(q, stmt, [Estate.id])
    return {**meta, "items": [P.present_estate(r[0]) for r in rows]}


# -- cases ----------------------------------------------------------------------------

@bp.route("/cases", methods=["GET"])
@bp.doc(operationId="listCases", summary=N_("调用方可见的案件"), description=N_("可按程序、状态、物业管理区域、是否逾期筛选；按 id 倒序分页。"))
@bp.arguments(S.CaseQuery, location="query")
@bp.response(200, S.CaseList)
@errors(E400, E401)
def list_cases(q):
    actor = current_actor()
    stmt = visible_cases(actor).add_columns(Estate.name)
    if q.get("procedure"):
        stmt = stmt.where(Case.procedure == q["procedure"])
    if q.get("state"):
        stmt = stmt.where(Case.state == q["state"])
    if q.get("estate_id"):
        stmt = stmt.where(Case.estate_id == q["estate_id"])
    if q.get("overdue") is not None:
        clause = queries.overdue_case_condition(clock.today())
        stmt = stmt.where(clause if q["overdue"] else ~clause)
    rows, meta = _page(q, stmt, [Case.id.desc()])
    items = []
    for case, estate_name in rows:
        try:
            items.append(P.present_case_summary(case, estate_name=estate_name))
        except NotFound:            # a definition version no longer loaded
            continue
    return {**meta, "items": items}


@bp.route("/cases", methods=["POST"])
@bp.doc(operationId="createCase", summary=N_("立案"), description=N_(
    "以程序的当前版本为一个物业管理区域立案；data 的字段见 GET /api/v1/procedures 中该程序的 "
    "opening.fields。字段错误以 {errors: {data: {字段: [说明]}}} 返回。"),
    parameters=[IDEMPOTENCY_PARAM])
@bp.arguments(S.CaseCreate)
@bp.response(201, S.CaseOut)
@errors(E400, E401, E403, E404, E409, E413, E415, E422)
def create_case(body):
    s = get_session()
    actor = current_actor()
    try:
        registry.current(body["procedure"])
    except NotFound as exc:
        raise PayloadInvalid({"procedure": [exc.message]}) from None
    if s.scalar(visible_estates(actor).where(Estate.id == body["estate_id"])) is None:
        raise NotFound("物业管理区域不存在或不在您的管辖范围内")
    key = idempotency.key_from_request()
    idempotency.begin_for_write(s)
    number = (body.get("external_no") or "").strip() or None
    if number is not None:
        # The platform's own number makes the post idempotent: the first case answers.
        found = external_refs.find(s, body["procedure"], number)
        if found is not None:
            resp = jsonify(P.case_json(s, _visible_case(found), actor))
            resp.status_code = 200
            return resp

    def step():
        try:
            if number is not None:
                return external_refs.open_once(s, body["procedure"], body["estate_id"], actor,
                                               body["data"], number)[0]
            return open_case(s, body["procedure"], body["estate_id"], actor, body["data"])
        except PayloadInvalid as exc:
            raise PayloadInvalid({"data": exc.errors}) from None

    return idempotency.run(
        s, user_id=actor.user_id, key=key, status=201,
        fp=idempotency.fingerprint("POST", request.path, body), step=step,
        body_of=lambda case: P.case_json(s, case, actor))


@bp.route("/cases/<id:case_id>", methods=["GET"])
@bp.doc(operationId="getCase", summary=N_("一个案件"), description=N_(
    "案件的状态、数据、期限（含计算依据与条文）和调用方可办理的操作（不能办理的附理由）。"
    "办理操作时须带回 lock_version。"))
@bp.response(200, S.CaseOut)
@errors(E401, E404)
def get_case(case_id):
    case = _visible_case(case_id)
    return P.present_case(get_session(), case, current_actor())


ACTION_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ActionRequest"}},
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["lock_version"],
            "properties": {
                "lock_version": {"type": "integer", "minimum": 0, "maximum": 2147483647},
                "file": {"type": "array", "items": {"type": "string", "format": "binary"},
                         "description": N_("随此步骤提交的文件（如交接材料的扫描件），PDF、PNG、JPEG 或 OFD")},
            },
            "additionalProperties": {"type": "string"}}},
    }}


def _action_body():
    """(body, files) of an action: JSON, or multipart form fields with `file` parts."""
    from engine.uploads import check
    if request.mimetype != "multipart/form-data":
        body = request.get_json(silent=True)
        return (body if isinstance(body, dict) else {}), []
    body = {}
    for k in request.form:
        if not isinstance(k, str) or not k:
            raise PayloadInvalid({"_body": ["表单字段名无效"]})
        values = [v for v in request.form.getlist(k) if isinstance(v, str)]
        if any("\x00" in v for v in values) or "\x00" in k:
            raise PayloadInvalid({k.replace("\x00", "") or "_body": ["含有无法保存的字符"]})
        body[k] = values[0] if len(values) == 1 else values
    v = body.get("lock_version")
    if isinstance(v, str) and v.strip().isdigit() and len(v.strip()) < 12:
        body["lock_version"] = int(v)
    files = []
    for up in request.files.getlist("file"):
        f = file_store.FileIn(up.filename or "", up.mimetype or "", up.read())
        ctype = check(f)
        files.append(file_store.FileIn(file_store.clean_name(f.filename, ctype), ctype, f.data))
    return body, files


@bp.route("/cases/<id:case_id>/actions/<string(maxlength=40):trigger>",
          methods=["POST"])
@bp.doc(operationId="takeAction", summary=N_("办理一个步骤"), description=N_(
    "请求体为 {lock_version, ...该步骤的字段}（字段见 GET /api/v1/procedures），JSON；"
    "需随步骤提交文件时（如逐项提交交接材料）用 multipart/form-data：字段同上，文件放在 file。"
    "lock_version 与案件当前版本不一致时返回 409（code=stale）；状态不允许时 409"
    "（code=invalid_state）；法定条件未满足时 422，reason 说明理由；字段错误 400；"
    "文件过大 413，类型不符 415。"),
    parameters=[IDEMPOTENCY_PARAM], requestBody=ACTION_BODY)
@bp.response(200, S.CaseOut)
@errors(E400, E401, E403, E404, E409, E413, E415, E422)
def take_action(case_id, trigger):
    from marshmallow import ValidationError
    s = get_session()
    actor = current_actor()
    # Uploads are read before the write transaction starts (on SQLite it holds the
    # database's write lock); the case is then read inside it, so that advance finds
    # it in the session instead of reading it again (the session holds it weakly; the
    # step's reference to `case` keeps it there).
    body, files = _action_body()
    idempotency.begin_for_write(s)
    case = _visible_case(case_id)
    try:
        payload = _ACTION_REQUEST.load(body)
    except ValidationError as exc:
        raise PayloadInvalid(exc.normalized_messages()) from None
    lock_version = payload.pop("lock_version")
    key = idempotency.key_from_request()
    fp_body = ({**body, "_files": [hashlib.sha256(f.data).hexdigest() for f in files]}
               if files else body)
    return idempotency.run(
        s, user_id=actor.user_id, key=key, status=200, case_id=case_id,
        fp=idempotency.fingerprint("POST", request.path, fp_body),
        step=lambda: advance(s, case.id, trigger, actor, payload, lock_version=lock_version,
                             files=files),
        body_of=lambda stepped: P.case_json(s, stepped, actor))


_ACTION_REQUEST = S.ActionRequest()


@bp.route("/cases/<id:case_id>/events", methods=["GET"])
@bp.doc(operationId="listEvents", summary=N_("案件的办理记录（审计链）"), description=N_("按顺序列出每一步：谁、何时、从何状态到何状态、提交的内容、附件，以及哈希链。"))
@bp.arguments(S.EventQuery, location="query")
@bp.response(200, S.EventList)
@errors(E400, E401, E404)
def list_events(q, case_id):
    case = _visible_case(case_id)
    s = get_session()
    stmt = select(Event).where(Event.case_id == case.id)
    rows, meta = _page(q, stmt, [Event.seq])
    events = [r[0] for r in rows]
    by_event: dict = {}
    if events:
        for a in s.scalars(select(Attachment).where(Attachment.event_id.in_([e.id for e in events]))
                           .order_by(Attachment.id)):
            by_event.setdefault(a.event_id, []).append(a)
    return {**meta, "items": [P.present_event(e, by_event.get(e.id, [])) for e in events]}


ATTACHMENT_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": N_("PDF、PNG、JPEG 或 OFD，不超过 10 MB")},
            "item": {"type": "string", "maxLength": 60, "description": N_("材料清单条目（可选）")},
            "note": {"type": "string", "maxLength": 500, "description": N_("说明（可选）")},
        }}}}}


@bp.route("/cases/<id:case_id>/attachments", methods=["POST"])
@bp.doc(operationId="uploadAttachment", summary=N_("上传附件（不办理步骤）"), description=N_(
    "为案件上传一个文件（multipart：file，可选 item、note），写入审计记录；案件状态不变，"
    "但版本号（lock_version）会增加。文件过大 413，类型不符 415。"),
    requestBody=ATTACHMENT_BODY)
@bp.response(201, S.AttachmentOut)
@errors(E400, E401, E404, E409, E413, E415)
def upload_attachment(case_id):
    from engine.uploads import attach
    s = get_session()
    _visible_case(case_id)
    up = request.files.get("file")
    if up is None or not up.filename and not up.content_length:
        raise PayloadInvalid({"file": ["请选择要上传的文件"]})
    item = request.form.get("item") or None
    note = request.form.get("note") or ""
    for name, v in (("item", item or ""), ("note", note), ("file", up.filename or "")):
        if "\x00" in v:
            raise PayloadInvalid({name: ["含有无法保存的字符"]})
    if item and len(item) > 60:
        raise PayloadInvalid({"item": ["不能超过 60 个字符"]})
    data = up.read()
    idempotency.begin_for_write(s)
    row = attach(s, case_id, current_actor(),
                 file_store.FileIn(up.filename or "附件", up.mimetype or "", data, item),
                 note_text=note)
    out = P.present_attachment(row)
    out["case_lock_version"] = s.get(Case, case_id).lock_version
    return out


# -- documents ------------------------------------------------------------------------

def _documents_module():
    try:
        from engine import documents
    except ModuleNotFoundError as exc:       # a build without printed forms: no documents
        if exc.name != "engine.documents":
            raise
        return None
    return documents


@bp.route("/cases/<id:case_id>/documents", methods=["GET"])
@bp.doc(operationId="listDocuments", summary=N_("案件出具的文书"), description=N_("每份文书的种类、文号、出具时间、核验码，以及 PDF 下载地址。"))
@bp.response(200, S.DocumentList)
@errors(E401, E404)
def list_documents(case_id):
    case = _visible_case(case_id)
    docs = _documents_module()
    rows = docs.for_case(get_session(), case.id) if docs else []
    return {"items": [P.present_document(d) for d in rows]}


@bp.route("/documents/<id:doc_id>.pdf", methods=["GET"])
@bp.doc(operationId="documentPdf", summary=N_("下载文书 PDF"), responses={"200": {
    "description": N_("文书 PDF"),
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
@errors(E401, E404)
def document_pdf(doc_id):
    docs = _documents_module()
    if docs is None:
        raise NotFound("文书不存在")
    from web.documents import stored_or_refuse
    s = get_session()
    doc = s.get(docs.Document, doc_id)
    if doc is None:
        raise NotFound("文书不存在")
    _visible_case(doc.case_id)
    data, refusal = stored_or_refuse(doc)
    if refusal:
        raise ApiError(409 if data is None and refusal.altered else 404, refusal.message,
                       code="file_altered" if refusal.altered else "file_missing")
    from io import BytesIO
    name = f"{getattr(doc, 'title', None) or doc.kind}-{doc.id}.pdf"
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=name, etag=doc.sha256, max_age=0)


# -- deadlines and alerts --------------------------------------------------------------

@bp.route("/deadlines", methods=["GET"])
@bp.doc(operationId="listDeadlines", summary=N_("调用方可见案件的期限"), description=N_(
    "status=overdue 列出已过期限而尚未履行的期限（含已标记逾期的）；按到期日排序。"))
@bp.arguments(S.DeadlineQuery, location="query")
@bp.response(200, S.DeadlineList)
@errors(E400, E401)
def list_deadlines(q):
    actor = current_actor()
    now = P.utcnow()
    stmt = (select(Deadline, Case.procedure, Case.estate_id, Estate.name)
            .join(Case, Deadline.case_id == Case.id).join(Estate, Case.estate_id == Estate.id)
            .where(case_condition(actor)))
    status = q.get("status")
    if status in queries.WHICH:
        stmt = stmt.where(queries.condition(status, clock.today(now), alert_windows()))
    elif status:
        stmt = stmt.where(Deadline.status == status)
    if q.get("procedure"):
        stmt = stmt.where(Case.procedure == q["procedure"])
    if q.get("case_id"):
        stmt = stmt.where(Deadline.case_id == q["case_id"])
    rows, meta = _page(q, stmt, [Deadline.due_date, Deadline.id])
    items = []
    for d, procedure, estate_id, estate_name in rows:
        item = P.present_deadline(d, now)
        item.update(procedure=procedure, estate_id=estate_id, estate_name=estate_name)
        items.append(item)
    return {**meta, "items": items}


@bp.route("/worklist", methods=["GET"])
@bp.doc(operationId="getWorklist", summary=N_("调用方的待办清单"), description=N_(
    "与工作台“待我办理”相同的案件：调用方现在可以办理某一步骤的可见案件（含仍按旧版本程序办理的案件），"
    "逾期的在前，其次按最近的届满日；counts 为调用方可见的逾期、即将到期和逾期后履行的期限数，"
    "与工作台、督办看板和收件箱的统计相同。"))
@bp.arguments(S.Paging, location="query")
@bp.response(200, S.Worklist)
@errors(E400, E401)
def get_worklist(q):
    s, actor = get_session(), current_actor()
    now = clock.now()
    items = queries.worklist(s, actor, now=now)
    page, per_page = q["page"], q["per_page"]
    shown = items[(page - 1) * per_page: page * per_page]
    c = queries.counts(s, actor, alert_windows(), today=clock.today(now))
    return {"page": page, "per_page": per_page, "total": len(items),
            "pages": max(1, math.ceil(len(items) / per_page)),
            "items": [P.present_work_item(i) for i in shown],
            "counts": {"overdue": c.overdue, "due_soon": c.due_soon, "late": c.late}}


@bp.route("/alerts", methods=["GET"])
@bp.doc(operationId="listAlerts", summary=N_("调用方单位收到的提醒"), description=N_("即将到期、已逾期、逐级督办的提醒；unread 为本单位未签收的条数。"))
@bp.arguments(S.AlertQuery, location="query")
@bp.response(200, S.AlertList)
@errors(E400, E401)
def list_alerts(q):
    try:
        from engine import alerts
    except ModuleNotFoundError as exc:
        if exc.name != "engine.alerts":
            raise
        return {"page": q["page"], "per_page": q["per_page"], "total": 0, "pages": 1,
                "items": [], "unread": 0}
    actor = current_actor()
    stmt = alerts.visible_alerts(actor)
    if q.get("unread") is not None:
        stmt = stmt.where(alerts.Alert.acknowledged_at.is_(None) if q["unread"]
                          else alerts.Alert.acknowledged_at.is_not(None))
    rows, meta = _page(q, stmt, [alerts.Alert.id.desc()])
    return {**meta, "items": [P.present_alert(r[0]) for r in rows],
            "unread": alerts.unread_count(get_session(), actor)}

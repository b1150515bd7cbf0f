"""One JSON shape for every error of the API:

    {"status": 409, "code": "stale", "message": "此案件已被他人更新，请刷新后重试",
     "errors": {"field": ["…"]}, "reason": "…", "reasons": ["…"]}

`errors` appears with field errors (400), `reason`/`reasons` when a legal condition of
the step is not met (422). Engine refusals (engine.errors) and HTTP errors (werkzeug,
webargs) are mapped here, once.
"""
from __future__ import annotations

import logging

import marshmallow as ma
from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from engine.errors import (EngineError, GuardRefused, InvalidTransition, NotFound,
                           NotPermitted, PayloadInvalid, StaleCase)
from web.i18n import N_

log = logging.getLogger(__name__)

# HTTP status → (code, default Chinese message)
DEFAULTS = {
    400: ("invalid", "请求内容有误，请按提示修改"),
    401: ("unauthorized", "请先获取访问令牌（POST /api/v1/tokens），并以 Authorization: Bearer <令牌> 提交"),
    403: ("forbidden", "无权办理此操作"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "此地址不支持该请求方法"),
    406: ("not_acceptable", "无法提供所请求的格式"),
    409: ("conflict", "请求与当前状态冲突"),
    413: ("too_large", "提交的内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("unprocessable", "请求无法办理"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，请稍后重试"),
}

LOCATIONS = ("json", "query", "querystring", "form", "files", "headers", "json_or_form", "path")


class ApiError(Exception):
    """An error raised by the API layer itself (not the engine)."""

    def __init__(self, status: int, message: str | None = None, *, code: str | None = None,
                 errors: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or DEFAULTS.get(status, ("error", ""))[0]
        self.message = message or DEFAULTS.get(status, ("", "请求失败"))[1]
        self.errors = errors
        self.headers = headers or {}


class ErrorSchema(ma.Schema):
    """The body of every error response."""
    status = ma.fields.Integer(required=True, metadata={"description": N_("HTTP 状态码")})
    code = ma.fields.String(required=True, metadata={
        "description": N_("机器可读的错误代码：invalid, invalid_json, unauthorized, forbidden, "
                       "not_found, method_not_allowed, stale, invalid_state, conflict, "
                       "too_large, unsupported_media_type, guard_refused, "
                       "idempotency_mismatch, server_error")})
    message = ma.fields.String(required=True, metadata={"description": N_("给用户看的说明（中文）")})
    errors = ma.fields.Dict(metadata={"description": N_("字段错误：{字段: [说明]}（400）")})
    reason = ma.fields.String(metadata={"description": N_("法定条件未满足的理由（422）")})
    reasons = ma.fields.List(ma.fields.String(), metadata={"description": N_("逐条理由（422）")})


def error_response(status: int, message: str | None = None, *, code: str | None = None,
                   errors: dict | None = None, reason: str | None = None,
                   reasons: list[str] | None = None, headers: dict | None = None):
    dcode, dmsg = DEFAULTS.get(status, ("error", "请求失败"))
    body = {"status": status, "code": code or dcode, "message": message or dmsg}
    if errors is not None:
        body["errors"] = errors
    if reason is not None:
        body["reason"] = reason
    if reasons is not None:
        body["reasons"] = reasons
    resp = jsonify(body)
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def engine_body(exc: EngineError) -> tuple[int, dict]:
    """(status, body) of an engine refusal; also what an idempotency key stores."""
    body = {"status": exc.status, "message": exc.message}
    if isinstance(exc, PayloadInvalid):
        body.update(code="invalid", errors=exc.errors)
    elif isinstance(exc, GuardRefused):
        body.update(code="guard_refused", reason=exc.message, reasons=list(exc.reasons))
    elif isinstance(exc, StaleCase):
        body.update(code="stale")
    elif isinstance(exc, InvalidTransition):
        body.update(code="invalid_state")
    elif isinstance(exc, NotPermitted):
        body.update(code="forbidden")
    elif isinstance(exc, NotFound):
        body.update(code="not_found")
    else:
        body.update(code=DEFAULTS.get(exc.status, ("error",))[0])
    return exc.status, body


def handle_engine_error(exc: EngineError):
    status, body = engine_body(exc)
    body.pop("status")
    return error_response(status, **body)


def handle_api_error(exc: ApiError):
    return error_response(exc.status, exc.message, code=exc.code, errors=exc.errors,
                          headers=exc.headers)


def _unwrap(messages):
    """webargs nests errors by location ({"json": {...}}); callers want {field: [msg]}."""
    if isinstance(messages, dict) and len(messages) == 1:
        (loc, inner), = messages.items()
        if loc in LOCATIONS:
            return inner if isinstance(inner, dict) else {"_body": inner}
    return messages


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if messages is not None:
        # webargs/marshmallow validation of query strings and bodies
        flat = _unwrap(messages)
        if isinstance(flat, dict) and list(flat) == ["_body"] and \
                any("Invalid JSON" in str(m) for m in flat["_body"]):
            return error_response(400, "请求体不是有效的 JSON", code="invalid_json")
        if isinstance(flat, dict) and "_schema" in flat and len(flat) == 1:
            return error_response(400, "请求体应为 JSON 对象", code="invalid",
                                  errors=flat)
        return error_response(400, errors=flat if isinstance(flat, dict) else {"_body": flat})
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    if status >= 500:
        return handle_unexpected(exc)
    return error_response(status, headers=headers)


def handle_unexpected(exc: Exception):
    log.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500)


def register(bp) -> None:
    from werkzeug.exceptions import default_exceptions
    bp.register_error_handler(EngineError, handle_engine_error)
    bp.register_error_handler(ApiError, handle_api_error)
    bp.register_error_handler(HTTPException, handle_http_exception)
    # Flask prefers a handler registered for a status code, even the app's, over a
    # class handler of the blueprint: register ours per code too.
    for code in default_exceptions:
        bp.register_error_handler(code, handle_http_exception)
    bp.register_error_handler(Exception, handle_unexpected)

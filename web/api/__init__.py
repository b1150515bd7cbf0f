"""The JSON API under /api/v1 (docs/contract.md), described at /api/v1/openapi.json.

Thin callers of the engine, like the pages: every change of a case goes through
engine.runtime (open_case/advance), every list through engine.access's visibility
queries. Callers authenticate with a bearer token (POST /api/v1/tokens); the session
cookie of the pages is never read here, so CSRF does not apply (the blueprint is exempt).
Interactive documentation: /api/v1/docs (Swagger UI shipped in web/static/apidocs).
"""
from __future__ import annotations

from flask import Flask, jsonify, request
from flask_babel import force_locale, gettext
from flask_smorest import Api as _Api

from web.api import errors as api_errors
from web.i18n import N_

API_PREFIX = "/api/v1"


class Api(_Api):
    ERROR_SCHEMA = api_errors.ErrorSchema

    def _register_error_handlers(self):
        # flask-smorest would install an app-wide HTTPException handler, turning the
        # HTML pages' errors into JSON; our handlers are registered on the API's
        # blueprints only (web/api/errors.py).
        pass


def init_app(app: Flask) -> None:
    from web.api import register, supervision, views  # noqa: F401  (routes)
    from web.api.blueprint import AnyPathConverter, IdConverter, bp, fallback, id_param_schema

    app.config.setdefault("API_TITLE", N_("物业管理法定程序系统 API"))
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_TOKEN_TTL_HOURS", 24)
    app.config.setdefault("API_MAX_JSON_BYTES", 1024 * 1024)
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": N_(
            "物业管理法定程序系统的 JSON 接口。先以 `POST /api/v1/tokens`（用户名、密码）取得令牌，"
            "其后每个请求带 `Authorization: Bearer <令牌>`。日期为 ISO 格式（YYYY-MM-DD），"
            "时间为北京时间（+08:00）。所有错误均为同一形状：`{status, code, message, errors?, "
            "reason?, reasons?}`。改变案件的 POST 可带 `Idempotency-Key` 头：重复的键返回第一次的结果，"
            "不再写入。")},
        "servers": [{"url": "/", "description": N_("本系统")}],
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": N_("POST /api/v1/tokens 取得的令牌")}}},
    })
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["anypath"] = AnyPathConverter
    api = Api(app)
    api.register_converter(IdConverter, id_param_schema)
    from web.api.schemas import ActionRequest, DecimalString
    api.register_field(DecimalString, "string", "decimal")
    api.spec.components.schema("ActionRequest", schema=ActionRequest)
    api.register_blueprint(bp)
    app.register_blueprint(fallback)
    app.view_functions["api-docs.openapi_json"] = spec_in_english(
        app.view_functions["api-docs.openapi_json"])
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
        csrf.exempt(fallback)


_PROSE = ("title", "summary", "description")


def _translated(node):
    """The spec with its prose (titles, summaries, descriptions: the texts marked N_() in
    web/api) through the gettext catalog."""
    if isinstance(node, dict):
        return {k: gettext(v) if k in _PROSE and isinstance(v, str) else _translated(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_translated(v) for v in node]
    return node


def spec_in_english(view):
    """openapi.json as flask-smorest builds it (Chinese), or with `?lang=en` its English
    version for the English documentation page; the API itself answers in Chinese."""
    def openapi_json():
        resp = view()
        if request.args.get("lang") != "en":
            return resp
        with force_locale("en"):
            return jsonify(_translated(resp.get_json()))
    return openapi_json

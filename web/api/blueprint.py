"""The API's blueprints and the checks every request passes before its view:

* a bearer token (except POST /tokens), giving `g.api_actor`;
* bodies that are what the endpoint takes (JSON object / multipart), not too large,
  and free of text the databases cannot store (NUL, lone surrogates): 400/413/415
  instead of a server error;
* unknown paths and methods under /api/v1 answer in the API's JSON error shape.
"""
from __future__ import annotations

import json

from flask import Blueprint as FlaskBlueprint, current_app, g, request
from flask_smorest import Blueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import MethodNotAllowed, NotFound as HTTPNotFound
from werkzeug.routing import IntegerConverter, PathConverter

from engine import apitokens
from engine.access import Actor
from web.api import errors as api_errors
from web.api.errors import ApiError
from web.db import get_session
from web.i18n import N_


MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<id:case_id>`: a row id. Larger than any id: 404 (checked before the view),
    never an overflow in the database driver."""


class AnyPathConverter(PathConverter):
    """Like `path`, but also across newlines (%0A), so no path under /api/v1 escapes
    the API's JSON errors."""
    regex = "[^/][\\s\\S]*?"


def id_param_schema(_converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class Parser(FlaskParser):
    """400 (not webargs' 422) for field errors; unknown query parameters are refused
    too, so a misspelt filter (?staet=filed) is not silently ignored."""
    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "query": RAISE, "querystring": RAISE}


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1",
                  description=N_("物业管理法定程序：令牌、程序定义、物业管理区域、案件、期限、文书、提醒"))
fallback = FlaskBlueprint("api_fallback", __name__, url_prefix="/api/v1")

PUBLIC = {"api.create_token"}
MULTIPART = {"api.upload_attachment", "api.import_register"}
JSON_OR_MULTIPART = {"api.take_action"}

api_errors.register(bp)
api_errors.register(fallback)


def current_actor() -> Actor:
    return g.api_actor


def _bad_text(obj, path=""):
    """The first place in a parsed JSON value holding text a database cannot store."""
    if isinstance(obj, str):
        if "\x00" in obj:
            return path or "_body"
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError:
            return path or "_body"
        return None
    if isinstance(obj, dict):
        for k, v in obj.items():
            where = _bad_text(k, path or "_body") and (path or "_body")
            if where:
                return where
            where = _bad_text(v, f"{path}.{k}" if path else str(k))
            if where:
                return where
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            where = _bad_text(v, f"{path}.{i}" if path else str(i))
            if where:
                return where
    return None


def _bad_text_error(where: str) -> ApiError:
    field = where.split(".")[0]
    return ApiError(400, "提交内容含有无法保存的字符（如 NUL 或不成对的代理字符）",
                    errors={field: ["含有无法保存的字符"]})


def _check_body() -> None:
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.endpoint in MULTIPART:
        if request.mimetype != "multipart/form-data":
            raise ApiError(415, "请以 multipart/form-data 上传文件（字段 file，可选 item）")
        return
    if request.endpoint in JSON_OR_MULTIPART and request.mimetype == "multipart/form-data":
        return
    length = request.content_length
    limit = current_app.config.get("API_MAX_JSON_BYTES", 1024 * 1024)
    if length is not None and length > limit:
        raise ApiError(413, f"请求体过大（不超过 {limit // 1024} KB）")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise ApiError(413, f"请求体过大（不超过 {limit // 1024} KB）")
    if not raw:
        return
    if not request.is_json:
        raise ApiError(415, "请以 application/json 提交请求体")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "请求体不是有效的 JSON", code="invalid_json") from None
    if not isinstance(body, dict):
        raise ApiError(400, "请求体应为 JSON 对象", errors={"_body": ["应为 JSON 对象"]})
    where = _bad_text(body)
    if where:
        raise _bad_text_error(where)


def _check_query() -> None:
    for k, v in request.args.items(multi=True):
        if "\x00" in k or "\x00" in v:
            raise ApiError(400, "查询参数含有无法处理的字符", errors={k.replace("\x00", ""): ["含有无法处理的字符"]})


def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise ApiError(401)
    found = apitokens.lookup(get_session(), secret)
    if found is None:
        raise ApiError(401, "访问令牌无效、已过期或已撤销，请重新获取", code="invalid_token")
    g.api_token_id, g.api_actor = found


@bp.before_request
def _before():
    for v in (request.view_args or {}).values():
        if isinstance(v, int) and not 0 < v <= MAX_ID:
            raise HTTPNotFound()
    _check_query()
    if request.endpoint not in PUBLIC:
        _authenticate()
    _check_body()


@bp.after_request
@fallback.after_request
def _no_store(resp):
    # Answers depend on the bearer token: no shared cache may keep them.
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp


# -- unknown paths and methods under /api/v1 --------------------------------------------

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@fallback.route("", methods=_METHODS)
@fallback.route("/", methods=_METHODS)
@fallback.route("/<anypath:rest>", methods=_METHODS)
def not_found(rest: str = ""):
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for m in _METHODS:
        try:
            endpoint, _ = adapter.match(request.path, method=m)
        except Exception:
            continue
        if not endpoint.startswith("api_fallback."):
            allowed.append(m)
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise HTTPNotFound()


@fallback.route("/docs", methods=["GET"])
def docs():
    """Interactive documentation (Swagger UI from web/static/apidocs, no CDN), on the
    description in the page's language (see web.api.spec_in_english)."""
    from flask import render_template, url_for
    from web.i18n import lang
    spec_url = url_for("api-docs.openapi_json", **({"lang": "en"} if lang() == "en" else {}))
    return render_template("api/docs.html", spec_url=spec_url)

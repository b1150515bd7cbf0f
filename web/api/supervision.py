"""The supervision views of the API: the ledgers' counts (GET /api/v1/ledgers/<procedure>)
and the enterprises' credit (GET /api/v1/credit). Cases of these procedures are listed
and acted on like every case (GET /api/v1/cases?procedure=…, POST …/actions/<trigger>)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from engine import clock, queries
from engine.errors import NotFound
from web.api.blueprint import bp, current_actor
from web.api.views import E400, E401, E404, errors
from web.db import get_session
from web.i18n import N_
from web.ledger import _names, ledgers


class LedgerQuery(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    by = fields.String(load_default="street_office", validate=validate.OneOf(queries.LEDGER_GROUPS),
                       metadata={"description": N_("分组：street_office / community / estate / enterprise / category")})


class LedgerRow(ma.Schema):
    key = fields.Raw(allow_none=True, required=True, metadata={"description": N_("组织或区域 id，或事项类别")})
    name = fields.String(required=True)
    total = fields.Integer(required=True)
    open = fields.Integer(required=True)
    finished = fields.Integer(required=True, metadata={"description": N_("已办结（销号）件数")})
    overdue = fields.Integer(required=True)


class LedgerOut(ma.Schema):
    procedure = fields.String(required=True)
    by = fields.String(required=True)
    rows = fields.List(fields.Nested(LedgerRow), required=True)


class CreditRow(ma.Schema):
    enterprise_id = fields.Integer(required=True)
    name = fields.String(required=True)
    basic = fields.String(required=True)
    good = fields.String(required=True)
    bad = fields.String(required=True)
    score = fields.String(required=True, metadata={"description": N_("信用分（十进制字符串）")})
    grade = fields.String(required=True)
    key_supervision = fields.Boolean(required=True)
    suggested_estates = fields.List(fields.Integer(), required=True,
                                    metadata={"description": N_("重点监管企业建议检查的物业管理区域 id")})


class CreditOut(ma.Schema):
    items = fields.List(fields.Nested(CreditRow), required=True)


@bp.route("/ledgers/<string(maxlength=40):name>", methods=["GET"])
@bp.doc(operationId="getLedger", summary=N_("台账统计"), description=N_(
    "登记为台账的程序（投诉、问题整改台账）按街道、社区、区域、企业或事项类别统计的合计、未办结、已办结和逾期件数，"
    "仅含调用方可见的案件。"))
@bp.arguments(LedgerQuery, location="query")
@bp.response(200, LedgerOut)
@errors(E400, E401, E404)
def get_ledger(q, name):
    defn = ledgers().get(name)
    if defn is None:
        raise NotFound("没有该台账")
    s, actor = get_session(), current_actor()
    rows = queries.ledger_counts(s, actor, name, q["by"], today=clock.today())
    names = _names(s, defn, q["by"], [r.key for r in rows])
    return {"procedure": name, "by": q["by"], "rows": [
        {"key": r.key, "name": names.get(r.key) or "", "total": r.total, "open": r.running,
         "finished": r.closed, "overdue": r.overdue} for r in rows]}


@bp.route("/credit", methods=["GET"])
@bp.doc(operationId="getCredit", summary=N_("物业服务企业信用排名"), description=N_(
    "调用方可见的企业的信用分（基础分 + 良好 − 不良，十进制字符串）、等级（按规则包方案，待核实）、是否重点监管及建议检查的区域；"
    "按信用分从高到低。"))
@bp.response(200, CreditOut)
@errors(E401)
def get_credit():
    from web.credit import credits
    rows = credits(get_session(), current_actor())
    return {"items": [{"enterprise_id": c.org.id, "name": c.org.name, "basic": str(c.record.basic),
                       "good": str(c.record.good), "bad": str(c.record.bad), "score": str(c.record.score),
                       "grade": c.grade.grade, "key_supervision": c.grade.key_supervision,
                       "suggested_estates": [e.id for e in c.suggested]} for c in rows]}

"""The register (台账) over the API: estates, enterprises, committees, contracts, an
estate's history as of a day, and the 调度表 import. Thin callers of engine.register_edit,
engine.register_io and engine.register (docs/contract.md)."""
from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import request
from marshmallow import fields, validate

from engine import clock, register as reg, register_edit as edit, register_io
from engine.errors import PayloadInvalid
from engine.models import Estate
from engine.register_models import (CATEGORIES, COMMITTEE_KINDS, COMMITTEE_STATUSES,
                                    CONTRACT_KINDS, FILING_STATUSES, MANAGEMENT_MODES)
from web.api import schemas as S
from web.api.blueprint import bp, current_actor
from web.api.views import E400, E401, E403, E404, E413, E415, errors
from web.db import get_session
from web.i18n import N_

_NAME = fields.String(validate=validate.Length(min=1, max=200))


class EstateFields(S.Strict):
    name = _NAME
    province = fields.String(validate=validate.Length(min=1, max=20),
                             metadata={"description": N_("省份，决定适用的规则包，如 河南省")})
    address = fields.String(validate=validate.Length(max=300))
    community_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=S.MAX_ID))
    enterprise_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=S.MAX_ID),
                                   metadata={"description": N_("入驻物业服务企业（台账中的企业 id）")})
    committee_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=S.MAX_ID))
    management_mode = fields.String(validate=validate.OneOf(list(MANAGEMENT_MODES)),
                                    metadata={"description": N_("物业管理性质")})
    total_area = S.DecimalString(allow_none=True, places=2,
                                 validate=validate.Range(min=0, max=10**13),
                                 metadata={"description": N_("专有部分总面积（平方米，两位小数）")})
    total_owners = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**7))
    category = fields.Integer(allow_none=True, validate=validate.OneOf(CATEGORIES))
    enterprise_since = fields.Date(allow_none=True)
    service_content = fields.String(validate=validate.Length(max=200))
    project_manager = fields.String(validate=validate.Length(max=100))
    phone = fields.String(validate=validate.Length(max=40))
    designated_on = fields.Date(allow_none=True)
    designation_notice = fields.String(validate=validate.Length(max=300))
    remark = fields.String(validate=validate.Length(max=2000))
    fact_date = fields.Date(metadata={"description": N_("变更生效（事实发生）之日，默认今日；不得晚于今日")})


class EstateCreate(EstateFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    province = fields.String(required=True, validate=validate.Length(min=1, max=20))
    street_office_id = fields.Integer(validate=validate.Range(min=1, max=S.MAX_ID), metadata={
        "description": N_("所属街道办事处（区住建局、管理员新建时必填；街道办事处为本单位）")})


class EstateRecordOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    province = fields.String(required=True)
    address = fields.String(required=True)
    rulepack = fields.String(required=True)
    street_office_id = fields.Integer(required=True)
    street_office = fields.String(required=True)
    community_id = fields.Integer(allow_none=True)
    community = fields.String(required=True)
    enterprise_id = fields.Integer(allow_none=True)
    enterprise = fields.String(required=True)
    committee_id = fields.Integer(allow_none=True)
    committee = fields.String(required=True)
    developer_id = fields.Integer(allow_none=True)
    total_area = S.DecimalString(allow_none=True)
    total_owners = fields.Integer(allow_none=True)
    category = fields.Integer(allow_none=True)
    management_mode = fields.String(required=True)
    mode_since = fields.Date(allow_none=True)
    enterprise_since = fields.Date(allow_none=True)
    service_content = fields.String(required=True)
    project_manager = fields.String(required=True)
    phone = fields.String(required=True)
    designated_on = fields.Date(allow_none=True)
    designation_notice = fields.String(required=True)
    handover_on = fields.Date(allow_none=True)
    remark = fields.String(required=True)


class HistoryQuery(S.Strict):
    as_of = fields.Date(metadata={"description": N_("截至该日（含）的台账记录，默认今日")})


class ChangeOut(ma.Schema):
    id = fields.Integer(required=True)
    entity = fields.String(required=True)
    entity_id = fields.Integer(required=True)
    field = fields.String(required=True)
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)
    fact_date = fields.String(required=True)
    recorded_at = fields.String(required=True)
    recorder = fields.String(required=True)
    event_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    note = fields.String(required=True)


class HistoryOut(ma.Schema):
    estate_id = fields.Integer(required=True)
    as_of = fields.Date(required=True)
    estate = fields.Dict(required=True, metadata={"description": N_("该日台账所记载的各字段")})
    changes = fields.List(fields.Nested(ChangeOut), required=True)


class EnterpriseCreate(S.Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    credit_code = fields.String(required=True, validate=validate.Length(min=1, max=40),
                                metadata={"description": N_("统一社会信用代码（18 位，按 GB 32100-2015 校验）")})
    contact = fields.String(validate=validate.Length(max=100))
    phone = fields.String(validate=validate.Length(max=40))
    address = fields.String(validate=validate.Length(max=300))
    email = fields.Email()


class EnterpriseOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    credit_code = fields.String(allow_none=True)
    contact = fields.String(required=True)
    phone = fields.String(required=True)
    estates = fields.List(fields.String(), required=True)


class EnterpriseList(ma.Schema):
    items = fields.List(fields.Nested(EnterpriseOut), required=True)


class MemberOut(ma.Schema):
    name = fields.String(required=True)
    position = fields.String(required=True)


class CommitteeOut(ma.Schema):
    id = fields.Integer(required=True)
    estate_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": " / ".join(COMMITTEE_KINDS)})
    status = fields.String(required=True, metadata={"description": " / ".join(COMMITTEE_STATUSES)})
    status_label = fields.String(required=True)
    elected_on = fields.Date(allow_none=True)
    term_start = fields.Date(allow_none=True)
    term_end = fields.Date(allow_none=True)
    term_basis = fields.String(required=True)
    filed_on = fields.Date(allow_none=True)
    certificate = fields.String(required=True)
    members = fields.List(fields.Nested(MemberOut), required=True)


class CommitteeList(ma.Schema):
    items = fields.List(fields.Nested(CommitteeOut), required=True)


class ContractOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": " / ".join(CONTRACT_KINDS)})
    estate_id = fields.Integer(required=True)
    enterprise_id = fields.Integer(required=True)
    contract_no = fields.String(required=True)
    signed_on = fields.Date(required=True)
    term_start = fields.Date(allow_none=True)
    term_end = fields.Date(allow_none=True)
    fee = S.DecimalString(allow_none=True)
    filing_status = fields.String(required=True, metadata={"description": " / ".join(FILING_STATUSES)})
    filing_status_label = fields.String(required=True)
    filed_on = fields.Date(allow_none=True)
    receipt = fields.String(required=True)
    case_id = fields.Integer(allow_none=True)


class ContractList(ma.Schema):
    items = fields.List(fields.Nested(ContractOut), required=True)


class ImportRowError(ma.Schema):
    row = fields.Integer(required=True, metadata={"description": N_("行号（表头为第 1 行；0 为整个文件）")})
    column = fields.String(required=True)
    message = fields.String(required=True)


class ImportOut(ma.Schema):
    created = fields.Integer(required=True)
    changed = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    written = fields.Boolean(required=True)
    errors = fields.List(fields.Nested(ImportRowError), required=True)
    rows = fields.List(fields.Dict(), required=True)


class EstateRecordList(S.Page):
    items = fields.List(fields.Nested(EstateRecordOut), required=True)


# -- estates -----------------------------------------------------------------------------------

@bp.route("/estates", methods=["POST"])
@bp.doc(operationId="createEstate", summary=N_("新建物业管理区域（台账）"), description=N_(
    "街道办事处在本辖区新建；区住建局、管理员须给出 street_office_id。每个字段的登记都写入台账历史。"))
@bp.arguments(EstateCreate)
@bp.response(201, EstateRecordOut)
@errors(E400, E401, E403, E415)
def create_estate(body):
    s = get_session()
    e = edit.create_estate(s, current_actor(), body)
    s.commit()
    return edit.estate_record(s, e)


@bp.route("/estates/<id:estate_id>", methods=["GET"])
@bp.doc(operationId="getEstate", summary=N_("物业管理区域的台账记录"))
@bp.response(200, EstateRecordOut)
@errors(E401, E404)
def get_estate(estate_id):
    s = get_session()
    return edit.estate_record(s, edit.visible_estate(s, current_actor(), estate_id))


@bp.route("/estates/<id:estate_id>", methods=["PATCH"])
@bp.doc(operationId="patchEstate", summary=N_("修改物业管理区域的台账记录"), description=N_(
    "只记录实际改变的字段，按 fact_date（默认今日）记入台账历史。"))
@bp.arguments(EstateFields)
@bp.response(200, EstateRecordOut)
@errors(E400, E401, E403, E404, E415)
def patch_estate(body, estate_id):
    s = get_session()
    e = edit.update_estate(s, current_actor(), estate_id, body)
    s.commit()
    return edit.estate_record(s, e)


@bp.route("/estates/<id:estate_id>/history", methods=["GET"])
@bp.doc(operationId="estateHistory", summary=N_("物业管理区域的台账历史（截至某日）"))
@bp.arguments(HistoryQuery, location="query")
@bp.response(200, HistoryOut)
@errors(E400, E401, E404)
def estate_history(q, estate_id):
    s = get_session()
    e = edit.visible_estate(s, current_actor(), estate_id)
    day = q.get("as_of") or clock.today()
    return {"estate_id": e.id, "as_of": day, "estate": reg.as_of(s, "estate", e.id, day),
            "changes": [reg.change_dict(c) for c in reg.history(s, e.id, until=day)]}


# -- enterprises, committees, contracts ----------------------------------------------------------

@bp.route("/enterprises", methods=["GET"])
@bp.doc(operationId="listEnterprises", summary=N_("台账中的物业服务企业"))
@bp.response(200, EnterpriseList)
@errors(E401)
def list_enterprises():
    rows = edit.enterprises(get_session(), current_actor())
    return {"items": [{"id": r.org.id, "name": r.org.name,
                       "credit_code": r.profile.credit_code if r.profile else None,
                       "contact": r.profile.contact if r.profile else "",
                       "phone": r.profile.phone if r.profile else "", "estates": r.estates}
                      for r in rows]}


@bp.route("/enterprises", methods=["POST"])
@bp.doc(operationId="createEnterprise", summary=N_("登记物业服务企业"), description=N_(
    "统一社会信用代码按 GB 32100-2015 校验位核对，错误的代码以 400 拒绝并说明应为何值。"))
@bp.arguments(EnterpriseCreate)
@bp.response(201, EnterpriseOut)
@errors(E400, E401, E403, E415)
def create_enterprise(body):
    s = get_session()
    org = edit.create_enterprise(s, current_actor(), body)
    s.commit()
    from engine.register_models import EnterpriseProfile
    p = s.get(EnterpriseProfile, org.id)
    return {"id": org.id, "name": org.name, "credit_code": p.credit_code, "contact": p.contact,
            "phone": p.phone, "estates": []}


def committee_dict(c) -> dict:
    return {"id": c.id, "estate_id": c.estate_id, "organisation_id": c.organisation_id,
            "kind": c.kind, "status": c.status, "status_label": COMMITTEE_STATUSES[c.status],
            "elected_on": c.elected_on, "term_start": c.term_start, "term_end": c.term_end,
            "term_basis": c.term_basis, "filed_on": c.filed_on, "certificate": c.certificate,
            "members": [{"name": m.name, "position": m.position} for m in c.members]}


@bp.route("/committees", methods=["GET"])
@bp.doc(operationId="listCommittees", summary=N_("调用方可见的业主委员会、物业管理委员会（每届一条）"))
@bp.response(200, CommitteeList)
@errors(E401)
def list_committees():
    return {"items": [committee_dict(c) for c in edit.committees(get_session(), current_actor())]}


def contract_dict(c) -> dict:
    return {"id": c.id, "kind": c.kind, "estate_id": c.estate_id, "enterprise_id": c.enterprise_id,
            "contract_no": c.contract_no, "signed_on": c.signed_on, "term_start": c.term_start,
            "term_end": c.term_end, "fee": c.fee, "filing_status": c.filing_status,
            "filing_status_label": FILING_STATUSES[c.filing_status], "filed_on": c.filed_on,
            "receipt": c.receipt, "case_id": c.case_id}


@bp.route("/contracts", methods=["GET"])
@bp.doc(operationId="listContracts", summary=N_("调用方可见的物业服务合同"))
@bp.response(200, ContractList)
@errors(E401)
def list_contracts():
    return {"items": [contract_dict(c) for c in edit.contracts(get_session(), current_actor())]}


# -- import ------------------------------------------------------------------------------------

IMPORT_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": N_("调度表（XLSX 或 CSV），列见 docs/contract.md")},
            "dry_run": {"type": "string", "enum": ["true", "false"],
                        "description": N_("true（默认）只检查并列出将新建、修改的行；false 全部写入或全部不写")},
        }}}}}


@bp.route("/register/import", methods=["POST"])
@bp.doc(operationId="importRegister", summary=N_("导入调度表（台账）"), description=N_(
    "multipart：file，dry_run=true|false。答复 {created, changed, unchanged, errors:[{row, column, message}]}；"
    "有任何错误时不写入任何内容。同一文件重复导入不产生变更。"), requestBody=IMPORT_BODY)
@bp.response(200, ImportOut)
@errors(E400, E401, E403, E413, E415)
def import_register():
    up = request.files.get("file")
    if up is None:
        raise PayloadInvalid({"file": ["请选择要导入的调度表文件（XLSX 或 CSV）"]})
    # Absent means a dry run; present, it must say which (an empty value is refused).
    flag = request.form.get("dry_run", "true")
    if flag not in ("true", "false"):
        raise PayloadInvalid({"dry_run": ["应为 true 或 false"]})
    res = register_io.import_register(get_session(), current_actor(), up.read(), apply=flag == "false")
    return res.as_dict()

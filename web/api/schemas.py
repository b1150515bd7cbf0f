"""Marshmallow schemas of the API: what requests carry and what responses look like.

They are the OpenAPI description (flask-smorest generates /api/v1/openapi.json from
them) and they dump every response, so the description cannot drift from the data.
Date-times are ISO 8601 in Beijing time (+08:00); dates are ISO dates (YYYY-MM-DD).
"""
from __future__ import annotations

from datetime import timezone

import marshmallow as ma
from marshmallow import fields, validate

from engine.legaltime import TZ
from web.i18n import N_

MAX_ID = 2**31 - 1


class LocalDateTime(fields.DateTime):
    """An aware date-time, written in Asia/Shanghai (e.g. 2026-10-09T00:00:00+08:00)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value.astimezone(TZ), attr, obj, **kwargs)


class DecimalString(fields.Decimal):
    """Money and area: exact decimals written as strings ("86420.50"), never floats."""

    def __init__(self, **kw):
        super().__init__(as_string=True, **kw)


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "未知字段", "type": "应为 JSON 对象"}


# -- requests -------------------------------------------------------------------------

class TokenRequest(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80),
                             metadata={"description": N_("用户名")})
    password = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             metadata={"description": N_("密码")})
    name = fields.String(validate=validate.Length(max=100),
                         metadata={"description": N_("令牌用途说明（可选），如“12345 热线平台”")})


class CaseCreate(Strict):
    procedure = fields.String(required=True, validate=validate.Length(min=1, max=40),
                              metadata={"description": N_("程序名，如 contract_filing")})
    estate_id = fields.Integer(required=True, strict=True,
                               validate=validate.Range(min=1, max=MAX_ID),
                               metadata={"description": N_("物业管理区域 id")})
    data = fields.Dict(load_default=dict,
                       metadata={"description": N_("立案内容：字段见 GET /api/v1/procedures 的 opening.fields")})
    external_no = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": N_(
        "外部平台的编号（如 12345 热线工单编号），可选：同一程序以同一编号再次提交时返回第一次立的案件（200），不再立案")})


class ActionRequest(ma.Schema):
    """`lock_version` plus the step's payload fields (see GET /api/v1/procedures)."""

    class Meta:
        unknown = ma.INCLUDE

    lock_version = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(min=0, max=MAX_ID),
                                  metadata={"description": N_("调用方看到的案件版本号（GET 案件时返回）")})


class Paging(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000),
                          metadata={"description": N_("页码，从 1 开始")})
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100),
                              metadata={"description": N_("每页条数（1-100）")})


class CaseQuery(Paging):
    procedure = fields.String(validate=validate.Length(max=40), metadata={"description": N_("程序名")})
    state = fields.String(validate=validate.Length(max=40), metadata={"description": N_("状态名")})
    estate_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    overdue = fields.Boolean(metadata={"description": N_("true：只列有逾期期限的案件")})


DEADLINE_STATUSES = ("open", "met", "missed", "cancelled", "overdue", "due_soon", "late")


class DeadlineQuery(Paging):
    status = fields.String(validate=validate.OneOf(DEADLINE_STATUSES),
                           metadata={"description": N_("open 进行中 / met 已履行 / missed 已逾期 / "
                                                    "cancelled 已取消 / overdue 已过期限尚未履行 / "
                                                    "due_soon 即将到期（各程序的预警期内）/ late 逾期后履行")})
    procedure = fields.String(validate=validate.Length(max=40))
    case_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class EventQuery(Paging):
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500),
                              metadata={"description": N_("每页条数（1-500）")})


class AlertQuery(Paging):
    unread = fields.Boolean(metadata={"description": N_("true：只列未读提醒")})


class AttachmentUpload(ma.Schema):
    item = fields.String(validate=validate.Length(max=60),
                         metadata={"description": N_("材料清单条目（可选）")})
    note = fields.String(validate=validate.Length(max=500), metadata={"description": N_("说明（可选）")})


# -- responses ------------------------------------------------------------------------

class Page(ma.Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": N_("符合条件的总条数")})
    pages = fields.Integer(required=True)


class TokenOut(ma.Schema):
    token = fields.String(required=True, metadata={"description": N_("访问令牌，仅此一次显示")})
    token_type = fields.String(required=True)
    expires_at = LocalDateTime(required=True)


class WhoAmI(ma.Schema):
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    role_label = fields.String(required=True)
    organisation_id = fields.Integer(allow_none=True)
    organisation_name = fields.String(required=True)
    token_name = fields.String(required=True)
    expires_at = LocalDateTime(required=True)


class Choice(ma.Schema):
    value = fields.String(required=True)
    label = fields.String(required=True)


class FieldSpec(ma.Schema):
    name = fields.String(required=True)
    type = fields.String(required=True, metadata={
        "description": "string / text / date / datetime / decimal / integer / boolean / "
                       "choice / list / object"})
    required = fields.Boolean(required=True)
    label = fields.String(required=True)
    choices = fields.List(fields.Nested(Choice), allow_none=True)
    multiline = fields.Boolean(required=True)
    max_length = fields.Integer(allow_none=True)
    minimum = fields.Raw(allow_none=True, metadata={"description": N_("最小值（数字或文字形式的金额）")})


class StateOut(ma.Schema):
    name = fields.String(required=True)
    label = fields.String(required=True)
    label_en = fields.String(required=True)
    final = fields.Boolean(required=True)


class OpeningOut(ma.Schema):
    label = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    payload_fields = fields.List(fields.Nested(FieldSpec), required=True, data_key="fields")
    starts = fields.List(fields.String(), required=True)
    issues = fields.List(fields.String(), required=True)
    guards = fields.List(fields.String(), required=True)


class TransitionOut(ma.Schema):
    trigger = fields.String(required=True)
    label = fields.String(required=True)
    label_en = fields.String(required=True)
    sources = fields.List(fields.String(), required=True)
    dest = fields.String(allow_none=True, required=True)
    roles = fields.List(fields.String(), required=True)
    payload_fields = fields.List(fields.Nested(FieldSpec), required=True, data_key="fields")
    guards = fields.List(fields.String(), required=True,
                         metadata={"description": N_("该步骤的法定条件（文字）")})
    starts = fields.List(fields.String(), required=True)
    meets = fields.List(fields.String(), required=True)
    cancels = fields.List(fields.String(), required=True)
    issues = fields.List(fields.String(), required=True, metadata={"description": N_("出具的文书种类")})


class PeriodOut(ma.Schema):
    rulepack = fields.String(required=True)
    amount = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True)
    citation = fields.String(allow_none=True)


class DeadlineSpecOut(ma.Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    party = fields.String(required=True)
    anchor = fields.String(required=True)
    direction = fields.String(required=True)
    consequence = fields.String(required=True)
    escalate_to = fields.List(fields.String(), required=True)
    rules = fields.List(fields.Nested(PeriodOut), required=True)


class RoleOut(ma.Schema):
    name = fields.String(required=True)
    label = fields.String(required=True)


class ProcedureOut(ma.Schema):
    name = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True)
    title_en = fields.String(required=True)
    basis = fields.String(required=True)
    summary = fields.String(required=True)
    initial = fields.String(required=True)
    states = fields.List(fields.Nested(StateOut), required=True)
    roles = fields.List(fields.Nested(RoleOut), required=True)
    opening = fields.Nested(OpeningOut, required=True)
    transitions = fields.List(fields.Nested(TransitionOut), required=True)
    deadlines = fields.List(fields.Nested(DeadlineSpecOut), required=True)


class ProcedureList(ma.Schema):
    items = fields.List(fields.Nested(ProcedureOut), required=True)


class EstateOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    province = fields.String(required=True)
    address = fields.String(required=True)
    rulepack = fields.String(required=True)
    street_office_id = fields.Integer(required=True)
    community_id = fields.Integer(allow_none=True)
    committee_id = fields.Integer(allow_none=True)
    enterprise_id = fields.Integer(allow_none=True)
    developer_id = fields.Integer(allow_none=True)
    total_area = DecimalString(allow_none=True)
    total_owners = fields.Integer(allow_none=True)


class EstateList(Page):
    items = fields.List(fields.Nested(EstateOut), required=True)


class DeadlineOut(ma.Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    key = fields.String(required=True)
    label = fields.String(required=True)
    party = fields.String(required=True)
    party_label = fields.String(required=True)
    anchor_date = fields.Date(required=True)
    due_date = fields.Date(required=True)
    ends_at = LocalDateTime(required=True)
    status = fields.String(required=True, metadata={"description": "open / met / missed / cancelled"})
    status_label = fields.String(required=True)
    overdue = fields.Boolean(required=True, metadata={"description": N_("已过期限而尚未履行")})
    late = fields.Boolean(required=True, metadata={"description": N_("逾期后才履行")})
    basis = fields.String(required=True, metadata={"description": N_("期限如何计算")})
    citation = fields.String(required=True, metadata={"description": N_("依据的条文")})
    rulepack = fields.String(required=True)
    provisional = fields.Boolean(required=True, metadata={"description": N_("相关年份的节假日安排尚未公布")})


class ActionOut(ma.Schema):
    trigger = fields.String(required=True)
    label = fields.String(required=True)
    allowed = fields.Boolean(required=True)
    reason = fields.String(required=True, metadata={"description": N_("不能办理的理由（可办理时为空）")})
    roles = fields.List(fields.String(), required=True)
    dest = fields.String(allow_none=True, required=True)


class CaseSummary(ma.Schema):
    id = fields.Integer(required=True)
    procedure = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"description": N_("程序名称")})
    estate_id = fields.Integer(required=True)
    estate_name = fields.String(required=True)
    state = fields.String(required=True)
    state_label = fields.String(required=True)
    final = fields.Boolean(required=True)
    lock_version = fields.Integer(required=True)
    enterprise_id = fields.Integer(allow_none=True)
    parent_case_id = fields.Integer(allow_none=True)
    created_at = LocalDateTime(required=True)
    updated_at = LocalDateTime(required=True)


class CaseOut(CaseSummary):
    data = fields.Dict(required=True)
    deadlines = fields.List(fields.Nested(DeadlineOut), required=True)
    actions = fields.List(fields.Nested(ActionOut), required=True)


class CaseList(Page):
    items = fields.List(fields.Nested(CaseSummary), required=True)


class WorkAction(ma.Schema):
    trigger = fields.String(required=True)
    label = fields.String(required=True)


class WorkItem(CaseSummary):
    overdue = fields.Boolean(required=True, metadata={"description": N_("案件有逾期未履行的期限")})
    next_due = fields.Date(allow_none=True, required=True,
                           metadata={"description": N_("最近一个未履行期限的届满日")})
    actions = fields.List(fields.Nested(WorkAction), required=True,
                          metadata={"description": N_("调用方现在可以办理的步骤")})


class DeadlineCounts(ma.Schema):
    overdue = fields.Integer(required=True, metadata={"description": N_("可见的逾期未履行期限数")})
    due_soon = fields.Integer(required=True, metadata={"description": N_("可见的即将到期期限数")})
    late = fields.Integer(required=True, metadata={"description": N_("逾期后履行的期限数")})


class Worklist(Page):
    items = fields.List(fields.Nested(WorkItem), required=True)
    counts = fields.Nested(DeadlineCounts, required=True)


class AttachmentOut(ma.Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    event_id = fields.Integer(allow_none=True)
    item = fields.String(allow_none=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    created_at = LocalDateTime(required=True)
    case_lock_version = fields.Integer(metadata={"description": N_("上传后案件的版本号")})


class EventOut(ma.Schema):
    seq = fields.Integer(required=True)
    trigger = fields.String(required=True)
    label = fields.String(required=True)
    from_state = fields.String(allow_none=True, required=True)
    to_state = fields.String(required=True)
    actor_name = fields.String(required=True)
    organisation_name = fields.String(required=True)
    role = fields.String(required=True)
    role_label = fields.String(required=True)
    payload = fields.Dict(required=True)
    created_at = LocalDateTime(required=True, metadata={"description": N_("登记时间")})
    fact_date = fields.Date(required=True, metadata={"description": N_("事实发生之日（补录的过去事实早于登记日）")})
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)
    attachments = fields.List(fields.Nested(AttachmentOut), required=True)


class EventList(Page):
    items = fields.List(fields.Nested(EventOut), required=True)


class DocumentOut(ma.Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    event_id = fields.Integer(allow_none=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    serial = fields.String(allow_none=True)
    issued_at = LocalDateTime(allow_none=True)
    sha256 = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    code = fields.String(allow_none=True, metadata={"description": N_("核验码")})
    status = fields.String(allow_none=True)
    superseded_by_id = fields.Integer(allow_none=True)
    pdf_url = fields.String(required=True, metadata={"description": N_("下载 PDF 的地址")})
    verify_url = fields.String(allow_none=True, metadata={"description": N_("公开核验页面")})


class DocumentList(ma.Schema):
    items = fields.List(fields.Nested(DocumentOut), required=True)


class AlertOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "due_soon / overdue / escalated / supervision"})
    kind_label = fields.String(required=True)
    level = fields.Integer(required=True, metadata={"description": N_("0 义务方，1.. 逐级上级")})
    title = fields.String(required=True)
    body = fields.String(required=True)
    case_id = fields.Integer(required=True)
    deadline_id = fields.Integer(required=True)
    due_date = fields.Date(allow_none=True)
    created_at = LocalDateTime(required=True)
    read = fields.Boolean(required=True, metadata={"description": N_("本单位已签收")})
    acknowledged_at = LocalDateTime(allow_none=True)


class AlertList(Page):
    items = fields.List(fields.Nested(AlertOut), required=True)
    unread = fields.Integer(required=True)


class DeadlineItem(DeadlineOut):
    procedure = fields.String(required=True)
    estate_id = fields.Integer(required=True)
    estate_name = fields.String(required=True)


class DeadlineList(Page):
    items = fields.List(fields.Nested(DeadlineItem), required=True)

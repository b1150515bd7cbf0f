"""Payload schemas: marshmallow with Chinese error messages and labelled fields.

Procedures declare each step's payload as a `PayloadSchema`; pages build their forms
from it (field label from `metadata["label"]`) and the API documents it.
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate  # noqa: F401

_MESSAGES = {
    fields.Field: {"required": "此项为必填项", "null": "此项不能为空",
                   "validator_failed": "内容不符合要求"},
    fields.String: {"invalid": "应为文字"},
    fields.Integer: {"invalid": "应为整数", "too_large": "数值过大"},
    fields.Decimal: {"invalid": "应为数字", "special": "应为有限的数字"},
    fields.Number: {"invalid": "应为数字", "too_large": "数值过大"},
    fields.Boolean: {"invalid": "应为是或否"},
    fields.Date: {"invalid": "日期格式不正确，应为 年-月-日（如 2026-10-08）",
                  "format": "日期格式不正确"},
    fields.DateTime: {"invalid": "时间格式不正确"},
    fields.List: {"invalid": "应为列表"},
    fields.Dict: {"invalid": "应为对象"},
    fields.Email: {"invalid": "电子邮件地址不正确"},
    fields.Nested: {"type": "格式不正确"},
}
for _cls, _msgs in _MESSAGES.items():
    _cls.default_error_messages = {**getattr(_cls, "default_error_messages", {}), **_msgs}

validate.OneOf.default_message = "应为以下之一：{labels}"
validate.Length.message_min = "至少 {min} 个字符"
validate.Length.message_max = "不能超过 {max} 个字符"
validate.Length.message_all = "长度应在 {min} 到 {max} 之间"
validate.Range.message_min = "应{min_op} {{min}}"
validate.Range.message_max = "应{max_op} {{max}}"
validate.Range.message_all = "应{min_op} {{min}} 且{max_op} {{max}}"
validate.Range.message_gte = "大于或等于"
validate.Range.message_gt = "大于"
validate.Range.message_lte = "小于或等于"
validate.Range.message_lt = "小于"


class PayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "未知字段", "type": "提交内容格式不正确"}


def Text(label: str, *, required: bool = True, max_length: int = 2000, multiline=False, **kw):
    """A labelled text field; blank counts as missing when required."""
    validators = [validate.Length(max=max_length)]
    if required:
        validators.insert(0, validate.Length(min=1, error="此项不能为空"))
    return fields.String(required=required, validate=validators,
                         metadata={"label": label, "multiline": multiline, **kw.pop("metadata", {})},
                         **kw)


def Date(label: str, *, required: bool = True, **kw):
    return fields.Date(required=required, metadata={"label": label, **kw.pop("metadata", {})}, **kw)


def Money(label: str, *, required: bool = True, places: int = 2, **kw):
    return fields.Decimal(required=required, as_string=True, places=places,
                          validate=validate.Range(min=0),
                          metadata={"label": label, **kw.pop("metadata", {})}, **kw)


def Choice(label: str, choices: dict[str, str], *, required: bool = True, **kw):
    return fields.String(required=required,
                         validate=validate.OneOf(list(choices), labels=list(choices.values())),
                         metadata={"label": label, "choices": choices, **kw.pop("metadata", {})},
                         **kw)


def Count(label: str, *, required: bool = True, minimum: int = 0, **kw):
    return fields.Integer(required=required, strict=False, validate=validate.Range(min=minimum),
                          metadata={"label": label, **kw.pop("metadata", {})}, **kw)

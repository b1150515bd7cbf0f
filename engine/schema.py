"""Payload schemas: marshmallow with Chinese error messages and labelled fields.

Procedures declare each step's payload as a `PayloadSchema`; pages build their forms
from it (field label from `metadata["label"]`) and the API documents it.
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate  # noqa: F401

from engine.bilingual import Bi, english

_MESSAGES = {
    fields.Field: {"required": Bi("此项为必填项", "Required"),
                   "null": Bi("此项不能为空", "Must not be empty"),
                   "validator_failed": Bi("内容不符合要求", "Invalid value")},
    fields.String: {"invalid": Bi("应为文字", "Must be text")},
    fields.Integer: {"invalid": Bi("应为整数", "Must be a whole number"),
                     "too_large": Bi("数值过大", "Number too large")},
    fields.Decimal: {"invalid": Bi("应为数字", "Must be a number"),
                     "special": Bi("应为有限的数字", "Must be a finite number")},
    fields.Number: {"invalid": Bi("应为数字", "Must be a number"),
                    "too_large": Bi("数值过大", "Number too large")},
    fields.Boolean: {"invalid": Bi("应为是或否", "Must be yes or no")},
    fields.Date: {"invalid": Bi("日期格式不正确，应为 年-月-日（如 2026-10-08）",
                                "Invalid date; write year-month-day (e.g. 2026-10-08)"),
                  "format": Bi("日期格式不正确", "Invalid date")},
    fields.DateTime: {"invalid": Bi("时间格式不正确", "Invalid time")},
    fields.List: {"invalid": Bi("应为列表", "Must be a list")},
    fields.Dict: {"invalid": Bi("应为对象", "Must be an object")},
    fields.Email: {"invalid": Bi("电子邮件地址不正确", "Invalid e-mail address")},
    fields.Nested: {"type": Bi("格式不正确", "Invalid format")},
}
for _cls, _msgs in _MESSAGES.items():
    _cls.default_error_messages = {**getattr(_cls, "default_error_messages", {}), **_msgs}

# Bi.format fills both sides, so the validators' messages keep their English.
validate.OneOf.default_message = Bi("应为以下之一：{labels}", "Must be one of: {labels}")
validate.Length.message_min = Bi("至少 {min} 个字符", "At least {min} characters")
validate.Length.message_max = Bi("不能超过 {max} 个字符", "At most {max} characters")
validate.Length.message_all = Bi("长度应在 {min} 到 {max} 之间",
                                 "Between {min} and {max} characters")
validate.Range.message_min = Bi("应{min_op} {{min}}", "Must be {min_op} {{min}}")
validate.Range.message_max = Bi("应{max_op} {{max}}", "Must be {max_op} {{max}}")
validate.Range.message_all = Bi("应{min_op} {{min}} 且{max_op} {{max}}",
                                "Must be {min_op} {{min}} and {max_op} {{max}}")
validate.Range.message_gte = Bi("大于或等于", "greater than or equal to")
validate.Range.message_gt = Bi("大于", "greater than")
validate.Range.message_lte = Bi("小于或等于", "less than or equal to")
validate.Range.message_lt = Bi("小于", "less than")


class PayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": Bi("未知字段", "Unknown field"),
                      "type": Bi("提交内容格式不正确", "Invalid submission")}


_NOT_EMPTY = Bi("此项不能为空", "Must not be empty")


def _meta(label: str, label_en: str, kw: dict) -> dict:
    """Field metadata: the Chinese label, its English, and whatever the caller adds."""
    return {"label": label, "label_en": label_en, **kw.pop("metadata", {})}


def Text(label: str, *, required: bool = True, max_length: int = 2000, multiline=False,
         label_en: str = "", **kw):
    """A labelled text field; blank counts as missing when required."""
    validators = [validate.Length(max=max_length)]
    if required:
        validators.insert(0, validate.Length(min=1, error=_NOT_EMPTY))
    return fields.String(required=required, validate=validators,
                         metadata={**_meta(label, label_en, kw), "multiline": multiline}, **kw)


def Date(label: str, *, required: bool = True, label_en: str = "", **kw):
    return fields.Date(required=required, metadata=_meta(label, label_en, kw), **kw)


def Money(label: str, *, required: bool = True, places: int = 2, label_en: str = "", **kw):
    return fields.Decimal(required=required, as_string=True, places=places,
                          validate=validate.Range(min=0), metadata=_meta(label, label_en, kw), **kw)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def Choice(label: str, choices: dict[str, str], *, required: bool = True, label_en: str = "",
           **kw):
    """One of `choices` (key → label; a `Bi` label carries its English)."""
    labels = list(choices.values())
    wrong = Bi("应为以下之一：" + _escape("、".join(labels)),
               "Must be one of: " + _escape(", ".join(str(english(v)) for v in labels)))
    return fields.String(required=required,
                         validate=validate.OneOf(list(choices), labels=labels, error=wrong),
                         metadata={**_meta(label, label_en, kw), "choices": choices}, **kw)


def Count(label: str, *, required: bool = True, minimum: int = 0, label_en: str = "", **kw):
    return fields.Integer(required=required, strict=False, validate=validate.Range(min=minimum),
                          metadata=_meta(label, label_en, kw), **kw)

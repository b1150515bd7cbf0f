"""Payload schemas: marshmallow with Chinese error messages and labelled fields.

Procedures declare each step's payload as a `PayloadSchema`; pages build their forms
from it (field label from `metadata["label"]`) and the API documents it.

What is printed must be what is stored, so `PayloadSchema` itself (one place, every
procedure's every field) refuses:
- text holding invisible or direction-changing characters (Unicode format characters
  such as U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, U+FEFF, and control
  characters other than line breaks and tabs): a stamped receipt would show
  `XY-\u202e4102-YZ` as `XY-ZY-2014`, and the office's own sentence after it reversed;
- a number with more decimal places than its field declares (0.005 元 is refused, not
  stored as 0.00);
- a date outside its field's plausible range (`Date(earliest=…, years_ahead=…)`; by
  default 1990-01-01 to twenty years after the day of the step).
"""
from __future__ import annotations

import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator, Optional

from marshmallow import (RAISE, Schema, ValidationError, fields, pre_load,  # noqa: F401
                         validate, validates_schema)

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


# Plausible dates: nothing this system records happened before the first property
# management rules (1990s), and nothing is planned decades ahead.
EARLIEST = date(1990, 1, 1)
YEARS_AHEAD = 20

# Line breaks and tabs are how multi-line text is typed; every other control character,
# every format character (Cf: bidi controls, zero-width characters, BOM) and the Unicode
# line/paragraph separators change what is shown without being seen.
_ALLOWED_CONTROLS = frozenset("\n\r\t")

_today: ContextVar[Optional[date]] = ContextVar("payload_today", default=None)


@contextmanager
def today_is(day: date) -> Iterator[None]:
    """Payloads loaded inside are checked against `day` (the day of the step)."""
    token = _today.set(day)
    try:
        yield
    finally:
        _today.reset(token)


def _current_day() -> date:
    day = _today.get()
    if day is None:
        from engine import clock
        day = clock.today()
    return day


def hidden_characters(text: Any) -> str:
    """The refusal for a text holding invisible or direction-changing characters
    (empty when it holds none). Looks into lists and objects too."""
    if isinstance(text, str):
        bad = sorted({ch for ch in text if ch not in _ALLOWED_CONTROLS and (
            unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"))})
        if not bad:
            return ""
        codes = "、".join(f"U+{ord(ch):04X}" for ch in bad[:5])
        return (f"含有看不见的控制字符（{codes}），打印出来的文字会与填写的不同"
                "（例如顺序被颠倒），请删除后重新输入")
    if isinstance(text, dict):
        text = list(text.keys()) + list(text.values())
    if isinstance(text, (list, tuple)):
        for v in text:
            why = hidden_characters(v)
            if why:
                return why
    return ""


def _excess_places(field: fields.Decimal, raw: Any) -> str:
    if field.places is None or raw is None or raw == "" or isinstance(raw, bool):
        return ""
    try:
        num = Decimal(str(raw).strip())
        excess = num.is_finite() and num != num.quantize(field.places)
    except (InvalidOperation, ValueError):
        return ""                # not a number it can hold: the field says so
    if excess:
        n = -field.places.as_tuple().exponent
        return f"最多保留 {n} 位小数（填写的是 {raw}），请核对后重新填写，系统不会自动舍入"
    return ""


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:           # 29 February
        return day.replace(year=day.year + years, day=28)


def date_range(field: fields.Date) -> tuple[date, date]:
    """(earliest, latest) a date field accepts today."""
    md = field.metadata or {}
    return (md.get("earliest", EARLIEST),
            _years_after(_current_day(), md.get("years_ahead", YEARS_AHEAD)))


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class PayloadSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "未知字段", "type": "提交内容格式不正确"}

    @pre_load
    def _refuse_what_would_print_differently(self, data, **_):
        if not isinstance(data, dict):
            return data
        errors = {}
        for name, raw in data.items():
            why = hidden_characters(raw) or hidden_characters(name)
            field = self.fields.get(name) if isinstance(name, str) else None
            if not why and isinstance(field, fields.Decimal):
                why = _excess_places(field, raw)
            if why:
                errors[name] = [why]
        if errors:
            raise ValidationError(errors)
        return data

    @validates_schema
    def _plausible_dates(self, data, **_):
        errors = {}
        for name, field in self.fields.items():
            value = data.get(field.attribute or name)
            if isinstance(field, fields.Date) and isinstance(value, date):
                earliest, latest = date_range(field)
                if not earliest <= value <= latest:
                    errors[field.data_key or name] = [
                        f"日期不合理：应在{_cn(earliest)}至{_cn(latest)}之间，请核对"]
        if errors:
            raise ValidationError(errors)


def Text(label: str, *, required: bool = True, max_length: int = 2000, multiline=False, **kw):
    """A labelled text field; blank counts as missing when required."""
    validators = [validate.Length(max=max_length)]
    if required:
        validators.insert(0, validate.Length(min=1, error="此项不能为空"))
    return fields.String(required=required, validate=validators,
                         metadata={"label": label, "multiline": multiline, **kw.pop("metadata", {})},
                         **kw)


def Date(label: str, *, required: bool = True, earliest: date = EARLIEST,
         years_ahead: int = YEARS_AHEAD, **kw):
    """A labelled date, refused outside [earliest, the step's day + years_ahead]."""
    return fields.Date(required=required,
                       metadata={"label": label, "earliest": earliest,
                                 "years_ahead": years_ahead, **kw.pop("metadata", {})}, **kw)


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

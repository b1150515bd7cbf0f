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
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in bad[:5])
        return Bi(f"含有看不见的控制字符（{codes}），打印出来的文字会与填写的不同"
                  "（例如顺序被颠倒），请删除后重新输入",
                  f"Contains invisible control characters ({codes}) that would make the "
                  "printed text differ from what was typed (e.g. reversed); remove them "
                  "and type it again")
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
        return Bi(f"最多保留 {n} 位小数（填写的是 {raw}），请核对后重新填写，系统不会自动舍入",
                  f"At most {n} decimal places (you wrote {raw}); check and correct it, "
                  "nothing is rounded for you")
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

    error_messages = {"unknown": Bi("未知字段", "Unknown field"),
                      "type": Bi("提交内容格式不正确", "Invalid submission")}

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
                    errors[field.data_key or name] = [Bi(
                        f"日期不合理：应在{_cn(earliest)}至{_cn(latest)}之间，请核对",
                        f"Implausible date: it must lie between {earliest.isoformat()} "
                        f"and {latest.isoformat()}; please check it")]
        if errors:
            raise ValidationError(errors)


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


def Date(label: str, *, required: bool = True, label_en: str = "", earliest: date = EARLIEST,
         years_ahead: int = YEARS_AHEAD, **kw):
    """A labelled date, refused outside [earliest, the step's day + years_ahead]."""
    return fields.Date(required=required,
                       metadata={**_meta(label, label_en, kw), "earliest": earliest,
                                 "years_ahead": years_ahead}, **kw)


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

"""统一社会信用代码 (unified social credit code), GB 32100-2015.

Eighteen characters: the registering authority (1), the organisation kind (1), the
administrative division (6 digits), the organisation code (9), and a check character
computed over the first seventeen with the weights 3^i mod 31 over the alphabet below
(the letters I, O, Z, S and V are never used): check = (31 − Σ value·weight mod 31) mod 31.
"""
from __future__ import annotations

from typing import Optional

from engine.bilingual import Bi

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    """The check character of the code's first seventeen characters."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    """Upper case, no spaces (people paste codes with them)."""
    return "".join((code or "").split()).upper()


def problem(code: str) -> Optional[Bi]:
    """None when `code` is a well-formed code with the right check character, else why not
    (in words a registrar can act on)."""
    code = normalise(code)
    if not code:
        return Bi("未填写统一社会信用代码", "no unified social credit code given")
    if len(code) != LENGTH:
        return Bi(f"统一社会信用代码应为 18 位，「{code}」为 {len(code)} 位",
                  f"a unified social credit code has 18 characters; “{code}” has {len(code)}")
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        return Bi(f"统一社会信用代码「{code}」含有不允许的字符 {'、'.join(bad)}"
                  "（不使用字母 I、O、Z、S、V）",
                  f"the code “{code}” contains characters that are not allowed: "
                  f"{', '.join(bad)} (the letters I, O, Z, S and V are never used)")
    if not code[2:8].isdigit():
        return Bi(f"统一社会信用代码「{code}」第 3 至 8 位应为行政区划代码（数字）",
                  f"characters 3 to 8 of “{code}” must be the division code (digits)")
    want = check_character(code[:17])
    if code[17] != want:
        return Bi(f"统一社会信用代码「{code}」校验位错误：按 GB 32100-2015 第 18 位应为 {want}，"
                  f"实为 {code[17]}，请核对营业执照",
                  f"the check character of “{code}” is wrong: under GB 32100-2015 the 18th "
                  f"character should be {want}, not {code[17]}; check the business licence")
    return None


def valid(code: str) -> bool:
    return problem(code) is None

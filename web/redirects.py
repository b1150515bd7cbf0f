"""Where a `next` parameter may send the browser: back into this site only.

A target is accepted when it is a path on this site: it starts with one "/", holds no
backslash, no whitespace and no control character (browsers drop tabs and line breaks
from URLs, so "/\\t/evil.example" would become "//evil.example"; a line break would also
split the Location header), and names no scheme or host.
"""
from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit


def is_local(target: Optional[str]) -> bool:
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or
                             0x80 <= ord(ch) < 0xA0 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: Optional[str], fallback: str) -> str:
    return target if is_local(target) else fallback

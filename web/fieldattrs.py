"""What a form field lets the browser know of a payload schema's limits: the most
characters a text takes (a counter beside it), the step and minimum of a number, the
size a file may have. The browser only helps; the engine's schema still decides."""
from __future__ import annotations

from flask import Flask
from marshmallow import fields as mfields, validate

from engine import uploads


def field_limits(f) -> dict:
    out: dict = {"maxlength": None, "min": None, "step": "any"}
    for v in (f.validators or ()):
        if isinstance(v, validate.Length) and v.max is not None:
            out["maxlength"] = v.max
        if isinstance(v, validate.Range) and v.min is not None:
            out["min"] = v.min
    if isinstance(f, mfields.Integer):
        out["step"] = "1"
    elif isinstance(f, mfields.Decimal) and f.places is not None:
        out["step"] = str(f.places)             # marshmallow keeps places as a quantum, 0.01
    return out


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(field_limits=field_limits,
                                 upload_max_bytes=uploads.MAX_BYTES)

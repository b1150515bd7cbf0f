"""Handover materials (enterprise_exit): the checklist item by item, per-item upload,
status 未提交 / 已提交 / 已接收 / 退回 (with the reason), progress, and what still blocks
signing the handover record.

Data shape (kept by engine.materials): `case.data["materials"][item] = {status, reason, declaration,
attachments}`; item steps are the transitions `submit_item` (enterprise; payload item,
declaration; files tagged with the item), `accept_item` and `reject_item` (committee or
community; payload item, reason). The checklist and what blocks signing come from
`engine.materials.checklist` / `blocking`.
"""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from engine import materials
from engine.errors import EngineError, PayloadInvalid
from engine.models import Attachment
from engine.runtime import advance, available_actions
from web.auth import current_actor
from web.cases import (UploadRefused, defn_of, files_from_request, form_payload, form_values,
                       load_visible_case)
from web.db import get_session
from web.i18n import _, label_of, tr

bp = Blueprint("materials", __name__)

STEP = {"submit": "submit_item", "accept": "accept_item", "reject": "reject_item"}


def _render(case, errors_for=None, errors=None, values=None, status=200):
    s = get_session()
    defn = defn_of(case)
    items = materials.checklist(defn, case)
    blocking = materials.blocking(defn, case)
    acts = {a.trigger: a for a in available_actions(s, case, current_actor())}
    can = {k: (acts.get(t) is not None and acts[t].allowed) for k, t in STEP.items()}
    why = {k: (acts[t].reason if t in acts else "") for k, t in STEP.items()}
    atts = s.scalars(select(Attachment).where(Attachment.case_id == case.id,
                                              Attachment.item.is_not(None))
                     .order_by(Attachment.id)).all()
    files: dict[str, list] = {}
    for a in atts:
        files.setdefault(a.item, []).append(a)
    required = [i for i in items if i.required]
    accepted = [i for i in required if i.status == "accepted"]
    submitted = [i for i in items if i.status in ("submitted", "accepted")]
    schemas = {k: (defn.transition(t).schema if defn.transition(t) else None) for k, t in STEP.items()}
    # Item steps only run in the handover states; after signing the list is a record.
    phase_open = any(t.trigger in STEP.values() for t in defn.transitions_from(case.state))
    return render_template(
        "materials/show.html", case=case, defn=defn, items=items, blocking=blocking, can=can,
        why=why, files=files, required=required, accepted=accepted, submitted=submitted,
        errors_for=errors_for, errors=errors or {}, values=values or {}, schemas=schemas,
        phase_open=phase_open,
        percent=(100 * len(accepted) // len(required)) if required else 100), status


@bp.route("/cases/<int:case_id>/materials")
@login_required
def show(case_id: int):
    case = load_visible_case(case_id)
    if not defn_of(case).materials:
        abort(404)
    return _render(case)


@bp.post("/cases/<int:case_id>/materials/<item>/<step>")
@login_required
def act(case_id: int, item: str, step: str):
    case = load_visible_case(case_id)
    defn = defn_of(case)
    if step not in STEP or item not in {m.key for m in defn.materials}:
        abort(404)
    trigger = STEP[step]
    t = defn.transition(trigger)
    if t is None:
        abort(404)
    payload = form_payload(t.schema, request.form)
    payload["item"] = item
    values = form_values(t.schema, payload)
    try:
        files = files_from_request(item=item) if step == "submit" else []
        advance(get_session(), case.id, trigger, current_actor(), payload,
                lock_version=request.form.get("lock_version", type=int), files=files)
    except UploadRefused as exc:
        flash(exc.message, "error")
        return _render(load_visible_case(case_id), f"{item}:{step}", {}, values, exc.status)
    except PayloadInvalid as exc:
        flash(tr(exc.message), "error")
        return _render(load_visible_case(case_id), f"{item}:{step}", exc.errors, values, 400)
    except EngineError as exc:
        flash(tr(exc.message), "error")
        return _render(load_visible_case(case_id), status=exc.status)
    label = next(label_of(m) for m in defn.materials if m.key == item)
    done = {"submit": _("已提交：%(item)s", item=label), "accept": _("已接收：%(item)s", item=label),
            "reject": _("已退回：%(item)s", item=label)}[step]
    flash(done, "ok")
    return redirect(url_for("materials.show", case_id=case_id) + f"#item-{item}")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

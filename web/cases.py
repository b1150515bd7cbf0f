"""Cases: the list a user may see (filters, search, pages), opening a case, a case's page,
taking an action from a form generated from its payload schema, and its files.

Visibility is enforced in the queries (`engine.access.visible_cases`): a case outside the
user's jurisdiction answers 404 exactly like a case that does not exist. Every change goes
through `engine.runtime.advance` / `open_case`; the engine's typed refusals are shown in
the user's words beside the form (field errors), or as a message on the case page.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from flask import (Blueprint, Flask, Response, abort, current_app, flash, redirect,
                   render_template, request, url_for)
from flask_login import login_required
from markupsafe import Markup
from marshmallow import fields as mfields
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from engine import assignment, clock, documents, links, materials, queries, registry, uploads
from engine.diagram import svg as diagram_svg
from engine.access import may_see_case, visible_cases, visible_estates
from engine.deadlines import MISSED, OPEN, STATUS_LABELS, pack_label
from engine.errors import EngineError, PayloadInvalid
from engine.files import FileIn, clean_name
from engine.models import Attachment, Case, Estate, Event
from engine.runtime import NOTES as NOTE_LABELS, advance, available_actions, open_case
from web.auth import current_actor
from web.db import get_session
from web.i18n import (_, action_label, datum, deadline_consequence, deadline_label,
                      document_title, field_label, label_of, lang, proc_title, role_label,
                      show_date, state_label, tr)

log = logging.getLogger(__name__)
bp = Blueprint("cases", __name__)

PER_PAGE = 20
ITEM_TRIGGERS = materials.ITEM_TRIGGERS
# -- payloads from forms ----------------------------------------------------------------

def _field_kind(f) -> str:
    if isinstance(f, mfields.Boolean):
        return "bool"
    if isinstance(f, mfields.List):
        return "list"
    if isinstance(f, (mfields.Date,)) and not isinstance(f, mfields.DateTime):
        return "date"
    if isinstance(f, (mfields.Decimal, mfields.Float)):
        return "decimal"
    if isinstance(f, mfields.Integer):
        return "int"
    return "text"


def form_payload(schema_cls, form) -> dict:
    """Only the schema's fields; blanks left out so 'required' speaks for them."""
    if schema_cls is None:
        return {}
    out: dict[str, Any] = {}
    for name, f in schema_cls().fields.items():
        if f.dump_only:
            continue
        key = f.data_key or name
        kind = _field_kind(f)
        if kind == "bool":
            # An unticked box sends nothing: it means "no" when the schema needs an answer.
            if key in form:
                out[key] = form.get(key) in ("1", "true", "on", "yes")
            elif f.required:
                out[key] = False
            continue
        if kind == "list":
            lines = [ln.strip() for ln in form.get(key, "").splitlines() if ln.strip()]
            if lines:
                out[key] = lines
            continue
        v = form.get(key, "").strip()
        if v != "":
            out[key] = v
    return out


def with_fact_date(payload: dict, form) -> dict:
    """The step's fact date (the day its act happened) as the form sent it."""
    v = (form.get("fact_date") or "").strip()
    return {**payload, "fact_date": v} if v else payload


def form_values(schema_cls, payload: dict) -> dict:
    """What to put back into the form after a refusal (lists as lines)."""
    out = {}
    for k, v in (payload or {}).items():
        out[k] = "\n".join(map(str, v)) if isinstance(v, list) else v
    return out


class UploadRefused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def files_from_request(field: str = "files", item: Optional[str] = None) -> list[FileIn]:
    """The uploaded files of a form, each checked by the same rules as the API
    (engine.uploads.check: not empty, not too large, an accepted type by its content)."""
    out = []
    for fs in request.files.getlist(field):
        if not fs or not fs.filename:
            continue
        name = clean_name(fs.filename)
        f = FileIn(name, fs.mimetype or "application/octet-stream", fs.read(), item)
        try:
            ctype = uploads.check(f)
        except PayloadInvalid:
            raise UploadRefused(_("文件为空：%(name)s", name=name)) from None
        except EngineError as exc:
            raise UploadRefused(_("%(name)s：%(problem)s", name=name, problem=tr(exc.message)),
                                exc.status) from None
        out.append(FileIn(clean_name(name, ctype), ctype, f.data, item))
    return out


# -- queries ----------------------------------------------------------------------------

def _truthy(v: Optional[str]) -> bool:
    return (v or "").strip().lower() in ("1", "true", "yes", "on", "y")


@dataclass
class Filters:
    procedure: str = ""
    state: str = ""
    estate: Optional[int] = None
    overdue: bool = False
    q: str = ""
    mine: bool = False              # cases the user is 承办人 of

    @classmethod
    def from_args(cls, args) -> "Filters":
        est = args.get("estate", "")
        return cls(procedure=args.get("procedure", "").strip(),
                   state=args.get("state", "").strip(),
                   estate=int(est) if est.strip().isdigit() else None,
                   overdue=_truthy(args.get("overdue")),
                   q=args.get("q", "").strip()[:100], mine=_truthy(args.get("mine")))

    def args(self, **over) -> dict:
        d = {"procedure": self.procedure, "state": self.state, "estate": self.estate or "",
             "overdue": "1" if self.overdue else "", "q": self.q,
             "mine": "1" if self.mine else ""}
        d.update(over)
        return {k: v for k, v in d.items() if v not in ("", None)}


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered_cases(actor, f: Filters):
    q = visible_cases(actor)
    if f.procedure:
        q = q.where(Case.procedure == f.procedure)
    if f.state:
        q = q.where(Case.state == f.state)
    if f.estate:
        q = q.where(Case.estate_id == f.estate)
    if f.overdue:
        q = q.where(queries.overdue_case_condition())
    if f.mine and actor.user_id is not None:
        q = q.where(assignment.assigned_condition(actor.user_id))
    if f.q:
        import json
        terms = [f.q]
        escaped = json.dumps(f.q)[1:-1]       # how SQLite's JSON text stores non-ASCII
        if escaped != f.q:
            terms.append(escaped)
        conds = [Estate.name.ilike(f"%{_like_escape(f.q)}%", escape="\\")]
        for t in terms:
            conds.append(cast(Case.data, String).ilike(f"%{_like_escape(t)}%", escape="\\"))
        if f.q.isdigit():
            conds.append(Case.id == int(f.q))
        titles = [n for n, d in registry.all_current().items()
                  if f.q in d.title or f.q.lower() in d.title_en.lower()]
        if titles:
            conds.append(Case.procedure.in_(titles))
        q = q.where(or_(*conds))
    return q


def load_visible_case(case_id: int) -> Case:
    s = get_session()
    case = s.scalar(visible_cases(current_actor()).where(Case.id == case_id))
    if case is None:
        # Same answer whether it does not exist or is someone else's.
        abort(404)
    return case


def defn_of(case: Case):
    return registry.get(case.procedure, case.version)


# -- the list ---------------------------------------------------------------------------

@bp.route("/cases")
@login_required
def index():
    s = get_session()
    actor = current_actor()
    f = Filters.from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    q = filtered_cases(actor, f)
    total = s.scalar(select(func.count()).select_from(q.order_by(None).subquery()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(page, pages)
    rows = s.scalars(q.options(contains_eager(Case.estate), selectinload(Case.deadlines))
                     .order_by(Case.updated_at.desc(), Case.id.desc())
                     .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    defs = registry.all_current()
    states: list[tuple[str, str]] = []
    if f.procedure in defs:
        states = [(st.name, state_label(defs[f.procedure], st.name)) for st in defs[f.procedure].states]
    elif f.state:
        # A link naming a state but no procedure: offer that state alone, labelled by
        # the first procedure that has it; the full list waits for a procedure.
        d = next((d for d in defs.values() if any(st.name == f.state for st in d.states)), None)
        if d is not None:
            states = [(f.state, state_label(d, f.state))]
    estates = s.scalars(visible_estates(actor)).all()
    ref = clock.today()
    overdue_ids = queries.overdue_case_ids(s, [c.id for c in rows], ref)
    return render_template("cases/index.html", cases=rows, defs=defs, f=f, page=page,
                           pages=pages, total=total, states=states, estates=estates,
                           overdue_ids=overdue_ids, ref=ref, registry=registry)


@bp.route("/cases/selected.xlsx")
@login_required
def export_selected():
    """The cases ticked in the list as an Excel table (the form officials exchange)."""
    from io import BytesIO
    from openpyxl import Workbook
    s, actor = get_session(), current_actor()
    ids = list(dict.fromkeys(request.args.getlist("case", type=int)))
    if not ids or len(ids) > 500:
        abort(400)
    rows = s.scalars(visible_cases(actor).where(Case.id.in_(ids))
                     .options(contains_eager(Case.estate), selectinload(Case.deadlines))
                     .order_by(Case.id)).all()
    if len(rows) != len(ids):
        abort(404)
    wb = Workbook()
    ws = wb.active
    ws.title = _("案件")
    ws.append([_("编号"), _("程序"), _("物业管理区域"), _("状态"), _("期限"), _("届满日"),
               _("更新时间")])
    for c in rows:
        d = defn_of(c)
        running = [dl for dl in c.deadlines if dl.status in (OPEN, MISSED)] or [None]
        for dl in running:
            ws.append([c.id, proc_title(d), c.estate.name, state_label(d, c.state),
                       deadline_label(d, dl.key, dl.label) if dl else "",
                       dl.due_date if dl else None,
                       c.updated_at.astimezone(clock.TZ).replace(tzinfo=None)
                       if c.updated_at.tzinfo else c.updated_at])
    out = BytesIO()
    wb.save(out)
    from urllib.parse import quote
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument"
                    ".spreadsheetml.sheet", headers={"Content-Disposition":
                    f"attachment; filename*=UTF-8''{quote('所选案件.xlsx')}"})


# -- opening ----------------------------------------------------------------------------

@bp.route("/cases/new", methods=["GET", "POST"])
@login_required
def new():
    s = get_session()
    actor = current_actor()
    defs = {n: d for n, d in registry.all_current().items() if actor.role in d.opening.roles}
    estates = s.scalars(visible_estates(actor)).all()
    asked = request.values.get("procedure")
    if request.method == "POST" and asked not in defs:
        try:
            title = proc_title(registry.current(asked or ""))
        except EngineError:
            abort(404)
        abort(403, description=_("您的角色不能发起「%(title)s」", title=title))
    name = asked if asked in defs else next(iter(defs), None)
    errors, values, status, refusal, late = {}, {}, 200, "", []
    estate_id = request.values.get("estate_id", type=int)
    if request.method == "POST" and name:
        payload = with_fact_date(form_payload(defs[name].opening.schema, request.form), request.form)
        values = form_values(defs[name].opening.schema, payload)
        if not estate_id or estate_id not in {e.id for e in estates}:
            errors = {"estate_id": [_("请选择您有权办理的物业管理区域")]}
            refusal = _("提交的内容有误，请按提示修改")
            status = 400
        else:
            late = [] if request.form.get("confirm_late") else _born_late(
                defs[name], s.get(Estate, estate_id), payload)
            try:
                if late:
                    raise _AskFirst()
                files = files_from_request()
                case = open_case(s, name, estate_id, actor, payload, files=files)
            except _AskFirst:
                status = 200
            except UploadRefused as exc:
                refusal, status = exc.message, exc.status
            except PayloadInvalid as exc:
                errors = exc.errors
                refusal, status = tr(exc.message), 400
            except EngineError as exc:
                refusal, status = tr(exc.message), exc.status
            else:
                flash(_("已立案：%(title)s（案件 %(id)s）", title=proc_title(defs[name]), id=case.id), "ok")
                ref = clock.today()
                for d in case.deadlines:
                    if queries.is_overdue(d, ref):
                        flash(_("立案时已逾期：「%(label)s」于 %(date)s 届满，已逾期 %(n)s 天",
                                label=deadline_label(defs[name], d.key, d.label),
                                date=show_date(d.due_date), n=(ref - d.due_date).days), "warn")
                return redirect(url_for("cases.show", case_id=case.id))
    if refusal:
        flash(refusal, "error")
    return render_template("cases/new.html", defs=defs, name=name, estates=estates,
                           errors=errors, values=values, estate_id=estate_id,
                           refusal=refusal, late=late), status


class _AskFirst(Exception):
    """The case would be born overdue: ask the officer before opening it."""


def _born_late(defn, estate: Estate, payload: dict) -> list[dict]:
    """The deadlines the opening would start already past, in the page's words (none while
    the form has errors, which come first)."""
    from engine.deadlines import already_past
    from engine.rulepacks import pack_for_estate
    from engine.schema import today_is
    if defn.opening.schema is not None:
        # Errors in what was typed come first: open_case will name them.
        with today_is(clock.today()):
            data = {k: v for k, v in payload.items() if k != "fact_date"}
            if defn.opening.schema().validate(data):
                return []
    try:
        today = date.fromisoformat(payload.get("fact_date", "")) if payload.get("fact_date") \
            else clock.today()
    except ValueError:
        return []
    past = already_past(defn, payload, pack_for_estate(estate).pack, today, defn.opening.starts)
    return [{"label": deadline_label(defn, p.key, p.label), "due": p.due_date,
             "days": p.days_late, "citation": p.citation} for p in past]


# -- the case page ------------------------------------------------------------------------

def _fmt_value(f, v):
    """A stored value for the page: a choice, yes/no or a date in the page language; what
    a user typed (text, names, numbers) as data, unchanged."""
    if v is None or v == "":
        return "—"
    choices = f.metadata.get("choices") if f is not None else None
    if choices and v in choices:
        return tr(choices[v])
    if isinstance(v, bool):
        return _("是") if v else _("否")
    if f is not None and _field_kind(f) == "date":
        try:
            return show_date(v)
        except ValueError:
            return datum(v)
    if isinstance(v, list):
        return datum(_("、").join(map(str, v)))
    return datum(v)


def _material_label(defn, key) -> str:
    return next((label_of(m) for m in defn.materials if m.key == key), key)


def payload_rows(defn, trigger: str, payload: dict) -> list[tuple[str, str]]:
    """(label, value) pairs of an event's payload, labels from the step's schema; an
    audit note (a step of no procedure) through `note_rows`."""
    if not payload:
        return []
    if trigger == "open":
        schema_cls = defn.opening.schema
    else:
        t = defn.transition(trigger)
        if t is None:
            return note_rows(defn, trigger, payload)
        schema_cls = t.schema
    flds = schema_cls().fields if schema_cls else {}
    rows = []
    for k, v in payload.items():
        f = flds.get(k)
        if k == "item" and defn.materials:
            rows.append((_("材料"), _material_label(defn, v)))
            continue
        rows.append((field_label(f, k) if f is not None else k, _fmt_value(f, v)))
    return rows


def note_rows(defn, trigger: str, payload: dict) -> list[tuple[str, str]]:
    """What an audit note records, labelled for people (the engine's notes: files
    uploaded, deadlines missed or recomputed, supervision notices, reissued documents)."""
    rows = []
    p = payload
    if trigger == "attach":
        if p.get("item"):
            rows.append((_("材料"), _material_label(defn, p["item"])))
        rows.append((_("文件"), datum(p.get("filename", ""))))
        if p.get("note"):
            rows.append((_("说明"), datum(p["note"])))
    elif trigger == "deadline_missed":
        for d in p.get("deadlines") or ():
            rows.append((deadline_label(defn, d.get("key", ""), d.get("label", "")),
                         _("%(date)s届满，未履行", date=show_date(d.get("due_date")))))
    elif trigger == "deadline_recomputed":
        rows.append((_("期限"), deadline_label(defn, p.get("key", ""), p.get("label", ""))))
        rows.append((_("届满日"), _("%(old)s → %(new)s", old=show_date(p.get("old_due")),
                                    new=show_date(p.get("new_due")))))
        if p.get("reason"):
            rows.append((_("原因"), datum(p["reason"])))
    elif trigger == "supervision_notice":
        rows.append((_("期限"), deadline_label(defn, p.get("deadline_key", ""),
                                              p.get("deadline_label", ""))))
        rows.append((_("届满日"), show_date(p.get("due_date"))))
        rows.append((_("督办要求"), datum(p.get("requirements", ""))))
        if p.get("rectify_by"):
            rows.append((_("限期办结日期"), show_date(p["rectify_by"])))
    elif trigger == "assign":
        rows.append((_("承办人"), datum(p.get("assignee", ""))))
        if p.get("previous"):
            rows.append((_("原承办人"), datum(p["previous"])))
    elif trigger == "reissue_document":
        rows.append((_("新文号"), datum(p.get("serial", ""))))
        rows.append((_("原文号"), datum(p.get("replaces", ""))))
    else:
        rows = [(k, datum(v)) for k, v in p.items()]
    return rows


def data_rows(defn, data: dict) -> list[tuple[str, str]]:
    """The case's main facts, labelled from the opening schema (other keys skipped)."""
    schema_cls = defn.opening.schema
    if not schema_cls:
        return []
    rows = []
    for name, f in schema_cls().fields.items():
        if name in data:
            rows.append((field_label(f, name), _fmt_value(f, data[name])))
    return rows


def event_label(defn, e) -> str:
    """What an event was, in the page language: its step's label (the opening, a
    transition) or, for an audit note, the note's own label as the engine wrote it."""
    if lang() != "en":
        return e.label
    if e.trigger == "open":
        return label_of(defn.opening)
    t = defn.transition(e.trigger)
    if t is not None:
        return label_of(t)
    return tr(NOTE_LABELS.get(e.trigger, e.label))


def diagram_markup(defn, state: str) -> Optional[Markup]:
    try:
        return Markup(diagram_svg(defn, state, lang()))
    except Exception:       # a drawing problem must never hide the case
        log.exception("diagram of %s failed", defn.name)
        return None


def documents_of(case: Case) -> dict:
    """Issued documents with their links (download, verification, reissue by the issuer)."""
    views = current_app.view_functions
    actor = current_actor()
    out: dict = {"docs": [], "batch_url": None}
    for d in documents.for_case(get_session(), case.id):
        valid = d.status == "valid"
        out["docs"].append({
            "doc": d, "title": document_title(d), "serial": d.serial, "issued_at": d.issued_at,
            "valid": valid, "code": documents.format_code(d.code) if d.code else "",
            "status_label": "" if valid else d.status_label,
            "url": url_for("documents.download", doc_id=d.id) if "documents.download" in views else None,
            "verify_url": (url_for("documents.verify", code=d.code)
                           if d.code and "documents.verify" in views else None),
            "reissue_url": (url_for("documents.reissue", doc_id=d.id)
                            if valid and "documents.reissue" in views
                            and (actor.role == "admin" or actor.org_id == d.issuer_org_id) else None),
        })
    if any(v["valid"] for v in out["docs"]) and "documents.case_batch" in views:
        out["batch_url"] = url_for("documents.case_batch", case_id=case.id)
    return out


def linked_cases(case: Case) -> dict:
    """The case that opened this one and the cases it opened, as far as the user may see."""
    s, actor = get_session(), current_actor()
    return {"parent": links.parent(s, case, actor), "children": links.children(s, case, actor)}


def _supervise_url(d) -> Optional[str]:
    """Where a supervisor issues a 督办通知书 for an overdue deadline (the dashboard's
    page decides who may; the button shows only for the roles it lets in)."""
    if "dashboard.supervise" not in current_app.view_functions:
        return None
    from engine.supervision import ROLES as SUPERVISING_ROLES
    if current_actor().role not in SUPERVISING_ROLES:
        return None
    return url_for("dashboard.supervise", deadline_id=d.id)


def deadline_views(case: Case) -> list[dict]:
    ref = clock.today()
    defn = defn_of(case)
    out = []
    for d in case.deadlines:
        running = d.status in (OPEN, MISSED)
        overdue = queries.is_overdue(d, ref)
        out.append({"d": d, "running": running, "days": (d.due_date - ref).days,
                    "overdue": overdue, "supervise_url": _supervise_url(d) if overdue else None,
                    "label": deadline_label(defn, d.key, d.label),
                    "status_label": tr(STATUS_LABELS.get(d.status, d.status)),
                    "pack_label": tr(pack_label(d.rulepack)),
                    "party_label": role_label(d.party),
                    "consequence": deadline_consequence(defn, d.key)})
    out.sort(key=lambda v: (not v["running"], v["d"].due_date if v["running"] else date.min))
    return out


def _render_case(case: Case, errors_for: Optional[str] = None, errors: Optional[dict] = None,
                 values: Optional[dict] = None, status: int = 200, refusal: str = ""):
    s = get_session()
    defn = defn_of(case)
    actor = current_actor()
    events = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).all()
    atts = s.scalars(select(Attachment).where(Attachment.case_id == case.id)
                     .order_by(Attachment.id)).all()
    by_event: dict[Optional[int], list[Attachment]] = {}
    for a in atts:
        by_event.setdefault(a.event_id, []).append(a)
    actions = available_actions(s, case, actor)
    item_actions = [a for a in actions if a.trigger in ITEM_TRIGGERS and defn.materials]
    actions = [a for a in actions if a not in item_actions]
    return render_template(
        "cases/show.html", case=case, defn=defn, events=events, by_event=by_event,
        actions=actions, item_actions=item_actions, errors_for=errors_for,
        errors=errors or {}, values=values or {}, refusal=refusal,
        deadlines=deadline_views(case),
        diagram=diagram_markup(defn, case.state), documents=documents_of(case),
        links=linked_cases(case), payload_rows=payload_rows, event_label=event_label,
        facts=data_rows(defn, case.data), handler=_handler_view(case), previewable=PREVIEWABLE,
        registry=registry), status


@bp.route("/cases/<int:case_id>")
@login_required
def show(case_id: int):
    case = load_visible_case(case_id)
    return _render_case(case)


@bp.post("/cases/<int:case_id>/actions/<trigger>")
@login_required
def act(case_id: int, trigger: str):
    case = load_visible_case(case_id)
    s = get_session()
    defn = defn_of(case)
    t = defn.transition(trigger)
    if t is None:
        abort(404)
    payload = with_fact_date(form_payload(t.schema, request.form), request.form)
    values = form_values(t.schema, payload)
    try:
        files = files_from_request()
        advance(s, case.id, trigger, current_actor(), payload,
                lock_version=request.form.get("lock_version", type=int), files=files)
    except UploadRefused as exc:
        return _refused(case_id, trigger, {}, values, exc.message, exc.status)
    except PayloadInvalid as exc:
        return _refused(case_id, trigger, exc.errors, values, tr(exc.message), 400)
    except EngineError as exc:
        # A rule's refusal (422, 409...) keeps every input like a field error does.
        return _refused(case_id, trigger, {}, values, tr(exc.message), exc.status)
    flash(_("已办理：%(label)s", label=action_label(t)), "ok")
    return redirect(url_for("cases.show", case_id=case_id))


def _handler_view(case: Case) -> dict:
    """The user's organisation's 承办人 of the case and whom it may name."""
    s, actor = get_session(), current_actor()
    return {"current": assignment.current(s, case.id, actor.org_id),
            "officers": assignment.officers(s, actor)}


@bp.post("/cases/<int:case_id>/assign")
@login_required
def assign(case_id: int):
    """Name or change the organisation's 承办人 (recorded in the case's trail)."""
    case = load_visible_case(case_id)
    try:
        assignment.assign(get_session(), case.id, request.form.get("user_id", type=int) or 0,
                          current_actor())
    except PayloadInvalid as exc:
        return _refused(case_id, "assign", {}, {}, tr(exc.errors["user_id"][0]), 400)
    except EngineError as exc:
        return _refused(case_id, "assign", {}, {}, tr(exc.message), exc.status)
    flash(_("已指派承办人"), "ok")
    return redirect(url_for("cases.show", case_id=case_id))


def _refused(case_id: int, trigger: str, errors: dict, values: dict, message: str, status: int):
    """The case page again with the refused form as it was sent, the reason at the top of
    that form (and in the page's message)."""
    flash(message, "error")
    return _render_case(load_visible_case(case_id), trigger, errors, values, status,
                        refusal=message)


@bp.get("/cases/<int:case_id>/diagram.svg")
@login_required
def diagram(case_id: int):
    """The case's state diagram at full size (the case page shows it scaled to fit)."""
    case = load_visible_case(case_id)
    svg = diagram_markup(defn_of(case), case.state)
    if svg is None:
        abort(404)
    return Response(str(svg), mimetype="image/svg+xml")


@bp.get("/cases/<int:case_id>/files/<int:att_id>")
@login_required
def attachment(case_id: int, att_id: int):
    case = load_visible_case(case_id)
    att = get_session().get(Attachment, att_id)
    if att is None or att.case_id != case.id:
        abort(404)
    from web.documents import stored_file
    data, refusal = stored_file(att.sha256, f"案件 {case.id} 的附件「{att.filename}」",
                                _("附件「%(name)s」", name=att.filename))
    if refusal:
        return refusal.page()
    from urllib.parse import quote
    ctype = att.content_type or "application/octet-stream"
    resp = Response(data, mimetype=ctype)
    inline = request.args.get("inline") == "1" and ctype in PREVIEWABLE
    disposition = "inline" if inline else "attachment"
    resp.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(att.filename)}"
    if inline:
        # Shown inside the case page (a PDF in a frame of this site only); the type was
        # checked from the content on upload (engine.uploads) and is never sniffed.
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
            "frame-ancestors 'self'")
    return resp


PREVIEWABLE = {"application/pdf", "image/png", "image/jpeg"}


def may_open_cases() -> bool:
    """Whether the user's role may open a case of any procedure (新建案件 in the bar)."""
    role = current_actor().role
    return any(role in d.opening.roles for d in registry.all_current().values())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.setdefault("may_open_cases", may_open_cases)
    app.jinja_env.globals.setdefault("may_see_case", may_see_case)

"""Plain dicts of engine objects, dumped by the schemas in web/api/schemas.py."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Optional

from flask import url_for
from marshmallow import fields as mf, validate as mv
from sqlalchemy.orm import Session

from engine import clock, queries, registry
from engine.access import Actor
from engine.deadlines import STATUS_LABELS
from engine.definition import Procedure
from engine.models import Attachment, Case, Deadline, Estate
from engine.roles import ROLES, role_label
from engine.rulepacks import pack_for_estate
from engine.runtime import available_actions
from web.api import schemas as S


def utcnow() -> datetime:
    return clock.now()


# -- procedures -----------------------------------------------------------------------

def _type_of(f) -> str:
    if isinstance(f, mf.String) and f.metadata.get("choices"):
        return "choice"
    if isinstance(f, mf.String) and f.metadata.get("multiline"):
        return "text"
    for cls, name in ((mf.DateTime, "datetime"), (mf.Date, "date"), (mf.Decimal, "decimal"),
                      (mf.Integer, "integer"), (mf.Number, "number"), (mf.Boolean, "boolean"),
                      (mf.List, "list"), (mf.Dict, "object"), (mf.Nested, "object"),
                      (mf.String, "string")):
        if isinstance(f, cls):
            return name
    return "string"


def _num(v):
    if v is None:
        return None
    return str(v) if isinstance(v, Decimal) else v


def field_specs(schema_cls) -> list[dict]:
    """The payload fields of a step, derived from its marshmallow schema."""
    if schema_cls is None:
        return []
    out = []
    for name, f in schema_cls().fields.items():
        if f.dump_only:
            continue
        md = f.metadata
        choices = md.get("choices")
        max_len = minimum = None
        for v in f.validators:
            if isinstance(v, mv.Length) and v.max is not None:
                max_len = v.max if max_len is None else min(max_len, v.max)
            elif isinstance(v, mv.Range) and v.min is not None:
                minimum = str(v.min) if isinstance(f, mf.Decimal) else _num(v.min)
            elif isinstance(v, mv.OneOf) and not choices:
                choices = dict(zip(v.choices, v.labels or v.choices))
        out.append({
            "name": f.data_key or name,
            "type": _type_of(f),
            "required": bool(f.required),
            "label": str(md.get("label") or name),
            "choices": ([{"value": str(k), "label": str(lbl)} for k, lbl in choices.items()]
                        if choices else None),
            "multiline": bool(md.get("multiline", False)),
            "max_length": max_len,
            "minimum": minimum,
        })
    return out


def step_fields(spec) -> list[dict]:
    """A step's payload fields plus the optional `fact_date` (the day its act happened,
    default today) unless the step names a payload date as its fact."""
    out = field_specs(spec.schema)
    if not spec.fact:
        out.append({"name": "fact_date", "type": "date", "required": False,
                    "label": spec.fact_label, "choices": None, "multiline": False,
                    "max_length": None, "minimum": None})
    return out


def present_procedure(defn: Procedure) -> dict:
    roles = set(defn.opening.roles) | set(defn.extra_roles)
    for t in defn.transitions:
        roles |= set(t.roles)
    for d in defn.deadlines:
        roles.add(d.party)
        roles |= set(d.escalate_to)
    return {
        "name": defn.name, "version": defn.version, "title": defn.title,
        "title_en": defn.title_en, "basis": defn.basis, "summary": defn.summary,
        "initial": defn.initial,
        "states": [{"name": s.name, "label": s.label, "label_en": s.label_en, "final": s.final}
                   for s in defn.states],
        "roles": [{"name": r, "label": role_label(r)} for r in ROLES if r in roles],
        "opening": {"label": defn.opening.label, "roles": list(defn.opening.roles),
                    "payload_fields": step_fields(defn.opening),
                    "starts": list(defn.opening.starts), "issues": list(defn.opening.issues),
                    "guards": [g.description for g in defn.opening.guards]},
        "transitions": [{
            "trigger": t.trigger, "label": t.label, "label_en": t.label_en,
            "sources": list(t.sources), "dest": t.dest, "roles": list(t.roles),
            "payload_fields": step_fields(t),
            "guards": [g.description for g in t.guards],
            "starts": list(t.starts), "meets": list(t.meets), "cancels": list(t.cancels),
            "issues": list(t.issues)} for t in defn.transitions],
        "deadlines": [{
            "key": d.key, "label": d.label, "party": d.party, "anchor": d.anchor,
            "direction": d.direction, "consequence": d.consequence,
            "escalate_to": list(d.escalate_to),
            "rules": [{"rulepack": pack, "amount": p.amount if p else None,
                       "unit": p.unit if p else None, "citation": p.citation if p else None}
                      for pack, p in d.rules.items()]} for d in defn.deadlines],
    }


# -- estates, deadlines, cases --------------------------------------------------------

def present_estate(e: Estate) -> dict:
    return {"id": e.id, "name": e.name, "province": e.province, "address": e.address or "",
            "rulepack": pack_for_estate(e).pack, "street_office_id": e.street_office_id,
            "community_id": e.community_id, "committee_id": e.committee_id,
            "enterprise_id": e.enterprise_id, "developer_id": e.developer_id,
            "total_area": e.total_area, "total_owners": e.total_owners}


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def is_overdue(d: Deadline, now: datetime) -> bool:
    return queries.is_overdue(d, clock.today(now))


def present_deadline(d: Deadline, now: datetime) -> dict:
    return {"id": d.id, "case_id": d.case_id, "key": d.key, "label": d.label,
            "party": d.party, "party_label": role_label(d.party),
            "anchor_date": d.anchor_date, "due_date": d.due_date, "ends_at": d.ends_at,
            "status": d.status, "status_label": STATUS_LABELS.get(d.status, d.status),
            "overdue": is_overdue(d, now), "late": bool(d.late), "basis": d.basis or "",
            "citation": d.citation, "rulepack": d.rulepack, "provisional": bool(d.provisional)}


def present_work_item(item) -> dict:
    """A row of the caller's to-do list (engine.queries.worklist), as on the 工作台."""
    return {**present_case_summary(item.case), "overdue": item.overdue,
            "next_due": item.next_due,
            "actions": [{"trigger": a.trigger, "label": a.label} for a in item.actions]}


def present_case_summary(case: Case, defn: Optional[Procedure] = None,
                         estate_name: Optional[str] = None) -> dict:
    defn = defn or registry.get(case.procedure, case.version)
    st = defn.state(case.state)
    return {"id": case.id, "procedure": case.procedure, "version": case.version,
            "title": defn.title, "estate_id": case.estate_id,
            "estate_name": estate_name if estate_name is not None else case.estate.name,
            "state": case.state, "state_label": st.label, "final": st.final,
            "lock_version": case.lock_version, "enterprise_id": case.enterprise_id,
            "parent_case_id": case.parent_case_id, "created_at": case.created_at,
            "updated_at": case.updated_at}


def present_case(session: Session, case: Case, actor: Actor,
                 now: Optional[datetime] = None) -> dict:
    now = now or utcnow()
    defn = registry.get(case.procedure, case.version)
    out = present_case_summary(case, defn)
    out["data"] = case.data or {}
    out["deadlines"] = [present_deadline(d, now) for d in queries.case_deadlines(session, case.id)]
    out["actions"] = [{"trigger": a.trigger, "label": a.label, "allowed": a.allowed,
                       "reason": a.reason, "roles": list(a.transition.roles),
                       "dest": a.transition.dest}
                      for a in available_actions(session, case, actor, now=now)]
    return out


def case_json(session: Session, case: Case, actor: Actor, now: Optional[datetime] = None) -> dict:
    """The JSON-ready body of GET /cases/<id> (also what an idempotency key stores)."""
    return _CASE_OUT.dump(present_case(session, case, actor, now))


_CASE_OUT = S.CaseOut()


def present_attachment(a: Attachment) -> dict:
    return {"id": a.id, "case_id": a.case_id, "event_id": a.event_id, "item": a.item,
            "filename": a.filename, "content_type": a.content_type, "size": a.size,
            "sha256": a.sha256, "created_at": a.created_at}


def present_event(ev, attachments: list[Attachment]) -> dict:
    return {"seq": ev.seq, "trigger": ev.trigger, "label": ev.label,
            "from_state": ev.from_state, "to_state": ev.to_state, "actor_name": ev.actor_name,
            "organisation_name": ev.organisation_name or "", "role": ev.role,
            "role_label": role_label(ev.role), "payload": ev.payload or {},
            "created_at": ev.created_at,
            "fact_date": ev.fact_date or clock.today(ev.created_at),
            "prev_hash": ev.prev_hash, "hash": ev.hash,
            "attachments": [present_attachment(a) for a in attachments]}


def present_document(doc) -> dict:
    g = lambda k: getattr(doc, k, None)  # noqa: E731  (columns a document row may lack are shown as null)
    code = g("code")
    verify = None
    if code:
        try:
            verify = url_for("documents.verify", code=code)
        except Exception:      # documents blueprint not registered
            verify = f"/verify/{code}"
    return {"id": doc.id, "case_id": doc.case_id, "event_id": g("event_id"),
            "kind": g("kind") or "", "title": g("title") or "", "serial": g("serial"),
            "issued_at": g("issued_at"), "sha256": g("sha256"), "size": g("size"),
            "code": code, "status": g("status"), "superseded_by_id": g("superseded_by_id"),
            "pdf_url": url_for("api.document_pdf", doc_id=doc.id), "verify_url": verify}


def present_alert(a) -> dict:
    return {"id": a.id, "kind": a.kind, "kind_label": a.kind_label, "level": a.level or 0,
            "title": a.title or "", "body": a.body or "", "case_id": a.case_id,
            "deadline_id": a.deadline_id, "due_date": a.due_date, "created_at": a.created_at,
            "read": a.acknowledged_at is not None, "acknowledged_at": a.acknowledged_at}

"""Issuing documents inside a step's transaction.

`issue` is one of the session's issuers (engine.runtime.issuers) and called by the engine as
`issue(session, case, event, kind, actor, now)` after the step's event is flushed. It
picks the issuing organisation, allocates the serial number (文号), renders the PDF,
signs it when the organisation has a certificate, stores the final bytes under their
SHA-256 and adds the `Document` row. It never commits: the step's one commit makes the
document exist, or nothing does.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import evidence, files, materials, registry
from engine.bilingual import Bi
from engine.access import DEPARTMENT_KEY, Actor
from engine.documents import (Document, format_code, new_code, next_serial_no,
                              settings_for)
from engine.legaltime import TZ
from engine.models import Case, Deadline, Estate, Event, Organisation
from engine.roles import SUPERVISOR_KIND, role_label
from forms import render, seal, signing
from engine.definition import DocumentSpec
from engine.rulepacks import pack_for_estate
from engine import supervision
from forms.kinds import Kind, kind as kind_of

log = logging.getLogger(__name__)

LOCAL_URL = "http://127.0.0.1:5000"

AUTHORITIES = ("housing_bureau", "street_office", "community")


def public_url(session: Session) -> str:
    """Base address printed in QR codes (e.g. https://wuye.example.gov.cn): the
    application's PUBLIC_URL, carried in its sessions' info (web.db)."""
    return (session.info.get("public_url") or LOCAL_URL).rstrip("/")


def verify_url(session: Session, code: str) -> str:
    return f"{public_url(session)}/verify/{code}"


# -- who issues, and the serial number ------------------------------------------------------

def role_org_id(case: Case, role: str) -> Optional[int]:
    """The organisation that plays `role` in a case (the case's party for `enterprise`)."""
    e: Estate = case.estate
    return {
        "enterprise": case.enterprise_id,
        "street_office": e.street_office_id,
        "community": e.community_id,
        "committee": e.committee_id,
        "housing_bureau": e.bureau_id,
        "developer": e.developer_id,
        "department": (case.data or {}).get(DEPARTMENT_KEY),
    }.get(role)


def _deadline_of(session: Session, event: Optional[Event]) -> Optional[Deadline]:
    did = (event.payload or {}).get("deadline_id") if event is not None else None
    try:
        return session.get(Deadline, int(did)) if did else None
    except (TypeError, ValueError):
        return None


def document_spec(case: Case, kind_key: str) -> DocumentSpec:
    """What the law says about this document: declared on the case's procedure, or the
    engine's own overdue supervision notice, which any procedure's deadline may get."""
    if kind_key == supervision.DOCUMENT.kind:
        return supervision.DOCUMENT
    return registry.get(case.procedure, case.version).document(kind_key)


def issuing_org_id(session: Session, case: Case, kind_key: str, actor: Actor,
                   event: Optional[Event] = None) -> int:
    spec = document_spec(case, kind_key)
    if spec.issuer:
        oid = role_org_id(case, spec.issuer)
        if oid:
            return oid
    if actor.org_id and actor.role not in ("admin", "system"):
        return actor.org_id
    # The system (e.g. the alert scan) or an administrator acts: the competent authority.
    if kind_key == supervision.DOCUMENT.kind:
        dl = _deadline_of(session, event)
        if dl is not None:
            defn = registry.get(case.procedure, case.version)
            try:
                chain = defn.deadline(dl.key).escalate_to
            except KeyError:
                chain = ()
            for role in chain or (SUPERVISOR_KIND.get(dl.party, "street_office"),):
                oid = role_org_id(case, role)
                if oid:
                    return oid
    return case.estate.street_office_id


def default_prefix(name: str) -> str:
    """机关代字 derived from the organisation's name (an administrator may set one)."""
    name = (name or "").strip()
    if "住房和城乡建设" in name:
        head = name.split("住房和城乡建设")[0]
        return (head[:1] if head else "") + "住建"
    if name.endswith("街道办事处"):
        return name[:-5][:2] + "街"
    if "社区" in name:
        return name.split("社区")[0][:2] + "社"
    if name.endswith("业主委员会"):
        return name[:-5][:2] + "业委"
    for suffix in ("物业服务有限公司", "物业管理有限公司", "有限责任公司", "有限公司"):
        if name.endswith(suffix):
            core = name[:-len(suffix)]
            return (core[2:4] if len(core) > 3 else core[:2]) or name[:2]
    return name[:2] or "文"


def serial_text(prefix: str, letter: str, year: int, no: int) -> str:
    return f"{prefix}{letter}〔{year}〕{no}号"


# -- what the templates see -------------------------------------------------------------------

def _labels(defn) -> dict[str, tuple[str, dict, str]]:
    """key → (label, choices, field type name) from every schema of the procedure."""
    out: dict[str, tuple[str, dict, str]] = {}
    schemas = [defn.opening.schema] + [t.schema for t in defn.transitions]
    for sc in schemas:
        if sc is None:
            continue
        try:
            flds = sc().fields
        except Exception:
            continue
        for name, f in flds.items():
            if name in out:
                continue
            md = f.metadata or {}
            out[name] = (md.get("label") or name, md.get("choices") or {}, type(f).__name__)
    return out


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+([+-]\d{2}:\d{2}|Z)?)?$")


def display(value: Any, choices: dict | None = None, ftype: str = "") -> str:
    if value is None or value == "" or value == [] or value == {}:
        return render.DASH
    if choices and isinstance(value, str) and value in choices:
        return choices[value]
    if isinstance(value, bool):
        return "是" if value else "否"
    if (isinstance(value, (date, datetime)) or ftype in ("Date", "DateTime")
            or (isinstance(value, str) and _ISO_DATE.match(value))):
        return render.zh_date(value)
    if isinstance(value, (list, tuple)):
        return "、".join(display(v) for v in value) or render.DASH
    if isinstance(value, dict):
        return render.DASH
    if isinstance(value, (Decimal, int, float)):
        return str(value)
    return str(value)


@dataclass
class Fact:
    key: str
    label: str
    value: str


class Facts:
    """Look-ups of the case's data and the step's payload, labelled from the schemas."""

    def __init__(self, defn, data: dict, payload: dict):
        self.labels = _labels(defn) if defn is not None else {}
        self.values = {**(data or {}), **(payload or {})}

    def __call__(self, key: str, label: str | None = None) -> Fact:
        lab, choices, ftype = self.labels.get(key, (key, {}, ""))
        return Fact(key, label or lab, display(self.values.get(key), choices, ftype))

    def value(self, key: str) -> str:
        return self(key).value

    def rows(self, *keys: str) -> list[Fact]:
        return [self(k) for k in keys]

    def present(self, *keys: str) -> list[Fact]:
        return [f for f in self.rows(*keys) if f.value != render.DASH]

    def opening(self, defn_schema) -> list[Fact]:
        if defn_schema is None:
            return []
        return self.present(*defn_schema().fields.keys())


def _org(session: Session, oid: Optional[int]) -> Optional[Organisation]:
    return session.get(Organisation, oid) if oid else None


def build_context(session: Session, case: Case, event: Optional[Event], kind: Kind, *,
                  org: Organisation, serial: str, code: str, issued_at: datetime,
                  actor: Actor) -> dict:
    try:
        defn = registry.get(case.procedure, case.version)
    except Exception:
        defn = None
    estate = case.estate
    payload = dict(event.payload or {}) if event is not None else {}
    data = dict(case.data or {})
    facts = Facts(defn, data, payload)
    deadlines = list(session.scalars(select(Deadline).where(Deadline.case_id == case.id)
                                     .order_by(Deadline.id)))
    citations = []
    for d in deadlines:
        if d.citation and d.citation not in citations:
            citations.append(d.citation)
    spec = document_spec(case, kind.key)
    dl = _deadline_of(session, event) if spec is supervision.DOCUMENT else None
    dl_def = None
    if dl is not None and defn is not None:
        try:
            dl_def = defn.deadline(dl.key)
        except KeyError:
            dl_def = None
    role = spec.addressee or (dl.party if dl is not None else None)
    quoted = _quoted(deadlines, spec.quotes)
    basis = _basis(spec, pack_for_estate(estate).pack, quoted, dl)
    addressee = _org(session, role_org_id(case, role)) if role else None
    settings = settings_for(session, org.id)
    font_family = render.fonts.font_family()
    local = issued_at.astimezone(TZ)
    return dict(
        kind=kind, spec=spec, title=spec.title, serial=serial, code=code, code_display=format_code(code),
        verify_url=verify_url(session, code), verify_base=f"{public_url(session)}/verify",
        qr_src=render.qr_src(verify_url(session, code)),
        seal_src=seal.seal_src(org.name, font_family,
                               settings.seal_image if settings else None,
                               settings.seal_content_type if settings else None),
        issuer=org, issued_on=render.zh_date(local.date()), issued_at=issued_at,
        case=case, case_no=str(case.id), defn=defn,
        procedure_title=defn.title if defn else case.procedure,
        basis=basis, quoted=quoted, estate=estate,
        street_office=_org(session, estate.street_office_id),
        community=_org(session, estate.community_id),
        bureau=_org(session, estate.bureau_id),
        committee=_org(session, estate.committee_id),
        developer=_org(session, estate.developer_id),
        enterprise=_org(session, case.enterprise_id),
        addressee=addressee, addressee_role=role_label(role) if role else "",
        data=data, payload=payload, d=facts.values, f=facts,
        opening_facts=facts.opening(defn.opening.schema) if defn else [],
        deadlines=deadlines, citations=citations, deadline=dl, deadline_def=dl_def,
        event=event, step_label=event.label if event is not None else "",
        step_on=render.zh_date(event.created_at) if event is not None else render.DASH,
        actor=actor,
        materials=_materials(defn, data, pack_for_estate(estate).pack),
        zh_date=render.zh_date, display=display,
    )


def _quoted(deadlines: list[Deadline], keys) -> list[Deadline]:
    """The case's latest period for each quoted deadline key, in the declared order."""
    latest = {d.key: d for d in deadlines}          # rows come in id order
    return [latest[k] for k in keys if k in latest]


def _basis(spec: DocumentSpec, pack: str, quoted: list[Deadline], deadline) -> str:
    """The form's 法律依据: the declaration's articles for the estate's rule pack, then
    the citation of each deadline it quotes (each article once)."""
    parts: list[str] = []
    for text in [spec.basis_for(pack)] + [d.citation for d in quoted] + (
            [deadline.citation] if deadline is not None else []):
        if text and text not in parts:
            parts.append(text)
    return "；".join(parts)


def _materials(defn, data: dict, pack: str) -> list[dict]:
    """Rows of a materials checklist (case.data["materials"], the shape engine.materials keeps)."""
    got = data.get(materials.KEY)
    if not isinstance(got, dict):       # some procedures use "materials" for a text
        got = {}
    rows = []
    declared = list(getattr(defn, "materials", ()) or ())
    keys = [m.key for m in declared] + [k for k in got if k not in {m.key for m in declared}]
    for i, key in enumerate(keys, 1):
        m = next((x for x in declared if x.key == key), None)
        item = got.get(key) if isinstance(got.get(key), dict) else {}
        rows.append(dict(no=i, key=key, label=m.label if m else key,
                         basis=(m.basis_for(pack) if m else "") or "",
                         required=m.required if m else True,
                         status=materials.STATUS_LABELS.get(item.get("status", materials.PENDING),
                                                          materials.STATUS_LABELS[materials.PENDING]),
                         declaration=item.get("declaration") or "",
                         reason=item.get("reason") or ""))
    return rows


# -- issuing ------------------------------------------------------------------------------

def _produce(session: Session, case: Case, event: Optional[Event], kind_key: str,
             actor: Actor, now: datetime) -> Document:
    k = kind_of(kind_key)
    title = document_spec(case, kind_key).title
    org_id = issuing_org_id(session, case, kind_key, actor, event)
    org = session.get(Organisation, org_id)
    settings = settings_for(session, org_id)
    year = now.astimezone(TZ).year
    no = next_serial_no(session, org_id, year)
    prefix = (settings.serial_prefix if settings and settings.serial_prefix
              else default_prefix(org.name))
    serial = serial_text(prefix, k.letter, year, no)
    code = new_code(session)
    ctx = build_context(session, case, event, k, org=org, serial=serial, code=code,
                        issued_at=now, actor=actor)
    pdf = render.render_pdf(k.template, ctx)
    signed = False
    if settings and settings.cert_pem and settings.key_pem:
        pdf = signing.sign_pdf(pdf, settings.cert_pem, settings.key_pem, signer_name=org.name,
                               reason=f"{title} {serial}", location=org.name)
        signed = True
    sha = files.store(session, pdf)
    doc = Document(case_id=case.id, event_id=event.id if event is not None else None,
                   kind=kind_key, title=title, serial=serial, serial_year=year, serial_no=no,
                   issuer_org_id=org_id, issuer_name=org.name, issued_by_id=actor.user_id,
                   issued_at=now, sha256=sha, size=len(pdf), signed=signed, code=code,
                   status="valid", superseded_by_id=None)
    session.add(doc)
    session.flush()
    evidence.log_rows(session, Document, [doc])
    return doc


def issue(session: Session, case: Case, event: Event, kind: str, actor: Actor,
          now: datetime) -> None:
    """The engine's issuer hook (engine.runtime.issuers)."""
    _produce(session, case, event, kind, actor, now)


def reissue(session: Session, doc: Document, actor: Actor, now: Optional[datetime] = None
            ) -> Document:
    """Issue the document again under a new serial; the old one is marked superseded.

    The old PDF is kept untouched (it stays verifiable and says it was superseded). An
    audit event records the reissue on the case; the case's optimistic lock makes a
    concurrent reissue of the same document fail with StaleCase (409), and the document
    row is marked superseded only while it is still valid. No commit: the caller
    commits once, inside engine.runtime.unit_of_work."""
    from engine.errors import StaleCase
    from engine.runtime import note
    now = now or datetime.now(timezone.utc)
    if doc.status != "valid":
        raise ValueError(Bi("该文书已被替代，请对最新的文书重新出具",
                            "This document has been superseded; reissue the latest one"))
    case = session.get(Case, doc.case_id)
    event = session.get(Event, doc.event_id) if doc.event_id else None
    new = _produce(session, case, event, doc.kind, actor, now)
    note(session, case, "reissue_document", f"重新出具{doc.title}",
         {"document_id": new.id, "serial": new.serial, "replaces": doc.serial}, actor, now=now)
    t = Document.__table__
    res = session.connection().execute(
        t.update().where(t.c.id == doc.id, t.c.status == "valid")
        .values(status="superseded", superseded_by_id=new.id))
    if res.rowcount != 1:
        raise StaleCase()
    session.expire(doc, ["status", "superseded_by_id"])
    evidence.log_rows(session, Document, [doc])
    return new

"""逾期督办通知书: a housing bureau or street office supervises an overdue deadline.

`issue_notice` checks the actor (role housing_bureau or street_office, the case within its
jurisdiction), that the deadline belongs to the case and is overdue, then in one
transaction: appends an audit event (engine.runtime.note; payload carries `deadline_id`
and `requirements`), issues the document kind "supervision_notice" through the registered
issuers (forms/), and puts a notice in the inbox of the party that must act. One commit.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock, evidence, queries, registry
from engine.access import Actor, may_see_case
from engine.alerts import SUPERVISION, Alert, resolve
from engine.bilingual import Bi, embed, english, labelled
from engine.deadlines import OPEN
from engine.definition import DocumentSpec
from engine.errors import NotFound, NotPermitted, PayloadInvalid
from engine.runtime import CASE_NOT_FOUND, OUTSIDE_JURISDICTION
from engine.models import Case, Deadline, Event
from engine.roles import role_label
from engine.timefmt import cn_date
from engine import runtime

TRIGGER = "supervision_notice"
LABEL = runtime.NOTES[TRIGGER]
ROLES = ("housing_bureau", "street_office")
# Any procedure's overdue deadline may get this notice: it is addressed to the deadline's
# party and cites the deadline's own article (the forms add it), so it declares no more.
DOCUMENT = DocumentSpec("supervision_notice", "逾期督办通知书", title_en="Overdue supervision notice")
KIND = DOCUMENT.kind


def issue_notice(session: Session, case_id: int, deadline_id: int, actor: Actor,
                 requirements: str, *, rectify_by: Optional[date] = None,
                 now: Optional[datetime] = None) -> Event:
    """Issue a supervision notice on an overdue deadline; returns the event. Raises
    NotPermitted / NotFound / PayloadInvalid (nothing written)."""
    now = now or clock.now()
    today = clock.today(now)
    with runtime.unit_of_work(session):
        if actor.role not in ROLES:
            raise NotPermitted(Bi("逾期督办通知书只能由区住房和城乡建设局或街道办事处下发",
                                  "Only the district housing bureau or a street office may "
                                  "issue an overdue supervision notice"))
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        if not may_see_case(actor, case):
            raise NotPermitted(OUTSIDE_JURISDICTION)
        d = session.get(Deadline, deadline_id)
        if d is None or d.case_id != case.id:
            raise NotFound(Bi("该期限不属于此案件", "That deadline is not this case's"))
        try:
            defn = registry.get(case.procedure, case.version)
            title, label = labelled(defn, "title"), _deadline_label(defn, d)
        except NotFound:
            title, label = Bi(case.procedure, case.procedure), Bi(d.label, d.label)
        if not queries.is_overdue(d, today):
            why = {OPEN: Bi(f"尚未逾期（{cn_date(d.due_date)}届满）",
                            f"is not overdue (it ends on {d.due_date.isoformat()})"),
                   "met": Bi("已履行", "is met"),
                   "cancelled": Bi("已取消", "is cancelled")}.get(d.status, Bi(d.status, d.status))
            raise PayloadInvalid({"deadline_id": [Bi(f"「{d.label}」{why}，无需督办",
                                                     f"“{label.en}” {why.en}; no supervision "
                                                     "is needed")]})
        requirements = (requirements or "").strip()
        errors = {}
        if not requirements:
            errors["requirements"] = [Bi("请填写督办要求", "Write the requirements")]
        elif len(requirements) > 2000:
            errors["requirements"] = [Bi("督办要求不超过2000字",
                                         "At most 2000 characters of requirements")]
        if rectify_by is not None and rectify_by < today:
            errors["rectify_by"] = [Bi("限期办结日期不得早于今日",
                                       "The date to complete by cannot be before today")]
        if errors:
            raise PayloadInvalid(errors)
        payload = {"deadline_id": d.id, "deadline_key": d.key, "deadline_label": d.label,
                   "due_date": d.due_date.isoformat(), "citation": d.citation,
                   "party": d.party, "party_label": role_label(d.party),
                   "requirements": requirements,
                   "rectify_by": rectify_by.isoformat() if rectify_by else None,
                   "issuer_role": actor.role, "issuer_org": actor.org_name}
        ev = runtime.note(session, case, TRIGGER, LABEL, payload, actor, now=now, issues=(KIND,))
        estate = case.estate
        role, org = resolve(d.party, case.enterprise_id, {
            "street_office_id": estate.street_office_id, "community_id": estate.community_id,
            "committee_id": estate.committee_id, "bureau_id": estate.bureau_id,
            "developer_id": estate.developer_id})
        notice_title, notice_body = compose(
            issuer=actor.org_name or role_label(actor.role), estate_name=estate.name,
            procedure_title=title, case_id=case.id, label=label, citation=d.citation,
            requirements=requirements, rectify_by=rectify_by)
        body = str(notice_body)
        from engine.documents import Document
        issued = session.scalar(select(Document.id).where(Document.event_id == ev.id,
                                                          Document.kind == KIND))
        if issued is not None:
            # The notice itself, to open from the inbox or the e-mail (made absolute there).
            body += f"\n督办通知书：/documents/{issued}.pdf"
        alert = Alert(
            deadline_id=d.id, case_id=case.id, kind=SUPERVISION, stage=stage_of(ev),
            level=0, final=False, role=role, organisation_id=org, due_date=d.due_date,
            title=notice_title[:300], body=body, created_at=now)
        session.add(alert)
        session.flush()
        evidence.log_rows(session, Alert, [alert])
        from engine.scan import queue_mail
        queue_mail(session, [{"id": alert.id, "organisation_id": alert.organisation_id,
                              "title": alert.title, "body": alert.body}], now)
    return ev


def _deadline_label(defn, d: Deadline) -> Bi:
    """The row's label (as it was when the period started) with its declared English."""
    try:
        return Bi(d.label, labelled(defn.deadline(d.key)).en)
    except KeyError:
        return Bi(d.label, d.label)


def stage_of(ev: Event) -> str:
    """The alert's stage: one notice per supervision event."""
    return f"{SUPERVISION}_{ev.id}"


def event_id_of(stage: str) -> Optional[int]:
    """The supervision event behind an alert's stage (see `stage_of`)."""
    head, _, tail = stage.partition("_")
    return int(tail) if head == SUPERVISION and tail.isdigit() else None


def compose(*, issuer: str, estate_name: str, procedure_title: str, case_id: int, label: str,
            citation: str, requirements: str, rectify_by: Optional[date]) -> tuple[Bi, Bi]:
    """(title, body) of the inbox notice: the Chinese is stored and e-mailed, the English
    (from `Bi` arguments) is shown in the English inbox. The requirements are the
    supervisor's own words and the citation quotes the law: both as written."""
    label_en = english(label)
    title = Bi(f"【逾期督办】{estate_name} · {procedure_title}（案件 {case_id}）：{label}",
               f"[Supervision] {embed(estate_name)} · {english(procedure_title)} (case {case_id}): "
               f"{label_en}")
    by = Bi(f"，请于{cn_date(rectify_by)}前办结", f"; complete it by {rectify_by.isoformat()}") \
        if rectify_by else Bi("", "")
    body = Bi(f"{issuer}就「{label}」逾期未履行下发逾期督办通知书{by}。\n"
              f"督办要求：{requirements}\n依据：{citation}\n案件页面：/cases/{case_id}",
              f"{issuer.en if isinstance(issuer, Bi) else embed(issuer)} issued an overdue "
              f"supervision notice on “{label_en}”{by.en}.\n"
              f"Requirements: {embed(requirements)}\nBasis: {embed(citation)}\n"
              f"Case page: /cases/{case_id}")
    return title, body

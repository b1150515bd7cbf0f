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

from sqlalchemy.orm import Session

from engine import clock, evidence, queries, registry
from engine.access import Actor, may_see_case
from engine.alerts import SUPERVISION, Alert, resolve
from engine.deadlines import OPEN
from engine.definition import DocumentSpec
from engine.errors import NotFound, NotPermitted, PayloadInvalid
from engine.models import Case, Deadline, Event
from engine.roles import role_label
from engine.timefmt import cn_date
from engine import runtime

TRIGGER = "supervision_notice"
LABEL = "下发逾期督办通知书"
ROLES = ("housing_bureau", "street_office")
# Any procedure's overdue deadline may get this notice: it is addressed to the deadline's
# party and cites the deadline's own article (the forms add it), so it declares no more.
DOCUMENT = DocumentSpec("supervision_notice", "逾期督办通知书")
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
            raise NotPermitted("逾期督办通知书只能由区住房和城乡建设局或街道办事处下发")
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在")
        if not may_see_case(actor, case):
            raise NotPermitted("此案件不在您的管辖范围内")
        d = session.get(Deadline, deadline_id)
        if d is None or d.case_id != case.id:
            raise NotFound("该期限不属于此案件")
        if not queries.is_overdue(d, today):
            why = {OPEN: f"尚未逾期（{cn_date(d.due_date)}届满）",
                   "met": "已履行", "cancelled": "已取消"}.get(d.status, d.status)
            raise PayloadInvalid({"deadline_id": [f"「{d.label}」{why}，无需督办"]})
        requirements = (requirements or "").strip()
        errors = {}
        if not requirements:
            errors["requirements"] = ["请填写督办要求"]
        elif len(requirements) > 2000:
            errors["requirements"] = ["督办要求不超过2000字"]
        if rectify_by is not None and rectify_by < today:
            errors["rectify_by"] = ["限期办结日期不得早于今日"]
        if errors:
            raise PayloadInvalid(errors)
        try:
            defn = registry.get(case.procedure, case.version)
            title = defn.title
        except NotFound:
            title = case.procedure
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
        by = f"，请于{cn_date(rectify_by)}前办结" if rectify_by else ""
        alert = Alert(
            deadline_id=d.id, case_id=case.id, kind=SUPERVISION, stage=f"{SUPERVISION}_{ev.id}",
            level=0, final=False, role=role, organisation_id=org, due_date=d.due_date,
            title=f"【逾期督办】{estate.name} · {title}（案件 {case.id}）：{d.label}"[:300],
            body=(f"{actor.org_name or role_label(actor.role)}就「{d.label}」逾期未履行下发逾期督办通知书{by}。\n"
                  f"督办要求：{requirements}\n依据：{d.citation}\n案件页面：/cases/{case.id}"),
            created_at=now)
        session.add(alert)
        session.flush()
        evidence.log_rows(session, Alert, [alert])
        from engine.scan import queue_mail
        queue_mail(session, [{"id": alert.id, "organisation_id": alert.organisation_id,
                              "title": alert.title, "body": alert.body}], now)
    return ev

"""Linked cases: a step of one case may open a case of another procedure
(`engine.definition.Link` in `Transition.opens`; e.g. signing the pre-phase contract
opens its contract filing). The new case records `Case.parent_case_id`; these helpers
answer "which cases did this one start" and "which case started this one".

Pass `actor` to see only what that actor may see: an enterprise that is the party of a
linked contract filing must not learn of the developer's tender case through the link.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import registry
from engine.access import Actor, may_see_case
from engine.models import Case, Organisation

__all__ = ["children", "parent", "LinkedCase", "describe", "organisation", "case_facts"]


def children(session: Session, case: Case, actor: Optional[Actor] = None) -> list[Case]:
    """The cases this case opened, oldest first."""
    rows = list(session.scalars(select(Case).where(Case.parent_case_id == case.id)
                                .order_by(Case.id)))
    if actor is not None:
        rows = [c for c in rows if may_see_case(actor, c)]
    return rows


def parent(session: Session, case: Case, actor: Optional[Actor] = None) -> Optional[Case]:
    """The case whose step opened this one, or None."""
    if case.parent_case_id is None:
        return None
    p = session.get(Case, case.parent_case_id)
    if p is not None and actor is not None and not may_see_case(actor, p):
        return None
    return p


@dataclass(frozen=True)
class LinkedCase:
    """What a page shows of a linked case: its procedure's title and where it stands."""
    id: int
    procedure: str
    title: str
    state: str
    state_label: str
    final: bool


def describe(case: Case) -> LinkedCase:
    defn = registry.get(case.procedure, case.version)
    st = defn.state(case.state)
    return LinkedCase(case.id, case.procedure, defn.title, case.state, st.label, st.final)


def organisation(session: Session, org_id: Any = None, *, name: str = "",
                 kind: str = "") -> Optional[Organisation]:
    """The organisation with this id, or else with exactly this name (and kind): what a
    guard or a link that names a party (e.g. a tender's winner) looks up, through
    `GuardContext.organisation`. None when there is no such organisation or the name is
    ambiguous."""
    if org_id not in (None, ""):
        try:
            org = session.get(Organisation, int(org_id))
        except (TypeError, ValueError):
            return None
        return org if org is not None and (not kind or org.kind == kind) else None
    name = (name or "").strip()
    if not name:
        return None
    q = select(Organisation).where(Organisation.name == name)
    if kind:
        q = q.where(Organisation.kind == kind)
    found = session.scalars(q.limit(2)).all()
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class CaseFacts:
    """What a guard may know of another case."""
    id: int
    procedure: str
    estate_id: int
    state: str
    final: bool


def case_facts(session: Session, case_id: Any) -> Optional[CaseFacts]:
    """The facts of the case with this id, or None (a guard's `other_case`)."""
    try:
        cid = int(case_id)
    except (TypeError, ValueError):
        return None
    row = session.execute(select(Case.id, Case.procedure, Case.version, Case.estate_id, Case.state)
                          .where(Case.id == cid)).first()
    if row is None:
        return None
    return CaseFacts(row.id, row.procedure, row.estate_id, row.state,
                     registry.is_final(row.procedure, row.version, row.state))

"""Jurisdiction: which estates and cases an actor may see and act on.

Enforced in the queries (`visible_cases`, `visible_estates`) so that a page or an API
call can never show what a filter forgot; `may_see_case` is the same rule for one case.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import Select, false, select, true

from engine.models import Case, Estate, User


@dataclass(frozen=True)
class Actor:
    user_id: Optional[int]
    username: str
    name: str
    role: str
    org_id: Optional[int]
    org_name: str = ""

    @classmethod
    def of(cls, user: User) -> "Actor":
        org = user.organisation
        return cls(user.id, user.username, user.display_name, user.role,
                   user.organisation_id, org.name if org else "")


SYSTEM = Actor(None, "system", "系统", "system", None, "系统")

_ESTATE_COLUMN = {
    "housing_bureau": Estate.bureau_id,
    "street_office": Estate.street_office_id,
    "community": Estate.community_id,
    "committee": Estate.committee_id,
    "developer": Estate.developer_id,
    "enterprise": Estate.enterprise_id,
}


def estate_condition(actor: Actor):
    if actor.role in ("admin", "system"):
        return true()
    col = _ESTATE_COLUMN.get(actor.role)
    if col is None or actor.org_id is None:
        return false()
    return col == actor.org_id


# The case's data key naming the department a case was transferred to (移送): a
# department sees those cases only, whatever estate they are about.
DEPARTMENT_KEY = "department_id"


def case_condition(actor: Actor):
    """SQL condition on Case (joined with Estate) for the cases the actor may see."""
    if actor.role in ("admin", "system"):
        return true()
    if actor.role == "department":
        return Case.data[DEPARTMENT_KEY].as_integer() == actor.org_id if actor.org_id else false()
    if actor.role == "enterprise":
        # An enterprise sees only the cases it is the party of, not its estates' others.
        return Case.enterprise_id == actor.org_id if actor.org_id else false()
    return estate_condition(actor)


def visible_estates(actor: Actor) -> Select:
    return select(Estate).where(estate_condition(actor)).order_by(Estate.id)


def visible_cases(actor: Actor) -> Select:
    return select(Case).join(Estate, Case.estate_id == Estate.id).where(case_condition(actor))


def may_see_estate(actor: Actor, estate: Estate) -> bool:
    if actor.role in ("admin", "system"):
        return True
    col = _ESTATE_COLUMN.get(actor.role)
    return col is not None and actor.org_id is not None and getattr(estate, col.key) == actor.org_id


def may_see_case(actor: Actor, case: Case) -> bool:
    if actor.role in ("admin", "system"):
        return True
    if actor.role == "enterprise":
        return actor.org_id is not None and case.enterprise_id == actor.org_id
    if actor.role == "department":
        return actor.org_id is not None and (case.data or {}).get(DEPARTMENT_KEY) == actor.org_id
    return may_see_estate(actor, case.estate)

"""The page types a user can reach, for the layout and accessibility sweeps: each entry
names a page type and says, for a signed-in role, which URL shows it (or None when the
role has no such page). A new page joins the sweeps by adding one entry here.

`find(role)` runs against the live database (through the `arrange` fixture) and returns
the facts the URL needs: a case the role may see with the longest 办理记录, a case with
a handover checklist, an overdue deadline..."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import func, select

SUPERVISORS = ("housing_bureau", "street_office", "community", "admin")   # 督办看板
ISSUERS = ("housing_bureau", "street_office")                   # 督办通知书
KEEPERS = ("housing_bureau", "street_office", "admin")          # 台账维护（engine.register_edit）
OWNERS_VIEWERS = ("street_office", "committee", "community", "housing_bureau", "admin")
CREDIT_READERS = ("housing_bureau", "street_office", "community", "admin", "enterprise")

# username → role, as web/demo.py creates them
ROLES = {
    "bureau": "housing_bureau", "street": "street_office", "street2": "street_office",
    "community": "community", "enterprise": "enterprise", "enterprise2": "enterprise",
    "committee": "committee", "developer": "developer", "admin": "admin",
    "fire": "department", "market": "department", "urban": "department",
}
SIZES = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1366, 900)}


@dataclass(frozen=True)
class PageType:
    name: str
    url: Callable[[str, dict], Optional[str]]      # (role, facts) → path or None


def facts_for(session, username: str) -> dict:
    """What the URLs need, as the user may see it."""
    from engine.access import Actor, visible_cases
    from engine.models import Case, Deadline, Event, User
    user = session.scalar(select(User).where(User.username == username))
    actor = Actor.of(user)
    out: dict = {}
    if actor.role == "admin":
        out["org_id"] = session.scalar(select(func.min(User.organisation_id)))
        out["user_id"] = user.id
    visible = visible_cases(actor).subquery()
    longest = session.execute(
        select(Event.case_id, func.count()).where(Event.case_id.in_(select(visible.c.id)))
        .group_by(Event.case_id).order_by(func.count().desc(), Event.case_id)).first()
    if longest:
        out["case_id"] = longest[0]
    from engine import registry
    with_materials = [n for n, d in registry.all_current().items() if d.materials]
    mat = session.scalar(select(Case.id).where(Case.id.in_(select(visible.c.id)),
                                               Case.procedure.in_(with_materials))
                         .order_by(Case.id))
    if mat:
        out["materials_case"] = mat
    missed = session.scalar(select(Deadline.id).where(
        Deadline.case_id.in_(select(visible.c.id)), Deadline.status == "missed")
        .order_by(Deadline.id))
    if missed:
        out["missed_deadline"] = missed
    out.update(_register_facts(session, actor))
    return out


def _register_facts(session, actor) -> dict:
    """The register's, the owners' and the credit pages' facts: the visible estate with the
    longest 台账历史, the one with the most owners on its register, a vote, an enterprise's
    credit record."""
    from engine import owners_register as reg
    from engine.access import may_see_estate, visible_estates
    from engine.models import Case, Estate
    from engine.register_models import RegisterChange
    from web.credit import credits
    from workflows import owners_vote
    out: dict = {}
    estates = select(visible_estates(actor).subquery().c.id)
    longest = session.execute(
        select(Estate.id, func.count(RegisterChange.id)).outerjoin(
            RegisterChange, RegisterChange.estate_id == Estate.id)
        .where(Estate.id.in_(estates)).group_by(Estate.id)
        .order_by(func.count(RegisterChange.id).desc(), Estate.id)).first()
    if longest:
        out["estate_id"] = longest[0]
    if actor.role in OWNERS_VIEWERS:
        most = session.execute(
            select(reg.RegisterUnit.estate_id, func.count()).where(reg.RegisterUnit.estate_id.in_(estates))
            .group_by(reg.RegisterUnit.estate_id).order_by(func.count().desc())).first()
        if most:
            out["owners_estate"] = most[0]
        for case in session.scalars(select(Case).where(Case.procedure == owners_vote.NAME)
                                    .order_by(Case.id)):
            if may_see_estate(actor, session.get(Estate, case.estate_id)):
                out["vote_case"] = case.id
                break
    if actor.role in CREDIT_READERS:
        rows = credits(session, actor)
        if rows:
            out["credit_org"] = rows[0].org.id
    return out


def _if(key: str, fmt: str):
    return lambda role, f: fmt.format(**f) if key in f else None


def _supervisor(path: str):
    return lambda role, f: path if role in SUPERVISORS else None


def _roles(roles, key: Optional[str], fmt: str):
    return lambda role, f: (fmt.format(**f) if role in roles and (key is None or key in f)
                            else None)


def _admin(path: str):
    return lambda role, f: path.format(**f) if role == "admin" else None


PAGES: list[PageType] = [
    PageType("home", lambda role, f: "/"),
    PageType("cases", lambda role, f: "/cases"),
    PageType("cases-filtered", lambda role, f: "/cases?overdue=1"),
    PageType("case", _if("case_id", "/cases/{case_id}")),
    PageType("case-new", lambda role, f: "/cases/new"),
    PageType("materials", _if("materials_case", "/cases/{materials_case}/materials")),
    PageType("inbox", lambda role, f: "/inbox/"),
    PageType("dashboard", _supervisor("/dashboard/")),
    PageType("dashboard-cases", _supervisor("/dashboard/cases")),
    PageType("dashboard-progress", _supervisor("/dashboard/progress")),
    PageType("supervise", lambda role, f: (f"/dashboard/supervise/{f['missed_deadline']}"
                                           if role in ISSUERS and "missed_deadline" in f
                                           else None)),
    PageType("verify", lambda role, f: "/verify"),
    PageType("admin", _admin("/admin/")),
    PageType("admin-orgs", _admin("/admin/orgs")),
    PageType("admin-org", _admin("/admin/orgs/{org_id}")),
    PageType("admin-users", _admin("/admin/users")),
    PageType("admin-user", _admin("/admin/users/{user_id}")),
    PageType("admin-estates", _admin("/admin/estates")),
    PageType("admin-calendar", _admin("/admin/calendar")),
    PageType("admin-forms", _admin("/admin/organisations/{org_id}/forms")),
    # 台账: the list (duties, estates, coverage, committees, contracts, enterprises are its
    # sections), an estate's form with its history, the monthly changes, import
    PageType("register", lambda role, f: "/register/"),
    PageType("register-estate", _if("estate_id", "/register/estates/{estate_id}")),
    PageType("register-estate-as-of", _if("estate_id", "/register/estates/{estate_id}?as_of=2020-01-01")),
    PageType("register-changes", lambda role, f: "/register/changes"),
    PageType("register-estate-new", _roles(KEEPERS, None, "/register/estates/new")),
    PageType("register-enterprise-new", _roles(KEEPERS, None, "/register/enterprises/new")),
    PageType("register-import", _roles(KEEPERS, None, "/register/import")),
    # 监管台账
    PageType("ledgers", lambda role, f: "/ledgers/"),
    PageType("ledger-complaint", lambda role, f: "/ledgers/complaint"),
    PageType("ledger-complaint-by-estate", lambda role, f: "/ledgers/complaint?by=estate"),
    PageType("ledger-complaint-by-category", lambda role, f: "/ledgers/complaint?by=category&which=open"),
    PageType("ledger-rectification", lambda role, f: "/ledgers/rectification?by=enterprise"),
    # 信用
    PageType("credit", _roles(CREDIT_READERS, None, "/credit/")),
    PageType("credit-enterprise", _roles(CREDIT_READERS, "credit_org", "/credit/{credit_org}")),
    # 业主名册与表决
    PageType("owners", _roles(OWNERS_VIEWERS, None, "/owners/")),
    PageType("owners-register", _roles(OWNERS_VIEWERS, "owners_estate", "/estates/{owners_estate}/owners")),
    PageType("vote-turnout", _roles(OWNERS_VIEWERS, "vote_case", "/votes/{vote_case}/turnout")),
]

# The owners' mobile pages: signed out, then signed in with a demo voting code (README).
VOTER = ("DEMO00CUIHU", "0001")
VOTE_PAGES_SIGNED_OUT = ("/vote/", "/vote/receipt", "/vote/receipt?code=NOSUCHCODE")
VOTE_PAGES_SIGNED_IN = ("/vote/ballot",)


def urls_for(username: str, facts: dict) -> list[tuple[str, str]]:
    role = ROLES[username]
    out = []
    for p in PAGES:
        u = p.url(role, facts)
        if u:
            out.append((p.name, u))
    return out

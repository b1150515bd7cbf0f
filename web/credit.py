"""信用 (credit): each enterprise's credit record (basic + good − bad, engine.queries for the
cases, the rule pack's scheme for the grade), the ranking, the credit page of one
enterprise with its history, and the inspections suggested for enterprises in the
key-supervision band (「湖南住宅物业监管方案」六(二): a high share of their estates
inspected)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from flask import Blueprint, Flask, abort, render_template
from flask_login import login_required
from sqlalchemy import select

from engine import queries, registry
from engine.models import Estate, Organisation
from engine.rulepacks import pack_for_estate
from web.auth import current_actor
from web.db import get_session
from workflows.rules.credit import Grade, Record, grade, record

bp = Blueprint("credit", __name__, url_prefix="/credit")
READERS = ("housing_bureau", "street_office", "community", "admin", "enterprise")


@dataclass
class EnterpriseCredit:
    org: Organisation
    record: Record
    grade: Grade
    estates: list = field(default_factory=list)
    history: list = field(default_factory=list)        # (case, entry)
    suggested: list = field(default_factory=list)      # estates to inspect


def credits(session, actor, enterprise_ids=None) -> list[EnterpriseCredit]:
    """Every visible enterprise's credit, best first."""
    by_ent: dict[int, list] = {}
    for case in queries.credit_cases(session, actor, enterprise_ids):
        entry = registry.get(case.procedure, case.version).credit(case.state, case.data or {})
        by_ent.setdefault(case.enterprise_id, []).append((case, entry))
    if not by_ent:
        return []
    orgs = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(list(by_ent))))}
    estates: dict[int, list] = {}
    for e in session.scalars(select(Estate).where(Estate.enterprise_id.in_(list(by_ent))).order_by(Estate.id)):
        estates.setdefault(e.enterprise_id, []).append(e)
    out = []
    for ent, items in by_ent.items():
        if ent not in orgs:
            continue
        rec = record([e for _, e in items if e is not None])
        mine = estates.get(ent, [])
        # The enterprise's scheme is its estates' pack (the first estate's).
        pack = pack_for_estate(mine[0]).pack if mine else "national"
        g = grade(rec.score, rec.has_bad, pack)
        c = EnterpriseCredit(orgs[ent], rec, g, mine, [(case, e) for case, e in items if e is not None])
        if g.key_supervision and mine:
            c.suggested = mine[:math.ceil(len(mine) * g.scheme.inspection_share)]
        out.append(c)
    return sorted(out, key=lambda c: (-c.record.score, c.org.name))


def _actor():
    actor = current_actor()
    if actor.role not in READERS:
        abort(403)
    return actor


@bp.get("/")
@login_required
def ranking():
    actor, s = _actor(), get_session()
    rows = credits(s, actor)
    return render_template("credit/ranking.html", rows=rows, Decimal=Decimal)


@bp.get("/<int:org_id>")
@login_required
def enterprise(org_id: int):
    actor, s = _actor(), get_session()
    found = credits(s, actor, [org_id])
    if not found:
        abort(404)
    return render_template("credit/enterprise.html", c=found[0], registry=registry)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

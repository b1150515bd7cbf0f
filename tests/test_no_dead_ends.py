"""No dead ends: every case of the demo district can be carried to a final state by the
demo accounts, through the actions they are offered, with payloads any officer could
type. When a step creates an organisation nobody can sign in for yet (a newly elected
committee), the administrator creates its account, as on the admin page. Every step's form
takes uploads: a step refused without one is tried again with a scanned document attached.
A step done item by item goes through its items: the materials still to submit or accept,
or else the choices its `item` field declares, each once."""
from __future__ import annotations

from collections import deque
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from engine import registry
from engine.access import Actor
from engine.errors import EngineError
from engine.files import FileIn
from engine.models import Case, Estate, Organisation, User
from engine.runtime import advance, available_actions
from tests.helpers import at

TODAY = date(2026, 11, 21)
# Payload fields that name a day still to come, and how far ahead an officer would set it.
AHEAD = {"term_end": 730, "meeting_on": 20, "bid_deadline": 25, "new_bid_deadline": 25, "organise_by": 30,
         "rectify_by": 10, "supervise_by": 10, "planned_announcement_on": 16, "delivery_on": 20,
         "planned_delivery_on": 20}
# What an officer attaches when a step asks for evidence (a photo, a scanned paper).
SCAN = FileIn("扫描件.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"scan" * 16)


def _distances(defn) -> dict[str, int]:
    """Steps from each state to the nearest final state."""
    dist = {s.name: 0 for s in defn.states if s.final}
    todo = deque(dist)
    while todo:
        cur = todo.popleft()
        for t in defn.transitions:
            if t.dest == cur:
                for src in t.sources:
                    if src not in dist:
                        dist[src] = dist[cur] + 1
                        todo.append(src)
    return dist


def _payload(t, case, estate: Estate, day: date, session) -> dict:
    if t.schema is None:
        return {}
    out: dict = {}
    for name, f in t.schema().fields.items():
        kind = type(f).__name__
        choices = f.metadata.get("choices")
        if name == "item":
            continue
        if choices:
            out[name] = next(iter(choices))
        elif "Date" in kind:
            out[name] = (day + timedelta(days=AHEAD.get(name, 0))).isoformat()
        elif name.endswith("_area"):
            out[name] = str(estate.total_area or Decimal("1000.00"))
        elif name.endswith("_owners"):
            out[name] = estate.total_owners or 100
        elif kind == "Integer":
            out[name] = 7
        elif kind in ("Decimal", "Float", "Number") or "Money" in kind:
            out[name] = "1.00"
        elif kind == "Boolean":
            out[name] = True
        else:
            out[name] = "按规定办理"
    if "winner_id" in out or "winner_name" in out:
        out.pop("winner_name", None)
        out["winner_id"] = session.scalar(select(Organisation.id).where(Organisation.kind == "enterprise"))
    if "successor" in out:
        out["successor"] = "业主自行管理"
        out.pop("successor_id", None)
    return out


def _accounts(session) -> list[Actor]:
    return [Actor.of(u) for u in session.scalars(select(User).where(User.active.is_(True)))]


def _sign_up_new_committees(session) -> None:
    """What the administrator does for a committee the register has just created."""
    have = set(session.scalars(select(User.organisation_id).where(User.role == "committee")))
    for org in session.scalars(select(Organisation).where(Organisation.kind == "committee")):
        if org.id not in have:
            session.add(User(username=f"committee{org.id}", display_name=f"{org.name}主任",
                             role="committee", organisation_id=org.id, password_hash="x"))
    session.commit()


def _items_to_do(case, trigger: str) -> list[str]:
    from engine import materials
    defn = registry.get(case.procedure, case.version)
    state = case.data.get(materials.KEY, {})
    keys = [m.key for m in defn.materials]
    out = []
    for k in keys:
        st = (state.get(k) or {}).get("status") if isinstance(state, dict) else None
        if trigger == "submit_item" and st in (None, "pending", "returned", "rejected"):
            out.append(k)
        elif trigger == "accept_item" and st == "submitted":
            out.append(k)
    return out


def _drive(session, case_id: int) -> list[str]:
    trail, waited, used = [], 0, {}
    sent: dict[str, set] = {}     # item step → the items already recorded through it
    day = TODAY
    for _ in range(120):
        session.expire_all()
        case = session.get(Case, case_id)
        defn = registry.get(case.procedure, case.version)
        if defn.state(case.state).final:
            return trail
        dist = _distances(defn)
        _sign_up_new_committees(session)
        options = []
        for actor in _accounts(session):
            for a in available_actions(session, case, actor, now=at(day)):
                item_step = a.transition.schema is not None and "item" in a.transition.schema().fields
                if a.allowed and (item_step or used.get(a.transition.trigger, 0) < 3):
                    d = dist.get(a.transition.dest or case.state, 99) + (0.5 if a.transition.dest is None else 0)
                    options.append((d, a.transition.trigger, actor.username, a.transition, actor))
        options.sort(key=lambda o: (o[0], o[1], o[2]))
        moved = False
        tried = []
        for d, trigger, _u, t, actor in options:
            if t.dest is not None and d >= dist.get(case.state, 99) and waited < 3:
                continue            # going back: only when waiting does not help
            base = _payload(t, case, case.estate, day, session)
            fields = t.schema().fields if t.schema else {}
            if "item" in fields and defn.materials:
                payloads = [{**base, "item": k} for k in _items_to_do(case, trigger)]
            elif "item" in fields:
                payloads = [{**base, "item": k} for k in fields["item"].metadata.get("choices") or ()
                            if k not in sent.get(trigger, set())]
            else:
                payloads = [base]
                for name, f in fields.items():
                    if f.metadata.get("choices") and name not in ("item",):
                        payloads = [{**base, name: k} for k in f.metadata["choices"]]
                        break
            for p in payloads:
                for files in ((), (SCAN,)):
                    try:
                        advance(session, case_id, trigger, actor, p, now=at(day), files=files)
                    except EngineError as exc:
                        tried.append(f"{trigger}/{actor.username}: {getattr(exc, 'errors', '') or exc.message}")
                        continue
                    moved = True
                    break
                if not moved:
                    continue
                if "item" in p:
                    sent.setdefault(trigger, set()).add(p["item"])
                trail.append(f"{trigger} by {actor.username}")
                used[trigger] = used.get(trigger, 0) + 1
                break
            if moved:
                break
        day += timedelta(days=16)
        if not moved:
            # Time passes (a meeting day, a notice period); a case that nobody can move for
            # a year is a dead end.
            waited += 1
            if waited > 25:
                raise AssertionError(f"case {case_id} ({case.procedure}) stuck at {case.state}: "
                                     f"after {trail}; tried {tried or 'nothing allowed'}")
        else:
            waited = 0
    raise AssertionError(f"case {case_id} did not end: {trail}")


def test_every_demo_case_can_be_carried_to_a_final_state(session):
    from web.demo import load_demo
    load_demo(session, TODAY)
    open_ids = []
    for c in session.scalars(select(Case).order_by(Case.id)):
        if not registry.get(c.procedure, c.version).state(c.state).final:
            open_ids.append(c.id)
    assert len(open_ids) >= 10
    stuck = []
    for cid in open_ids:
        try:
            _drive(session, cid)
        except AssertionError as exc:
            stuck.append(str(exc))
    assert not stuck, "\n".join(stuck)
    # Everything the drive wrote — steps and the register changes they caused — is in the
    # evidence log as the rows hold it.
    from engine.audit import verify_all
    assert verify_all(session).problems == []

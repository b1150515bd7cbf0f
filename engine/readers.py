"""Read-only views of what the engine keeps beside cases (the owners' register, a vote's
ballots, another case's outcome), by name, for declarations' guards and effects.

`workflows/` may not touch the database, so the runtime hands a step's context a reader
(`GuardContext.read`): `ctx.read("register_units", estate_id=…)` returns plain values the
rules in `workflows/rules/` decide on. Storage modules register their readers with
`@reader(name)`; they are loaded with the models (engine.db.MODEL_MODULES).
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy.orm import Session

_READERS: dict[str, Callable[..., Any]] = {}


def reader(name: str):
    def wrap(fn):
        _READERS[name] = fn
        return fn
    return wrap


def read(session: Session, name: str, **kw) -> Any:
    if name not in _READERS:
        from engine.db import load_models
        load_models()
    return _READERS[name](session, **kw)


@reader("case")
def case_outcome(session: Session, case_id: int) -> dict | None:
    """Another case's procedure, state, estate and data (e.g. a closed vote's result)."""
    from engine.models import Case
    c = session.get(Case, int(case_id))
    if c is None:
        return None
    return {"id": c.id, "procedure": c.procedure, "version": c.version, "state": c.state,
            "estate_id": c.estate_id, "data": c.data}


@reader("case_facts")
def case_facts(session: Session, case_id: object):
    """Another case's id, procedure, estate, state and whether it is final (a guard's
    `other_case`, e.g. the complaint a repeat is merged into)."""
    from engine.links import case_facts as facts
    return facts(session, case_id)

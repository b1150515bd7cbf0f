"""How a case moves: definitions → shared state machines, the runtime's one `advance`
path, legal time, voting rules, persistence, deadlines and the audit trail.

The engine knows nothing of property management's procedures: those are declared in
`workflows/`. Import the runtime from here::

    from engine import advance, open_case, available_actions
"""
from engine.errors import (  # noqa: F401
    EngineError, NotFound, NotPermitted, PayloadInvalid, InvalidTransition,
    GuardRefused, StaleCase, DefinitionError,
)


def __getattr__(name):
    # The runtime imports SQLAlchemy models; keep `import engine.legaltime` light.
    if name in {"advance", "open_case", "available_actions", "Actor"}:
        from engine import runtime
        return getattr(runtime, name)
    raise AttributeError(name)

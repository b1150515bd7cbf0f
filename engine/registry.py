"""Where definitions are registered: every version ever run stays loadable, so a case
keeps the version it started with; `current(name)` is the one new cases get."""
from __future__ import annotations

import importlib
import os

from engine.bilingual import Bi
from engine.definition import Procedure
from engine.errors import DefinitionError, NotFound

_by_key: dict[tuple[str, int], Procedure] = {}
_current: dict[str, Procedure] = {}


def register(defn: Procedure) -> Procedure:
    defn.validate()
    old = _by_key.get(defn.key)
    if old is not None and old is not defn:
        raise DefinitionError(f"procedure {defn.name} v{defn.version} registered twice")
    _by_key[defn.key] = defn
    cur = _current.get(defn.name)
    if cur is None or defn.version >= cur.version:
        _current[defn.name] = defn
    return defn


def _ensure_loaded() -> None:
    # Procedures live outside the engine; importing the package registers them.
    if not _current:
        importlib.import_module(os.environ.get("ENGINE_WORKFLOWS", "workflows"))


def current(name: str) -> Procedure:
    _ensure_loaded()
    try:
        return _current[name]
    except KeyError:
        raise NotFound(Bi(f"没有名为 {name} 的程序", f"No procedure named {name}")) from None


def get(name: str, version: int) -> Procedure:
    _ensure_loaded()
    try:
        return _by_key[(name, version)]
    except KeyError:
        raise NotFound(Bi(f"程序 {name} 第 {version} 版未载入",
                          f"Version {version} of procedure {name} is not loaded")) from None


def all_current() -> dict[str, Procedure]:
    _ensure_loaded()
    return dict(_current)


def all_versions() -> list[Procedure]:
    """Every registered definition, every version (running cases keep theirs)."""
    _ensure_loaded()
    return list(_by_key.values())


_finals: dict[tuple[str, int, str], bool] = {}


def is_final(name: str, version: int, state: str) -> bool:
    """Whether a case of this procedure version in this state is finished; an unknown
    procedure, version or state counts as running (a page still shows it)."""
    key = (name, version, state)
    if key not in _finals:
        defn = _by_key.get((name, version))
        if defn is None:
            _ensure_loaded()
            defn = _by_key.get((name, version))
        try:
            _finals[key] = bool(defn and defn.state(state).final)
        except KeyError:
            _finals[key] = False
    return _finals[key]

"""Typed refusals of the engine. The web layer maps each to one HTTP status, once."""
from __future__ import annotations

from engine.bilingual import Bi, join


class EngineError(Exception):
    """Base of every refusal; `message` is written for the user (Chinese, with its
    English when it is an `engine.bilingual.Bi`)."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    status = 404


class NotPermitted(EngineError):
    """Wrong role, or the case/estate is outside the actor's jurisdiction or party."""

    status = 403


class PayloadInvalid(EngineError):
    """The payload failed its schema; `errors` maps field → list of messages."""

    status = 400

    def __init__(self, errors: dict):
        super().__init__(Bi("提交的内容有误，请按提示修改",
                            "Some entries are wrong; please correct them as indicated"))
        self.errors = errors


class InvalidTransition(EngineError):
    """The action is not possible from the case's current state."""

    status = 409


class GuardRefused(EngineError):
    """A legal condition of the step is not met; `reasons` lists every one in words."""

    status = 422

    def __init__(self, reasons: list[str]):
        super().__init__(join(reasons))
        self.reasons = reasons


class StaleCase(EngineError):
    """The caller saw an older `lock_version`, or another writer committed first."""

    status = 409

    def __init__(self, message: str = Bi("此案件已被他人更新，请刷新后重试",
                                         "Someone else has just updated this case; "
                                         "reload the page and try again")):
        super().__init__(message)


class DefinitionError(Exception):
    """A procedure definition is inconsistent; raised when it is loaded."""

"""The actors' roles. A user's role is the kind of organisation they act for.

The jurisdiction rules (engine.access) are written against these kinds, so they live in
the engine; procedures in `workflows/` only name them.
"""
from __future__ import annotations

from engine.bilingual import Bi

ROLES: dict[str, Bi] = {
    "housing_bureau": Bi("区住房和城乡建设局", "district housing bureau"),
    "street_office": Bi("街道办事处", "street office"),
    "community": Bi("社区居委会", "community committee"),
    "enterprise": Bi("物业服务企业", "property-service enterprise"),
    "developer": Bi("建设单位", "developer"),
    "committee": Bi("业主委员会", "owners' committee"),
    # A competent department (市场监管, 消防救援, 城管执法, 卫健, 公安, 司法所…): it sees only
    # the cases transferred to it (engine.access, the case's `department_id`).
    "department": Bi("职能部门", "competent department"),
    "admin": Bi("系统管理员", "administrator"),
    "system": Bi("系统", "system"),
}

ORG_KINDS = {k: v for k, v in ROLES.items() if k not in {"admin", "system"}}

# Who supervises whom when a deadline stays overdue (community → street office → bureau).
SUPERVISOR_KIND = {
    "community": "street_office",
    "street_office": "housing_bureau",
    "enterprise": "community",
    "committee": "community",
    "developer": "housing_bureau",
    "department": "street_office",
}


def role_label(role: str) -> str:
    return ROLES.get(role, role)

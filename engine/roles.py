"""The actors' roles. A user's role is the kind of organisation they act for.

The jurisdiction rules (engine.access) are written against these kinds, so they live in
the engine; procedures in `workflows/` only name them.
"""
from __future__ import annotations

ROLES: dict[str, str] = {
    "housing_bureau": "区住房和城乡建设局",
    "street_office": "街道办事处",
    "community": "社区居委会",
    "enterprise": "物业服务企业",
    "developer": "建设单位",
    "committee": "业主委员会",
    "admin": "系统管理员",
    "system": "系统",
}

ORG_KINDS = {k: v for k, v in ROLES.items() if k not in {"admin", "system"}}

# Who supervises whom when a deadline stays overdue (community → street office → bureau).
SUPERVISOR_KIND = {
    "community": "street_office",
    "street_office": "housing_bureau",
    "enterprise": "community",
    "committee": "community",
    "developer": "housing_bureau",
}


def role_label(role: str) -> str:
    return ROLES.get(role, role)

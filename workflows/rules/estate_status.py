"""An estate's management status in the 调度表 (物业管理全覆盖工作调度表), as the street
offices report it: decided by the register where it knows (the committee in office, the
management mode), else from the procedures its cases finished.

已成立业委会 — an owners' committee is filed (the register names one, or a first
assembly ended in a filed committee); 物业管理委员会 — a property management committee was
formed instead; 前期物业 — an enterprise serves but the owners have no committee yet;
无物业 — nobody manages the estate.
"""
from __future__ import annotations

from typing import Iterable

from engine.bilingual import Bi

COMMITTEE = Bi("已成立业委会", "Committee formed")
INTERIM = Bi("物业管理委员会", "Management committee")
PRE_PHASE = Bi("前期物业", "Pre-phase service")
NONE = Bi("无物业", "No service")
STATUSES = (COMMITTEE, INTERIM, PRE_PHASE, NONE)

# Final states that decide the status: (procedure, state) → status.
REACHED = {
    ("owners_assembly", "filed"): COMMITTEE,
    ("owners_assembly", "management_committee"): INTERIM,
}
# A running case of these procedures shows "业主大会筹备中" beside the status.
PREPARING = ("owners_assembly",)


# The register's word, where it has one: the kind of committee in office, and the
# management mode (物业管理性质) recorded for the estate.
COMMITTEE_KIND = {"owners": COMMITTEE, "management": INTERIM}
NO_MANAGEMENT = "无物业管理"


def status(committee_id, enterprise_id, reached: Iterable[tuple[str, str]], *,
           committee_kind: str | None = None, mode: str | None = None) -> str:
    if committee_kind in COMMITTEE_KIND:
        return COMMITTEE_KIND[committee_kind]
    decided = {REACHED[r] for r in reached if r in REACHED}
    if mode == NO_MANAGEMENT and not committee_id and not decided:
        return NONE
    if committee_id or COMMITTEE in decided:
        return COMMITTEE
    if INTERIM in decided:
        return INTERIM
    if enterprise_id:
        return PRE_PHASE
    return NONE


def preparing(running: Iterable[str]) -> bool:
    return any(p in PREPARING for p in running)

"""An estate's management status in the 调度表 (物业管理全覆盖工作调度表), as the street
offices report it: decided from the register and from the procedures its cases finished.

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


def status(committee_id, enterprise_id, reached: Iterable[tuple[str, str]]) -> str:
    decided = {REACHED[r] for r in reached if r in REACHED}
    if committee_id or COMMITTEE in decided:
        return COMMITTEE
    if INTERIM in decided:
        return INTERIM
    if enterprise_id:
        return PRE_PHASE
    return NONE


def preparing(running: Iterable[str]) -> bool:
    return any(p in PREPARING for p in running)

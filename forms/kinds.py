"""The document kinds (INTERFACES.md) and how each is printed."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    template: str
    letter: str            # 代字 after the organisation's prefix: 浉住建「备」〔2026〕12号
    notice: bool = False   # a public notice (公告): addressed to all owners, posted
    title_en: str = ""     # what English pages call it (the document itself is Chinese)


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("contract_filing_receipt", "物业服务合同备案回执", "contract_filing_receipt.html", "备",
         title_en="Receipt for the filing of a service contract"),
    Kind("correction_notice", "补正通知书", "correction_notice.html", "补",
         title_en="Notice to correct"),
    Kind("preparatory_group_notice", "业主大会筹备组成立公告", "preparatory_group_notice.html", "告",
         notice=True, title_en="Public notice of the preparatory group"),
    Kind("first_meeting_notice", "首次业主大会会议公告", "first_meeting_notice.html", "告", notice=True,
         title_en="Public notice of the first owners' assembly meeting"),
    Kind("committee_filing_certificate", "业主委员会备案证明", "committee_filing_certificate.html", "备",
         title_en="Filing certificate of the owners' committee"),
    Kind("inspection_filing_receipt", "承接查验备案回执", "inspection_filing_receipt.html", "备",
         title_en="Receipt for the filing of the handover inspection"),
    Kind("handover_checklist", "物业服务企业退出交接清单", "handover_checklist.html", "交",
         title_en="Handover checklist of the outgoing enterprise"),
    Kind("handover_confirmation", "交接确认书", "handover_confirmation.html", "交",
         title_en="Handover record"),
    Kind("tender_filing_receipt", "招标备案回执", "tender_filing_receipt.html", "备",
         title_en="Receipt for the tender filing"),
    Kind("award_filing_receipt", "中标备案回执", "award_filing_receipt.html", "备",
         title_en="Receipt for the award filing"),
    Kind("supervision_notice", "逾期督办通知书", "supervision_notice.html", "督",
         title_en="Overdue supervision notice"),
)}


def kind(key: str) -> Kind:
    """The kind, or a generic notice for a kind declared by a procedure but not yet
    given its own template (the step must not fail for want of a layout)."""
    return KINDS.get(key) or Kind(key, "通知书", "generic.html", "字", title_en="Notice")


# Whom a kind of document is addressed to, per procedure: a role of the case.
ADDRESSEE_ROLE = {
    ("correction_notice", "contract_filing"): "enterprise",
    ("correction_notice", "owners_assembly"): "committee",
    ("correction_notice", "committee_reelection"): "committee",
    ("correction_notice", "handover_inspection"): "enterprise",
    ("correction_notice", "pre_phase_tender"): "developer",
    ("contract_filing_receipt", None): "enterprise",
    ("committee_filing_certificate", None): "committee",
    ("inspection_filing_receipt", None): "enterprise",
    ("tender_filing_receipt", None): "developer",
    ("award_filing_receipt", None): "developer",
    ("handover_checklist", None): "enterprise",
    ("handover_confirmation", None): "enterprise",
    ("supervision_notice", None): "enterprise",
}


def addressee_role(kind_key: str, procedure: str) -> str | None:
    return ADDRESSEE_ROLE.get((kind_key, procedure)) or ADDRESSEE_ROLE.get((kind_key, None))

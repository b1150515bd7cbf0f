"""How each kind of document is printed: its layout and the 代字 of its serial number.

What a document says in law (its title, addressee and legal basis) is declared on the
procedure that issues it (`engine.definition.DocumentSpec` in workflows/); this module
only knows about paper. A kind without a layout here is refused when the application
starts (web.documents checks every declaration), never printed as a generic notice.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    template: str
    letter: str            # 代字 after the organisation's prefix: 浉住建「备」〔2026〕12号


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("contract_filing_receipt", "contract_filing_receipt.html", "备"),
    Kind("correction_notice", "correction_notice.html", "补"),
    Kind("preparatory_group_notice", "preparatory_group_notice.html", "告"),
    Kind("first_meeting_notice", "first_meeting_notice.html", "告"),
    Kind("committee_filing_certificate", "committee_filing_certificate.html", "备"),
    Kind("inspection_filing_receipt", "inspection_filing_receipt.html", "备"),
    Kind("handover_checklist", "handover_checklist.html", "交"),
    Kind("handover_confirmation", "handover_confirmation.html", "交"),
    Kind("tender_filing_receipt", "tender_filing_receipt.html", "备"),
    Kind("award_filing_receipt", "award_filing_receipt.html", "备"),
    Kind("supervision_notice", "supervision_notice.html", "督"),
    Kind("complaint_receipt", "complaint_receipt.html", "诉"),
    Kind("transfer_order", "transfer_order.html", "转"),
    Kind("rectification_notice", "rectification_notice.html", "改"),
    Kind("listing_notice", "listing_notice.html", "督"),
    Kind("closure_confirmation", "closure_confirmation.html", "销"),
    Kind("rectification_order", "supervision_notice.html", "督"),
    Kind("handover_order", "supervision_notice.html", "督"),
    Kind("owners_vote_notice", "owners_vote_notice.html", "告"),
    Kind("owners_vote_result", "owners_vote_result.html", "告"),
)}


def kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise KeyError(f"no printed layout for document kind {key!r} (forms/kinds.py)") from None


def missing_layouts(declared_kinds) -> list[str]:
    """Declared document kinds that have no layout here."""
    return sorted(set(declared_kinds) - set(KINDS))

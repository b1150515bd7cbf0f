"""Linked cases: a case shows the cases it started and the case that started it, and
only to those who may see them."""
from __future__ import annotations

from datetime import date

from engine.links import children, describe, parent
from engine.runtime import advance
from tests.helpers import at
from tests.helpers import register_tender, tender_contract

D = date


def signed_by_agreement(session, district, *, estate="binhe"):
    """A small estate's pre-phase contract, chosen by agreement with the bureau's approval."""
    dev, bureau = district.actor("developer"), district.actor("bureau")
    case = register_tender(session, district, estate=estate)
    advance(session, case.id, "apply_agreement", dev,
            {"grounds": "small_scale", "explanation": "住宅规模较小"}, now=at(D(2026, 8, 4)))
    advance(session, case.id, "approve_agreement", bureau, {"approval_no": "浉住建〔2026〕9号"},
            now=at(D(2026, 8, 6)))
    advance(session, case.id, "select_by_agreement", dev,
            {"winner_id": district.orgs["enterprise"].id, "selected_on": "2026-08-07"},
            now=at(D(2026, 8, 7)))
    return advance(session, case.id, "sign_contract", dev, tender_contract(signed=D(2026, 8, 10)),
                   now=at(D(2026, 8, 10)))


def test_the_tender_shows_the_filing_it_opened_and_the_filing_its_origin(session, district):
    tender = signed_by_agreement(session, district)
    kids = children(session, tender)
    assert [k.procedure for k in kids] == ["contract_filing"]
    filing = kids[0]
    assert parent(session, filing).id == tender.id
    assert parent(session, tender) is None and children(session, filing) == []

    shown = describe(filing)
    assert (shown.title, shown.state_label, shown.final) == ("物业服务合同备案", "已登记待报送", False)
    assert describe(tender).state_label == "已签订前期物业服务合同" and describe(tender).final


def test_links_respect_who_may_see_the_other_case(session, district):
    tender = signed_by_agreement(session, district)
    filing = children(session, tender)[0]
    winner = district.actor("enterprise")
    # The winner is the filing's party, but the developer's tender case is not its own
    # (滨河湾小区's current enterprise is 宜家): the link does not reveal it.
    assert parent(session, filing, winner) is None
    assert parent(session, filing, district.actor("bureau")).id == tender.id
    assert [c.id for c in children(session, tender, district.actor("developer"))] == [filing.id]
    assert children(session, tender, district.actor("street2")) == []   # another street's estate
    assert children(session, tender, district.actor("enterprise2")) == []

"""What the law says: one module per statutory procedure, pure declarations.

`REGISTRY` maps each procedure's name to its current definition; every definition is
validated when this package is imported (engine.registry.register).
"""
from engine import registry as _registry

from workflows import contract_filing
from workflows import enterprise_exit, handover_inspection
from workflows import pre_phase_tender
from workflows import owners_assembly, committee_reelection
from workflows import complaint, inspection, rectification
from workflows import credit_assessment, credit_record
from workflows import owners_vote

_registry.register(contract_filing.DEFINITION)
_registry.register(enterprise_exit.DEFINITION)
_registry.register(handover_inspection.DEFINITION)
_registry.register(pre_phase_tender.DEFINITION)
_registry.register(owners_assembly.DEFINITION)
_registry.register(committee_reelection.DEFINITION)
_registry.register(complaint.DEFINITION)
_registry.register(rectification.DEFINITION)
_registry.register(inspection.DEFINITION)
_registry.register(credit_assessment.DEFINITION)
_registry.register(credit_record.DEFINITION)
_registry.register(owners_vote.DEFINITION)

REGISTRY = _registry.all_current()

__all__ = ["REGISTRY"]

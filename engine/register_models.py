"""The register (台账): what the street offices and the bureau keep about every estate,
enterprise, owners' committee and service contract, as typed rows, with every change
appended to `register_history` (and to the evidence log) by `engine.register`.

The current rows are what the register says today; the history is what it said on any
day (`engine.register.as_of`). Nothing here is written directly by pages: every write
goes through `engine.register.change` / `create`, which records the history entry.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (BigInteger, Date, ForeignKey, Index, Integer, Numeric, String,
                        Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.bilingual import Bi
from engine.models import Base, Estate, Organisation, utcnow

_ID = BigInteger().with_variant(Integer, "sqlite")

# 物业管理性质 （「物业管理调度方案」附件5）; stored as the Chinese the 调度表 prints.
MANAGEMENT_MODES: dict[str, Bi] = {
    "外聘物业服务企业": Bi("外聘物业服务企业", "service enterprise engaged"),
    "业主自行管理": Bi("业主自行管理", "managed by the owners"),
    "社区托管": Bi("社区托管", "held in trust by the community"),
    "街道兜底": Bi("街道兜底", "fallback service by the street office"),
    "无物业管理": Bi("无物业管理", "no property management"),
}
NO_MANAGEMENT = "无物业管理"
ENGAGED = "外聘物业服务企业"
CATEGORIES = (1, 2, 3)     # 「物业管理调度方案」附件5 的说明: 一类、二类、三类小区

COMMITTEE_KINDS: dict[str, Bi] = {
    "owners": Bi("业主委员会", "owners' committee"),
    "management": Bi("物业管理委员会", "property management committee"),
}
COMMITTEE_STATUSES: dict[str, Bi] = {
    "pending": Bi("已选举待备案", "elected, not yet filed"),
    "active": Bi("在任", "in office"),
    "term_ended": Bi("任期届满", "term ended"),
    "dissolved": Bi("已解散", "dissolved"),
}
POSITIONS: dict[str, Bi] = {
    "主任": Bi("主任", "chair"),
    "副主任": Bi("副主任", "vice-chair"),
    "委员": Bi("委员", "member"),
}
CONTRACT_KINDS: dict[str, Bi] = {
    "pre_phase": Bi("前期物业服务合同", "pre-phase service contract"),
    "assembly": Bi("业主大会选聘物业服务合同", "contract with the enterprise the owners chose"),
}
FILING_STATUSES: dict[str, Bi] = {
    "unfiled": Bi("未备案", "not filed"),
    "under_review": Bi("已报送待审查", "under review"),
    "on_file": Bi("已备案", "on file"),
    "refused": Bi("不予备案", "refused"),
}


class EstateProfile(Base):
    """The register's columns of an estate (one row per estate) beside the columns the
    cases need (`engine.models.Estate`: name, street office, enterprise, committee,
    totals)."""
    __tablename__ = "estate_profiles"
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), primary_key=True)
    category: Mapped[Optional[int]] = mapped_column(Integer)
    management_mode: Mapped[str] = mapped_column(String(20), default=NO_MANAGEMENT)
    enterprise_since: Mapped[Optional[date]] = mapped_column(Date)
    mode_since: Mapped[Optional[date]] = mapped_column(Date)
    service_content: Mapped[str] = mapped_column(String(200), default="")
    project_manager: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    designated_on: Mapped[Optional[date]] = mapped_column(Date)
    designation_notice: Mapped[str] = mapped_column(String(300), default="")
    handover_on: Mapped[Optional[date]] = mapped_column(Date)
    remark: Mapped[str] = mapped_column(Text, default="")

    estate: Mapped[Estate] = relationship()


class EnterpriseProfile(Base):
    """An enterprise organisation's register entry: its credit code and contacts."""
    __tablename__ = "enterprise_profiles"
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    contact: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")

    organisation: Mapped[Organisation] = relationship()


class Committee(Base):
    """业主委员会 or 物业管理委员会 of an estate, one row per term. Its organisation is
    what its members sign in for and what the estate names as its committee."""
    __tablename__ = "committees"
    __table_args__ = (Index("ix_committees_status_term_end", "status", "term_end"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="owners")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    elected_on: Mapped[Optional[date]] = mapped_column(Date)
    term_start: Mapped[Optional[date]] = mapped_column(Date)
    term_end: Mapped[Optional[date]] = mapped_column(Date)
    term_basis: Mapped[str] = mapped_column(Text, default="")
    filed_on: Mapped[Optional[date]] = mapped_column(Date)
    certificate: Mapped[str] = mapped_column(String(200), default="")
    case_id: Mapped[Optional[int]] = mapped_column(Integer)   # no foreign key: the register outlives a case
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    estate: Mapped[Estate] = relationship()
    organisation: Mapped[Organisation] = relationship()
    members: Mapped[list["CommitteeMember"]] = relationship(
        order_by="CommitteeMember.id", viewonly=True)


class CommitteeMember(Base):
    __tablename__ = "committee_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[str] = mapped_column(String(8), default="委员")
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


class Contract(Base):
    """物业服务合同 as the register knows it, filed or not."""
    __tablename__ = "service_contracts"
    __table_args__ = (Index("ix_service_contracts_status_signed", "filing_status", "signed_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    contract_no: Mapped[str] = mapped_column(String(60), default="")
    signed_on: Mapped[date] = mapped_column(Date)
    term_start: Mapped[Optional[date]] = mapped_column(Date)
    term_end: Mapped[Optional[date]] = mapped_column(Date)
    fee: Mapped[Optional[Decimal]] = mapped_column(Numeric(16, 2))
    filing_status: Mapped[str] = mapped_column(String(12), default="unfiled")
    filed_on: Mapped[Optional[date]] = mapped_column(Date)
    receipt: Mapped[str] = mapped_column(String(200), default="")
    case_id: Mapped[Optional[int]] = mapped_column(Integer)   # no foreign key: the register outlives a case
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    estate: Mapped[Estate] = relationship()
    enterprise: Mapped[Organisation] = relationship()


class RegisterChange(Base):
    """One change of one field of one register entry: what it became, from when (the
    fact date), who recorded it and when, and the case event that caused it. Append
    only; each row is also a leaf of the evidence log."""
    __tablename__ = "register_history"
    __table_args__ = (
        Index("ix_register_history_entity", "entity", "entity_id", "fact_date"),
        Index("ix_register_history_estate", "estate_id", "fact_date"),
    )
    id: Mapped[int] = mapped_column(_ID, primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))      # estate / enterprise / committee / contract
    entity_id: Mapped[int] = mapped_column(Integer)
    estate_id: Mapped[Optional[int]] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[Optional[Any]] = mapped_column(Text)     # canonical JSON text
    new: Mapped[Optional[Any]] = mapped_column(Text)
    fact_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorder_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    recorder_name: Mapped[str] = mapped_column(String(100), default="")
    event_id: Mapped[Optional[int]] = mapped_column(_ID)
    case_id: Mapped[Optional[int]] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")

    # Compared as a whole by engine.audit (no case column: most changes have no case).
    __evidence__ = "register"
    __evidence_case__ = ""

"""Storage: typed SQLAlchemy 2.0 models. The schema itself is owned by Alembic
(engine/migrations); these classes must match the latest revision."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index,
                        Integer, MetaData, Numeric, String, Text, TypeDecorator,
                        UniqueConstraint)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Aware datetimes stored as UTC on every backend. SQLite keeps no offset, so a
    value written in Beijing time would otherwise compare wrongly with one in UTC."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC or Asia/Shanghai)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        Decimal: Numeric(16, 2),
    }


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)   # engine.roles.ORG_KINDS
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[Optional[str]] = mapped_column(String(200))
    parent: Mapped[Optional["Organisation"]] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name}>"


class Estate(Base):
    """物业管理区域: the unit every case is about."""
    __tablename__ = "estates"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300), default="")
    bureau_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    street_office_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    community_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    developer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    committee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    enterprise_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    # The register: totals the art. 278 vote is measured against.
    total_area: Mapped[Optional[Decimal]] = mapped_column(Numeric(16, 2))
    total_owners: Mapped[Optional[int]] = mapped_column(Integer)
    rulepack: Mapped[Optional[str]] = mapped_column(String(20))  # override of the province's pack

    street_office: Mapped[Organisation] = relationship(foreign_keys=[street_office_id])
    community: Mapped[Optional[Organisation]] = relationship(foreign_keys=[community_id])
    bureau: Mapped[Organisation] = relationship(foreign_keys=[bureau_id])


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32))             # engine.roles.ROLES
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[Optional[str]] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    organisation: Mapped[Optional[Organisation]] = relationship()


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The to-do list walks the cases newest first and stops at its length.
        Index("ix_cases_updated", "updated_at", "id"),
        # Counts per procedure and ledgers: a jurisdiction's estates, then their cases of a
        # procedure, with the version and state that say whether it still runs.
        Index("ix_cases_estate_state", "estate_id", "procedure", "version", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    procedure: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)             # definition version it runs on
    estate_id: Mapped[int] = mapped_column(ForeignKey("estates.id"), index=True)
    state: Mapped[str] = mapped_column(String(40), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enterprise_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"), index=True)
    parent_case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"), index=True)
    opened_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Head of the case's hash chain, so appending an event needs no read of the last one.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    event_head: Mapped[str] = mapped_column(String(64), default="0" * 64)
    # The latest day an act of the case happened (a later step may not be dated earlier).
    fact_date: Mapped[Optional[date]] = mapped_column(Date)

    estate: Mapped[Estate] = relationship()
    enterprise: Mapped[Optional[Organisation]] = relationship(foreign_keys=[enterprise_id])
    deadlines: Mapped[list["Deadline"]] = relationship(
        back_populates="case", order_by="Deadline.id", viewonly=True)

    # Optimistic locking: every UPDATE checks the version it read.
    __mapper_args__ = {"version_id_col": lock_version}
    # The evidence log keeps the case's own facts as opened; its state, data, version
    # and head are what its events made them (engine.audit replays them).
    __evidence__ = "case"
    __evidence_case__ = "id"
    __evidence_exclude__ = ("state", "data", "updated_at", "lock_version", "event_seq",
                            "event_head", "fact_date")


class Event(Base):
    """Append-only audit trail; each event carries the hash of the case's previous one."""
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    from_state: Mapped[Optional[str]] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisations.id"))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)      # when it was recorded
    fact_date: Mapped[Optional[date]] = mapped_column(Date)           # when the act happened
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __evidence__ = "event"


class Deadline(Base):
    """One running legal period of a case."""
    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_status_due", "status", "due_date"),
        Index("ix_deadlines_status_late", "status", "late"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    party: Mapped[str] = mapped_column(String(32))            # role that must act
    direction: Mapped[str] = mapped_column(String(10), default="after")
    anchor_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(10))
    due_date: Mapped[date] = mapped_column(Date)
    ends_at: Mapped[datetime] = mapped_column()
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open/met/missed/cancelled
    rulepack: Mapped[str] = mapped_column(String(20))
    citation: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text, default="")      # how the date was computed
    started_event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("events.id"))
    closed_at: Mapped[Optional[datetime]] = mapped_column()
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # met after its last day
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="deadlines")

    __evidence__ = "deadline"


class Attachment(Base):
    """A file submitted with a step or a checklist item; the bytes are stored under
    their SHA-256 (engine.files), so a row never points at changed content."""
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[Optional[int]] = mapped_column(ForeignKey("events.id"))
    item: Mapped[Optional[str]] = mapped_column(String(60))   # checklist item, if any
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __evidence__ = "attachment"

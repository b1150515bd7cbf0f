"""Issued documents (文书): rows, serial numbers (文号) and verification codes.

A document is a PDF the system issued for a step of a case. Its bytes live in the
content-addressed file store (`engine.files`) under their SHA-256 and never change; a
reissue creates a new row with a new serial and marks the old one superseded.

Serial numbers count per issuing organisation and year. The counter is one row per
(organisation, year) incremented by a single `UPDATE … RETURNING` inside the issuing
step's transaction: on PostgreSQL the row lock makes a concurrent step wait for the
first one's commit; on SQLite the database write lock does the same. A step that rolls
back gives its number back, so numbers have no gaps from refused steps.

Rendering lives in `forms/` (which depends on this module, never the reverse).
"""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from sqlalchemy import (BigInteger, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint,
                        select, update)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.bilingual import Bi
from engine.models import Base, Case, Organisation, utcnow

VALID, SUPERSEDED, VOID = "valid", "superseded", "void"
STATUS_LABELS = {VALID: Bi("有效", "valid"),
                 SUPERSEDED: Bi("已被重新出具的文书替代", "superseded by a reissued document"),
                 VOID: Bi("已作废", "void")}

# Unambiguous upper-case letters and digits (no 0/O, 1/I/L): easy to read off paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[Optional[int]] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("events.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    serial: Mapped[str] = mapped_column(String(80))              # 文号, e.g. 浉住建备〔2026〕12号
    serial_year: Mapped[int] = mapped_column(Integer)
    serial_no: Mapped[int] = mapped_column(Integer)
    issuer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    issuer_name: Mapped[str] = mapped_column(String(200))        # as printed on the paper
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    signed: Mapped[bool] = mapped_column(default=False)          # PAdES signature embedded
    code: Mapped[str] = mapped_column(String(16), unique=True)   # short verification code
    superseded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("documents.id"))
    status: Mapped[str] = mapped_column(String(12), default=VALID)   # valid / superseded / void

    case: Mapped[Case] = relationship()
    issuer: Mapped[Organisation] = relationship()
    superseded_by: Mapped[Optional["Document"]] = relationship(remote_side=[id])

    __table_args__ = (UniqueConstraint("issuer_org_id", "serial_year", "serial_no",
                                       name="uq_documents_serial"),)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def filename(self) -> str:
        return f"{self.title}-{self.serial}.pdf"


def void_earlier(session: Session, case_id: int, kinds) -> int:
    """Mark the case's valid documents of these kinds void: a later step took away what they
    announced (a meeting rescheduled voids its notice). Returns how many."""
    if not kinds:
        return 0
    res = session.execute(update(Document).where(Document.case_id == case_id,
                                                 Document.kind.in_(list(kinds)),
                                                 Document.status == VALID)
                          .values(status=VOID))
    return res.rowcount or 0


class SerialCounter(Base):
    """Last serial number used by an organisation in a year."""
    __tablename__ = "document_serials"
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class OrgFormSettings(Base):
    """What an organisation prints with: the prefix of its serial numbers (机关代字),
    an uploaded seal image (else one is drawn from its name) and, when configured, the
    certificate and key its documents are signed with (PAdES)."""
    __tablename__ = "org_form_settings"
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    serial_prefix: Mapped[Optional[str]] = mapped_column(String(20))
    seal_image: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    seal_content_type: Mapped[Optional[str]] = mapped_column(String(40))
    cert_pem: Mapped[Optional[str]] = mapped_column(Text)
    key_pem: Mapped[Optional[str]] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def settings_for(session: Session, org_id: int, *, create: bool = False) -> Optional[OrgFormSettings]:
    row = session.get(OrgFormSettings, org_id)
    if row is None and create:
        row = OrgFormSettings(org_id=org_id)
        session.add(row)
    return row


def _insert_ignore(session: Session, org_id: int, year: int) -> None:
    dialect = session.get_bind().dialect.name
    values = {"org_id": org_id, "year": year, "last_no": 0}
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:   # pragma: no cover - other backends are not supported
        raise RuntimeError(f"unsupported database {dialect}")
    session.execute(insert(SerialCounter).values(**values).on_conflict_do_nothing())


def next_serial_no(session: Session, org_id: int, year: int) -> int:
    """Allocate the next number of `org_id` in `year` inside the caller's transaction."""
    stmt = (update(SerialCounter)
            .where(SerialCounter.org_id == org_id, SerialCounter.year == year)
            .values(last_no=SerialCounter.last_no + 1)
            .returning(SerialCounter.last_no)
            .execution_options(synchronize_session=False))
    no = session.execute(stmt).scalar()
    if no is None:
        _insert_ignore(session, org_id, year)
        no = session.execute(stmt).scalar()
    return int(no)


def new_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.scalar(select(Document.id).where(Document.code == code)) is None:
            return code


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    """Groups of five for reading aloud: ABCDE-FGHJK."""
    return "-".join(code[i:i + 5] for i in range(0, len(code), 5))


def by_code(session: Session, code: str) -> Optional[Document]:
    code = normalise_code(code)
    if not code:
        return None
    return session.scalar(select(Document).where(Document.code == code))


def for_case(session: Session, case_id: int) -> list[Document]:
    """Every document issued for a case, oldest first (superseded ones included)."""
    return list(session.scalars(select(Document).where(Document.case_id == case_id)
                                .order_by(Document.issued_at, Document.id)))

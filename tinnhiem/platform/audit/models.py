import datetime as dt
import uuid

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from tinnhiem.platform.db import db


class AuditEntry(db.Model):
    """One change: who, what, when, which unit. `entry_hash` covers the fields and the
    previous entry's hash, so editing or deleting any entry breaks every later link.
    Holds metadata only: never ballot content, never a result."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60), index=True)
    province_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    target: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(db.Model):
    """The chain's one-row head: the latest entry's hash and the number of entries. Every
    writer updates it first, which serialises writers (a row lock on PostgreSQL, the write
    lock on SQLite) and anchors the end of the chain, so removing the last entries shows."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))

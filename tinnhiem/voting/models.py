"""The electronic vote's public address and its one-time codes. The ballots they cast are
kept by tinnhiem.tally, which no column here refers to."""
import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from tinnhiem.platform.db import db
from tinnhiem.tenants.owned import UnitOwned



class CodeState(StrEnum):
    UNUSED = "unused"
    SPENT = "spent"
    VOID = "void"  # unused when the vote closed


CODE_STATES = tuple(state.value for state in CodeState)


class Poll(UnitOwned, db.Model):
    """The public address of a conference's electronic vote (/v/<slug>). It belongs to the
    unit directory, like the unit tree: an anonymous voter's request reads it to learn which
    unit's scope to bind, without crossing into any unit's data."""

    __tablename__ = "polls"
    __tenant_directory__ = True
    __table_args__ = (
        UniqueConstraint("unit_id", "conference_id"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
    )

    slug: Mapped[str] = mapped_column(String(16), primary_key=True)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)


class VoteCode(UnitOwned, db.Model):
    """A one-time code, kept only as a keyed hash; never who received it or when it was used."""

    __tablename__ = "vote_codes"
    __table_args__ = (
        UniqueConstraint("unit_id", "conference_id", "digest"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        CheckConstraint(f"state IN {CODE_STATES}", name="state"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    digest: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8), default=CodeState.UNUSED.value)

"""The unit tree. Unit types are data; every unit has a validity period and may succeed others."""
import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.types import Uuid

from tinnhiem.platform.collation import SortKeyType, search_key, sort_key
from tinnhiem.platform.db import db
from tinnhiem.tenants.owned import UnitOwned


class UnitType(db.Model):
    """A kind of party organisation ("Tỉnh ủy", "Đảng ủy xã"...): shared by every province."""

    __tablename__ = "unit_types"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class Unit(UnitOwned, db.Model):
    """A party organisation. A unit owns itself (`unit_id = id`); a province root owns its
    province (`province_id = id`), so the same two columns scope units and their data."""

    __tablename__ = "units"
    __tenant_history__ = True  # the names a predecessor's results were certified under
    __tenant_directory__ = True  # the operator manages it (see Scope.for_directory)
    __table_args__ = (
        UniqueConstraint("province_id", "code"),
        UniqueConstraint("province_id", "id"),
        ForeignKeyConstraint(["province_id", "parent_id"], ["units.province_id", "units.id"]),
        ForeignKeyConstraint(["province_id"], ["units.id"]),
        CheckConstraint("unit_id = id", name="owns_itself"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(SortKeyType)  # the name in Vietnamese order
    # The name and code folded (collation.search_key): the roll-up's unit search reads it in
    # SQL instead of folding every unit's name on each search.
    search_key: Mapped[str] = mapped_column(String(600), default="", server_default="")
    type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit_types.id"), index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    type: Mapped[UnitType] = relationship(lazy="joined")
    parent: Mapped["Unit | None"] = relationship(
        remote_side=[id],
        foreign_keys=[parent_id],
        primaryjoin="Unit.parent_id == Unit.id",
        viewonly=True,
    )

    predecessor_links: Mapped[list["UnitSuccession"]] = relationship(
        primaryjoin="Unit.id == foreign(UnitSuccession.unit_id)", viewonly=True
    )

    @validates("name", "code")
    def _keep_keys(self, key, value):
        name, code = (value, self.code) if key == "name" else (self.name, value)
        if key == "name":
            self.name_key = sort_key(value)
        self.search_key = search_key(name, code)
        return value

    @property
    def predecessor_ids(self) -> list[uuid.UUID]:
        return [link.predecessor_id for link in self.predecessor_links]

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    def is_active_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class UnitSuccession(UnitOwned, db.Model):
    """The successor unit (`unit_id`) took over from `predecessor_id`, e.g. when districts
    were dissolved on 1/7/2025. Owned by the successor; the predecessor may be in a province
    that has since merged into this one."""

    __tablename__ = "unit_successions"
    __tenant_history__ = True  # what the predecessor had itself succeeded
    __tenant_directory__ = True
    __table_args__ = (
        UniqueConstraint("unit_id", "predecessor_id"),
        ForeignKeyConstraint(["province_id", "unit_id"], ["units.province_id", "units.id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    predecessor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), index=True)
    # Where the predecessor lives: a successor cannot read another province's units, and
    # needs it to ask for the predecessor's history scope (tenants.history).
    predecessor_province_id: Mapped[uuid.UUID] = mapped_column(Uuid)

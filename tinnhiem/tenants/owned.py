"""The two kinds of tenant row, as mixins every feature's models take: a row a province shares
with all its units, and a row that belongs to one unit. tenants.scope enforces them."""
import uuid

from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid


class ProvinceOwned:
    """Mixin for rows a province shares with all its units (rounds, the ballot template):
    every unit of the province reads them; other provinces never see them."""

    province_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)


class UnitOwned(ProvinceOwned):
    """Mixin for every row that belongs to one unit of one province (both never null)."""

    unit_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)

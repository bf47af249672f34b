"""A post a cadre holds (or held) in a unit of the province. The cadre code is the key that
follows a person across units and rounds; ended posts stay as history."""
import datetime as dt
import uuid

from sqlalchemy import (CheckConstraint, Date, DateTime, ForeignKeyConstraint, Index, String,
                        UniqueConstraint, func)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from tinnhiem.platform.collation import SortKeyType
from tinnhiem.platform.db import db
from tinnhiem.rounds.models import utc_now
from tinnhiem.tenants.owned import UnitOwned


class CadrePost(UnitOwned, db.Model):
    """Unit-owned: a unit reads the posts held in it and nothing of the others. Only the
    province, whose scope is every unit, writes them (cadre_registry.services), so the rule
    that one code carries one name is checked where every row is visible."""

    __tablename__ = "cadre_posts"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["province_id", "unit_id"], ["units.province_id", "units.id"]),
        CheckConstraint("held_until IS NULL OR held_until >= held_since", name="held_period"),
        Index("ix_cadre_posts_province_id_cadre_code", "province_id", "cadre_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    cadre_code: Mapped[str] = mapped_column(String(40))
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(SortKeyType, index=True)  # Vietnamese list order
    # The name, code and post folded (collation.search_key), searched in SQL.
    search_key: Mapped[str] = mapped_column(String(600))
    post: Mapped[str] = mapped_column(String(255))
    # The post as compared ("Phó Bí thư" and "phó bí thư" are one post).
    post_key: Mapped[str] = mapped_column(String(255))
    held_since: Mapped[dt.date] = mapped_column(Date)
    held_until: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now,
                                                    server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now,
                                                    server_default=func.now())

    @property
    def current(self) -> bool:
        return self.held_until is None


# One current holding of a post per person and unit; ended ones repeat freely (history).
Index("uq_cadre_posts_current", CadrePost.unit_id, CadrePost.cadre_code, CadrePost.post_key,
      unique=True, sqlite_where=CadrePost.held_until.is_(None),
      postgresql_where=CadrePost.held_until.is_(None))

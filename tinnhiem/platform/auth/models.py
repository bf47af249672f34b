"""An account: who signs in, with which role, bound to which unit."""
import datetime as dt
import hashlib
import uuid

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from tinnhiem.platform.auth.roles import PROVINCE_ROLES, Role
from tinnhiem.platform.db import db


class Account(UserMixin, db.Model):
    """Not unit-owned: it is read before any scope exists (sign-in), and only the operator
    manages accounts. `province_id` / `unit_id` are the scope the account works in."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(
            "(role = 'operator' AND unit_id IS NULL AND province_id IS NULL)"
            " OR (role <> 'operator' AND unit_id IS NOT NULL AND province_id IS NOT NULL)",
            name="bound_by_role",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(30))
    province_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"), index=True)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last accepted TOTP time step: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_province_user(self) -> bool:
        return self.role in PROVINCE_ROLES

    @property
    def totp_enabled(self) -> bool:
        return bool(self.totp_secret)

    @property
    def session_fingerprint(self) -> str:
        """Changes with the password, so a reset signs out every other session."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_fingerprint}"

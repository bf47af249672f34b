"""An account: who signs in, with which role, bound to which unit; and its sign-in sessions."""
import datetime as dt
import hashlib
import uuid
from enum import StrEnum

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

    # The sign-in session the current request came with, or the one it just opened (set by
    # platform.auth.sessions; never stored on the account).
    sign_in = None

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
    def password_fingerprint(self) -> str:
        """Changes with the password: a sign-in half done (waiting for the TOTP code) is void
        once the password is reset."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.password_fingerprint}"

    def sign_in_token(self) -> str:
        """What Flask-Login keeps in the session cookie (login_manager.id_attribute): the
        token of the sign-in session just opened, so that the server can end it."""
        return self.sign_in.token


class SessionKind(StrEnum):
    PAGE = "page"  # the browser's session cookie
    API = "api"  # a bearer token


class SignInSession(db.Model):
    """One sign-in: a browser's session or an API token, which the server can end (sign-out,
    a password change or reset, the owner or the operator). The client holds `id.secret`;
    only a hash of the secret is stored. Not unit-owned, like accounts: it is read before any
    scope exists. No address is kept: the owner recognises a session by its device label."""

    __tablename__ = "sign_in_sessions"
    __table_args__ = (CheckConstraint("kind IN ('page', 'api')", name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    secret_hash: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    # The raw token, known only to the request that opened the session.
    token = None
    # Whether this is the session of the request that lists it (platform.auth.sessions).
    current = False

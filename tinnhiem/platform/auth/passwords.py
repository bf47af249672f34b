"""Password hashing (argon2id) and the password policy."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from tinnhiem.platform.errors import ServiceError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_LENGTH = 10
MAX_LENGTH = 200
# Letters and digits that cannot be mistaken for one another when read aloud or copied.
_READABLE = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the account does not exist keeps the timing the same.
DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def validate_new_password(password: str) -> None:
    if len(password or "") < MIN_LENGTH:
        raise ServiceError(
            "password_too_short",
            _l("Mật khẩu phải có ít nhất %(n)d ký tự.", n=MIN_LENGTH),
            field="password",
        )
    if len(password) > MAX_LENGTH:
        raise ServiceError(
            "password_too_long",
            _l("Mật khẩu dài quá %(n)d ký tự.", n=MAX_LENGTH),
            field="password",
        )


def generate_password(length: int = 14) -> str:
    return "".join(secrets.choice(_READABLE) for _ in range(length))

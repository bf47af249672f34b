"""Checks of what a user typed, shared by every feature: trimmed text, identifiers people
type, ids from paths and forms. Each refusal is a ServiceError naming the field."""
import unicodedata
import uuid

from flask_babel import lazy_gettext as _l

from tinnhiem.platform.errors import ServiceError


def _clean(value) -> str:
    return " ".join(str(value or "").split())


def required_text(value, field: str, max_length: int) -> str:
    """Trimmed text with inner runs of space folded; no control characters (PostgreSQL
    refuses NUL, and none belongs in a name)."""
    text = _clean(value)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ServiceError("invalid_characters", _l("Có ký tự không hợp lệ."), field=field)
    if not text:
        raise ServiceError("required", _l("Trường này là bắt buộc."), field=field)
    if len(text) > max_length:
        raise ServiceError("too_long", _l("Dài quá %(n)d ký tự.", n=max_length), field=field)
    return text


def optional_text(value, field: str, max_length: int) -> str:
    """Trimmed text that may be empty."""
    text = str(value or "").strip()
    if len(text) > max_length:
        raise ServiceError("too_long", _l("Dài quá %(n)d ký tự.", n=max_length), field=field)
    return text


def normalize_code(value, field: str = "code") -> str:
    """An identifier people type: NFKC (full-width and ligature letters become plain ones),
    upper case, then plain ASCII letters, digits and - _ . only, so look-alikes cannot pass
    for different codes."""
    text = unicodedata.normalize("NFKC", str(value or "")).upper()
    code = required_text(text, field, 40).replace(" ", "-")
    if not all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in code):
        raise ServiceError(
            "invalid_code",
            _l("Mã chỉ gồm chữ cái không dấu, chữ số và các ký tự - _ ."),
            field=field,
        )
    return code


def as_uuid(value, field: str):
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ServiceError("invalid_id", _l("Mã định danh không hợp lệ."), field=field) from None

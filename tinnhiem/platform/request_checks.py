"""Input every request must pass before any view, form or schema sees it: UTF-8 in the path,
the query, forms and JSON; no NUL or lone surrogate anywhere (PostgreSQL cannot store NUL,
UTF-8 cannot encode a surrogate); JSON no deeper than any document the API accepts."""
import re
from urllib.parse import unquote_to_bytes

from flask import request
from flask_babel import lazy_gettext as _l

NOT_UTF8_MESSAGE = _l("Dữ liệu gửi lên không đúng mã UTF-8.")
NUL_MESSAGE = _l("Dữ liệu gửi lên có ký tự không hợp lệ.")
TOO_DEEP_MESSAGE = _l("Dữ liệu JSON lồng nhau quá sâu.")
# No document of the API nests deeper than a handful of levels; Python's decoder gives up
# (RecursionError) near a thousand, and every recursive check after it would too.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")
# One pass of the regex engine, not a Python loop over every character of every field.
_FORBIDDEN_CHAR = re.compile("[\x00\ud800-\udfff]")


def _decoded(raw: bytes) -> str | None:
    """Form-encoded bytes (a query, a form body) as text, or None if they are not UTF-8. A
    strict decode refuses encoded surrogates too, so the text can hold none."""
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _is_utf8(raw: bytes) -> bool:
    return _decoded(raw) is not None


def _path_is_utf8() -> bool:
    # WSGI hands the path over as latin-1 and Werkzeug decodes it with errors="replace", so
    # an invalid byte (or an encoded surrogate) would reach the view as U+FFFD unnoticed:
    # judge the path as the client sent it (RAW_URI from gunicorn, REQUEST_URI from others).
    environ = request.environ
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_uri is not None:
        return _is_utf8(raw_uri.partition("?")[0].encode("latin-1", "replace"))
    try:
        environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


def has_forbidden_char(value) -> bool:
    """NUL (PostgreSQL cannot store it) or a lone surrogate (not encodable as UTF-8)."""
    if isinstance(value, str):
        return _FORBIDDEN_CHAR.search(value) is not None
    if isinstance(value, dict):
        return any(has_forbidden_char(k) or has_forbidden_char(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_forbidden_char(item) for item in value)
    return False


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests arrays and objects deeper than `limit`, found without
    parsing it (strings, which may hold brackets, are taken out first)."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False


def _multipart_fields_are_utf8() -> bool:
    # Werkzeug decodes multipart text fields with errors="replace".
    return not any("\ufffd" in value for value in request.form.values())


def refusal() -> tuple[int, str, object] | None:
    """(status, code, message) for a request no view may see, or None. Runs before anything
    parses the form, and caches the body so the form parses from it."""
    query = _decoded(request.query_string)
    if not _path_is_utf8() or query is None:
        return 400, "not_utf8", NOT_UTF8_MESSAGE
    # The whole query (and a form-encoded body) is checked as one decoded text: no need to
    # parse it into fields first.
    if has_forbidden_char(request.path) or "\x00" in query:
        return 400, "invalid_characters", NUL_MESSAGE
    if request.mimetype == "application/x-www-form-urlencoded":
        body = _decoded(request.get_data(cache=True))
        if body is None:
            return 400, "not_utf8", NOT_UTF8_MESSAGE
        if "\x00" in body:
            return 400, "invalid_characters", NUL_MESSAGE
    if request.mimetype == "multipart/form-data":
        if not _multipart_fields_are_utf8():
            return 400, "not_utf8", NOT_UTF8_MESSAGE
        if has_forbidden_char(request.form.to_dict(flat=False)):
            return 400, "invalid_characters", NUL_MESSAGE
    if request.is_json:
        if json_too_deep(request.get_data(cache=True)):
            return 400, "json_too_deep", TOO_DEEP_MESSAGE
        if has_forbidden_char(request.get_json(silent=True, cache=True)):
            return 400, "invalid_characters", NUL_MESSAGE
    return None

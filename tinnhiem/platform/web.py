"""The web shell: language, security headers, and one error format for pages and the API."""
import logging
from urllib.parse import unquote_to_bytes

from flask import abort, current_app, has_request_context, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tinnhiem.platform.auth.roles import role_label
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.extensions import babel

log = logging.getLogger("tinnhiem.web")

# Stable codes for API clients; Vietnamese messages for people.
HTTP_ERRORS = {
    400: ("bad_request", _l("Yêu cầu không hợp lệ.")),
    401: ("unauthenticated", _l("Vui lòng đăng nhập.")),
    403: ("forbidden", _l("Bạn không có quyền thực hiện thao tác này.")),
    404: ("not_found", _l("Không tìm thấy trang hoặc đối tượng bạn yêu cầu.")),
    405: ("method_not_allowed", _l("Phương thức không được hỗ trợ cho địa chỉ này.")),
    409: ("conflict", _l("Dữ liệu xung đột với dữ liệu đã có.")),
    413: ("payload_too_large", _l("Dữ liệu gửi lên quá lớn (tối đa 1 MB).")),
    415: ("unsupported_media_type", _l("Định dạng dữ liệu không được hỗ trợ.")),
    422: ("invalid_input", _l("Dữ liệu nhập vào không hợp lệ.")),
    429: ("rate_limited", _l("Bạn đã thử quá nhiều lần. Vui lòng đợi rồi thử lại.")),
    500: ("server_error", _l("Đã có lỗi ở máy chủ. Xin vui lòng thử lại sau.")),
}
NOT_UTF8_MESSAGE = _l("Dữ liệu gửi lên không đúng mã UTF-8.")
# Mimetypes of the documents the app serves (minutes, reports, tables).
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUL_MESSAGE = _l("Dữ liệu gửi lên có ký tự không hợp lệ.")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
CSRF_MESSAGE = _l(
    "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang rồi gửi lại."
)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str | None = None, message=None, **extra):
    default_code, default_message = HTTP_ERRORS.get(status, HTTP_ERRORS[400])
    code = code or default_code
    message = str(message or default_message)
    if wants_json():
        body = {"code": code, "message": message, "status": status}
        body.update({k: v for k, v in extra.items() if v is not None})
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def _handle_http_exception(error: HTTPException):
    if isinstance(error, CSRFError):
        return error_response(400, "csrf_failed", CSRF_MESSAGE)
    status = error.code or 500
    extra = {}
    data = getattr(error, "data", None) or {}
    if status == 422 and data.get("messages"):
        extra["errors"] = data["messages"]
    if status == 400 and data.get("messages"):
        extra["errors"] = data["messages"]
    return error_response(status, **extra)


def _handle_service_error(error: ServiceError):
    return error_response(error.status, error.code, error.message, field=error.field)


def _handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _handle_http_exception(error)
    log.exception("unhandled error", exc_info=error)
    from tinnhiem.platform.db import db

    db.session.rollback()  # so the error page itself can still load the signed-in account
    return error_response(500)


def _is_utf8(raw: bytes) -> bool:
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_forbidden_char(value) -> bool:
    """NUL (PostgreSQL cannot store it) or a lone surrogate (not encodable as UTF-8)."""
    if isinstance(value, str):
        return "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)
    if isinstance(value, dict):
        return any(_has_forbidden_char(k) or _has_forbidden_char(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_forbidden_char(item) for item in value)
    return False


def _multipart_fields_are_utf8() -> bool:
    # Werkzeug decodes multipart text fields with errors="replace".
    return not any("\ufffd" in value for value in request.form.values())


def found_or_404(value):
    """The object loaded through the scoped session, or 404: outside the caller's scope an
    object does not exist."""
    if value is None:
        abort(404)
    return value


def accepts_upload(max_bytes: int):
    """Let a view receive a file larger than the 1 MB every other request is held to."""
    def decorator(view):
        view.max_upload_bytes = max_bytes
        return view

    return decorator


def _apply_upload_limit():
    view = current_app.view_functions.get(request.endpoint)
    limit = getattr(view, "max_upload_bytes", None)
    if limit:
        request.max_content_length = limit


def _refuse_undecodable_input():
    """Werkzeug silently drops or keeps undecodable form fields; refuse them instead. Runs
    before anything parses the form, and caches the body so the form parses from it.
    NUL characters are refused everywhere: no text needs one and PostgreSQL cannot store it."""
    if not _is_utf8(request.query_string):
        return error_response(400, "not_utf8", NOT_UTF8_MESSAGE)
    if request.mimetype == "application/x-www-form-urlencoded":
        if not _is_utf8(request.get_data(cache=True)):
            return error_response(400, "not_utf8", NOT_UTF8_MESSAGE)
    if request.mimetype == "multipart/form-data" and not _multipart_fields_are_utf8():
        return error_response(400, "not_utf8", NOT_UTF8_MESSAGE)
    if _has_forbidden_char(request.args.to_dict(flat=False)):
        return error_response(400, "invalid_characters", NUL_MESSAGE)
    if request.is_json and _has_forbidden_char(request.get_json(silent=True, cache=True)):
        return error_response(400, "invalid_characters", NUL_MESSAGE)
    if request.mimetype in FORM_TYPES and _has_forbidden_char(request.form.to_dict(flat=False)):
        return error_response(400, "invalid_characters", NUL_MESSAGE)
    return None


def _security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
        " frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/") or request.endpoint not in (None, "static"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def select_locale() -> str:
    if not has_request_context():
        return "vi"  # CLI and background work speak the source language
    lang = session.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else "vi"


def switch_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.referrer or ""
    # Only ever go back to a page of this site.
    if not target.startswith(request.host_url):
        target = url_for("home")
    return redirect(target)


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(ServiceError, _handle_service_error)
    app.register_error_handler(InternalServerError, _handle_unexpected)
    app.register_error_handler(Exception, _handle_unexpected)
    app.before_request(_apply_upload_limit)
    app.before_request(_refuse_undecodable_input)
    app.after_request(_security_headers)
    app.add_url_rule("/lang/<code>", "switch_language", switch_language)
    app.jinja_env.globals.update(role_label=role_label, get_locale=get_locale)

    @app.get("/health")
    def health():
        return jsonify({"status": "ok"})

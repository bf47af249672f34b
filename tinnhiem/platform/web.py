"""The web shell: language, security headers, and one error format for pages and the API."""
import logging
import os

from flask import Response, abort, current_app, has_request_context, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wsgi import wrap_file

from tinnhiem.platform import request_checks
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
# Mimetypes of the documents the app serves (minutes, reports, tables).
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def document_response(document, mimetype: str, filename: str, disposition="attachment"):
    """A document to download: bytes, or an open file (a spreadsheet written to a temporary
    file), sent in blocks and closed (so deleted) once sent."""
    headers = {"Content-Disposition": f"{disposition}; filename={filename}"}
    if isinstance(document, bytes):
        return Response(document, mimetype=mimetype, headers=headers)
    size = document.seek(0, os.SEEK_END)
    document.seek(0)
    response = Response(wrap_file(request.environ, document), mimetype=mimetype,
                        headers=headers, direct_passthrough=True)
    response.content_length = size
    return response


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
    if status == 413 and request.max_content_length:
        return error_response(413, message=too_large_message(request.max_content_length))
    return error_response(status, **extra)


def _handle_service_error(error: ServiceError):
    # An import's refusal names each bad row (platform.sheet_import.ImportErrors).
    rows = [{"row": row, "message": message} for row, message in getattr(error, "rows", ())]
    return error_response(error.status, error.code, error.message, field=error.field,
                          rows=rows or None)


def _handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _handle_http_exception(error)
    log.exception("unhandled error", exc_info=error)
    from tinnhiem.platform.db import db

    db.session.rollback()  # so the error page itself can still load the signed-in account
    return error_response(500)


def found_or_404(value):
    """The object loaded through the scoped session, or 404: outside the caller's scope an
    object does not exist."""
    if value is None:
        abort(404)
    return value


def accepts_upload(max_bytes: int | str):
    """Let a view receive a file larger than the 1 MB every other request is held to:
    `max_bytes` bytes, or the number of megabytes the setting of that name holds."""
    def decorator(view):
        view.max_upload_bytes = max_bytes
        return view

    return decorator


def _apply_upload_limit():
    view = current_app.view_functions.get(request.endpoint)
    limit = getattr(view, "max_upload_bytes", None)
    if isinstance(limit, str):
        limit = current_app.config[limit] * 1024 * 1024
    if limit:
        request.max_content_length = limit


def too_large_message(limit: int):
    """What a refused upload is told: the limit of the route it was sent to."""
    return _l("Dữ liệu gửi lên quá lớn (tối đa %(size)s MB).",
              size=format_decimal(round(limit / (1024 * 1024), 1)))


def _refuse_undecodable_input():
    refused = request_checks.refusal()
    return error_response(*refused) if refused else None


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
    from tinnhiem.platform import page_catalog, request_transaction, static_files

    babel.init_app(app, locale_selector=select_locale)
    page_catalog.init_app(app)
    static_files.init_app(app)
    # Every view's one transaction: committed on success, else undone.
    request_transaction.install(app)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(ServiceError, _handle_service_error)
    app.register_error_handler(InternalServerError, _handle_unexpected)
    app.register_error_handler(Exception, _handle_unexpected)
    app.before_request(_apply_upload_limit)
    app.before_request(_refuse_undecodable_input)
    app.after_request(_security_headers)
    app.add_url_rule("/lang/<code>", "switch_language", switch_language)
    app.jinja_env.globals.update(role_label=role_label, get_locale=get_locale)


def run_first(app, hook) -> None:
    """Run `hook` before every other before_request hook of the app (those that load the
    signed-in account, bind a scope, count a rate limit or check the database role)."""
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[0:0] = [hook]

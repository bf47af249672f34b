"""Who may call a view. A wrong role gets 404 like a missing object: pages and resources a
role cannot use are not revealed to it."""
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required

from tinnhiem.platform.extensions import login_manager


def require_roles(*roles):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorator


PASSWORD_CHANGE_EXEMPT = {"auth.change_password", "auth.logout", "auth_api.revoke_token",
                          "static", "switch_language"}


def enforce_password_change():
    """An account whose password was set by the operator must choose its own first."""
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    if request.endpoint in PASSWORD_CHANGE_EXEMPT or (request.endpoint or "").startswith("vote."):
        return None  # a voter's pages need no account, whoever is signed in
    if request.path.startswith("/api/"):
        abort(403)
    return redirect(url_for("auth.change_password"))


def safe_next(target: str | None, default: str) -> str:
    """Only ever redirect to a path on this site: browsers strip tabs and newlines and read
    a backslash as a slash, so any of those (or a scheme or host) sends to the default."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


__all__ = ["require_roles", "enforce_password_change", "safe_next", "login_required"]

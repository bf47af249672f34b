from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from tinnhiem.platform.audit import page as audit_page
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50


@bp.get("/")
@require_roles(Role.OPERATOR)
def index():
    """Audit metadata (who, what, when, which unit), newest first."""
    total = db.session.scalar(select(func.count(AuditEntry.id)))
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    entries = db.session.scalars(
        select(AuditEntry).order_by(AuditEntry.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template("audit/index.html", rows=audit_page.rows(db.session, entries),
                           page=page, pages=pages, total=total)

"""/cadre-registry/: the province keeps the standing registry; a unit admin reads its own
unit's posts, the province's viewers all of them. Thin over cadre_registry.services."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tinnhiem.cadre_registry import filling, services, sheet
from tinnhiem.cadre_registry.access import KEEPER, READERS, post_or_404
from tinnhiem.cadre_registry.forms import EndPostForm, ImportForm, PostCorrectionForm, PostForm
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.forms import ActionForm, handle_form, kept_rows, run_page_action
from tinnhiem.platform.web import XLSX, accepts_upload, document_response
from tinnhiem.platform.sheet_import import MAX_SHEET_BYTES
from tinnhiem.rounds.access import PROVINCE, round_or_404
from tinnhiem.tenants import services as tenants

bp = Blueprint("cadre_registry", __name__, url_prefix="/cadre-registry")
# Filling a round's registry from the standing one: an action of the round registry's page.
rounds_bp = Blueprint("cadre_registry_rounds", __name__)
FLASHED_REFUSALS = 5  # flashes live in the cookie session: the rest are counted


def _post_form() -> PostForm:
    form = PostForm(prefix="post")
    form.unit_id.choices = [(str(u.id), u.name) for u in tenants.list_units(db.session)]
    return form


def _search_args() -> dict:
    """The list's filters from the address; a filter that makes no sense is a 400."""
    try:
        page = int(request.args.get("page", "1")[:6] or 1)
        return {"text": request.args.get("q", "")[:services.MAX_QUERY],
                "unit_id": request.args.get("unit_id") or None,
                "include_ended": request.args.get("ended") == "1", "page": page}
    except ValueError:
        abort(400)


@bp.get("/")
@require_roles(*READERS)
def index():
    args = _search_args()
    try:
        found = services.search(db.session, **args)
    except ServiceError:
        abort(400)
    keeper = current_user.role == KEEPER
    import_errors, more_import_errors = kept_rows()
    return render_template(
        "cadre_registry/index.html", found=found, args=args, keeper=keeper,
        units=tenants.list_units(db.session),
        post_form=_post_form() if keeper else None,
        import_form=ImportForm(prefix="import") if keeper else None,
        import_errors=import_errors, more_import_errors=more_import_errors)


def _act(form, action, success: str):
    return run_page_action(form, action, success, url_for(".index"))


@bp.post("/posts")
@require_roles(KEEPER)
def add():
    form = _post_form()
    return _act(form, lambda: services.add_post(db.session, current_user, form.data),
                _("Đã thêm chức vụ vào danh sách cán bộ."))


@bp.route("/posts/<uuid:post_id>/edit", methods=["GET", "POST"])
@require_roles(KEEPER)
def edit(post_id):
    post = post_or_404(post_id)
    form = PostCorrectionForm(prefix="post", obj=post if request.method == "GET" else None)

    def save():
        services.update_post(db.session, current_user, post, form.data)
        flash(_("Đã lưu."), "success")
        return redirect(url_for(".index", q=post.cadre_code, ended=1))

    return handle_form(form, "cadre_registry/edit.html", save, post=post,
                       end_form=EndPostForm(prefix="end"),
                       unit=services.unit_in_scope(db.session, post.unit_id))


@bp.post("/posts/<uuid:post_id>/end")
@require_roles(KEEPER)
def end(post_id):
    post = post_or_404(post_id)
    form = EndPostForm(prefix="end")
    return run_page_action(form, lambda: services.end_post(
        db.session, current_user, post, form.held_until.data),
        _("Đã ghi nhận thôi giữ chức vụ."), url_for(".edit", post_id=post.id),
        url_for(".index", q=post.cadre_code, ended=1))


@bp.post("/import")
@accepts_upload(MAX_SHEET_BYTES + 256 * 1024)
@require_roles(KEEPER)
def import_posts():
    form = ImportForm(prefix="import")

    def run():
        upload = form.file.data
        if not upload:
            raise ServiceError("no_file", _("Hãy chọn tệp."), field="file")
        counts = sheet.import_posts(db.session, current_user, upload.filename, upload.read())
        flash(_("Đã nhập danh sách: thêm %(added)d, cập nhật %(updated)d, không đổi"
                " %(unchanged)d.", **counts), "success")
        return redirect(url_for(".index"))

    return _act(form, run, "")


@bp.get("/template.xlsx")
@require_roles(KEEPER)
def template():
    """An empty list in the columns the import reads."""
    return document_response(sheet.template(), XLSX, "mau-danh-sach-can-bo.xlsx")


def _fill_done(result: dict) -> None:
    flash(_("Đã lấy từ danh sách cán bộ của tỉnh: thêm %(added)d, đã có %(kept)d, chưa đưa"
            " vào %(refused)d.", added=result["added"], kept=result["kept"],
            refused=len(result["refused"])), "success")
    for refused in result["refused"][:FLASHED_REFUSALS]:
        flash(refused["message"], "warning")
    if len(result["refused"]) > FLASHED_REFUSALS:
        flash(_("Và %(n)d người khác chưa đưa vào vì cùng lý do.",
                n=len(result["refused"]) - FLASHED_REFUSALS), "warning")


@rounds_bp.post("/rounds/<uuid:round_id>/registry/fill")
@require_roles(PROVINCE)
def fill(round_id):
    """Enter everyone holding a current post in a unit taking part (the round registry's
    page, rounds.registry_views, shows the button)."""
    round_ = round_or_404(round_id)
    page = url_for("registry.province", round_id=round_.id)

    def run():
        _fill_done(filling.fill_round(db.session, current_user, round_))
        return redirect(page)

    return run_page_action(ActionForm(), run, "", page)

"""/api/v1/cadre-registry: the same services as the registry's pages."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.cadre_registry import filling, services, sheet
from tinnhiem.cadre_registry.access import KEEPER, READERS, post_in_scope, post_or_404
from tinnhiem.cadre_registry.schemas import (CadrePostPageSchema, CadrePostSchema,
                                             CadrePostUpdateSchema, EndPostSchema,
                                             FillResultSchema, ImportResultSchema,
                                             SearchArgsSchema, SheetUploadSchema)
from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.web import accepts_upload
from tinnhiem.platform.sheet_import import MAX_SHEET_BYTES
from tinnhiem.rounds.access import PROVINCE, round_or_404

WRITE_ERRORS = (401, 404, 409, 422)
blp = Blueprint("cadre_registry_api", __name__, url_prefix="/cadre-registry",
                description="The province's standing cadre registry: who holds which post where")
# Filling a round's registry from it: at the round registry's address.
rounds_blp = Blueprint("cadre_registry_rounds_api", __name__, url_prefix="/rounds",
                       description="A round's cadre registry filled from the standing one")


def _named(post):
    post.unit_name = services.unit_in_scope(db.session, post.unit_id).name
    return post


@blp.route("")
class Posts(MethodView):
    @require_roles(*READERS)
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, CadrePostPageSchema)
    @document_errors(blp, 401, 404, 422)
    def get(self, args):
        """Search posts by name, code or unit (a unit admin: their unit's posts)."""
        return services.search(db.session, text=args["q"], unit_id=args["unit_id"],
                               include_ended=args["include_ended"], page=args["page"],
                               per_page=args["per_page"])

    @require_roles(KEEPER)
    @blp.arguments(CadrePostSchema)
    @blp.response(201, CadrePostSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def post(self, data):
        """Record a post held; the same code must carry the same name."""
        return _named(services.add_post(db.session, current_user, data))


@blp.route("/<uuid:post_id>")
class Post(MethodView):
    @require_roles(*READERS)
    @blp.response(200, CadrePostSchema)
    @document_errors(blp, 401, 404)
    def get(self, post_id):
        """One post."""
        return _named(post_or_404(post_id))

    @require_roles(KEEPER)
    @post_in_scope
    @blp.arguments(CadrePostUpdateSchema)
    @blp.response(200, CadrePostSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def patch(self, data, post_id):
        """Correct a post; a new name is the person's on every post of their code."""
        return _named(services.update_post(db.session, current_user, post_or_404(post_id),
                                           data))


@blp.post("/<uuid:post_id>/end")
@require_roles(KEEPER)
@post_in_scope
@blp.arguments(EndPostSchema)
@blp.response(200, CadrePostSchema)
@document_errors(blp, *WRITE_ERRORS)
def end(data, post_id):
    """The cadre no longer holds the post (kept as history)."""
    return _named(services.end_post(db.session, current_user, post_or_404(post_id),
                                    data["held_until"]))


@blp.post("/import")
@accepts_upload(MAX_SHEET_BYTES + 256 * 1024)
@require_roles(KEEPER)
@blp.arguments(SheetUploadSchema, location="files")
@blp.response(200, ImportResultSchema)
@document_errors(blp, *WRITE_ERRORS, 413)
def import_posts(files):
    """Import the province's list (XLSX or CSV, template columns): rows update the current
    post of the same code, unit and post, or add one. Any bad row: nothing saved, every bad
    row listed in `rows`."""
    upload = files["file"]
    return sheet.import_posts(db.session, current_user, upload.filename, upload.read())


@rounds_blp.post("/<uuid:round_id>/registry/fill")
@require_roles(PROVINCE)
@rounds_blp.response(200, FillResultSchema)
@document_errors(rounds_blp, *WRITE_ERRORS)
def fill(round_id):
    """Enter everyone holding a current post (standing cadre registry) in a unit taking part;
    those already entered are kept, a person whose places would exceed two is left out and
    named in `refused`."""
    return filling.fill_round(db.session, current_user, round_or_404(round_id))

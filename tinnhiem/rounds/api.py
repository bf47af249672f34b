"""/api/v1/template and /api/v1/rounds: the same services as the province pages."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import STAFF_ROLES
from tinnhiem.platform.db import db
from tinnhiem.platform.web import found_or_404
from tinnhiem.rounds import services
from tinnhiem.rounds.access import PROVINCE, round_in_scope, round_or_404
from tinnhiem.rounds.schemas import RoundSchema, RoundTemplateSchema, TemplateSchema

blp = Blueprint("rounds_api", __name__, url_prefix="",
                description="The province's ballot template and rounds")


@blp.route("/template")
class Template(MethodView):
    @require_roles(*STAFF_ROLES)
    @blp.response(200, TemplateSchema)
    @document_errors(blp, 401, 404)
    def get(self):
        """The province's current ballot template."""
        template = services.latest_template(db.session, current_user.province_id)
        return found_or_404(template)

    @require_roles(PROVINCE)
    @blp.arguments(TemplateSchema)
    @blp.response(200, TemplateSchema)
    @document_errors(blp, 401, 404, 422)
    def put(self, data):
        """Change the template (a frozen version makes a new one)."""
        return services.save_template(db.session, current_user,
                                      current_user.province_id, data)


@blp.get("/template/versions")
@require_roles(*STAFF_ROLES)
@blp.response(200, TemplateSchema(many=True))
@document_errors(blp, 401)
def template_versions():
    """Every version of the province's template, newest first (used ones are frozen)."""
    return services.list_templates(db.session)


@blp.route("/rounds")
class Rounds(MethodView):
    @require_roles(*STAFF_ROLES)
    @blp.response(200, RoundSchema(many=True))
    @document_errors(blp, 401)
    def get(self):
        """The province's rounds (for unit staff: the rounds their unit takes part in)."""
        return services.rounds_for(db.session, current_user)

    @require_roles(PROVINCE)
    @blp.arguments(RoundSchema)
    @blp.response(201, RoundSchema)
    @document_errors(blp, 401, 404, 422)
    def post(self, data):
        """Create a round with its post categories, deadlines and participating units."""
        return services.create_round(db.session, current_user,
                                     current_user.province_id, data)


@blp.route("/rounds/<uuid:round_id>")
class RoundItem(MethodView):
    @require_roles(*STAFF_ROLES)
    @blp.response(200, RoundSchema)
    @document_errors(blp, 401, 404)
    def get(self, round_id):
        """One round, if the caller's province (or unit) takes part in it."""
        return round_or_404(round_id)


@blp.put("/rounds/<uuid:round_id>/template")
@require_roles(PROVINCE)
@round_in_scope
@blp.arguments(RoundTemplateSchema)
@blp.response(200, RoundSchema)
@document_errors(blp, 401, 404, 422)
def use_template(data, round_id):
    """Print this round's ballots from another template version (frozen ballots keep theirs)."""
    round_ = round_or_404(round_id)
    return services.use_template(db.session, current_user, round_,
                                 data["template_id"])

"""/api/v1/template and /api/v1/rounds: the same services as the province pages."""
from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.platform.api import document_errors, in_scope
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import PROVINCE_ROLES, UNIT_ROLES, Role
from tinnhiem.platform.db import db
from tinnhiem.platform.web import found_or_404
from tinnhiem.rounds import services
from tinnhiem.rounds.schemas import RoundSchema, RoundTemplateSchema, TemplateSchema

STAFF = (*PROVINCE_ROLES, *UNIT_ROLES)
blp = Blueprint("rounds_api", __name__, url_prefix="",
                description="The province's ballot template and rounds")


@blp.route("/template")
class Template(MethodView):
    @require_roles(*STAFF)
    @blp.response(200, TemplateSchema)
    @document_errors(blp, 401, 404)
    def get(self):
        """The province's current ballot template."""
        template = services.latest_template(db.session, current_user.province_id)
        return template or abort(404)

    @require_roles(Role.PROVINCE_ADMIN)
    @blp.arguments(TemplateSchema)
    @blp.response(200, TemplateSchema)
    @document_errors(blp, 401, 404, 422)
    def put(self, data):
        """Change the template (a frozen version makes a new one)."""
        saved = services.save_template(db.session, current_user, current_user.province_id, data)
        db.session.commit()
        return saved


@blp.get("/template/versions")
@require_roles(*STAFF)
@blp.response(200, TemplateSchema(many=True))
@document_errors(blp, 401)
def template_versions():
    """Every version of the province's template, newest first (used ones are frozen)."""
    return services.list_templates(db.session)


@blp.route("/rounds")
class Rounds(MethodView):
    @require_roles(*STAFF)
    @blp.response(200, RoundSchema(many=True))
    @document_errors(blp, 401)
    def get(self):
        """The province's rounds (for unit staff: the rounds their unit takes part in)."""
        if current_user.role in PROVINCE_ROLES:
            return services.list_rounds(db.session)
        return services.rounds_for_unit(db.session, current_user.unit_id)

    @require_roles(Role.PROVINCE_ADMIN)
    @blp.arguments(RoundSchema)
    @blp.response(201, RoundSchema)
    @document_errors(blp, 401, 404, 422)
    def post(self, data):
        """Create a round with its post categories, deadlines and participating units."""
        created = services.create_round(db.session, current_user, current_user.province_id, data)
        db.session.commit()
        return created


@blp.route("/rounds/<uuid:round_id>")
class RoundItem(MethodView):
    @require_roles(*STAFF)
    @blp.response(200, RoundSchema)
    @document_errors(blp, 401, 404)
    def get(self, round_id):
        """One round, if the caller's province (or unit) takes part in it."""
        round_ = services.get_round(db.session, round_id)
        if round_ is None:
            abort(404)
        if current_user.role in UNIT_ROLES and current_user.unit_id not in \
                services.participating_unit_ids(db.session, round_.id):
            abort(404)
        return round_


@blp.put("/rounds/<uuid:round_id>/template")
@require_roles(Role.PROVINCE_ADMIN)
@in_scope(services.get_round, "round_id")
@blp.arguments(RoundTemplateSchema)
@blp.response(200, RoundSchema)
@document_errors(blp, 401, 404, 422)
def use_template(data, round_id):
    """Print this round's ballots from another template version (frozen ballots keep theirs)."""
    round_ = found_or_404(services.get_round(db.session, round_id))
    services.use_template(db.session, current_user, round_, data["template_id"])
    db.session.commit()
    return round_

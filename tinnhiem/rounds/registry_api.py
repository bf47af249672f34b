"""/api/v1/rounds/<id>/registry and /cadre-requests: the same services as the registry
pages. A unit sees its own entries and requests; the province all of them."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db
from tinnhiem.rounds import registry
from tinnhiem.rounds.access import (PROVINCE, REGISTRY_READERS, entry_or_404, request_in_scope,
                                    request_or_404, round_in_scope, round_or_404)
from tinnhiem.rounds.schemas import (CadreEntrySchema, CadreRequestSchema, DeclineSchema,
                                     RegistryConflictSchema)

WRITE_ERRORS = (401, 404, 409, 422)
blp = Blueprint("registry_api", __name__, url_prefix="/rounds",
                description="The province's cadre registry: which unit may list whom")


def _request(round_id, request_id):
    return request_or_404(round_or_404(round_id), request_id)


@blp.route("/<uuid:round_id>/registry")
class Registry(MethodView):
    @require_roles(*REGISTRY_READERS)
    @blp.response(200, CadreEntrySchema(many=True))
    @document_errors(blp, 401, 404)
    def get(self, round_id):
        """The registry of the round (for a unit: the cadres it may list)."""
        return registry.list_entries(db.session, round_or_404(round_id).id)

    @require_roles(PROVINCE)
    @round_in_scope
    @blp.arguments(CadreEntrySchema)
    @blp.response(201, CadreEntrySchema)
    @document_errors(blp, *WRITE_ERRORS)
    def post(self, data, round_id):
        """Let a unit list a cadre; a third place is refused with the two places named."""
        return registry.add_entry(db.session, current_user, round_or_404(round_id), data)


@blp.delete("/<uuid:round_id>/registry/<uuid:entry_id>")
@require_roles(PROVINCE)
@blp.response(204)
@document_errors(blp, *WRITE_ERRORS)
def remove_entry(round_id, entry_id):
    """Remove an entry no live conference of its unit lists."""
    round_ = round_or_404(round_id)
    entry = entry_or_404(round_, entry_id)
    registry.remove_entry(db.session, current_user, round_, entry)


@blp.get("/<uuid:round_id>/registry/conflicts")
@require_roles(PROVINCE)
@blp.response(200, RegistryConflictSchema(many=True))
@document_errors(blp, 401, 404)
def conflicts(round_id):
    """Cadres asked for by more units than places are left."""
    return registry.conflicts(db.session, round_or_404(round_id).id)


@blp.route("/<uuid:round_id>/cadre-requests")
class Requests(MethodView):
    @require_roles(*REGISTRY_READERS)
    @blp.response(200, CadreRequestSchema(many=True))
    @document_errors(blp, 401, 404)
    def get(self, round_id):
        """Requests to list a cadre (for a unit: its own)."""
        return registry.list_requests(db.session, round_or_404(round_id).id)

    @require_roles(Role.UNIT_ADMIN)
    @round_in_scope
    @blp.arguments(CadreRequestSchema)
    @blp.response(201, CadreRequestSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def post(self, data, round_id):
        """Ask the province to let the unit list a cadre."""
        return registry.file_request(db.session, current_user, round_or_404(round_id),
                                     data)


@blp.get("/<uuid:round_id>/cadre-requests/<uuid:request_id>")
@require_roles(*REGISTRY_READERS)
@blp.response(200, CadreRequestSchema)
@document_errors(blp, 401, 404)
def get_request(round_id, request_id):
    """One request and its outcome."""
    return _request(round_id, request_id)


@blp.post("/<uuid:round_id>/cadre-requests/<uuid:request_id>/approve")
@require_roles(PROVINCE)
@blp.response(200, CadreRequestSchema)
@document_errors(blp, *WRITE_ERRORS)
def approve(round_id, request_id):
    """Approve: the requesting unit gets the cadre (refused at a third place)."""
    request = _request(round_id, request_id)
    return registry.approve(db.session, current_user, round_or_404(round_id), request)


@blp.post("/<uuid:round_id>/cadre-requests/<uuid:request_id>/decline")
@require_roles(PROVINCE)
@request_in_scope
@blp.arguments(DeclineSchema)
@blp.response(200, CadreRequestSchema)
@document_errors(blp, *WRITE_ERRORS)
def decline(data, round_id, request_id):
    """Decline with a reason the unit will read."""
    request = _request(round_id, request_id)
    return registry.decline(db.session, current_user, round_or_404(round_id), request,
                            data["reason"])

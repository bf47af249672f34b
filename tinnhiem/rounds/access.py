"""The loaders of a round and of its registry's rows under the request's scope, used alike by
the province's and the unit's round pages, /api/v1/rounds and the roll-up: unit staff see
only the rounds their unit takes part in; anything else does not exist (404)."""
from flask_login import current_user

from tinnhiem.platform.api import in_scope
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db
from tinnhiem.platform.web import found_or_404
from tinnhiem.rounds import registry, services

PROVINCE = Role.PROVINCE_ADMIN  # keeps the template, the rounds and the registry
REGISTRY_READERS = (Role.PROVINCE_ADMIN, Role.UNIT_ADMIN)


def round_of_caller(session, round_id):
    """The round as the signed-in account may see it, or None."""
    return services.round_for(session, current_user, round_id)


def round_or_404(round_id):
    # on the primary: a round made a moment ago is there, whatever the replica's lag
    return found_or_404(round_of_caller(db.session, round_id))


# The same checks before a request body is read (see platform.api.in_scope).
round_in_scope = in_scope(round_of_caller, "round_id")
request_in_scope = in_scope(registry.find_request, "request_id")


def entry_or_404(round_, entry_id):
    return found_or_404(registry.get_entry(db.session, round_.id, entry_id))


def request_or_404(round_, request_id):
    return found_or_404(registry.get_request(db.session, round_.id, request_id))

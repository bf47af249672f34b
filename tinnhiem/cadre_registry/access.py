"""Who reads and who keeps the standing registry, and its posts loaded in the caller's scope
(a unit admin: the posts held in their unit; another province's post does not exist)."""
from tinnhiem.cadre_registry import services
from tinnhiem.platform.api import in_scope
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db
from tinnhiem.platform.web import found_or_404

KEEPER = Role.PROVINCE_ADMIN  # Ban Tổ chức Tỉnh ủy keeps it
READERS = (Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER, Role.UNIT_ADMIN)

post_in_scope = in_scope(services.get_post, "post_id")


def post_or_404(post_id):
    return found_or_404(services.get_post(db.session, post_id))

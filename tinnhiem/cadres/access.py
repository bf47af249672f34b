"""Who reads a cadre's history, and its loader under the request's scope: used alike by the
page and /api/v1/cadres/<code>. As for a conference's results page: the province reads
every unit's people, a unit's staff (admin, counters) their unit's own; never a voter, never
the operator."""
from flask_babel import lazy_gettext as _l

from tinnhiem.cadres.history import CadreHistory, cadre_history
from tinnhiem.platform.auth.roles import STAFF_ROLES
from tinnhiem.platform.errors import ServiceError

READERS = STAFF_ROLES
NOT_FOUND = _l("Không có kết quả đã chứng nhận nào của cán bộ có mã này mà bạn được xem.")


def history_or_404(session, cadre_code) -> CadreHistory:
    """The history as the scope bound to `session` may read it. Nothing readable answers the
    same 404 whether the code is someone else's or no one's."""
    history = cadre_history(session, cadre_code)
    if history is None:
        raise ServiceError("cadre_not_found", NOT_FOUND, status=404)
    return history

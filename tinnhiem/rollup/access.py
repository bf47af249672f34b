"""Who reads a round's roll-up: the province only (it holds certified results of every unit);
used alike by the dashboard and /api/v1/rounds/<id>/rollup."""
from tinnhiem.platform.auth.roles import PROVINCE_ROLES
from tinnhiem.rounds.access import round_or_404

READERS = PROVINCE_ROLES

__all__ = ["READERS", "round_or_404"]

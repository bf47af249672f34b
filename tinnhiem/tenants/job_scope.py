"""A background job's scope: the unit whose work it is. platform.jobs starts every job with no
scope; the job names its unit by the ids its request queued, and the queue only runs messages
signed with the app's key (platform.jobs), so the unit is one the queuing account's own scope
reached."""
import uuid

from tinnhiem.tenants.scope import Scope, bind_scope


def bind_job_scope(session, province_id: str, unit_id: str) -> None:
    bind_scope(session, Scope.for_unit(uuid.UUID(province_id), uuid.UUID(unit_id)))

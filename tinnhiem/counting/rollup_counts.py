"""The roll-up's counts of certified conferences (models.RollupCount), read from their result
rows in the same transaction that flags those rows certified, so the two never disagree:
services.mark_certified is the only caller."""
import uuid

from sqlalchemy import case, delete, func, select, true

from tinnhiem.counting.models import TENTH_COLUMNS, Result, RollupCount
from tinnhiem.tenants.scope import insert_rows

KEYS = (Result.conference_id, Result.category_id, Result.severity, Result.round_id,
        Result.unit_id, Result.province_id)
BATCH = 500  # conferences a query: a bounded IN list


def _tenth_sums() -> list:
    """For each `<level>_<tenth>` counter: how many of the group's people have that level's
    share in that tenth (Result.<level>_tenth)."""
    sums = []
    for name in TENTH_COLUMNS:
        level, tenth = name.rsplit("_", 1)
        column = getattr(Result, f"{level}_tenth")
        sums.append(func.sum(case((column == int(tenth), 1), else_=0)).label(name))
    return sums


def counts_of(session, conference_ids: list) -> list[dict]:
    """The counts rows of these conferences, from their certified result rows."""
    query = (select(*KEYS, func.count().label("people"), *_tenth_sums())
             .where(Result.conference_id.in_(conference_ids), Result.certified == true())
             .group_by(*KEYS))
    return [{"id": uuid.uuid4(), **row._mapping} for row in session.execute(query)]


def record(session, conference_ids: list) -> None:
    """Write the counts of conferences whose results were just flagged certified."""
    for start in range(0, len(conference_ids), BATCH):
        insert_rows(session, RollupCount, counts_of(session, conference_ids[start:start + BATCH]))


def forget(session, conference_id) -> None:
    """Delete a conference's counts (its results left the roll-up)."""
    session.execute(delete(RollupCount).where(RollupCount.conference_id == conference_id)
                    .execution_options(synchronize_session=False))

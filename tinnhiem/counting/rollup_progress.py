"""Each participating unit's progress in a round (models.UnitProgress), rewritten from its
conferences and roll-up counts in the transaction that creates, certifies or annuls one of
them, so the province's dashboard reads one row a unit and never disagrees with the
conferences. counting.services is the only caller at run time (and `rebuild` when a round is
created); a load that bypasses the services (the benchmark's) calls `rebuild`."""
import random
import uuid

from sqlalchemy import and_, case, delete, exists, func, select

from tinnhiem.conferences.lifecycle import State
from tinnhiem.conferences.models import Conference
from tinnhiem.counting.models import (BAND_COLUMNS, DONE, IN_PROGRESS, NOT_STARTED, STAGES,
                                      TENTH_COLUMNS, RollupCount, UnitProgress)
from tinnhiem.rounds.models import RoundCategory, RoundUnit
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.scope import insert_rows

BATCH = 500  # units a query: a bounded IN list
# Where a session remembers the round's progress key (rollup.services.progress_key) for the
# rest of its transaction; a rewrite here forgets it.
KEY_MEMO = "rollup_progress.key"


def _stamp() -> int:
    return random.randrange(1, 2**31)


def _rows_query(round_id, unit_ids: list):
    """The progress rows of these participating units, computed from what they hold now."""
    of_units = (lambda column: column.in_(unit_ids))
    conferences = select(
        Conference.unit_id,
        func.count(case((Conference.status != State.ANNULLED, 1))).label("active"),
        func.count(case((Conference.status == State.CERTIFIED, 1))).label("finished")) \
        .where(Conference.round_id == round_id, of_units(Conference.unit_id)) \
        .group_by(Conference.unit_id).subquery()
    counts = select(
        RollupCount.unit_id,
        *(func.sum(case((RollupCount.severity == severity, RollupCount.people), else_=0))
          .label(name) for severity, name in enumerate(BAND_COLUMNS)),
        *(func.sum(getattr(RollupCount, name)).label(name) for name in TENTH_COLUMNS)) \
        .where(RollupCount.round_id == round_id, of_units(RollupCount.unit_id)) \
        .group_by(RollupCount.unit_id).subquery()
    # The earliest deadline among the categories the unit has no certified result in.
    due = select(func.min(RoundCategory.deadline)).where(
        RoundCategory.round_id == round_id, ~exists().where(
            RollupCount.round_id == round_id, RollupCount.unit_id == RoundUnit.unit_id,
            RollupCount.category_id == RoundCategory.id)).scalar_subquery()
    active = func.coalesce(conferences.c.active, 0)
    certified = func.coalesce(conferences.c.finished, 0)
    stage = case((active == 0, STAGES.index(NOT_STARTED)),
                 (certified == active, STAGES.index(DONE)), else_=STAGES.index(IN_PROGRESS))
    return select(
        RoundUnit.unit_id, RoundUnit.province_id, stage.label("stage"), Unit.name_key,
        active.label("conferences"), certified.label(UnitProgress.certified.key),
        due.label("due"),
        *(func.coalesce(counts.c[name], 0).label(name)
          for name in BAND_COLUMNS + TENTH_COLUMNS)) \
        .join(Unit, Unit.id == RoundUnit.unit_id) \
        .outerjoin(conferences, conferences.c.unit_id == RoundUnit.unit_id) \
        .outerjoin(counts, counts.c.unit_id == RoundUnit.unit_id) \
        .where(RoundUnit.round_id == round_id, of_units(RoundUnit.unit_id))


def _computed(session, round_id, unit_ids: list, changes: int = 0) -> list[dict]:
    """Rows ready to insert, each with a new stamp."""
    return [{**values, "id": uuid.uuid4(), "round_id": round_id, "changes": changes,
             "stamp": _stamp(), "people": sum(values[b] for b in BAND_COLUMNS)}
            for values in session.execute(_rows_query(round_id, unit_ids)).mappings()]


def refresh(session, round_id, unit_id) -> None:
    """Rewrite one unit's row after one of its conferences was created, certified or
    annulled. The unit's participation row is locked first, so two such moves of the unit
    take turns, and the later one, reading after the first committed, writes what both
    did."""
    session.flush()
    session.info.pop(KEY_MEMO, None)
    session.execute(select(RoundUnit.id).where(
        RoundUnit.round_id == round_id, RoundUnit.unit_id == unit_id)
        .with_for_update(key_share=True))
    key = and_(UnitProgress.round_id == round_id, UnitProgress.unit_id == unit_id)
    changes = session.scalar(select(UnitProgress.changes).where(key)) or 0
    session.execute(delete(UnitProgress).where(key)
                    .execution_options(synchronize_session=False))
    insert_rows(session, UnitProgress, _computed(session, round_id, [unit_id], changes + 1))


def rebuild(session, round_id) -> None:
    """Every participating unit's row of a round written afresh: when the round is created
    (counting.services), or by a load that wrote conferences and counts directly."""
    session.flush()
    session.info.pop(KEY_MEMO, None)
    session.execute(delete(UnitProgress).where(UnitProgress.round_id == round_id)
                    .execution_options(synchronize_session=False))
    units = list(session.scalars(select(RoundUnit.unit_id).where(RoundUnit.round_id == round_id)))
    for start in range(0, len(units), BATCH):
        insert_rows(session, UnitProgress, _computed(session, round_id,
                                                     units[start:start + BATCH]))

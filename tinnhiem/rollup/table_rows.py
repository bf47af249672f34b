"""The roll-up's full table as the spreadsheet writes it: plain tuples of cell values, read with
the dashboard's query and order (services) but only the columns the table shows.

Why not services.iter_result_rows: a province's export is 100,000 rows and more, and building
a Row object and three Decimal shares for each was most of the export's time (profiled: 6 s of
7.8 s at 100,000 rows). Here a share is worked out once per (count, ballots collected) pair,
with the same rounding (counting.bands.share), and a dissolved unit's successors once per unit.
"""
from functools import lru_cache

from sqlalchemy import select

from tinnhiem.cadres.history import points
from tinnhiem.cadres.rises import rises_of
from tinnhiem.counting.bands import band, share
from tinnhiem.counting.models import Result
from tinnhiem.platform.collation import sort_key
from tinnhiem.rollup import services
from tinnhiem.tenants.models import Unit, UnitSuccession

COLUMNS = (Result.full_name, Result.post, Result.unit_id, Result.category_id,
           Result.conference_id, Result.issued, Result.collected, Result.high,
           Result.confidence, Result.low, Result.invalid, Result.cadre_code)


@lru_cache(maxsize=16384)
def _share(count: int, collected: int) -> float:
    return float(share(count, collected))


class _Successors:
    """Who succeeded each dissolved unit, by name, looked up once a unit."""

    def __init__(self, session):
        self.session, self.known = session, {}

    def load(self, gone: set) -> None:
        missing = list(gone - self.known.keys())
        for start in range(0, len(missing), 500):  # a bounded IN list per query
            part = missing[start:start + 500]
            names = {unit_id: [] for unit_id in part}
            for predecessor, name in self.session.execute(
                    select(UnitSuccession.predecessor_id, Unit.name)
                    .join(Unit, Unit.id == UnitSuccession.unit_id)
                    .where(UnitSuccession.predecessor_id.in_(part))):
                names[predecessor].append(name)
            self.known.update((unit_id, ", ".join(sorted(found, key=sort_key)))
                              for unit_id, found in names.items())


def table_rows(session, round_, filters, labels: dict, rose_label: str, batch: int = 2000):
    """Every row under the filters, in the columns of documents.COLUMNS, streamed a batch at a
    time (a server-side cursor on PostgreSQL); `labels`: each band's label; `rose_label`: the
    cell of a person whose low share rose past the round's threshold (cadres.rises)."""
    query = services._rows_query(round_.id, filters).with_only_columns(*COLUMNS)
    names, successors = services._Names(session), _Successors(session)
    with rises_of(session, round_) as rises:
        for pairs in rises.batches(session, query, filters.rising, batch):
            names.load([row for row, _change in pairs])
            successors.load({row.unit_id for row, _change in pairs
                             if names.units[row.unit_id][1] is not None})
            for (full_name, post, unit_id, category_id, conference_id, issued, collected, high,
                 confidence, low, invalid, _code), change in pairs:
                unit_name, valid_to, unit_type = names.units[unit_id]
                title, held_on = names.conferences[conference_id]
                yield (unit_name, unit_type, title, held_on, full_name, post,
                       names.categories[category_id][0], issued, collected,
                       high + confidence + low, invalid, high, _share(high, collected),
                       confidence, _share(confidence, collected), low, _share(low, collected),
                       labels[band(low, collected)],
                       None if change is None else float(points(change)),
                       rose_label if rises.rose(change) else "",
                       successors.known[unit_id] if valid_to is not None else "")

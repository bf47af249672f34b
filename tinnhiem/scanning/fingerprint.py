"""Telling a sheet scanned twice from two sheets marked alike.

Printed ballots of a conference are identical by design (no number, nothing per ballot), so
what tells one sheet from another is only what a hand put on it: the exact shape and place of
every stroke. The fingerprint is the page's hand-made ink where the rows are marked (the boxes
and the space between them; the printed borders and rules masked out), on a grid of 1 mm
cells. Names are left out: their print differs row by row, and would make alike any two
sheets.
The same sheet scanned again gives nearly the same grid (registration is well under a cell);
two hands drawing "X in the first box" differ by millimetres in where their strokes run, so
their grids overlap far less. A page with no hand-made ink has no fingerprint to compare:
blank pages, and pages whose only ink is over names, cannot be told apart (nothing on them
differs where it is measured): the caller must say so.
"""
import dataclasses
import functools

import cv2
import numpy as np

from tinnhiem.conferences import ballot_layout as layout

CELL = 0.5  # mm
SAME_SHEET = 0.6  # overlap from which two pages are one sheet: a rescan at 200 dpi scores 0.68 and
# up, two sheets marked alike by different hands 0.54 at most (tests/test_scan_reader.py)
MIN_INK = 30.0  # cells' worth of outline below which a page has nothing to compare (dust)


@dataclasses.dataclass
class Fingerprint:
    page: int
    cells: np.ndarray  # uint8, one value per CELL mm square of the marking zone (2-D)

    @property
    def ink(self) -> float:
        return float(self.cells.sum()) / 255.0

    @property
    def empty(self) -> bool:
        return self.ink < MIN_INK


def _zone(rows: int) -> layout.Rect:
    first, last = layout.box_rect(0, 0), layout.box_rect(0, 2)
    return layout.Rect(first.x - 2.0, layout.row_top(0), last.x + last.w - first.x + 4.0,
                       rows * layout.ROW_HEIGHT)


@functools.cache
def _print_mask(rows: int, px_per_mm: float) -> np.ndarray:
    """1 where the printer inks the zone (box borders, rules): the same on every sheet."""
    zone = _zone(rows)
    s = px_per_mm
    mask = np.ones((round(zone.h * s), round(zone.w * s)), np.float32)
    width = max(1, round(1.2 * s))

    def at(x, y):
        return round((x - zone.x) * s), round((y - zone.y) * s)

    for slot in range(rows):
        for level in range(3):
            b = layout.box_rect(slot, level)
            cv2.rectangle(mask, at(b.x, b.y), at(b.x + b.w, b.y + b.h), 0.0, width)
    for slot in range(rows + 1):
        y = layout.row_top(slot)
        cv2.line(mask, at(zone.x, y), at(zone.x + zone.w, y), 0.0, width)
    for left, _right in layout.LEVEL_COLUMNS[1:]:
        cv2.line(mask, at(left, zone.y), at(left, zone.y + zone.h), 0.0, width)
    return mask


def fingerprint(dark: np.ndarray, spec: layout.PageSpec, px_per_mm: float) -> Fingerprint:
    """The ink a hand put in the rows' marking zone (boxes and the space between them)."""
    if spec.rows == 0:
        return Fingerprint(spec.number, np.zeros(0, np.uint8))
    zone = _zone(spec.rows)
    mask = _print_mask(spec.rows, px_per_mm)
    y0, x0 = round(zone.y * px_per_mm), round(zone.x * px_per_mm)
    patch = dark[y0:y0 + mask.shape[0], x0:x0 + mask.shape[1]]
    ink = (patch > 0.22).astype(np.uint8)
    # the outline of the ink, not its area: a box filled in is much the same on any two sheets,
    # where a stroke runs is not
    ink = cv2.morphologyEx(ink, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) * mask
    cells = cv2.resize(ink, (round(zone.w / CELL), round(zone.h / CELL)),
                       interpolation=cv2.INTER_AREA)
    return Fingerprint(spec.number, np.round(np.clip(cells, 0, 1) * 255).astype(np.uint8))


def _coarse(print_: Fingerprint) -> np.ndarray:
    """Ink per row and per 4 mm of the marking zone: cheap to compare many pages with."""
    rows = max(1, round(print_.cells.shape[0] * CELL / layout.ROW_HEIGHT))
    cells = print_.cells.astype(np.float32)
    width = cells.shape[1] // 8 * 8
    return cells[:, :width].reshape(rows, -1, width // 8, 8).sum(axis=(1, 3)).ravel()


def find_duplicates(prints: list[Fingerprint]) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity), i < j, of pages taken for one sheet scanned twice. Pages are
    compared with the others of the same page number only, first coarsely (all at once),
    then fully where the coarse view agrees."""
    found = []
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(prints):
        if not p.empty:
            groups.setdefault((p.page, p.cells.shape), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        coarse = np.stack([_coarse(prints[i]) for i in members])
        low = np.minimum(coarse[:, None, :], coarse[None, :, :]).sum(axis=2)
        high = np.maximum(coarse[:, None, :], coarse[None, :, :]).sum(axis=2)
        near = low / np.maximum(high, 1.0) >= SAME_SHEET
        for a, b in zip(*np.nonzero(np.triu(near, k=1))):
            score = similarity(prints[members[a]], prints[members[b]])
            if score >= SAME_SHEET:
                found.append((members[a], members[b], score))
    return found


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Weighted overlap of the two pages' hand-made ink, 0..1, after allowing each cell to
    meet its neighbours (a rescan never lands on exactly the same cells)."""
    if a.page != b.page or a.cells.shape != b.cells.shape or a.empty or b.empty:
        return 0.0
    x, y = a.cells.astype(np.float32), b.cells.astype(np.float32)
    return float(np.minimum(x, y).sum() / max(np.maximum(x, y).sum(), 1.0))


def same_sheet(a: Fingerprint, b: Fingerprint) -> bool:
    return similarity(a, b) >= SAME_SHEET

"""Reading one page of a marked ballot, by DOMAIN.md's rules, row by row.

The page is found by its markers and straightened onto the layout at PX_PER_MM; its QR code
must name the expected conference and template version. Every measure is relative to the page
itself: darkness against the local paper, each box's ink against the page's empty boxes (most
boxes of a ballot are empty), a mark's strength against the page's other marks (a ballot
marked in light pencil reads like one marked in pen, a faint mark on a pen ballot is doubtful).
Whatever the reader cannot be sure of is `doubtful`, for the counting board to decide: it never
guesses.
"""
import dataclasses
import functools
import math
import uuid

import cv2
import numpy as np

from tinnhiem.conferences import ballot_layout as layout
from tinnhiem.scanning import markers
from tinnhiem.scanning.fingerprint import Fingerprint, fingerprint
from tinnhiem.scanning.labels import ERRORS
from tinnhiem.scanning.pages import ScanError

PX_PER_MM = 4.0
QR_PX_PER_MM = 8.0

MARK, BLANK, SEVERAL, CROSSED, DOUBTFUL = "mark", "blank", "several", "crossed", "doubtful"

# Fractions of a box's inner area, above the page's empty-box baseline.
INK = 0.22  # darkness at which a pixel is ink (pencil included)
TRACE = 0.09  # ... a trace of something: a very light mark is not taken for an empty box
PRESENT = 0.02  # less is dust or noise
CLEAR = 0.05  # a clear mark covers at least this much
SCRIBBLE = (0.42, 0.72)  # denser than a stroke mark, sparser than a filled box ...
DENSER = 1.6  # ... and than the page's own marks by this much (a thick pen's X is not one)
WEAK = 0.55  # a mark this much weaker than the page's own marks is faint
GAP = 0.05  # ink between two boxes: a mark running across both
STROKE_LONG, STROKE_SOME = 20.0, 13.0  # mm of stroke through a name: crossed / unsure (print: < 10)
# Angles (degrees) a stroke through a name is looked for at: a name's box is 50 × 11 mm, so a
# line corner to corner runs at about 10°; one steeper than 30° is shorter than STROKE_SOME.
# Each angle's thin line fits a hand's line ±4° around it (the ink is thickened up and down).
SLANTS = (0, -6, 6, -12, 12, -18, 18, -24, 24, -30, 30)
BORDER_MIN = 0.4  # printed box borders paler than this: the picture is too blurred (sharp:
# 0.7-0.9; still read right at 0.45, with more rows doubtful)


@dataclasses.dataclass
class RowReading:
    index: int  # the person's 0-based place on the whole ballot
    status: str  # mark, blank, several, crossed, doubtful
    level: int | None  # 0 high, 1 confidence, 2 low (layout.LEVELS) when status is mark
    fills: tuple[float, float, float]  # each box's ink above the empty box's, 0..1
    reason: str = ""  # why doubtful: faint, scribble, across, name

    @property
    def mark(self) -> str | None:
        """As the paper entry records it (voting/paper.py's MARKS); None: doubtful."""
        if self.status == MARK:
            return layout.LEVELS[self.level]
        return None if self.status == DOUBTFUL else self.status


@dataclasses.dataclass
class PageReading:
    page: int
    pages: int
    people: int
    rows: list[RowReading]
    rotation: float  # degrees the page lay turned in the picture
    fingerprint: Fingerprint

    @property
    def upside_down(self) -> bool:
        return abs(self.rotation) > 135

    @property
    def doubtful(self) -> list[RowReading]:
        return [r for r in self.rows if r.status == DOUBTFUL]


def _error(code: str, page: int | None = None) -> ScanError:
    return ScanError(code, ERRORS[code], page=page)


def read_page(image: np.ndarray, expected_conference_id: uuid.UUID,
              expected_template_version: int) -> PageReading:
    work = markers.work_image(image)
    dark_work = markers.flat(work, cell=max(4, max(work.shape) // 180))
    try:
        placements = markers.find_markers(work, dark_work)
    except markers.NotFound as missing:
        raise _error(missing.code) from None
    size = (round(layout.PAGE_WIDTH * PX_PER_MM), round(layout.PAGE_HEIGHT * PX_PER_MM))
    for found in placements:
        h = markers.homography(found, PX_PER_MM)
        page = cv2.warpPerspective(work, h, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                   borderMode=cv2.BORDER_REPLICATE)
        dark = markers.flat(page, cell=int(2 * PX_PER_MM))
        # every page prints its first row: its box borders are where the placement puts them
        # when it is right, and tell how sharp the picture is
        if _border_darkness(dark) >= BORDER_MIN:
            break
    else:
        raise _error("unreadable")
    payload = _read_code(image, work, found)
    if payload.conference_id != expected_conference_id:
        raise _error("wrong_conference", payload.page)
    if payload.template_version != expected_template_version:
        raise _error("wrong_template", payload.page)
    spec = payload.spec
    rows = _read_rows(dark, spec)
    return PageReading(payload.page, payload.pages, payload.people, rows, found.rotation,
                       fingerprint(dark, spec, PX_PER_MM))


def _read_code(image: np.ndarray, work: np.ndarray, found: markers.Found) -> layout.Payload:
    """The QR code, straightened from the finest picture there is."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    factor = max(image.shape) / max(work.shape)
    h = markers.homography(found, QR_PX_PER_MM, factor)
    margin = 3.0
    x0, y0 = layout.QR_X - margin, layout.QR_Y - margin
    side = layout.QR_SIZE + 2 * margin
    if not markers.is_in(image.shape, h, layout.Rect(x0, y0, side, side), QR_PX_PER_MM):
        raise _error("cut_off")
    shift = np.array([[1, 0, x0 * QR_PX_PER_MM], [0, 1, y0 * QR_PX_PER_MM], [0, 0, 1]])
    n = round(side * QR_PX_PER_MM)
    crop = cv2.warpPerspective(image, h @ shift, (n, n),
                               flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)
    code = layout.qr_code_rect()
    corners = np.array([[code.x, code.y], [code.x + code.w, code.y],
                        [code.x + code.w, code.y + code.h], [code.x, code.y + code.h]],
                       np.float32)
    corners = ((corners - [x0, y0]) * QR_PX_PER_MM).astype(np.float32)
    detector = cv2.QRCodeDetector()
    # where the code is, is known: decoding it there first skips the costly search
    points = corners.reshape(1, 4, 2)
    text = detector.decode(crop, points)[0]
    if not text:  # a soft picture: sharpened, then cut to black and white; then searched
        sharp = cv2.addWeighted(crop, 2.5, cv2.GaussianBlur(crop, (0, 0), 3), -1.5, 0)
        binary = cv2.threshold(sharp, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1]
        for attempt in (sharp, binary):
            text = detector.decode(attempt, points)[0]
            if not text:
                text, seen = detector.detectAndDecode(attempt)[:2]
                # found elsewhere than the layout puts it: the page is not where we think
                if text and np.abs(seen.reshape(4, 2)[:, None] - corners[None]).sum(
                        axis=2).min(axis=1).max() > 3 * QR_PX_PER_MM:
                    text = ""
            if text:
                break
    if not text:
        raise _error("no_code")
    try:
        return layout.decode_payload(text)
    except layout.PayloadError as refused:
        raise _error(refused.code) from None


def _mean_in(dark: np.ndarray, rect: layout.Rect, threshold: float | None = None) -> np.ndarray:
    s = PX_PER_MM
    part = dark[round(rect.y * s):round((rect.y + rect.h) * s),
                round(rect.x * s):round((rect.x + rect.w) * s)]
    return part if threshold is None else (part > threshold)


def _ink_mean(box: np.ndarray) -> float:
    ink = box[box > INK]
    return float(ink.mean()) if ink.size else 0.0


def _border_darkness(dark: np.ndarray) -> float:
    """How dark the first row's box borders came out where the layout puts them: low when the
    page was placed wrongly, or when the picture is blurred (a thin line blurred is pale)."""
    s = PX_PER_MM
    values = []
    for level in range(3):
        b = layout.box_rect(0, level)
        y = round((b.y + b.h / 2) * s)
        for x in (b.x, b.x + b.w):
            x0, x1 = round((x - 0.6) * s), round((x + 0.6) * s)
            values.append(dark[y - 4:y + 4, x0:x1 + 1].max(axis=1).mean())
    return float(np.median(values))


def _read_rows(dark: np.ndarray, spec: layout.PageSpec) -> list[RowReading]:
    inset = 1.3  # the printed border and a registration margin
    boxes = [[_mean_in(dark, layout.box_rect(slot, level).inset(inset))
              for level in range(3)] for slot in range(spec.rows)]
    cover = np.array([[(b > INK).mean() for b in row] for row in boxes])
    trace = np.array([[(b > TRACE).mean() for b in row] for row in boxes])
    strength = np.array([[_ink_mean(b) for b in row] for row in boxes])
    gaps = np.array([[np.mean([_mean_in(dark, r, INK).mean()
                               for r in layout.gap_rects(slot, g)]) for g in range(2)]
                     for slot in range(spec.rows)])
    # the empty box as printed and scanned on this page (its noise, its dust): a low
    # percentile, as many boxes are empty; capped, for a ballot with every box marked
    cover = _above_empty(cover, 0.02)
    trace = _above_empty(trace, 0.04)
    gaps = _above_empty(gaps, 0.02)
    marked = cover >= CLEAR
    page_strength = float(np.median(strength[marked])) if marked.any() else 1.0
    # the hand's usual mark on this page: a felt pen's X covers what a ball pen's scribble does
    # (its strokes: boxes filled in or blacked out left aside)
    strokes_only = cover[marked & (cover < SCRIBBLE[1])]
    dense = max(SCRIBBLE[0], DENSER * float(np.median(strokes_only))) if strokes_only.size \
        else SCRIBBLE[0]
    strokes = _name_strokes(dark, spec)
    rows = []
    for slot in range(spec.rows):
        rows.append(_judge(spec.first + slot, cover[slot], trace[slot], strength[slot],
                           gaps[slot], page_strength, dense, strokes[slot]))
    return rows


def _above_empty(values: np.ndarray, cap: float) -> np.ndarray:
    return np.clip(values - min(float(np.percentile(values, 20)), cap), 0.0, 1.0)


def _judge(index, cover, trace, strength, gaps, page_strength, dense, stroke) -> RowReading:
    fills = tuple(round(float(c), 3) for c in cover)

    def doubtful(reason):
        return RowReading(index, DOUBTFUL, None, fills, reason)

    if stroke >= STROKE_LONG:
        return RowReading(index, CROSSED, None, fills)
    if stroke >= STROKE_SOME:
        return doubtful("name")
    present = (cover >= PRESENT) | (trace >= 2 * PRESENT)
    clear = (cover >= CLEAR) & (strength >= WEAK * page_strength)
    if (gaps >= GAP).any():
        return doubtful("across")
    if ((cover > dense) & (cover < SCRIBBLE[1])).any():
        return doubtful("scribble")
    if (present & ~clear).any():
        return doubtful("faint")
    if clear.sum() == 0:
        return RowReading(index, BLANK, None, fills)
    if clear.sum() == 1:
        return RowReading(index, MARK, int(np.argmax(clear)), fills)
    if (cover >= dense).any():  # a box blacked out beside a mark: maybe a correction
        return doubtful("scribble")
    return RowReading(index, SEVERAL, None, fills)


def _name_strokes(dark: np.ndarray, spec: layout.PageSpec) -> list[float]:
    """The longest straight stroke over each printed name, in mm, level or slanting (a name
    is struck through along it or corner to corner). Printed letters are short; a line drawn
    through the name is long. The row's own rules are left out."""
    s = PX_PER_MM
    lengths = []
    for slot in range(spec.rows):
        r = layout.name_rect(slot)
        ink = (_mean_in(dark, layout.Rect(r.x + 1.0, r.y + 1.2, r.w - 2.0, r.h - 2.4))
               > INK).astype(np.uint8)
        ink = cv2.dilate(ink, np.ones((5, 1), np.uint8))  # a hand's line wanders up and down
        # A stroke that long at any of these slants inks that many columns side by side;
        # most printed names do not (the spaces between words), and are done with at once.
        if _longest_run(ink.any(axis=0, keepdims=True)) < _narrowest_line():
            lengths.append(0.0)
            continue
        lengths.append(max(_stroke_along(ink, angle) for angle in SLANTS) / s)
    return lengths


def _stroke_along(ink: np.ndarray, angle: int) -> float:
    """The longest stroke at `angle` degrees from the level (pixels): what a thin line of
    STROKE_SOME mm at that angle fits in entirely, measured along it (at a slant: by the
    columns it spans)."""
    long = cv2.morphologyEx(ink, cv2.MORPH_OPEN, _line_kernel(angle))
    if not long.any():
        return 0.0
    if angle == 0:
        return float(_longest_run(long))
    return _longest_run(long.any(axis=0, keepdims=True)) / math.cos(math.radians(angle))


@functools.cache
def _narrowest_line() -> int:
    """The fewest columns a line of STROKE_SOME mm at one of the SLANTS spans."""
    return min(_line_kernel(angle).shape[1] for angle in SLANTS)


@functools.cache
def _line_kernel(angle: int) -> np.ndarray:
    """A one-pixel line STROKE_SOME mm long at `angle` degrees (y grows downwards)."""
    length = round(STROKE_SOME * PX_PER_MM)
    dx = round(length * math.cos(math.radians(angle)))
    dy = round(length * math.sin(math.radians(angle)))
    kernel = np.zeros((abs(dy) + 1, dx + 1), np.uint8)
    cv2.line(kernel, (0, max(0, -dy)), (dx, max(0, dy)), 1, 1)
    return kernel


def _longest_run(binary: np.ndarray) -> int:
    best = 0
    for line in binary[binary.any(axis=1)]:
        edges = np.flatnonzero(np.diff(np.concatenate(([0], line.astype(np.int8), [0]))))
        best = max(best, int((edges[1::2] - edges[::2]).max()))
    return best

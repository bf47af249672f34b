"""The one geometry of the machine-readable ballot (Phụ lục 4), shared by the printer and the
reader, in millimetres from the top-left corner of an A4 portrait page.

Every page stands alone: it repeats the header and the table's heading, carries its four
corner markers and a QR code naming the conference, the template version, its page number,
the page count and the number of people on the whole ballot. Nothing on it is per ballot, so
two printed ballots of one conference are identical (secrecy: no ballot can be told apart
before it is marked).
"""
import dataclasses
import math
import uuid

PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0

# Solid squares near the corners; the top-left one has a square hole so that the reader can
# tell the page's orientation from the markers alone (a page upside down or sideways).
MARKER_SIZE = 7.0
MARKER_INSET = 7.0  # from the page's edge to the marker's outer edge: inside any printer's margin
MARKER_HOLE = 3.0


def _marker_centres() -> tuple[tuple[float, float], ...]:
    near = MARKER_INSET + MARKER_SIZE / 2
    return ((near, near), (PAGE_WIDTH - near, near), (PAGE_WIDTH - near, PAGE_HEIGHT - near),
            (near, PAGE_HEIGHT - near))


MARKERS = _marker_centres()  # top-left, top-right, bottom-right, bottom-left (clockwise)

QR_X, QR_Y, QR_SIZE = 168.0, 256.0, 24.0  # quiet zone included (segno border=2)
QR_BORDER = 2
# Always version 4 (33 modules): room for any payload, and the reader knows where the code's
# corners are without looking for them.
QR_VERSION, QR_MODULES = 4, 33


def qr_code_rect() -> "Rect":
    """The code itself, without its quiet zone."""
    module = QR_SIZE / (QR_MODULES + 2 * QR_BORDER)
    return Rect(QR_X + QR_BORDER * module, QR_Y + QR_BORDER * module, QR_MODULES * module,
                QR_MODULES * module)

# The table: STT, name, post, then one column per level, each holding one box.
TABLE_LEFT, TABLE_RIGHT = 14.0, 196.0
HEADING_TOP, HEADING_HEIGHT = 70.0, 11.0
ROWS_TOP = HEADING_TOP + HEADING_HEIGHT
ROW_HEIGHT = 11.0
ROWS_PER_PAGE = 15
NO_COLUMN = (14.0, 24.0)
NAME_COLUMN = (24.0, 74.0)
POST_COLUMN = (74.0, 118.0)
LEVELS = ("high", "confidence", "low")  # the template's high_label, confidence_label, low_label
LEVEL_COLUMNS = ((118.0, 144.0), (144.0, 170.0), (170.0, 196.0))
BOX_WIDTH, BOX_HEIGHT = 12.0, 8.0
BOX_LINE = 0.4  # printed border of a box
INSTRUCTIONS_TOP = ROWS_TOP + ROWS_PER_PAGE * ROW_HEIGHT + 2.0

LAYOUT_VERSION = "TN1"  # changes whenever anything above moves: old prints are then refused


@dataclasses.dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    def inset(self, d: float) -> "Rect":
        return Rect(self.x + d, self.y + d, self.w - 2 * d, self.h - 2 * d)


def row_top(slot: int) -> float:
    return ROWS_TOP + slot * ROW_HEIGHT


def box_rect(slot: int, level: int) -> Rect:
    left, right = LEVEL_COLUMNS[level]
    return Rect((left + right - BOX_WIDTH) / 2, row_top(slot) + (ROW_HEIGHT - BOX_HEIGHT) / 2,
                BOX_WIDTH, BOX_HEIGHT)


def gap_rects(slot: int, level: int) -> tuple[Rect, Rect]:
    """Between the box of `level` and the next one, either side of the printed column rule:
    ink here is a mark running across two boxes."""
    a, b = box_rect(slot, level), box_rect(slot, level + 1)
    rule = LEVEL_COLUMNS[level][1]
    return (Rect(a.x + a.w + 1.0, a.y + 1.0, rule - 1.2 - a.x - a.w - 1.0, a.h - 2.0),
            Rect(rule + 1.2, a.y + 1.0, b.x - 1.0 - rule - 1.2, a.h - 2.0))


def name_rect(slot: int) -> Rect:
    return Rect(NAME_COLUMN[0], row_top(slot), NAME_COLUMN[1] - NAME_COLUMN[0], ROW_HEIGHT)


def page_count(people: int) -> int:
    return max(1, math.ceil(people / ROWS_PER_PAGE))


@dataclasses.dataclass(frozen=True)
class PageSpec:
    """What one printed page holds: ballot rows first..first+rows-1 (0-based person indexes)."""
    number: int  # 1-based
    count: int
    first: int
    rows: int


def pages_for(people: int) -> list[PageSpec]:
    count = page_count(people)
    return [PageSpec(p + 1, count, p * ROWS_PER_PAGE,
                     min(ROWS_PER_PAGE, people - p * ROWS_PER_PAGE))
            for p in range(count)]


@dataclasses.dataclass(frozen=True)
class Payload:
    """What the QR code of a page says. Alphanumeric only (upper-case hex, digits, ':') so the
    code stays small (version 4) and its modules large enough for a phone's photo."""
    conference_id: uuid.UUID
    template_version: int
    page: int
    pages: int
    people: int

    def encode(self) -> str:
        return ":".join((LAYOUT_VERSION, self.conference_id.hex.upper(),
                         str(self.template_version), str(self.page), str(self.pages),
                         str(self.people)))

    @property
    def spec(self) -> PageSpec:
        return pages_for(self.people)[self.page - 1]


class PayloadError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def decode_payload(text: str) -> Payload:
    """Refuses a code from another layout (`layout`) or one that is not a ballot's (`foreign`)."""
    parts = text.strip().split(":")
    if len(parts) != 6 or not parts[0].startswith("TN"):
        raise PayloadError("foreign")
    if parts[0] != LAYOUT_VERSION:
        raise PayloadError("layout")
    try:
        payload = Payload(uuid.UUID(hex=parts[1]), *(int(p) for p in parts[2:]))
    except ValueError:
        raise PayloadError("foreign") from None
    if not (1 <= payload.page <= payload.pages == page_count(payload.people)):
        raise PayloadError("foreign")
    return payload

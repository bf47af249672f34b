"""A corpus of marked ballots with known truth, for the reader's tests and its benchmark.

The ballots are the real printed PDF (conferences/ballot.py through WeasyPrint), rendered with
pypdfium2; marks are drawn with OpenCV in styles people use, then the sheet is degraded like a
scanner or a phone would. Truth per row: a level (0, 1, 2), or "blank", "several", "crossed",
or "doubtful" where no reading could be sure (a scribble, a mark across two boxes, a faint
mark on an inked ballot).
"""
import dataclasses
import datetime as dt
import functools
import types
import uuid

import cv2
import numpy as np

from tinnhiem.conferences import ballot_layout as layout

CONFERENCE_ID = uuid.UUID("5b0c3a1e-9d2f-4c67-8e10-2a4b6c8d0e1f")
TEMPLATE_VERSION = 3
INSTRUCTIONS = ("Đánh dấu (X) vào một ô tương ứng với mức tín nhiệm đối với từng người. "
                "Phiếu đánh dấu nhiều ô hoặc không đánh dấu ô nào là không hợp lệ đối với người"
                " đó.")
FIRST = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc")
LAST = ("Được", "Hùng", "Lan", "Phương", "Tuấn", "Hải", "Yến", "Dũng", "Thảo", "Khoa", "Nghĩa")
POSTS = ("Bí thư", "Phó Bí thư Thường trực", "Ủy viên Ban Thường vụ, Trưởng Ban Tổ chức",
         "Ủy viên Ban Thường vụ, Chủ nhiệm Ủy ban Kiểm tra", "Chủ tịch Ủy ban nhân dân",
         "Phó Chủ tịch Hội đồng nhân dân", "Trưởng Ban Tuyên giáo và Dân vận")


def people(n: int) -> list:
    return [types.SimpleNamespace(
        full_name=f"{FIRST[i % 10]} {MIDDLE[(i * 3) % 8]} {LAST[(i * 7) % 11]}",
        post=POSTS[i % len(POSTS)]) for i in range(n)]


@functools.cache
def _app():
    from tests.conftest import TEST_CONFIG
    from tinnhiem import create_app

    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@functools.cache
def ballot_pdf(n: int, conference_id: uuid.UUID = CONFERENCE_ID,
               template_version: int = TEMPLATE_VERSION) -> bytes:
    """The printed ballot of a conference with n people, as the app prints it."""
    from tinnhiem.conferences.ballot import ballot_pdf as render

    conference = types.SimpleNamespace(id=conference_id, title="Hội nghị Ban Chấp hành Đảng bộ",
                                       held_on=dt.date(2028, 6, 20))
    unit = types.SimpleNamespace(name="Đảng ủy xã Thử Nghiệm")
    template = types.SimpleNamespace(
        version=template_version, title="PHIẾU LẤY PHIẾU TÍN NHIỆM",
        header_lines=["TỈNH ỦY THỬ NGHIỆM"], high_label="Tín nhiệm cao",
        confidence_label="Tín nhiệm", low_label="Tín nhiệm thấp", instructions=INSTRUCTIONS)
    with _app().test_request_context():
        return render(conference, unit, template, people(n))


@functools.cache
def blank_pages(n: int, dpi: int = 300, **ballot) -> tuple:
    """The printed pages as grey images (read-only: copy before drawing)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(ballot_pdf(n, **ballot))
    pages = []
    for page in document:
        image = page.render(scale=dpi / 72, grayscale=True).to_numpy()
        image = image[..., 0] if image.ndim == 3 else image
        image.setflags(write=False)
        pages.append(image)
    return tuple(pages)


# --- marking ---------------------------------------------------------------------------------
# grey level on white paper, stroke width in mm
PEN, FELT, PENCIL = (35, 0.5), (30, 0.9), (150, 0.35)
TOOLS = (PEN, FELT, PEN, PENCIL)
STYLES = ("x", "check", "filled", "circled")


def _px(value_mm: float, dpi: int) -> int:
    return round(value_mm * dpi / 25.4)


def _stroke(image, points_mm, dpi, rng, tool, wobble=0.25):
    """A hand's line through the points: it wavers a little and is never twice the same."""
    grey, width = tool
    points = np.asarray(points_mm, np.float64)
    dense = []
    for a, b in zip(points[:-1], points[1:]):
        for t in np.linspace(0, 1, 8, endpoint=False):
            dense.append(a + (b - a) * t)
    dense.append(points[-1])
    dense = np.array(dense) + rng.normal(0, wobble, (len(dense), 2))
    pts = np.round(dense * dpi / 25.4 * 16).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(image, [pts], False, int(grey), max(1, _px(width, dpi)), cv2.LINE_AA, shift=4)


def draw_mark(image, box: layout.Rect, style: str, dpi: int, rng, tool=PEN):
    j = lambda: rng.uniform(-1.0, 1.0)  # noqa: E731 - where the hand starts and stops
    x0, y0, x1, y1 = box.x, box.y, box.x + box.w, box.y + box.h
    if style == "x":
        _stroke(image, [(x0 + 1.5 + j(), y0 + 1 + j() / 2), (x1 - 1.5 + j(), y1 - 1 + j() / 2)],
                dpi, rng, tool)
        _stroke(image, [(x1 - 1.5 + j(), y0 + 1 + j() / 2), (x0 + 1.5 + j(), y1 - 1 + j() / 2)],
                dpi, rng, tool)
    elif style == "check":
        mid = x0 + box.w * 0.4 + j()
        _stroke(image, [(x0 + 2 + j(), y0 + box.h * 0.5 + j() / 2), (mid, y1 - 1.2),
                        (x1 - 1 + j(), y0 + 0.8 + j() / 3)], dpi, rng, tool)
    elif style == "filled":
        pts = np.array([(x0 + 0.6, y0 + 0.6), (x1 - 0.6, y0 + 0.6), (x1 - 0.6, y1 - 0.6),
                        (x0 + 0.6, y1 - 0.6)]) + rng.normal(0, 0.25, (4, 2))
        cv2.fillPoly(image, [np.round(pts * dpi / 25.4).astype(np.int32)], int(tool[0]),
                     cv2.LINE_AA)
    elif style == "circled":
        c = (x0 + box.w / 2 + j() / 2, y0 + box.h / 2 + j() / 3)
        a = np.linspace(0, 2 * np.pi * 1.08, 20)
        _stroke(image, np.c_[c[0] + (box.w / 2 - 1.6) * np.cos(a),
                             c[1] + (box.h / 2 - 1.2) * np.sin(a)], dpi, rng, tool, 0.15)
    elif style == "scribble":  # a mark scratched out: dense back and forth
        ys = np.linspace(y0 + 1.2, y1 - 1.2, 9)
        pts = [(x0 + 1 + rng.uniform(0, 1.5) if i % 2 else x1 - 1 - rng.uniform(0, 1.5), y)
               for i, y in enumerate(ys)]
        _stroke(image, pts, dpi, rng, (tool[0], max(tool[1], 0.6)), 0.2)
        _stroke(image, [(x0 + 2, y0 + 1.5), (x1 - 2, y1 - 1.5)], dpi, rng, tool)
    else:
        raise ValueError(style)


CROSSINGS = ("level", "slant", "corner", "x")


def cross_out(image, name: layout.Rect, dpi: int, rng, tool=PEN, how="level"):
    """A name struck through: along it, at a slant over part of it, corner to corner, or
    with an X."""
    if how == "level":
        y = name.y + name.h / 2 + rng.uniform(-1.2, 1.2)
        tilt = rng.uniform(-1.5, 1.5)
        lines = [[(name.x + 2, y - tilt), (name.x + name.w - 3, y + tilt)]]
    elif how == "slant":
        lines = [[(name.x + 3, name.y + name.h * 0.8), (name.x + name.w * 0.7,
                                                        name.y + name.h * 0.2)]]
    else:
        down = [(name.x + 2, name.y + 1.5), (name.x + name.w - 3, name.y + name.h - 1.5)]
        up = [(name.x + 2, name.y + name.h - 1.5), (name.x + name.w - 3, name.y + 1.5)]
        lines = [down, up] if how == "x" else [down if rng.random() < 0.5 else up]
    for line in lines:
        _stroke(image, line, dpi, rng, tool, 0.2)


def write_in(image, dpi: int, rng, top: float, tool=PEN):
    """A name written by hand where no row is printed: a run of loops like handwriting."""
    x = 30 + rng.uniform(0, 20)
    t = np.linspace(0, 14 * np.pi, 90)
    pts = np.c_[x + t * 1.1 + 1.2 * np.cos(t), top + 4 + 2.2 * np.sin(t) + rng.normal(0, .3, 90)]
    _stroke(image, pts, dpi, rng, tool, 0.1)


@dataclasses.dataclass
class Sheet:
    """A marked ballot: its pages at `dpi`, and per person what a careful reader would say:
    ("mark", level), "blank", "several", "crossed", or "doubtful" (only doubtful is right)."""
    pages: list
    truth: list
    dpi: int


ROW_KINDS = ("mark",) * 12 + ("blank", "several", "crossed", "scribble", "across", "faint")


def marked_sheet(n: int, plan, hand=None, tool=PEN, kinds=ROW_KINDS, dpi: int = 300,
                 write_ins=True, **ballot) -> Sheet:
    """A ballot marked at random: `plan` chooses each row's kind, box and style, `hand` the
    wavering of every stroke (the same plan with another hand: a sheet marked alike)."""
    hand = plan if hand is None else hand
    pages = [p.copy() for p in blank_pages(n, dpi, **ballot)]
    truth = []
    for spec, image in zip(layout.pages_for(n), pages):
        for slot in range(spec.rows):
            kind = kinds[plan.integers(len(kinds))]
            if kind == "faint" and tool is PENCIL:
                kind = "mark"
            truth.append(_mark_row(image, slot, kind, dpi, plan, hand, tool))
        if write_ins and plan.random() < 0.5:
            write_in(image, dpi, hand, layout.row_top(spec.rows) + 1 if spec.rows < 15 else 262)
    return Sheet(pages, truth, dpi)


def _mark_row(image, slot, kind, dpi, plan, hand, tool):
    level = int(plan.integers(3))
    box = layout.box_rect(slot, level)
    style = STYLES[plan.integers(len(STYLES))]
    if kind == "mark":
        draw_mark(image, box, style, dpi, hand, tool)
        return ("mark", level)
    if kind == "blank":
        return "blank"
    if kind == "several":
        other = (level + 1 + int(plan.integers(2))) % 3
        draw_mark(image, box, "x", dpi, hand, tool)
        draw_mark(image, layout.box_rect(slot, other), STYLES[plan.integers(2)], dpi, hand, tool)
        return "several"
    if kind == "crossed":
        cross_out(image, layout.name_rect(slot), dpi, hand, tool)
        if plan.random() < 0.5:
            draw_mark(image, box, "x", dpi, hand, tool)
        return "crossed"
    if kind == "scribble":
        draw_mark(image, box, "scribble", dpi, hand, tool)
        draw_mark(image, layout.box_rect(slot, (level + 1) % 3), "x", dpi, hand, tool)
        return "doubtful"
    if kind == "across":
        level = min(level, 1)
        a, b = layout.box_rect(slot, level), layout.box_rect(slot, level + 1)
        middle = layout.Rect((a.x + b.x + b.w) / 2 - 9, a.y, 18, a.h)
        draw_mark(image, middle, "x", dpi, hand, tool)
        return "doubtful"
    if kind == "faint":  # a light pencil mark on a ballot marked in pen
        draw_mark(image, box, "x", dpi, hand, (200, 0.35))
        return "doubtful"
    raise ValueError(kind)


# --- degrading -------------------------------------------------------------------------------
def scanned(page, rng, dpi: int = 300, angle: float | None = None, upside_down=False,
            source_dpi: int = 300):
    """As a flatbed scanner or copier gives it: turned a little on a bed a little larger than
    the page, resampled, noise and dust."""
    h, w = page.shape
    angle = rng.uniform(-5, 5) if angle is None else angle
    if upside_down:
        angle += 180
    f = dpi / source_dpi
    size = (round(w * f * 1.1), round(h * f * 1.07))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, f)
    m[:, 2] += np.array(size) / 2 - [w / 2, h / 2]
    out = cv2.warpAffine(page, m, size, flags=cv2.INTER_AREA, borderValue=235)
    out = out.astype(np.int16) + rng.normal(0, 6, out.shape).astype(np.int16)
    for _ in range(60):  # dust
        cv2.circle(out, (int(rng.integers(size[0])), int(rng.integers(size[1]))),
                   int(rng.integers(1, 3)), int(rng.integers(40, 160)), -1)
    return np.clip(out, 0, 255).astype(np.uint8)


def photographed(page, rng, quality: int = 80, tilt: float = 0.04, width: int = 1500):
    """As a phone gives it: seen at an angle (corners moved by up to `tilt` of the picture),
    on a table, light falling off, JPEG; the page `width` pixels wide."""
    h, w = page.shape
    f = width / w  # a phone's page is ~1500 px wide in a 12 Mpx picture
    out_w, out_h = round(w * f * 1.25), round(h * f * 1.2)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    base = np.float32([[out_w * 0.1, out_h * 0.08], [out_w * 0.9, out_h * 0.08],
                       [out_w * 0.9, out_h * 0.92], [out_w * 0.1, out_h * 0.92]])
    dst = (base + rng.uniform(-tilt, tilt, (4, 2)) * [out_w, out_h]).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    table = np.full((out_h, out_w), 90, np.uint8)
    out = cv2.warpPerspective(page, m, (out_w, out_h), flags=cv2.INTER_AREA,
                              borderMode=cv2.BORDER_TRANSPARENT, dst=table)
    gy, gx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    cx, cy = rng.uniform(0, out_w), rng.uniform(0, out_h)
    light = 1.0 - 0.45 * np.hypot(gx - cx, gy - cy) / np.hypot(out_w, out_h)
    out = cv2.GaussianBlur(out.astype(np.float32) * light, (3, 3), 0.7)
    out = np.clip(out + rng.normal(0, 3, out.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)


def scanner_pdf(pages, dpi: int = 300) -> bytes:
    """The pages as a scanner's PDF: one JPEG a page."""
    import io

    from PIL import Image

    images = [Image.fromarray(p) for p in pages]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=dpi, save_all=True,
                   append_images=images[1:], quality=85)
    return out.getvalue()


def needless_doubtful(reading_rows, truth) -> int:
    """Rows the reader left to the board that a careful person would have read."""
    return sum(r.status == "doubtful" and t != "doubtful" for r, t in zip(reading_rows, truth))


def read_truthfully(reading_rows, truth) -> tuple[int, int, list]:
    """(rows read, rows doubtful, rows read wrongly without being doubtful)."""
    wrong, doubtful = [], 0
    for row, expected in zip(reading_rows, truth):
        if row.status == "doubtful":
            doubtful += 1
            continue
        got = ("mark", row.level) if row.status == "mark" else row.status
        if got != expected:
            wrong.append((row.index, expected, got, row.fills))
    return len(reading_rows), doubtful, wrong

"""The demo's paper conference counted from scans: its own printed ballot, marked as voters
mark it (an X in one box a row; here and there a row left blank, a mark across two boxes, a
name struck through), photographed by the counting board and uploaded. The reading is queued
like any upload's: `make run`'s worker reads it, and the board finds the doubtful rows waiting
for two members, the images beside them."""
import math

import numpy as np

from tinnhiem.conferences import ballot_layout as layout

DPI = 150  # a phone's photo of an A4 page, as the reader works at 100 dpi and more
# One ballot a line, one cell a person in ballot order: the box marked (0 high, 1 confidence,
# 2 low), "" left blank, "~" a mark across the first two boxes (doubtful), "/" the name
# struck through (the row invalid for that person).
BALLOTS = ("0 0 1", "0 1 0", "1 0 0", "0 0 2", "0 ~ 0", "2 2 0", "0 0 0", "/ 0 1",
           "0 1 ", "1 1 2", "0 0 1", "0 2 0")


def ballot_photos(printed_pdf: bytes) -> list[tuple[str, bytes]]:
    """(file name, JPEG) for each ballot of BALLOTS, drawn on the conference's printed
    ballot (one page: the demo's conferences vote on a few people)."""
    import cv2
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(printed_pdf)
    try:
        page = document[0].render(scale=DPI / 72, grayscale=True).to_numpy()
    finally:
        document.close()
    blank = np.ascontiguousarray(page[..., 0] if page.ndim == 3 else page)
    photos = []
    for number, ballot in enumerate(BALLOTS, start=1):
        image, hand = blank.copy(), np.random.default_rng(number)  # no two hands alike
        for slot, cell in enumerate(ballot.split(" ")):
            _mark(image, slot, cell, hand)
        image = _held_askew(image, 0.6 * math.sin(number))
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        photos.append((f"IMG_20280612_{number:04d}.jpg", jpeg.tobytes()))
    return photos


def _mark(image, slot: int, cell: str, hand) -> None:
    if cell == "":
        return
    if cell == "/":
        name = layout.name_rect(slot)
        _line(image, hand, (name.x + 3, name.y + name.h * 0.75),
              (name.x + name.w * 0.8, name.y + name.h * 0.3))
        return
    if cell == "~":  # an X over the line between the first two boxes
        a, b = layout.box_rect(slot, 0), layout.box_rect(slot, 1)
        box = layout.Rect((a.x + b.x + b.w) / 2 - 8, a.y, 16, a.h)
    else:
        box = layout.box_rect(slot, int(cell))
    _line(image, hand, (box.x + 2, box.y + 1.5), (box.x + box.w - 2, box.y + box.h - 1.5))
    _line(image, hand, (box.x + box.w - 2, box.y + 1.5), (box.x + 2, box.y + box.h - 1.5))


def _line(image, hand, start_mm, end_mm) -> None:
    """A pen stroke between two points, where the hand puts it (within a millimetre)."""
    import cv2

    scale = DPI / 25.4
    (x0, y0), (x1, y1) = (np.add(point, hand.uniform(-1.0, 1.0, 2)) * scale
                          for point in (start_mm, end_mm))
    cv2.line(image, (round(x0), round(y0)), (round(x1), round(y1)), int(hand.integers(25, 60)),
             int(hand.integers(2, 4)), cv2.LINE_AA)


def _held_askew(image, degrees: float):
    """The page a little turned, on a grey table, as a photo taken by hand."""
    import cv2

    height, width = image.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(image, turn, (width, height), borderValue=120)

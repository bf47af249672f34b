"""Finding the printed page in a picture: its four corner markers, their order (the hollow one
is the top-left corner, whatever way the page lies), and the perspective that maps the
layout's millimetres onto the picture."""
import dataclasses
import itertools
import math

import cv2
import numpy as np

from tinnhiem.conferences import ballot_layout as layout

SOLID = 0.9  # a marker's share of its own hull (0.82 for the hollow one)
WORK_SIDE = 1400  # the long side the markers are looked for at (a 300 dpi A4 is 3508)


@dataclasses.dataclass
class Found:
    corners: np.ndarray  # 4x2 float32: marker centres in the work image, layout order
    rotation: float  # degrees the page is turned in the picture (0 upright, ±180 upside down)
    scale: float  # work image pixels per millimetre, on average


class NotFound(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def work_image(image: np.ndarray) -> np.ndarray:
    """Grey, at most WORK_SIDE on the long side (area-averaged: thin strokes survive)."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    factor = round(max(image.shape) / WORK_SIDE)
    if factor > 1:  # a whole factor: OpenCV's fast path, four times quicker than any other
        image = cv2.resize(image, None, fx=1 / factor, fy=1 / factor,
                           interpolation=cv2.INTER_AREA)
    return image


def flat(image: np.ndarray, cell: int) -> np.ndarray:
    """Darkness 0 (paper) .. 1 (ink) against the local paper, so uneven light and a grey scan
    read alike: the paper is the brightest value around each place, on a coarse grid."""
    h, w = image.shape
    small = cv2.resize(image, (max(1, w // cell), max(1, h // cell)), interpolation=cv2.INTER_AREA)
    paper = cv2.dilate(small, np.ones((5, 5), np.uint8))
    paper = cv2.GaussianBlur(paper, (5, 5), 0)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    dark = 1.0 - image.astype(np.float32) / np.maximum(paper, 16.0)
    return np.clip(dark, 0.0, 1.0, out=dark)


def _candidates(dark: np.ndarray):
    """Solid, square-ish dark blobs: (centre, side, fill of the blob's own square, touches edge),
    looked for at half the work image's size (the markers are large), placed at full size."""
    binary = (cv2.pyrDown(dark) > 0.45).astype(np.uint8)
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    h, w = binary.shape
    minimum = max(h, w) * 0.006
    found = []
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        if bw < minimum or bh < minimum or not 0.6 < bw / bh < 1.6:
            continue
        if area < 0.5 * bw * bh:
            continue
        patch = labels[y:y + bh, x:x + bw] == i
        contour = cv2.findContours(patch.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)[0][0]
        hull = cv2.contourArea(cv2.convexHull(contour))
        if hull <= 0 or cv2.contourArea(contour) / hull < 0.85:
            continue
        edge = x == 0 or y == 0 or x + bw >= w or y + bh >= h
        found.append((centroids[i] * 2, 2 * math.sqrt(hull), area / hull, edge))
    return found


def _order(points: np.ndarray) -> np.ndarray:
    """Clockwise on the picture (y grows downwards), from any start."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    return np.argsort(angles)


def _quad_area(points: np.ndarray) -> float:
    return abs(cv2.contourArea(points.astype(np.float32)))


def _some_markers(candidates, side: int) -> bool:
    """Two or more of the page's markers (alike in size and solid) without the other ones: a
    page partly out of the picture."""
    solid = [c for c in candidates if c[2] > 0.74 and c[1] > 0.015 * side]
    return any(sum(0.85 < c[1] / d[1] < 1.18 for d in solid) >= 2 for c in solid)


def _centre_darkness(dark: np.ndarray, candidate) -> float:
    """At the blob's centre, at full size: paper in the hollow marker, ink in the others."""
    (x, y), side = candidate[0], candidate[1]
    r = max(1, int(side * 0.1))
    return float(dark[max(0, int(y) - r):int(y) + r + 1, max(0, int(x) - r):int(x) + r + 1].mean())


def find_markers(image: np.ndarray, dark: np.ndarray, tries: int = 3) -> list[Found]:
    """The likeliest placements of the page, best first (the largest fitting quadrilateral):
    the caller checks each against the print and keeps the first that fits."""
    candidates = _candidates(dark)
    if not candidates:
        raise NotFound("no_ballot")
    candidates.sort(key=lambda c: -c[1])
    candidates = candidates[:14]
    hollow = [_centre_darkness(dark, c) < 0.4 for c in candidates]
    solid = [_centre_darkness(dark, c) > 0.55 and c[2] > SOLID for c in candidates]
    want = (layout.MARKERS[1][0] - layout.MARKERS[0][0]) / (layout.MARKERS[3][1]
                                                             - layout.MARKERS[0][1])
    quads = []
    for combo in itertools.combinations(range(len(candidates)), 4):
        sides = [candidates[i][1] for i in combo]
        if max(sides) > 2.2 * min(sides):  # one printed size, seen in perspective
            continue
        # three solid markers and one hollow (the top-left one)
        if sum(hollow[i] for i in combo) != 1 or sum(solid[i] for i in combo) != 3:
            continue
        points = np.array([candidates[i][0] for i in combo], np.float64)
        ordered = points[_order(points)]
        edges = np.linalg.norm(ordered - np.roll(ordered, -1, axis=0), axis=1)
        short, long = sorted(((edges[0] + edges[2]) / 2, (edges[1] + edges[3]) / 2))
        if not 0.65 * want < short / long < 1.35 * want:
            continue
        # the marker is ~2.5% of the page's long side, and the page most of the picture
        if not 0.015 < np.mean(sides) / long < 0.07 or long < 0.3 * max(dark.shape):
            continue
        quads.append((_quad_area(ordered), [combo[j] for j in _order(points)]))
    if not quads:
        raise NotFound("cut_off" if _some_markers(candidates, max(dark.shape)) else "no_ballot")
    quads.sort(key=lambda q: -q[0])
    found = []
    for _area, indexes in quads[:tries]:
        chosen = [candidates[i] for i in indexes]
        if any(c[3] for c in chosen):
            raise NotFound("cut_off")
        first = next(k for k, i in enumerate(indexes) if hollow[i])
        corners = np.array([_refine(dark, chosen[(first + k) % 4]) for k in range(4)],
                           np.float32)
        dx, dy = corners[1] - corners[0]
        span = np.linalg.norm(corners[1] - corners[0]) / (layout.MARKERS[1][0]
                                                          - layout.MARKERS[0][0])
        found.append(Found(corners, math.degrees(math.atan2(dy, dx)), float(span)))
    return found


def _refine(dark: np.ndarray, candidate) -> np.ndarray:
    """The marker's centre at the work image's full size (found at half size: a few tenths of
    a pixel off, which a sheet's fingerprint would feel)."""
    (x, y), side = candidate[0], candidate[1]
    r = int(side * 0.75)
    x0, y0 = max(0, int(x) - r), max(0, int(y) - r)
    patch = (dark[y0:int(y) + r + 1, x0:int(x) + r + 1] > 0.45).astype(np.uint8)
    m = cv2.moments(patch, binaryImage=True)
    if m["m00"] < 0.5 * side * side:
        return np.array([x, y])
    return np.array([x0 + m["m10"] / m["m00"], y0 + m["m01"] / m["m00"]])


def homography(found: Found, px_per_mm: float, factor: float = 1.0) -> np.ndarray:
    """Layout millimetres (times px_per_mm) -> picture pixels (times factor for a finer image
    than the work image)."""
    source = np.array(layout.MARKERS, np.float32) * px_per_mm
    return cv2.getPerspectiveTransform(source, found.corners * factor)


def is_in(image_shape, h: np.ndarray, rect: layout.Rect, px_per_mm: float) -> bool:
    corners = np.array([[[rect.x, rect.y]], [[rect.x + rect.w, rect.y]],
                        [[rect.x, rect.y + rect.h]], [[rect.x + rect.w, rect.y + rect.h]]],
                       np.float32) * px_per_mm
    mapped = cv2.perspectiveTransform(corners, h).reshape(-1, 2)
    hh, ww = image_shape[:2]
    return bool(((mapped >= 0) & (mapped < [ww, hh])).all())

"""Charts drawn as inline SVG on the server: no script, no CDN (deployments are often
offline), readable by a screen reader through their titles and the tables beside them."""
from markupsafe import Markup, escape

COLOURS = {"normal": "#2e7d32", "over_half_low": "#f9a825", "two_thirds_low": "#c62828"}
ORDER = ("normal", "over_half_low", "two_thirds_low")


def bands_per_unit(units: list[dict], title: str, width: int = 640) -> Markup:
    """One horizontal bar per unit, split by band."""
    label_w, bar_h, gap = 220, 18, 6
    height = max(1, len(units)) * (bar_h + gap) + 10
    top = max([sum(u[b] for b in ORDER) for u in units] or [1]) or 1
    scale = (width - label_w - 40) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, unit in enumerate(units):
        y = 5 + i * (bar_h + gap)
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(unit["unit"][:34])}</text>')
        x = label_w
        for b in ORDER:
            w = unit[b] * scale
            if w:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                             f'fill="{COLOURS[b]}"><title>{unit[b]}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}" font-size="12">'
                     f'{sum(unit[b] for b in ORDER)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(counts: list[int], title: str, colour: str, width: int = 300,
              height: int = 120) -> Markup:
    """People per tenth of a level's share (0–10% … 90–100%)."""
    top = max(counts or [1]) or 1
    bar_w = (width - 20) / max(1, len(counts))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" '
             f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, number in enumerate(counts):
        h = number / top * height
        x = 10 + i * bar_w
        parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{bar_w - 2:.1f}" '
                     f'height="{h:.1f}" fill="{colour}"><title>{i * 10}–{(i + 1) * 10}%: '
                     f'{number}</title></rect>')
    parts.append(f'<text x="10" y="{height + 15}" font-size="11">0%</text>'
                 f'<text x="{width - 40}" y="{height + 15}" font-size="11">100%</text></svg>')
    return Markup("".join(parts))


def progress_line(points: list, total: int, title: str, width: int = 640,
                  height: int = 140) -> Markup:
    """Certified conferences over time (cumulative), against the units taking part."""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" '
             f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    if points:
        top = max(total, points[-1][1], 1)
        first, last = points[0][0].toordinal(), points[-1][0].toordinal()
        span = max(1, last - first)
        coords = [(10 + (d.toordinal() - first) / span * (width - 20),
                   height - n / top * (height - 10)) for d, n in points]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<line x1="10" y1="{height}" x2="{width - 10}" y2="{height}" '
                     f'stroke="#ced4da"/>'
                     f'<polyline points="{path}" fill="none" stroke="#8b1a1a" stroke-width="2"/>')
        for (x, y), (day, number) in zip(coords, points):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#8b1a1a"><title>'
                         f'{day:%d/%m/%Y}: {number}</title></circle>')
        x, y = coords[-1]  # where it stands now, in figures
        anchor, dx = ("end", -8) if x > width / 2 else ("start", 8)
        parts.append(f'<text x="{x + dx:.1f}" y="{max(y - 6, 14):.1f}" font-size="14" '
                     f'text-anchor="{anchor}">{points[-1][1]}</text>')
        parts.append(f'<text x="10" y="{height + 15}" font-size="11">{points[0][0]:%d/%m/%Y}</text>'
                     f'<text x="{width - 80}" y="{height + 15}" font-size="11">'
                     f'{points[-1][0]:%d/%m/%Y}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

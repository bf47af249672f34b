"""Charts drawn as inline SVG on the server: no script, no CDN (deployments are often
offline). Each is a figure with a visible title, labelled axes, and an accessible name and
description (role="img", <title>, <desc>) that tell a screen reader what the bars show."""
from flask_babel import gettext as _
from markupsafe import Markup, escape

from tinnhiem.counting.bands import band_label
from tinnhiem.platform.formats import integer, percent_range
from tinnhiem.platform.svg_charts import AXIS, COLOURS
from tinnhiem.platform.svg_charts import figure as _figure
from tinnhiem.platform.svg_charts import label as _text

ORDER = ("normal", "over_half_low", "two_thirds_low")


def bands_per_unit(units: list[dict], title: str, width: int = 640) -> Markup:
    """One horizontal bar per unit, split by band, its total at the end."""
    label_w, bar_h, gap, top_y = 220, 18, 6, 20
    plot_h = max(1, len(units)) * (bar_h + gap)
    height = top_y + plot_h + 24
    top = max([sum(u[b] for b in ORDER) for u in units] or [1]) or 1
    scale = (width - label_w - 40) / top
    body = [_text(0, 12, _("Đơn vị"), extra=' font-weight="bold"'),
            f'<line x1="{label_w}" y1="{top_y - 4}" x2="{label_w}" y2="{top_y + plot_h}" '
            f'stroke="{AXIS}"/>']
    for i, unit in enumerate(units):
        y = top_y + i * (bar_h + gap)
        body.append(_text(0, y + 13, unit["unit"][:34], size=12))
        x = label_w
        for b in ORDER:
            w = unit[b] * scale
            if w:
                body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                            f'fill="{COLOURS[b]}"><title>{escape(band_label(b))}: '
                            f'{integer(unit[b])}</title></rect>')
            x += w
        body.append(_text(x + 4, y + 13, integer(sum(unit[b] for b in ORDER)), size=12))
    body.append(_text(label_w + (width - label_w) / 2, height - 6, _("Số người"),
                      anchor="middle"))
    description = "; ".join(
        f"{unit['unit']}: " + ", ".join(f"{band_label(b)} {integer(unit[b])}" for b in ORDER)
        for unit in units) or _("Chưa có kết quả nào được chứng nhận.")
    return _figure(title, description, width, height, body)


def histogram(counts: list[int], title: str, axis: str, colour: str, width: int = 260) -> Markup:
    """People per tenth of a level's share: one horizontal bar per bin (0–10 % … 90–100 %),
    labelled, its count at the end; `axis` names the share."""
    label_w, bar_h, gap, top_y = 62, 13, 3, 22
    step = 100 // max(1, len(counts))
    plot_h = len(counts) * (bar_h + gap)
    height = top_y + plot_h + 22
    most = max(counts or [1]) or 1
    scale = (width - label_w - 36) / most
    bins = [percent_range(i * step, (i + 1) * step) for i in range(len(counts))]
    body = [_text(0, 12, axis, extra=' font-weight="bold"'),
            f'<line x1="{label_w}" y1="{top_y - 2}" x2="{label_w}" y2="{top_y + plot_h}" '
            f'stroke="{AXIS}"/>']
    for i, (label, number) in enumerate(zip(bins, counts)):
        y = top_y + i * (bar_h + gap)
        w = number * scale
        body.append(_text(label_w - 4, y + 11, label, anchor="end"))
        body.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{colour}"><title>{escape(label)}: {integer(number)}</title></rect>')
        body.append(_text(label_w + w + 3, y + 11, integer(number)))
    body.append(_text(label_w + (width - label_w) / 2, height - 6, _("Số người"),
                      anchor="middle"))
    description = "; ".join(_("%(bin)s: %(n)s người", bin=label, n=integer(number))
                            for label, number in zip(bins, counts))
    return _figure(title, f"{axis}. {description}", width, height, body)


def progress_line(points: list, total: int, title: str, width: int = 640,
                  height: int = 140) -> Markup:
    """Certified conferences over time (cumulative), against the units taking part."""
    left, right, top_y = 48, width - 10, 10
    axis_y = top_y + height
    y_label = _("Số hội nghị đã chứng nhận")
    body = [f'<line x1="{left}" y1="{top_y}" x2="{left}" y2="{axis_y}" stroke="{AXIS}"/>'
            f'<line x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}" stroke="{AXIS}"/>',
            _text(12, top_y + height / 2, y_label, anchor="middle", rotate=True),
            _text(left + (right - left) / 2, axis_y + 34, _("Ngày họp"), anchor="middle")]
    if not points:
        body.append(_text(left + (right - left) / 2, top_y + height / 2,
                          _("Chưa có hội nghị nào được chứng nhận."), anchor="middle"))
        return _figure(title, _("Chưa có hội nghị nào được chứng nhận."), width,
                       axis_y + 40, body)
    top = max(total, points[-1][1], 1)
    first, last = points[0][0].toordinal(), points[-1][0].toordinal()
    span = max(1, last - first)
    coords = [(left + 6 + (d.toordinal() - first) / span * (right - left - 12),
               axis_y - n / top * (height - 10)) for d, n in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    body.append(_text(left - 4, axis_y, "0", anchor="end"))
    body.append(_text(left - 4, axis_y - (height - 10) + 4, integer(top), anchor="end"))
    if total:  # the units taking part: where the line stands when every unit is done
        ceiling = axis_y - total / top * (height - 10)
        body.append(f'<line x1="{left}" y1="{ceiling:.1f}" x2="{right}" y2="{ceiling:.1f}" '
                    f'stroke="{AXIS}" stroke-dasharray="4 3"/>')
        body.append(_text(right, ceiling - 4, _("%(n)s đơn vị tham gia", n=integer(total)),
                          anchor="end"))
    body.append(f'<polyline points="{path}" fill="none" stroke="#8b1a1a" stroke-width="2"/>')
    for (x, y), (day, number) in zip(coords, points):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#8b1a1a"><title>'
                    f'{day:%d/%m/%Y}: {integer(number)}</title></circle>')
    x, y = coords[-1]  # where it stands now, in figures
    anchor, dx = ("end", -8) if x > width / 2 else ("start", 8)
    body.append(f'<text x="{x + dx:.1f}" y="{max(y - 6, 14):.1f}" font-size="14" '
                f'text-anchor="{anchor}">{integer(points[-1][1])}</text>')
    body.append(_text(left, axis_y + 15, f"{points[0][0]:%d/%m/%Y}"))
    body.append(_text(right, axis_y + 15, f"{points[-1][0]:%d/%m/%Y}", anchor="end"))
    description = _("Từ %(first)s đến %(last)s: %(n)s hội nghị đã chứng nhận; %(t)s đơn vị "
                    "tham gia.", first=f"{points[0][0]:%d/%m/%Y}",
                    last=f"{points[-1][0]:%d/%m/%Y}", n=integer(points[-1][1]),
                    t=integer(total))
    return _figure(title, description, width, axis_y + 40, body)

"""The trend of a cadre's share of low confidence, drawn as inline SVG: one bar per place and
round, in the order held, with the two lines the rules draw (more than half, two thirds)."""
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from tinnhiem.counting.bands import band_label
from tinnhiem.platform.formats import percent
from tinnhiem.platform.svg_charts import AXIS, COLOURS, figure, label

LIMITS = ((50, "50 %"), (200 / 3, "2/3"))  # the bands' thresholds, in percentage points


def _label(row) -> str:
    return f"{row.round_name} · {row.unit_name}"


def low_share_trend(rows, title: str, width: int = 640) -> Markup:
    """One horizontal bar per result (its low share, coloured by band), labelled with its
    round and unit; the description reads every figure and change for a screen reader."""
    label_w, bar_h, gap, top_y = 230, 18, 8, 24
    plot_w = width - label_w - 70
    plot_h = max(1, len(rows)) * (bar_h + gap)
    height = top_y + plot_h + 28
    body = [label(0, 14, _("Đợt · đơn vị"), extra=' font-weight="bold"')]
    for limit, name in LIMITS:
        x = label_w + plot_w * limit / 100
        body.append(f'<line x1="{x:.1f}" y1="{top_y - 6}" x2="{x:.1f}" y2="{top_y + plot_h}" '
                    f'stroke="{AXIS}" stroke-dasharray="4 3"/>')
        body.append(label(x, top_y - 9, name, size=10, anchor="middle"))
    body.append(f'<line x1="{label_w}" y1="{top_y - 6}" x2="{label_w}" y2="{top_y + plot_h}" '
                f'stroke="{AXIS}"/>')
    for i, row in enumerate(rows):
        y = top_y + i * (bar_h + gap)
        share = row.shares["low"]
        w = plot_w * float(share) / 100
        body.append(label(0, y + 13, _label(row)[:38], size=12))
        body.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{COLOURS[row.band]}"><title>{escape(_label(row))}: '
                    f'{escape(percent(share))}</title></rect>')
        body.append(label(label_w + w + 4, y + 13, percent(share), size=12))
    body.append(label(label_w + plot_w / 2, height - 6, _("Tỷ lệ phiếu tín nhiệm thấp (%)"),
                     anchor="middle"))
    return figure(title, _describe(rows), width, height, body)


def _describe(rows) -> str:
    parts = []
    for row in rows:
        part = _("%(place)s: %(share)s, %(band)s", place=_label(row),
                 share=percent(row.shares["low"]), band=band_label(row.band))
        if row.low_change_points is not None:
            part += _(" (thay đổi %(points)s điểm %%)", points=signed(row.low_change_points))
        parts.append(part)
    return "; ".join(parts)


def signed(points) -> str:
    """A change in percentage points with its sign: "+12,50", "−3,00", "0,00"."""
    shown = format_decimal(abs(points), "#,##0.00")
    return ("+" if points > 0 else "−" if points < 0 else "") + shown

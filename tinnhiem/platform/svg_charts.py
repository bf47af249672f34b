"""What every chart drawn as inline SVG shares: labels, and the figure that names it.

A chart is a figure with a visible title and an accessible name and description
(role="img", <title>, <desc>) that tell a screen reader what it shows; no script, no CDN."""
from markupsafe import Markup, escape

AXIS = "#6c757d"
# The bands' colours (counting.bands' names), the same on every chart.
COLOURS = {"normal": "#2e7d32", "over_half_low": "#f9a825", "two_thirds_low": "#c62828"}


def label(x: float, y: float, words, size: int = 11, anchor: str = "start",
         rotate: bool = False, extra: str = "") -> str:
    """A label; `rotate` turns it to read upwards, for a vertical axis."""
    turn = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
            f'{turn}{extra}>{escape(words)}</text>')


def figure(title: str, description: str, width: int, height: int, body: list[str]) -> Markup:
    """The chart's title shown as the figure's caption, and given to the SVG as its name."""
    name = escape(title)
    return Markup(
        f'<figure class="chart mb-3"><figcaption class="fw-semibold">{name}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{name}"><title>{name}</title><desc>{escape(description)}</desc>'
        + "".join(body) + "</svg></figure>")

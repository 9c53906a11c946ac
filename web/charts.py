"""Charts drawn on the server as SVG (no chart library, nothing to vendor, works without JavaScript).

Every label goes through markupsafe.escape; the SVG carries a <title> and a text table follows
it on the page, so the figures are readable without seeing colours.
"""
from math import cos, radians, sin

from markupsafe import Markup, escape

SERIES = (("response_rate", "响应率", "response"), ("resolution_rate", "解决率", "solved"),
          ("satisfaction_rate", "满意率", "satisfied"), ("on_time_rate", "按时办结率", "ontime"))


FONT = 11  # px, .chart text in app.css
SLANT = 40  # degrees the group labels are turned
ZERO_BAR = 2  # px: a 0 % bar is a visible line on the axis, not nothing


def text_width(text: str) -> float:
    """Width in px of a label at FONT: CJK characters are square, others about half as wide."""
    return sum(FONT if ord(ch) > 0x2E80 else FONT * 0.6 for ch in text)


def grouped_bars(rows: list[dict], label_key: str, title: str, series=SERIES, min_groups: int = 8) -> Markup:
    """One group of bars (0–100%) per row, one bar per series; None is drawn as no bar, 0 as a
    thin line. The drawing is at least `min_groups` wide, so a single unit does not fill the
    page, and its margins hold the longest label whole (turned by SLANT degrees)."""
    bar, gap, top, height = 9, 14, 12, 160
    group = bar * len(series) + gap
    longest = max((text_width(str(row[label_key])) for row in rows), default=0)
    reach_x, reach_y = longest * cos(radians(SLANT)), longest * sin(radians(SLANT))
    left = max(36, reach_x - group / 2 + 4)  # the first label runs left past its group
    bottom = reach_y + FONT + 16
    width = left + max(len(rows), min_groups) * group + 10
    parts = [(f'<svg class="chart" viewBox="0 0 {width:.0f} {top + height + bottom:.0f}" role="img" '
              f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>')]
    for tick in (0, 25, 50, 75, 100):
        y = top + height - height * tick / 100
        parts.append(f'<line x1="{left:.1f}" x2="{width:.0f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde2e7"/>'
                     f'<text x="{left - 4:.1f}" y="{y + 4:.1f}" text-anchor="end">{tick}%</text>')
    for i, row in enumerate(rows):
        x0 = left + i * group + gap / 2
        for j, (key, name, css) in enumerate(series):
            value = row.get(key)
            if value is None:
                continue
            h = max(height * value, ZERO_BAR)
            parts.append(f'<rect class="bar-{css}" x="{x0 + j * bar:.1f}" y="{top + height - h:.1f}" '
                         f'width="{bar - 1}" height="{h:.1f}"><title>{escape(row[label_key])} '
                         f'{name} {value * 100:.1f}%</title></rect>')
        label = escape(str(row[label_key]))
        cx, cy = x0 + bar * len(series) / 2, top + height + 12
        parts.append(f'<text x="{cx:.1f}" y="{cy}" text-anchor="end" '
                     f'transform="rotate(-{SLANT} {cx:.1f} {cy})">{label}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

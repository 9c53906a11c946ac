"""Charts drawn on the server as SVG (no chart library, nothing to vendor, works without JavaScript).

Every label goes through markupsafe.escape; the SVG carries a <title> and a text table follows
it on the page, so the figures are readable without seeing colours.
"""
from markupsafe import Markup, escape

SERIES = (("response_rate", "响应率", "response"), ("resolution_rate", "解决率", "solved"),
          ("satisfaction_rate", "满意率", "satisfied"), ("on_time_rate", "按时办结率", "ontime"))


def grouped_bars(rows: list[dict], label_key: str, title: str, series=SERIES, min_groups: int = 8) -> Markup:
    """One group of bars (0–100%) per row, one bar per series; None is drawn as no bar. The
    drawing is at least `min_groups` wide, so a single unit does not fill the page."""
    bar, gap, left, top, height = 9, 14, 36, 12, 160
    group = bar * len(series) + gap
    width = left + max(len(rows), min_groups) * group + 10
    parts = [f'<svg class="chart" viewBox="0 0 {width} {top + height + 70}" role="img" '
             f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet"><title>{escape(title)}</title>']
    for tick in (0, 25, 50, 75, 100):
        y = top + height - height * tick / 100
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde2e7"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick}%</text>')
    for i, row in enumerate(rows):
        x0 = left + i * group + gap / 2
        for j, (key, name, css) in enumerate(series):
            value = row.get(key)
            if value is None:
                continue
            h = height * value
            parts.append(f'<rect class="bar-{css}" x="{x0 + j * bar:.1f}" y="{top + height - h:.1f}" '
                         f'width="{bar - 1}" height="{h:.1f}"><title>{escape(row[label_key])} '
                         f'{name} {value * 100:.1f}%</title></rect>')
        label = escape(str(row[label_key])[:8])
        cx = x0 + bar * len(series) / 2
        parts.append(f'<text x="{cx:.1f}" y="{top + height + 12}" text-anchor="end" '
                     f'transform="rotate(-40 {cx:.1f} {top + height + 12})">{label}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

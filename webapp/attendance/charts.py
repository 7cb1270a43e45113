"""Server-rendered SVG bar charts that do not rely on colour.

Each bar carries its value as text, each category its name; a second series is drawn
hatched rather than in a second colour, and a legend shows both patterns. The SVG is
an image (``role="img"``) whose title and description state every value, and the page
shows the same figures as a data table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
LABEL_HEIGHT = 18
BAR_HEIGHT = 16
BAR_GAP = 4
GROUP_GAP = 12
LEGEND_HEIGHT = 26
VALUE_ROOM = 44  # space right of the longest bar for its number


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    pattern: str = "solid"  # "solid" or "hatch"


def _fill(series: Series, chart_id: str) -> str:
    return f"url(#{chart_id}-hatch)" if series.pattern == "hatch" else "currentColor"


def bar_chart_svg(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
) -> Markup:
    """A horizontal bar chart of ``series`` over ``categories`` as inline SVG markup."""
    if not categories or not series:
        return Markup("")
    top = max((max(s.values, default=0) for s in series), default=0) or 1
    usable = WIDTH - VALUE_ROOM
    group_height = LABEL_HEIGHT + len(series) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    height = LEGEND_HEIGHT + len(categories) * group_height
    cid = escape(chart_id)

    description = "; ".join(
        f"{category}: " + ", ".join(f"{s.label} {s.values[i]}" for s in series)
        for i, category in enumerate(categories)
    )
    parts = [
        f'<svg class="chart" id="{cid}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{cid}-title {cid}-desc">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
        "<defs>",
        f'<pattern id="{cid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#fff"/>'
        '<rect width="3" height="6" fill="currentColor"/></pattern>',
        "</defs>",
    ]
    # Legend: a swatch with the series' pattern and its name.
    x = 0
    for s in series:
        parts.append(
            f'<rect x="{x}" y="4" width="14" height="14" fill="{_fill(s, str(cid))}" '
            'stroke="currentColor"/>'
        )
        parts.append(f'<text x="{x + 20}" y="16" class="chart-legend">{escape(s.label)}</text>')
        x += 24 + 8 * len(s.label)
    y = LEGEND_HEIGHT
    for i, category in enumerate(categories):
        parts.append(f'<text x="0" y="{y + 13}" class="chart-label">{escape(category)}</text>')
        y += LABEL_HEIGHT
        for s in series:
            value = s.values[i]
            length = round(usable * value / top, 1)
            parts.append(
                f'<rect x="0" y="{y}" width="{max(length, 1)}" height="{BAR_HEIGHT}" '
                f'fill="{_fill(s, str(cid))}" stroke="currentColor"/>'
            )
            parts.append(
                f'<text x="{length + 6}" y="{y + 12.5}" class="chart-value">{value}</text>'
            )
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    parts.append("</svg>")
    return Markup("".join(parts))

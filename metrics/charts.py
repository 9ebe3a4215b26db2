"""Geometry for the dashboard's server-side SVG charts: numbers in, shapes out (no ORM, no HTML).

The templates draw what these return with SVG attributes and CSS classes only: the CSP forbids
inline `style`, and no chart library or CDN is needed.
"""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

FUNNEL_WIDTH = 640
FUNNEL_LABEL = 130
FUNNEL_BAR = 34
FUNNEL_GAP = 26


def percent(value) -> str:
    return "—" if value is None else f"{round(value * 100):d}%"


def _nice_ceiling(value: float) -> float:
    """The axis top: 1, 2, 2.5 or 5 × a power of ten, at or above the value (never 0)."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def funnel_chart(numbers: dict) -> dict:
    """Leads → MQLs → SQLs → opportunities → won, bars scaled to the largest, with the conversion
    between each stage and the next (events in the period, so it may pass 100%)."""
    stages = [
        (_("Leads"), numbers["leads"]),
        (_("MQLs"), numbers["mqls"]),
        (_("SQLs"), numbers["sqls"]),
        (_("Opportunities"), numbers["opportunities"]),
        (_("Won"), numbers["won_deals"]),
    ]
    top = max([value for _label, value in stages] + [1])
    room = FUNNEL_WIDTH - FUNNEL_LABEL - 70
    bars = []
    for index, (label, value) in enumerate(stages):
        width = max(2, round(room * value / top)) if value else 2
        y = index * (FUNNEL_BAR + FUNNEL_GAP)
        previous = stages[index - 1][1] if index else None
        conversion = None
        if index:
            conversion = percent(value / previous) if previous else "—"
        bars.append(
            {
                "label": label,
                "value": value,
                "x": FUNNEL_LABEL,
                "y": y,
                "width": width,
                "height": FUNNEL_BAR,
                "text_y": y + FUNNEL_BAR / 2 + 5,
                "value_x": FUNNEL_LABEL + width + 8,
                "index": index,
                "conversion": conversion,
                "conversion_y": y - FUNNEL_GAP / 2 + 5,
            }
        )
    height = len(stages) * (FUNNEL_BAR + FUNNEL_GAP) - FUNNEL_GAP
    return {"bars": bars, "width": FUNNEL_WIDTH, "height": height}


TREND_WIDTH = 640
TREND_HEIGHT = 220
TREND_LEFT = 44
TREND_RIGHT = 16
TREND_TOP = 12
TREND_BOTTOM = 30
TREND_SERIES = (
    ("leads", _("Leads")),
    ("mqls", _("MQLs")),
    ("sqls", _("SQLs")),
    ("opportunities", _("Opportunities")),
)


def _week_label(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.day}.{day.month:02d}"


def _x_positions(count: int) -> list[float]:
    inner = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    if count <= 1:
        return [TREND_LEFT + inner / 2] * count
    return [round(TREND_LEFT + inner * i / (count - 1), 1) for i in range(count)]


def _label_every(count: int) -> int:
    return max(1, -(-count // 12))


def trend_chart(weeks: list[dict]) -> dict:
    """One line per series (leads, MQLs, SQLs, opportunities) over the weeks of the period."""
    top = _nice_ceiling(max([week[key] for week in weeks for key, _label in TREND_SERIES] + [0]))
    plot = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    xs = _x_positions(len(weeks))

    def y(value):
        return round(TREND_TOP + plot - plot * value / top, 1)

    series = []
    for index, (key, label) in enumerate(TREND_SERIES):
        points = [(x, y(week[key]), week[key]) for x, week in zip(xs, weeks, strict=True)]
        series.append(
            {
                "key": key,
                "label": label,
                "index": index,
                "points": " ".join(f"{x},{py}" for x, py, _value in points),
                "dots": [{"x": x, "y": py, "value": value} for x, py, value in points],
            }
        )
    every = _label_every(len(weeks))
    return {
        "width": TREND_WIDTH,
        "height": TREND_HEIGHT,
        "series": series,
        "grid": _grid(top, y),
        "x_labels": [
            {"x": x, "text": _week_label(week["week"])}
            for i, (x, week) in enumerate(zip(xs, weeks, strict=True))
            if i % every == 0
        ],
        "left": TREND_LEFT,
        "right": TREND_WIDTH - TREND_RIGHT,
        "base_y": TREND_HEIGHT - TREND_BOTTOM,
        "label_y": TREND_HEIGHT - 10,
    }


def _grid(top, y) -> list[dict]:
    lines = []
    for share in (0, 0.5, 1):
        value = top * share
        text = f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
        lines.append({"y": y(value), "text": text, "text_y": y(value) + 4})
    return lines


def revenue_chart(weeks: list[dict]) -> dict:
    """Won revenue per week as bars."""
    values = [Decimal(week["won_revenue"]) for week in weeks]
    top = _nice_ceiling(float(max([*values, Decimal(0)])))
    plot = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    inner = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    slot = inner / max(len(weeks), 1)
    width = max(4, round(slot * 0.6, 1))

    def y(value):
        return round(TREND_TOP + plot - plot * float(value) / top, 1)

    bars = []
    for index, (week, value) in enumerate(zip(weeks, values, strict=True)):
        top_y = y(value)
        bars.append(
            {
                "x": round(TREND_LEFT + slot * index + (slot - width) / 2, 1),
                "y": top_y,
                "width": width,
                "height": round(TREND_HEIGHT - TREND_BOTTOM - top_y, 1),
                "value": f"{value:,.0f}",
                "week": week["week"],
            }
        )
    every = _label_every(len(weeks))
    return {
        "width": TREND_WIDTH,
        "height": TREND_HEIGHT,
        "bars": bars,
        "grid": _grid(top, y),
        "x_labels": [
            {"x": round(bar["x"] + width / 2, 1), "text": _week_label(bar["week"])}
            for i, bar in enumerate(bars)
            if i % every == 0
        ],
        "left": TREND_LEFT,
        "right": TREND_WIDTH - TREND_RIGHT,
        "base_y": TREND_HEIGHT - TREND_BOTTOM,
        "label_y": TREND_HEIGHT - 10,
    }


def share_bars(rows: list[tuple[str, int]], width: int = 100) -> list[dict]:
    """Horizontal bars for a small table (e.g. rejection reasons): a width out of `width` per row."""
    top = max([count for _label, count in rows] + [1])
    return [{"label": label, "count": count, "width": round(width * count / top, 1)} for label, count in rows]

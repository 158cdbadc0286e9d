"""Geometry of the statistics chart, drawn server-side as inline SVG (no script, no CDN).

Bars: decisions per day (left axis). Lines: the opt-in rate of each category per day
(right axis, 0-100 %); a day without decisions breaks the line rather than drawing 0 %.
The template only places what :func:`layout` computes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 48, 16, 40


@dataclass
class Chart:
    """Everything the SVG template draws."""

    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    y_ticks: list[dict] = field(default_factory=list)
    rate_ticks: list[dict] = field(default_factory=list)
    x_labels: list[dict] = field(default_factory=list)
    plot: dict = field(default_factory=dict)


def axis_top(value: int) -> int:
    """The top of the left axis: four equal whole-number steps that reach ``value``."""
    need = max(1, math.ceil(value / 4))
    power = 10 ** math.floor(math.log10(need))
    for factor in (1, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = factor * power
        if step >= need and step == int(step):
            return int(step) * 4
    return 40 * power  # pragma: no cover - factor 10 always fits


def layout(days: list[str], decisions: list[int], rates: dict[str, list[float | None]]) -> Chart:
    """Lay out bars for ``decisions`` and one line (as polyline segments) per category."""
    chart = Chart()
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    bottom = TOP + inner_h
    chart.plot = {"x": LEFT, "y": TOP, "w": inner_w, "h": inner_h, "bottom": bottom}
    count = max(len(days), 1)
    slot = inner_w / count
    top = axis_top(max(decisions, default=0))
    for i, (day, n) in enumerate(zip(days, decisions, strict=True)):
        h = inner_h * n / top
        chart.bars.append(
            {
                "x": round(LEFT + i * slot + slot * 0.15, 1),
                "y": round(bottom - h, 1),
                "w": round(max(slot * 0.7, 1), 1),
                "h": round(h, 1),
                "day": day,
                "n": n,
            }
        )
    for k in range(5):
        value = top * k / 4
        y = round(bottom - inner_h * k / 4, 1)
        chart.y_ticks.append({"y": y, "label": str(int(value))})
        chart.rate_ticks.append({"y": y, "label": f"{25 * k}%"})
    every = max(1, math.ceil(count / 8))
    for i, day in enumerate(days):
        if (count - 1 - i) % every == 0:  # counted back from today: today always labelled
            chart.x_labels.append({"x": round(LEFT + (i + 0.5) * slot, 1), "label": day[5:]})
    for index, (key, values) in enumerate(rates.items()):
        segments: list[str] = []
        points: list[dict] = []
        current: list[str] = []
        for i, rate in enumerate(values):
            if rate is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            x = round(LEFT + (i + 0.5) * slot, 1)
            y = round(bottom - inner_h * rate, 1)
            current.append(f"{x},{y}")
            points.append({"x": x, "y": y, "day": days[i], "rate": round(rate * 100)})
        if current:
            segments.append(" ".join(current))
        chart.lines.append(
            {"key": key, "series": index % 6, "segments": segments, "points": points}
        )
    return chart

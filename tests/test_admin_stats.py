"""Statistics: decisions and opt-in rates per day, bots left out, chart and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask

from cmp import clock
from cmp.admin.chart import axis_top, layout
from tests.test_admin_support import Console, sign_in

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def console(app: Flask) -> Console:
    """A client signed in as an admin."""
    return sign_in(app, "admin")


def _decide(app: Flask, analytics: bool, ua: str = BROWSER, method: str = "banner") -> None:
    resp = app.test_client().post(
        "/api/v1/sites/demo/consents",
        json={"policy_version": 1, "categories": {"analytics": analytics}, "method": method},
        headers={"User-Agent": ua},
    )
    assert resp.status_code == 201


def test_figures_chart_and_csv(app: Flask, console: Console) -> None:
    for analytics in (True, True, True, False):
        _decide(app, analytics)
    _decide(app, False, method="preferences")
    _decide(app, True, ua=BOT)
    page = console.get("/admin/sites/demo/stats")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and '<rect class="bar"' in html and "<polyline" in html
    today = clock.day(clock.now())
    assert f"<title>{today}: 5</title>" in html  # five decisions, the bot left out
    assert "60.0%" in html  # analytics: 3 of 5
    assert "0.0%" in html  # targeting: never
    assert "75.0%" in html  # analytics through the banner: 3 of 4 (preferences: 0 of 1)
    csv_resp = console.get("/admin/sites/demo/stats.csv?days=90")
    assert csv_resp.mimetype == "text/csv"
    assert 'filename="cmp-demo-stats-90d.csv"' in csv_resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_resp.text)))
    assert len(rows) == 90 and rows[-1]["day"] == today
    last = rows[-1]
    assert last["decisions"] == "5" and last["bots"] == "1"
    assert last["method:banner"] == "4" and last["method:preferences"] == "1"
    assert last["cat:analytics:on"] == "3" and last["cat:analytics:off"] == "2"
    assert last["opt_in_rate:analytics"] == "0.6000"
    assert rows[0]["decisions"] == "0" and rows[0]["opt_in_rate:analytics"] == ""
    assert "cat:essential:on" not in last


def test_period_choice(console: Console) -> None:
    assert "30日間" in console.get("/admin/sites/demo/stats").text
    ninety = console.get("/admin/sites/demo/stats?days=90").text
    assert ninety.count('<rect class="bar"') == 90
    assert console.get("/admin/sites/demo/stats?days=7").text.count('<rect class="bar"') == 30


def test_chart_layout() -> None:
    assert [axis_top(n) for n in (0, 1, 3, 7, 10, 13, 230)] == [4, 4, 4, 8, 12, 16, 240]
    days = ["2026-01-01", "2026-01-02", "2026-01-03"]
    chart = layout(days, [0, 4, 2], {"analytics": [None, 0.5, 1.0], "targeting": [0.0, None, 0.0]})
    assert [b["n"] for b in chart.bars] == [0, 4, 2]
    assert chart.bars[0]["h"] == 0 and chart.bars[1]["h"] > chart.bars[2]["h"] > 0
    assert chart.bars[1]["y"] + chart.bars[1]["h"] == pytest.approx(chart.plot["bottom"])
    analytics, targeting = chart.lines
    assert len(analytics["segments"]) == 1 and len(analytics["points"]) == 2
    assert len(targeting["segments"]) == 2  # a day without decisions breaks the line
    top = chart.plot["y"]
    assert analytics["points"][1]["y"] == top  # 100 % at the top
    assert [t["label"] for t in chart.rate_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert [t["label"] for t in chart.y_ticks] == ["0", "1", "2", "3", "4"]
    assert chart.x_labels[-1]["label"] == "01-03"

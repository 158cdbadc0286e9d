"""Statistics per site and day: decisions, opt-in rate per category and per method.

The counters come from the store (``decisions``, ``bots``, ``method:<m>``,
``cat:<key>:on|off``); a decision from a bot user-agent counts only under ``bots``, so every
figure here already excludes bots, which are shown apart. 30 or 90 days, as a chart and a
table, and as CSV.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from flask import Response, render_template, request

from cmp import clock, context, csvsafe
from cmp.admin import bp
from cmp.admin.chart import layout
from cmp.admin.editing import load_site
from cmp.admin.i18n import ui_lang
from cmp.model import CONSENT_METHODS, Category

PERIODS = (30, 90)


@dataclass
class Stats:
    """Per-day series and period totals of one site."""

    days: list[str]
    decisions: list[int]
    bots: list[int]
    methods: dict[str, list[int]]
    on: dict[str, list[int]]
    off: dict[str, list[int]]
    # Opt-in rate per method and category over the whole period.
    method_rates: dict[str, dict[str, float | None]]

    def rates(self) -> dict[str, list[float | None]]:
        """Opt-in rate per category and day (None on a day without decisions on it)."""
        out: dict[str, list[float | None]] = {}
        for key in self.on:
            out[key] = [
                (on / (on + off)) if on + off else None
                for on, off in zip(self.on[key], self.off[key], strict=True)
            ]
        return out

    def total_rate(self, key: str) -> float | None:
        """Opt-in rate of a category over the whole period."""
        on, off = sum(self.on[key]), sum(self.off[key])
        return on / (on + off) if on + off else None


def period() -> int:
    """The number of days asked for (30 or 90)."""
    try:
        days = int(request.args.get("days", 30))
    except ValueError:
        return 30
    return days if days in PERIODS else 30


def collect(site: str, categories: list[Category], days: int) -> Stats:
    """Read ``days`` days of counters ending today (UTC) and arrange them per series."""
    today = clock.now()
    names = [clock.day(today - timedelta(days=i)) for i in reversed(range(days))]
    raw = context.store().get_stats(site, names)
    keys = [c.key for c in categories if not c.required]
    seen = {
        name.split(":")[1] for counts in raw.values() for name in counts if name.count(":") == 2
    }
    keys += sorted(seen - set(keys) - {c.key for c in categories})

    def series(counter: str) -> list[int]:
        return [int(raw.get(day, {}).get(counter, 0)) for day in names]

    methods = [m for m in CONSENT_METHODS if any(series(f"method:{m}"))] or ["banner"]

    def rate(key: str, method: str) -> float | None:
        on = sum(series(f"cat:{key}:on:m:{method}"))
        off = sum(series(f"cat:{key}:off:m:{method}"))
        return on / (on + off) if on + off else None

    return Stats(
        days=names,
        decisions=series("decisions"),
        bots=series("bots"),
        methods={m: series(f"method:{m}") for m in methods},
        on={k: series(f"cat:{k}:on") for k in keys},
        off={k: series(f"cat:{k}:off") for k in keys},
        method_rates={m: {k: rate(k, m) for k in keys} for m in methods},
    )


@bp.route("/sites/<site>/stats")
def stats(site: str) -> str:
    """The chart and table for 30 or 90 days."""
    current = load_site(site)
    categories = context.store().get_categories(site)
    days = period()
    data = collect(site, categories, days)
    names = {c.key: c.name for c in categories}

    def cname(key: str) -> str:
        # A plain string, escaped once where the template prints it: a macro would hand
        # ``t()`` escaped markup, which then was escaped a second time (A&amp;amp;B).
        name = names.get(key)
        return (name.get(ui_lang()) or name.get("ja") or key) if name else key

    return render_template(
        "admin/stats.html",
        site=current,
        tab="stats",
        days=days,
        periods=PERIODS,
        data=data,
        chart=layout(data.days, data.decisions, data.rates()),
        cname=cname,
    )


@bp.route("/sites/<site>/stats.csv")
def stats_csv(site: str) -> Response:
    """The same figures as CSV: one row per day."""
    load_site(site)
    categories = context.store().get_categories(site)
    days = period()
    data = collect(site, categories, days)
    out = io.StringIO()
    writer = csvsafe.Writer(out, lineterminator="\r\n")
    cats = list(data.on)
    writer.writerow(
        ["day", "decisions", "bots"]
        + [f"method:{m}" for m in data.methods]
        + [f"cat:{k}:{side}" for k in cats for side in ("on", "off")]
        + [f"opt_in_rate:{k}" for k in cats]
    )
    rates = data.rates()
    for i, day in enumerate(data.days):
        row: list[object] = [day, data.decisions[i], data.bots[i]]
        row += [data.methods[m][i] for m in data.methods]
        row += [
            data.on[k][i] if side == "on" else data.off[k][i]
            for k in cats
            for side in ("on", "off")
        ]
        row += ["" if rates[k][i] is None else f"{rates[k][i]:.4f}" for k in cats]
        writer.writerow(row)
    resp = Response(out.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="cmp-{site}-stats-{days}d.csv"'
    return resp

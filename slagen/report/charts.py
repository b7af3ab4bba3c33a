"""Report charts drawn with matplotlib: SVG (vector, for the PDF) and PNG (for Word).

Byte-stable: a fixed SVG hash salt, no date or software metadata, text kept as text in the
SVG (the PDF renderer embeds the fonts), and fonts chosen by name, never by what happens
to be the machine default.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

FONTS = ["Noto Sans CJK SC", "DejaVu Sans"]


@dataclass(frozen=True)
class Chart:
    svg: str
    png: bytes


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update({
        "svg.hashsalt": "slagen",
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": FONTS,
        "font.size": 8,
        "axes.spines.top": False,
        "path.simplify": False,
    })
    return plt


def _save(fig) -> Chart:
    svg = io.StringIO()
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=200, metadata={"Software": None}, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return Chart(svg.getvalue(), png.getvalue())


def availability_chart(first_day: date, last_day: date, daily: dict[date, Decimal], minutes_per_day: dict[date, int], objective: Decimal, labels: dict[str, str]) -> Chart:
    """Daily downtime bars and availability-to-date against the objective line."""
    plt = _pyplot()
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    bars = [float(daily.get(d, 0)) for d in days]
    cumulative, elapsed, down = [], 0, Decimal(0)
    for d in days:
        elapsed += minutes_per_day[d]
        down += daily.get(d, Decimal(0))
        cumulative.append(float((Decimal(elapsed) - down) / Decimal(elapsed) * 100))
    fig, ax = plt.subplots(figsize=(6.7, 2.6))
    x = list(range(1, len(days) + 1))
    ax.bar(x, bars, color="#c0504d", width=0.7, label=labels["chart_daily"])
    ax.set_ylabel(labels["chart_minutes"])
    ax.set_xlim(0.3, len(days) + 0.7)
    if len({(d.year, d.month) for d in days}) == 1:  # one month: its days
        ax.set_xlabel(labels["chart_day"])
        ticks = [i for i in x if i == 1 or i % 5 == 0]
        ax.set_xticks(ticks, [str(days[i - 1].day) for i in ticks])
    else:  # a quarter or a rolling window: dates, each month's 1st and 15th
        ax.set_xlabel(labels.get("chart_date", labels["chart_day"]))
        ticks = [i for i in x if days[i - 1].day in (1, 15) or i == 1]
        ax.set_xticks(ticks, [f"{days[i - 1]:%m-%d}" for i in ticks])
    right = ax.twinx()
    right.plot(x, cumulative, color="#1f4e79", linewidth=1.4, label=labels["chart_to_date"])
    right.axhline(float(objective), color="#2e7d32", linestyle="--", linewidth=1, label=f"{labels['chart_objective']} {objective}%")
    low = min(min(cumulative), float(objective))
    right.set_ylim(max(0.0, low - (100 - low) * 0.3 - 0.01), 100.0 + (100 - low) * 0.05 + 0.001)
    right.set_ylabel(labels["chart_availability"])
    handles = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], loc="lower left", fontsize=7, frameon=False, ncol=3, bbox_to_anchor=(0, 1.0))
    return _save(fig)


def trend_chart(points: list[tuple[str, Decimal | None]], objective: Decimal, labels: dict[str, str]) -> Chart:
    """Availability per window (oldest first) against the objective; a window without a
    figure (None) keeps its place on the axis and shows no point."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.7, 2.3))
    x = list(range(len(points)))
    values = [float("nan") if v is None else float(v) for _, v in points]  # None: no figure (not in force, no data), a gap
    ax.plot(x, values, marker="o", color="#1f4e79", linewidth=1.4, markersize=3, label=labels["chart_availability"])
    ax.axhline(float(objective), color="#2e7d32", linestyle="--", linewidth=1, label=f"{labels['chart_objective']} {objective}%")
    ax.set_xticks(x, [label for label, _ in points], rotation=45 if len(points) > 6 else 0, ha="right" if len(points) > 6 else "center")
    low = min([float(v) for _, v in points if v is not None] + [float(objective)])
    ax.set_ylim(max(0.0, low - (100 - low) * 0.3 - 0.01), 100.0 + (100 - low) * 0.05 + 0.001)
    ax.set_ylabel(labels["chart_availability"])
    ax.legend(loc="lower left", fontsize=7, frameon=False, ncol=2, bbox_to_anchor=(0, 1.0))
    return _save(fig)

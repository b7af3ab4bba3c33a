"""Benchmark: evaluate synthetic incident sets with the engine, against reading the CSV.

Seeded, so every run measures the same data. Prints a table and writes
bench/results/latest.json. Usage: python bench/run.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slagen.engine.evaluate import evaluate  # noqa: E402
from slagen.engine.windows import window_for_period  # noqa: E402
from slagen.incidents.readers import read_incidents  # noqa: E402
from slagen.policy.load import parse_policy  # noqa: E402

COMPONENTS = 1000
POLICY = """
slagen: 1
agreement: {id: bench, title: Bench, provider: {name: V}, customer: {name: C}, effective_date: 2026-01-01, currency: USD, fees: {monthly: "1000"}}
timezone: Asia/Hong_Kong
window: {kind: calendar_month}
services:
  - id: svc
    components: [%s]
kpis:
  - {id: uptime, kind: availability, scope: [svc], objective: 99.9}
  - {id: p1, kind: response_time, severity: P1, target: 15m}
exclusions:
  - {id: maint, category: scheduled_maintenance, excluded: true, conditions: {notice_at_least: 72h, cap_per_window: 4h}}
credits:
  rules:
    - {id: t, kind: tiers, kpi: uptime, tiers: [{below: 99.9, at_least: 99, credit: 10}, {below: 99, credit: 25}]}
""" % ", ".join(f"{{id: c{i}}}" for i in range(COMPONENTS))


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "component", "severity", "impact", "cause", "started_at", "detected_at", "acknowledged_at", "resolved_at", "notice_at"])
        for i in range(rows):
            s = start + timedelta(seconds=rng.randrange(365 * 86400))
            d = timedelta(minutes=rng.expovariate(1 / 45))
            cause = rng.choice(["", "", "", "scheduled_maintenance", "natural_disaster"])
            out.writerow([f"I{i}", f"c{rng.randrange(COMPONENTS)}", rng.choice(["P1", "P2", "P3"]), rng.choice(["major_outage", "partial_outage", "degraded_performance"]),
                          cause, s.isoformat(), s.isoformat(), (s + timedelta(minutes=rng.randrange(30))).isoformat(), (s + d).isoformat(),
                          (s - timedelta(hours=rng.randrange(200))).isoformat() if cause else ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    data = ROOT / "bench" / "data"
    data.mkdir(parents=True, exist_ok=True)
    policy = parse_policy(POLICY, "bench-policy.yaml")
    results = []
    for size in args.sizes:
        path = data / f"incidents-{size}.csv"
        if not path.exists():
            generate(path, size)
        t0 = time.perf_counter()
        with path.open() as handle:
            floor_rows = sum(1 for _ in csv.reader(handle))
        floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        incidents = read_incidents(path).incidents
        read = time.perf_counter() - t0
        t0 = time.perf_counter()
        for month in range(1, 13):
            evaluate(policy, incidents, window_for_period(policy, f"2026-{month:02d}"), datetime(2027, 1, 1, tzinfo=timezone.utc))
        ev = time.perf_counter() - t0
        results.append({"incidents": size, "csv_module_scan_s": round(floor, 3), "read_s": round(read, 3), "evaluate_12_months_s": round(ev, 3),
                        "read_ratio_to_floor": round(read / floor, 1), "rows": floor_rows - 1})
    print(f"{'incidents':>10} {'csv scan (floor)':>17} {'slagen read':>12} {'ratio':>6} {'evaluate 12 months':>19}")
    for r in results:
        print(f"{r['incidents']:>10} {r['csv_module_scan_s']:>16.3f}s {r['read_s']:>11.3f}s {r['read_ratio_to_floor']:>6} {r['evaluate_12_months_s']:>18.3f}s")
    meta = {"date": datetime.now(timezone.utc).date().isoformat(), "machine": f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip(), "results": results}
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "latest.json").write_text(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()

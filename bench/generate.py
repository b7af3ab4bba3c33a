"""Seeded synthetic data for the benchmarks, written to bench/data/ (git-ignored).

- incidents-<N>.csv: N incidents over 2026 on 1,000 components: exponential durations
  (mean 45 min), a mix of impacts, causes (maintenance with or without notice, natural
  disasters) and P1-P3 response times.
- samples-<N>.parquet: one sample per minute per component for 2025 (525,600 minutes),
  N components, requests and errors with rare bursts of errors and rare missing minutes;
  written by DuckDB in time order (as a monitoring export would be).
- policies: the matching bench policies (incidents.yaml, samples-<N>.yaml).

Same seed, same files: python bench/generate.py [--incidents 10000 100000 1000000] [--samples 10 100]
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
COMPONENTS = 1000

INCIDENT_POLICY = """slagen: 1
agreement: {id: bench-incidents, title: Bench incidents, provider: {name: Vendor}, customer: {name: Customer}, effective_date: 2026-01-01, currency: USD, fees: {monthly: "10000"}}
timezone: Asia/Hong_Kong
window: {kind: calendar_month}
services:
  - id: svc
    components: [%s]
counting: {minimum_outage: 1m, rounding: up, impact_weights: {major_outage: 100, partial_outage: 50, degraded_performance: 0}}
kpis:
  - {id: uptime, kind: availability, scope: [svc], objective: 99.9}
  - {id: p1, kind: response_time, severity: P1, target: 15m}
exclusions:
  - {id: disaster, category: natural_disaster, excluded: true}
  - {id: maint, category: scheduled_maintenance, excluded: true, conditions: {notice_at_least: 72h, cap_per_window: 4h}}
credits:
  rules:
    - {id: t, kind: tiers, kpi: uptime, tiers: [{below: 99.9, at_least: 99, credit: 10}, {below: 99, credit: 25}]}
  cap: {percent_of_fee: 50}
""" % ", ".join(f"{{id: c{i}}}" for i in range(COMPONENTS))

SAMPLES_POLICY = """slagen: 1
agreement: {id: bench-samples, title: Bench samples, provider: {name: Vendor}, customer: {name: Customer}, effective_date: 2025-01-01, currency: USD, fees: {monthly: "10000"}}
timezone: UTC
window: {kind: calendar_month}
services:
  - id: svc
    components: [%s]
kpis:
  - id: errors
    kind: availability
    scope: [svc]
    objective: 99.9
    telemetry: {rule: error_rate, more_than: 5, period: 1m, missing: unknown}
credits:
  rules:
    - {id: t, kind: tiers, kpi: errors, tiers: [{below: 99.9, at_least: 99, credit: 10}, {below: 99, credit: 25}]}
"""


def incidents(rows: int, seed: int = 7) -> Path:
    path = DATA / f"incidents-{rows}.csv"
    if path.exists():
        return path
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "component", "severity", "impact", "cause", "started_at", "detected_at", "acknowledged_at", "resolved_at", "notice_at"])
        for i in range(rows):
            s = start + timedelta(seconds=rng.randrange(365 * 86400))
            d = timedelta(minutes=rng.expovariate(1 / 45))
            cause = rng.choice(["", "", "", "scheduled_maintenance", "natural_disaster"])
            out.writerow([f"I{i}", f"c{rng.randrange(COMPONENTS)}", rng.choice(["P1", "P2", "P3"]), rng.choice(["major_outage", "partial_outage", "degraded_performance"]),
                          cause, s.isoformat(), s.isoformat(), min(s + timedelta(minutes=rng.randrange(30)), s + d).isoformat(), (s + d).isoformat(),
                          (s - timedelta(hours=rng.randrange(200))).isoformat() if cause else ""])
    tmp.rename(path)
    return path


def samples(components: int) -> Path:
    """components x 525,600 minutes of 2025; hash-seeded, so identical on every run."""
    import duckdb

    path = DATA / f"samples-{components}.parquet"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    duckdb.execute(f"""
    COPY (
      SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_minutes(m) AS timestamp,
             'c' || c::VARCHAR AS component,
             (100 + hash(c * 1000003 + m) % 900)::INTEGER AS requests,
             CASE WHEN hash(c * 7 + m // 30) % 2000 = 0 THEN (hash(m) % 300)::INTEGER ELSE (hash(c + m) % 3)::INTEGER END AS errors
      FROM range({components}) t1(c), range(525600) t2(m)
      WHERE hash(c * 31 + m) % 5000 <> 0
      ORDER BY timestamp, component
    ) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
    """)
    tmp.rename(path)
    return path


def policies(sample_sizes: list[int]) -> dict[str, Path]:
    out = {"incidents": DATA / "incidents.yaml"}
    out["incidents"].write_text(INCIDENT_POLICY)
    for n in sample_sizes:
        path = DATA / f"samples-{n}.yaml"
        path.write_text(SAMPLES_POLICY % ", ".join(f"{{id: c{i}}}" for i in range(n)))
        out[f"samples-{n}"] = path
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--samples", type=int, nargs="*", default=[10, 100])
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    for n in args.incidents:
        print("wrote", incidents(n))
    for n in args.samples:
        print("wrote", samples(n))
    for path in policies(args.samples).values():
        print("wrote", path)


if __name__ == "__main__":
    main()

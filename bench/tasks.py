"""One benchmark task per process, so each timing and peak memory is its own.

python bench/tasks.py TASK [ARG] prints one JSON line: {"seconds": ..., "peak_mb": ...}.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT))


def _request(policy: Path, period: str, as_of: str, incidents=(), samples=(), history: int = 11):
    from slagen.runs import RunRequest

    return RunRequest(policy=policy, incident_files=tuple(incidents), sample_files=tuple(samples), period=period,
                      as_of=datetime.fromisoformat(as_of).astimezone(timezone.utc), history=history)


def evaluate_incidents(n: str) -> dict:
    """Read N incidents and evaluate 12 monthly windows (the CLI's own path)."""
    from slagen.runs import run

    t = time.perf_counter()
    result = run(_request(DATA / "incidents.yaml", "2026-12", "2027-01-01T00:00:00+00:00", incidents=[DATA / f"incidents-{n}.csv"]))
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "windows": 1 + len(result.history), "incidents": len(result.incidents)}


def pyarrow_csv(n: str) -> dict:
    import pyarrow.csv

    t = time.perf_counter()
    table = pyarrow.csv.read_csv(DATA / f"incidents-{n}.csv")
    return {"seconds": time.perf_counter() - t, "rows": table.num_rows}


def evaluate_samples(n: str) -> dict:
    """Per-minute samples of N components for 2025: 12 monthly windows."""
    from slagen.runs import run

    t = time.perf_counter()
    result = run(_request(DATA / f"samples-{n}.yaml", "2025-12", "2026-01-01T00:00:00+00:00", samples=[DATA / f"samples-{n}.parquet"]))
    seconds = time.perf_counter() - t
    rows = sum(i.get("rows", 0) for ev in (*result.history, result.evaluation) for i in ev.inputs if i.get("kind") == "samples")
    return {"seconds": seconds, "rows": rows}


def evaluate_samples_spark(n: str, windows: str = "12") -> dict:
    """The same as evaluate-samples, with stage one on Spark in local mode (all cores):
    session start-up timed apart from the evaluation."""
    from dataclasses import replace

    from slagen.runs import run
    from slagen.telemetry.spark import session

    t = time.perf_counter()
    spark = session("local[*]")
    started = time.perf_counter() - t
    request = replace(_request(DATA / f"samples-{n}.yaml", "2025-12", "2026-01-01T00:00:00+00:00", samples=[DATA / f"samples-{n}.parquet"], history=int(windows) - 1),
                      engine="spark", spark_master="local[*]")
    t = time.perf_counter()
    result = run(request)
    seconds = time.perf_counter() - t
    rows = sum(i.get("rows", 0) for ev in (*result.history, result.evaluation) for i in ev.inputs if i.get("kind") == "samples")
    down = [(i["kpi"], i["down_periods"], i["missing_periods"]) for ev in (*result.history, result.evaluation) for i in ev.inputs if i.get("kind") == "samples"]
    spark.stop()
    return {"seconds": seconds, "startup_seconds": started, "rows": rows, "windows": int(windows), "down_missing": down}


def evaluate_samples_windows(n: str, windows: str = "12") -> dict:
    """DuckDB on the same windows as evaluate-samples-spark (for a like-for-like ratio)."""
    from slagen.runs import run

    t = time.perf_counter()
    result = run(_request(DATA / f"samples-{n}.yaml", "2025-12", "2026-01-01T00:00:00+00:00", samples=[DATA / f"samples-{n}.parquet"], history=int(windows) - 1))
    seconds = time.perf_counter() - t
    rows = sum(i.get("rows", 0) for ev in (*result.history, result.evaluation) for i in ev.inputs if i.get("kind") == "samples")
    down = [(i["kpi"], i["down_periods"], i["missing_periods"]) for ev in (*result.history, result.evaluation) for i in ev.inputs if i.get("kind") == "samples"]
    return {"seconds": seconds, "rows": rows, "windows": int(windows), "down_missing": down}


def duckdb_scan(n: str) -> dict:
    """The floor: DuckDB reading the columns the rule needs, with no grouping."""
    import duckdb

    con = duckdb.connect()
    path = DATA / f"samples-{n}.parquet"
    t = time.perf_counter()
    count = con.execute(f"SELECT count(*) FROM '{path}'").fetchone()[0]
    metadata = time.perf_counter() - t
    t = time.perf_counter()
    con.execute(f"SELECT count(*), sum(requests), sum(errors), min(timestamp) FROM '{path}'").fetchone()
    return {"seconds": time.perf_counter() - t, "count_star_seconds": metadata, "rows": count}


def _report_run():
    import csv

    from slagen.runs import run

    source = DATA / "incidents-10000.csv"
    month = DATA / "incidents-report-500.csv"
    if not month.exists():
        with source.open() as handle, month.open("w", newline="") as out:
            reader = csv.reader(handle)
            writer = csv.writer(out)
            writer.writerow(next(reader))
            kept = 0
            for row in reader:
                if row[5].startswith("2026-03") and kept < 500:
                    writer.writerow(row)
                    kept += 1
    return run(_request(DATA / "incidents.yaml", "2026-03", "2026-04-02T00:00:00+00:00", incidents=[month], history=0))


def report_pdf(_: str = "") -> dict:
    from slagen.report.render import render_report

    result = _report_run()
    t = time.perf_counter()
    pdf = render_report(result, "pdf")
    return {"seconds": time.perf_counter() - t, "bytes": len(pdf), "trace_lines": len(result.evaluation.trace)}


def weasyprint_html(_: str = "") -> dict:
    """The floor: WeasyPrint alone on the report's final HTML."""
    import os

    from weasyprint import HTML

    from slagen.report.content import build_report
    from slagen.report.render import load_labels, report_html

    result = _report_run()
    html = report_html(build_report(result, load_labels("en", None), "en"), None)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    t = time.perf_counter()
    HTML(string=html).write_pdf()
    return {"seconds": time.perf_counter() - t}


def github_windows(_: str = "") -> dict:
    """60 monthly windows of the real GitHub Statuspage history in one run (--period A..B),
    timed after start-up and reading: the engine's share."""
    from dataclasses import replace as _replace

    from slagen.policy.load import parse_policy
    from slagen.runs import RunRequest, read_incident_sources, read_policy, run

    real = ROOT.parent / "shared/data/real-incidents/githubstatus_incidents_2019-2023.statuspage.json"
    if not real.exists():
        return {"seconds": 0.0, "windows": 0, "skipped": f"{real} not found"}
    source, policy = read_policy(ROOT / "policies/github-enterprise-cloud.yaml")
    monthly = _replace(policy, window=_replace(policy.window, kind="calendar_month"))
    request = RunRequest(policy=ROOT / "policies/github-enterprise-cloud.yaml", incident_files=(real,), period="2019-01..2023-12",
                         as_of=datetime(2024, 1, 1, tzinfo=timezone.utc), on_bad_record="skip")
    sources = (source, read_incident_sources(request))
    t = time.perf_counter()
    result = run(request, sources=sources, policy=monthly, allow_range=True)
    return {"seconds": time.perf_counter() - t, "windows": len(result.windows)}


def batch_pack_memory(count: str = "6") -> dict:
    """Peak memory after the first pack and after the last of a batch made in one process."""
    from slagen.pack.build import make_pack
    from slagen.runs import RunRequest

    request = RunRequest(ROOT / "examples/dingtalk-enterprise.yaml", (ROOT / "examples/incidents/dingtalk-2026-10.csv",),
                         datetime(2026, 11, 1, tzinfo=timezone.utc), period="2026-10")
    t = time.perf_counter()
    make_pack(request)
    first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for _ in range(int(count) - 1):
        make_pack(request)
    return {"seconds": time.perf_counter() - t, "first_mb": first, "last_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "packs": int(count)}


TASKS = {f.__name__.replace("_", "-"): f for f in (evaluate_incidents, pyarrow_csv, evaluate_samples, evaluate_samples_spark, evaluate_samples_windows, duckdb_scan, report_pdf, weasyprint_html, github_windows, batch_pack_memory)}

if __name__ == "__main__":
    task, *rest = sys.argv[1:]
    out = TASKS[task](*rest)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))

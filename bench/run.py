"""Benchmarks, each against its floor in the same run, with the targets of issue 8.

    python bench/run.py            # generates bench/data/ if missing, runs everything
    python bench/run.py --quick    # smaller batch (20 packs), no 1M-incident run

Prints a table and writes bench/results/latest.json (date, machine, every figure). Timings
are never asserted in unit tests; this is where they are watched.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
PY = sys.executable


def task(name: str, *args: str) -> dict:
    out = subprocess.run([PY, str(BENCH / "tasks.py"), name, *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"task {name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(name: str, *args: str, repeat: int = 3) -> dict:
    """The fastest of a few runs (the usual way to time on a shared machine)."""
    runs = [task(name, *args) for _ in range(repeat)]
    return min(runs, key=lambda r: r["seconds"])


def wall(cmd: list[str], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, cwd=ROOT, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def packs(count: int, jobs: int) -> float:
    folder = DATA / "packs"
    policies = folder / "policies"
    if policies.exists() and len(list(policies.glob("*.yaml"))) != count:
        shutil.rmtree(policies)
    policies.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "examples/dingtalk-enterprise.yaml").read_text()
    for i in range(count):
        target = policies / f"vendor-{i:03d}.yaml"
        if not target.exists():
            target.write_text(text.replace("id: dingtalk-enterprise-2026", f"id: vendor-{i:03d}"))
    out = folder / f"out-{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    subprocess.run([str(Path(PY).parent / "slagen"), "pack", str(policies), "--incidents", "examples/incidents/dingtalk-2026-10.csv",
                    "--period", "2026-10", "--as-of", "2026-11-01T00:30:00+08:00", "-o", str(out), "--jobs", str(jobs), "-q"],
                   cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--spark", metavar="N", type=int, default=None,
                        help="Spark local vs DuckDB on the samples of N components (10 or 100; default 10 with --quick, else 100); 0 skips")
    parser.add_argument("--spark-windows", metavar="W", type=int, default=12, help="monthly windows for the Spark comparison (default 12)")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    subprocess.run([PY, str(BENCH / "generate.py"), "--incidents", *map(str, sizes), "--samples", "10", "100"], check=True, cwd=ROOT, capture_output=True)
    rows = []

    def row(what: str, slagen: float, floor: float, floor_name: str, target: str, met: bool | None, note: str = "") -> None:
        rows.append({"measure": what, "slagen_s": round(slagen, 3), "floor": floor_name, "floor_s": round(floor, 3),
                     "ratio": round(slagen / floor, 1) if floor else None, "target": target, "met": met, "note": note})

    for n in sizes:
        ev = best("evaluate-incidents", str(n), repeat=1 if n >= 1_000_000 else 3)
        floor = best("pyarrow-csv", str(n))
        target = "< 2 s and ≤ 3× floor" if n == 100_000 else ""
        met = (ev["seconds"] < 2 and ev["seconds"] <= 3 * floor["seconds"]) if n == 100_000 else None
        row(f"{n:,} incidents, 12 monthly windows (read + evaluate)", ev["seconds"], floor["seconds"], "pyarrow read_csv", target, met, f"peak {ev['peak_mb']:.0f} MB")
    for n in (10, 100):
        ev = best("evaluate-samples", str(n), repeat=1 if n == 100 else 3)
        floor = best("duckdb-scan", str(n))
        target = "< 10 s, ≤ 3× floor, < 2 GB" if n == 100 else ""
        met = (ev["seconds"] < 10 and ev["seconds"] <= 3 * floor["seconds"] and ev["peak_mb"] < 2048) if n == 100 else None
        row(f"{ev['rows']:,} per-minute samples ({n} components × 1 year), 12 windows", ev["seconds"], floor["seconds"], "DuckDB column scan", target, met,
            f"peak {ev['peak_mb']:.0f} MB; count(*) {floor['count_star_seconds']:.3f} s (metadata only)")
    spark_n = args.spark if args.spark is not None else (10 if args.quick else 100)
    if spark_n and shutil.which("java"):
        windows = str(args.spark_windows)
        sp = task("evaluate-samples-spark", str(spark_n), windows)
        dk = best("evaluate-samples-windows", str(spark_n), windows, repeat=1)
        same = sp["down_missing"] == dk["down_missing"]
        rows.append({"measure": f"{sp['rows']:,} per-minute samples ({spark_n} components), {windows} windows: Spark local[*] vs DuckDB",
                     "slagen_s": round(sp["seconds"], 3), "floor": "DuckDB, same windows", "floor_s": round(dk["seconds"], 3),
                     "ratio": round(sp["seconds"] / dk["seconds"], 1), "target": "none (Spark is for scale-out)", "met": None,
                     "note": f"Spark start-up {sp['startup_seconds']:.1f} s not included; same down and missing periods: {same}"})
    gh = best("github-windows")
    if gh.get("windows"):
        row(f"{gh['windows']} monthly windows of the real GitHub history, one evaluate run (after start-up)", gh["seconds"], 0, "—", "< 1 s", gh["seconds"] < 1)
    mem = task("batch-pack-memory", "6")
    rows.append({"measure": f"{mem['packs']} packs in one process: peak memory after the first and the last", "slagen_s": round(mem["seconds"], 2), "floor": "first pack",
                 "floor_s": round(mem["first_mb"]), "ratio": round(mem["last_mb"] / mem["first_mb"], 2), "target": "flat (≤ 1.1×)", "met": mem["last_mb"] <= 1.1 * mem["first_mb"],
                 "note": f"{mem['first_mb']:.0f} MB -> {mem['last_mb']:.0f} MB"})
    pdf = best("report-pdf")
    floor = best("weasyprint-html")
    row(f"report PDF, {pdf['trace_lines']} incident lines", pdf["seconds"], floor["seconds"], "WeasyPrint on the same HTML", "< 5 s", pdf["seconds"] < 5)
    slagen_bin = str(Path(PY).parent / "slagen")
    start = wall([slagen_bin, "validate", "examples/dingtalk-enterprise.yaml"])
    floor = wall([PY, "-c", "pass"])
    row("slagen validate, one file (process start to exit)", start, floor, "python -c pass", "< 0.3 s", start < 0.3)
    count = 20 if args.quick else 100
    cores = os.cpu_count() or 1
    parallel = packs(count, cores)
    serial = packs(count, 1)
    rows.append({"measure": f"{count} audit packs, {cores} jobs vs 1 job", "slagen_s": round(parallel, 2), "floor": "1 job", "floor_s": round(serial, 2),
                 "ratio": round(serial / parallel, 2), "target": "speed-up ≥ 1.7×", "met": serial / parallel >= 1.7, "note": "ratio = speed-up"})

    width = max(len(r["measure"]) for r in rows)
    print(f"{'measure':<{width}}  {'slagen':>9}  {'floor':>9}  {'ratio':>6}  target")
    for r in rows:
        mark = "" if r["met"] is None else (" ✓" if r["met"] else " ✗")
        print(f"{r['measure']:<{width}}  {r['slagen_s']:>8.3f}s  {r['floor_s']:>8.3f}s  {r['ratio'] or '':>6}  {r['target']}{mark}  ({r['floor']}{'; ' + r['note'] if r['note'] else ''})")
    meta = {
        "date": datetime.now(timezone.utc).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}",
        "results": rows,
    }
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "latest.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {BENCH / 'results' / 'latest.json'}")


if __name__ == "__main__":
    main()

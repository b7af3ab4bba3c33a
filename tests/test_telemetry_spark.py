"""The same stage-one SQL on DuckDB and on Spark (local mode) gives the same rows per
component and the same evaluation, on the hand-worked samples and on a generated set.

One SparkSession for the module (local[2], 1 shuffle partition, UI off, no adaptive
planning or code generation for these tiny inputs); all Spark work is
in one test. Where pyspark or Java is missing the test skips and says which.

The generated set (seeded, 2026-02-28 23:00 to 2026-03-03 01:00 Hong Kong time, so rows on
both sides of the window) covers what the hand-worked file covers and more: per-minute error
rates, error rates pooled over 5-minute periods from per-minute samples, probes every 30 s
judged over 2-minute periods with a 10 % threshold, mean latency with a fractional
threshold and values exactly on it, missing stretches (counted as down, up and unknown),
component names in other case and with spaces, an unknown component, timestamps with
fractions of a second and with and without 'Z', and an --as-of in the middle of a period.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from slagen.cli.options import build_request
from slagen.runs import run

from .conftest import ROOT

HAND_POLICY = ROOT / "tests/data/policies/telemetry.yaml"
HAND_SAMPLES = ROOT / "tests/data/samples/hand-worked.csv"
ENGINE_KEYS = ("engine", "dialect", "sql_sha256")

GENERATED_POLICY = """slagen: 1
agreement:
  id: spark-equivalence
  title: Spark equivalence
  provider: {name: Vendor}
  customer: {name: Customer}
  effective_date: 2026-01-01
  currency: USD
  fees: {monthly: "1000.00"}
timezone: Asia/Hong_Kong
window: {kind: calendar_month}
services:
  - id: svc
    components:
      - {id: app, aliases: [App Server]}
      - {id: api}
      - {id: probe}
      - {id: search}
kpis:
  - {id: app-minutes, kind: availability, scope: [svc/app], objective: 99.9, telemetry: {rule: error_rate, more_than: 2.5, period: 1m, missing: unknown}}
  - {id: api-pooled, kind: availability, scope: [svc/api], objective: 99.9, telemetry: {rule: error_rate, more_than: 2.5, period: 5m, missing: down}}
  - {id: probes, kind: availability, scope: [svc/probe], objective: 99.5, telemetry: {rule: probe, more_than: 10, period: 2m, missing: up}}
  - {id: latency, kind: availability, scope: [svc/search], objective: 99, telemetry: {rule: latency, more_than: 250.5, period: 1m, missing: unknown}}
  - {id: api-averaged, kind: availability, scope: [svc/api], objective: 99.9, telemetry: {rule: average_error_rate, period: 5m, missing: down}}
credits:
  rules:
    - {id: t, kind: tiers, kpi: api-pooled, tiers: [{below: 99.9, at_least: 99, credit: 10}, {below: 99, credit: 25}]}
"""


def generate(path) -> None:
    """Seeded samples, minute by minute (probes every 30 s), written as CSV."""
    from datetime import datetime, timedelta, timezone

    rng = random.Random(19)
    start = datetime(2026, 2, 28, 15, 0, tzinfo=timezone.utc)  # 23:00 in Hong Kong
    lines = ["timestamp,component,requests,errors,up,latency_ms"]

    def stamp(t, i):
        t = t + timedelta(milliseconds=750) if i % 7 == 0 else t  # fractions of a second
        return t.isoformat().replace("+00:00", "Z") if i % 2 else t.astimezone(timezone(timedelta(hours=8))).isoformat()

    for i in range(50 * 60):
        t = start + timedelta(minutes=i)
        outage = 1500 <= i < 1530 or rng.random() < 0.03
        for name in ("app", " App Server ", "API") if i % 3 else ("app", "api"):
            if rng.random() < 0.03 or 2000 <= i < 2045:
                continue  # missing
            requests = rng.randint(0, 120) if rng.random() < 0.02 else rng.randint(50, 150)
            errors = rng.randint(requests // 10, requests // 3) if outage and requests else rng.randint(0, 3) if requests else 0
            lines.append(f"{stamp(t, i)},{name},{requests},{errors},,")
        for half in (0, 30):
            if rng.random() < 0.04 or 900 <= i < 930:
                continue
            up = "false" if (outage and rng.random() < 0.5) or rng.random() < 0.03 else "true"
            lines.append(f"{stamp(t + timedelta(seconds=half), i)},probe,,,{up},")
        if rng.random() > 0.05:
            latency = rng.choice(["250.5", "250.6", str(rng.randint(600, 900))]) if outage else f"{rng.uniform(80, 300):.3f}"
            lines.append(f"{stamp(t, i)},search,,,,{latency}")
        if i % 97 == 0:
            lines.append(f"{stamp(t, i)},billing,10,1,,")
    path.write_text("\n".join(lines) + "\n")


def need_spark(what: str) -> None:
    """Skip, saying which is missing, where pyspark or Java is not installed."""
    pytest.importorskip("pyspark", reason=f"pyspark is not installed (pip install 'slagen[spark]'): {what} not tested")
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and os.path.isfile(os.path.join(java_home, "bin", "java"))):
        pytest.skip(f"no Java runtime (java on PATH or JAVA_HOME): {what} not tested; install Java 17")


@pytest.fixture(scope="module")
def spark():
    need_spark("Spark equivalence")
    from slagen.telemetry.spark import session

    spark = session("local[2]", partitions=1)
    # tiny inputs: no adaptive re-planning, no code generation (compiling costs more than running)
    spark.conf.set("spark.sql.adaptive.enabled", "false")
    spark.conf.set("spark.sql.codegen.wholeStage", "false")
    yield spark
    spark.stop()


def recorded(monkeypatch):
    """Record every stage-one result per (engine, KPI, window start)."""
    from slagen.telemetry.samples import SampleSet
    from slagen.telemetry.spark import SparkSampleSet

    seen: dict[tuple, list] = {}
    for cls in (SampleSet, SparkSampleSet):
        original = cls.stage_one

        def spy(self, query, start, end, _original=original):
            rows = _original(self, query, start, end)
            seen[(self.engine, query.kpi, start.isoformat(), end.isoformat())] = sorted(rows)
            return rows

        monkeypatch.setattr(cls, "stage_one", spy)
    return seen


def document(result) -> dict:
    from slagen.render.messages import Messages
    from slagen.report.content import evaluation_document

    doc = evaluation_document((result.evaluation,), Messages("en"), as_range=False)
    text = json.dumps(doc, sort_keys=True, default=str).replace("file://", "")  # the same file, named as a path or a URL
    data = json.loads(text)
    for item in data.get("inputs", []):
        for key in (*ENGINE_KEYS, "sha256", "bytes"):  # a file:// URL is read by Spark alone, not hashed
            item.pop(key, None)
    return data


def test_duckdb_and_spark_give_the_same_intervals_and_results(spark, tmp_path, monkeypatch, run_main):
    import duckdb

    generated = tmp_path / "generated.csv"
    generate(generated)
    hand = tmp_path / "hand-worked.parquet"
    duckdb.sql(f"COPY (SELECT * REPLACE (timestamp::TIMESTAMPTZ AS timestamp) FROM read_csv('{HAND_SAMPLES}')) TO '{hand}' (FORMAT parquet)")
    policy = tmp_path / "generated.yaml"
    policy.write_text(GENERATED_POLICY)
    cases = [
        # the hand-worked samples (as Parquet, given to Spark as a file:// URL) over their whole month:
        # masks, missing stretches, every rule
        (HAND_POLICY, "UTC", {"sample_files": (str(hand),), "period": "2026-11", "as_of": "2026-12-01T00:00:00+00:00"}),
        # the generated set (CSV: offsets and fractions of a second as text), as of the middle of a 2-minute period
        (policy, "Asia/Hong_Kong", {"sample_files": (str(generated),), "from_": "2026-03-01T00:00:00+08:00", "to": "2026-03-03T00:00:00+08:00",
                                    "as_of": "2026-03-02T13:07:30+08:00"}),
    ]
    seen = recorded(monkeypatch)
    spark_inputs = []
    for path, zone, params in cases:
        request = build_request(path, zone, params)
        on_duckdb = run(request)
        if str(params["sample_files"][0]).endswith(".parquet"):  # through Spark as a URL, as from object storage
            request = replace(request, sample_files=(f"file://{params['sample_files'][0]}",))
        on_spark = run(replace(request, engine="spark", spark_master="local[2]"))
        assert document(on_spark) == document(on_duckdb)
        engines = {i["engine"] for i in on_spark.evaluation.inputs if i.get("kind") == "samples"}
        assert engines == {"spark"}
        spark_inputs.append([(i["file"], i["sha256"]) for i in on_spark.evaluation.inputs if "sha256" in i])
    assert spark_inputs[0] == [(f"file://{hand}", None)]  # read by Spark alone: named, not hashed
    assert spark_inputs[1][0][0] == str(generated) and len(spark_inputs[1][0][1]) == 64  # a local file is hashed
    duck = {key[1:]: rows for key, rows in seen.items() if key[0] == "duckdb"}
    sparks = {key[1:]: rows for key, rows in seen.items() if key[0] == "spark"}
    assert duck.keys() == sparks.keys() and len(duck) == 9  # 4 KPIs of the hand-worked policy, 5 of the generated one
    for key in duck:
        assert sparks[key] == duck[key], key
    # the generated set reaches every kind of row and every outcome
    kinds = {row[0] for key, rows in duck.items() if key[0] in ("app-minutes", "api-pooled", "probes", "latency") for row in rows}
    assert kinds == {"all", "covered", "partial", "down"}
    assert any(row[0] == "share" for key, rows in duck.items() if key[0] == "api-averaged" for row in rows)  # averaged error rates, per period
    stats = {i["kpi"]: i for i in on_duckdb.evaluation.inputs if i.get("kind") == "samples"}
    assert all(stats[k]["down_periods"] > 0 and stats[k]["missing_periods"] > 0 for k in stats)
    assert stats["app-minutes"]["unknown_components"] == ["billing"]
    assert stats["app-minutes"]["rows"] > 0 and stats["api-pooled"]["rows"] > 0

    # what goes wrong on Spark is one line naming the file, exit 1 (the session is the one above)
    args = ("evaluate", HAND_POLICY, "--period", "2026-11", "--as-of", "2026-12-01T00:00:00+00:00", "--engine", "spark")
    code, _, err = run_main(*args, "--samples", f"file://{tmp_path}/absent.parquet")
    assert code == 1 and err.count("\n") == 1 and f"file://{tmp_path}/absent.parquet" in err and "Spark cannot read the samples" in err
    naive = tmp_path / "naive.csv"
    naive.write_text(HAND_SAMPLES.read_text().replace("2026-11-10T10:03:00Z", "2026-11-10T10:03:00"))
    code, _, err = run_main(*args, "--samples", naive)
    assert code == 1 and err.count("\n") == 1 and "naive.csv:line 5" in err and "no UTC offset" in err


def slagen_cli(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real CLI in its own process (its own JVM, if it starts one)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK_", "SPARK_CONF"))}
    return subprocess.run([sys.executable, "-c", "from slagen.cli.main import main; main()", *map(str, args)], cwd=ROOT,
                          env={**environ, **(env or {})}, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not os.environ.get("SLAGEN_LONG"), reason="a second JVM (about 30 s on two busy cores): run by `make fuzz`")
def test_the_cli_on_spark_writes_only_its_own_lines_to_stderr(tmp_path):
    """SLOW ON PURPOSE: one JVM start in a subprocess (about 8 s on an idle machine), as the
    stderr of a JVM started in pytest's own process is not the terminal's. Spark's start-up
    talk (`WARNING: Using incubator modules`, log4j's default profile, `WARN NativeCodeLoader`,
    `Setting default log level`) must not reach a successful run's stderr, and errors stay one
    line naming the file (the other two runs start no Spark application: cheap)."""
    need_spark("a quiet Spark run")
    args = ("evaluate", HAND_POLICY, "--period", "2026-11", "--as-of", "2026-12-01T00:00:00+00:00", "--engine", "spark", "--format", "json")
    done = slagen_cli(*args, "--samples", HAND_SAMPLES)
    assert done.stderr == ""
    assert done.returncode == 3  # the hand-worked samples miss their KPIs: exit 3, not an error
    assert json.loads(done.stdout)["window"]["label"] == "2026-11"  # nothing of the JVM's on stdout either
    # a bad timestamp is named at its line before Spark starts
    naive = tmp_path / "naive.csv"
    naive.write_text(HAND_SAMPLES.read_text().replace("2026-11-10T10:03:00Z", "2026-11-10T10:03:00"))
    done = slagen_cli(*args, "--samples", naive)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "naive.csv:line 5" in done.stderr, done.stderr
    # a JVM that does not start: one line, with what it said (spark-submit refuses the option)
    done = slagen_cli(*args, "--samples", HAND_SAMPLES, env={"PYSPARK_SUBMIT_ARGS": "--no-such-option pyspark-shell"})
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "cannot start Spark on local[*]" in done.stderr and "the JVM said: Error: Unrecognized option: --no-such-option" in done.stderr

"""Telemetry stage one as generated SQL: the rows it returns (worked by hand on the
hand-worked sample file), every dialect slagen prints, and the CLI around it.

The window 10:00-10:20 UTC of tests/data/samples/hand-worked.csv, for KPI app-errors
(error rate over 5 % per minute): samples at 10:00-10:19 except 10:04 (19 rows); 10:05 has
0 requests, so periods 4 and 5 have no data; 10:01 and 10:02 are 6 % (down), 10:00 is
exactly 5 % (up). So stage one says: 19 samples; block 0 (periods 0-61) partly covered,
mask = periods 0-19 less 4 and 5 = 2^20 - 1 - 2^4 - 2^5 = 1,048,527; one down run, periods
1-2, holding 2 samples.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlglot

from slagen.policy.load import load_policy
from slagen.telemetry.sql import DIALECTS, stage_one

from .conftest import ROOT

POLICY = ROOT / "tests/data/policies/telemetry.yaml"
SAMPLES = ROOT / "tests/data/samples/hand-worked.csv"
WINDOW = {"window_start": "2026-11-10T10:00:00+00:00", "window_end": "2026-11-10T10:20:00+00:00"}


def duckdb_samples():
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"CREATE TABLE samples AS SELECT timestamp::TIMESTAMPTZ AS ts, component, requests, errors, up, latency_ms FROM read_csv('{SAMPLES}')")
    return con


def test_stage_one_rows_by_hand():
    policy = load_policy(POLICY)
    kpis = {k.id: k for k in policy.kpis}
    con = duckdb_samples()
    rows = sorted(con.execute(stage_one(policy, kpis["app-errors"]).sql("duckdb"), WINDOW).fetchall())
    assert rows == [("all", "svc/app", 0, 61, 19, 0), ("down", "svc/app", 1, 2, 2, 0), ("partial", "svc/app", 0, 61, 19, 2**20 - 1 - 2**4 - 2**5)]
    # api: 5-minute periods; 10:00-10:05 pools to exactly 5 % (up) although 10:00 alone is 25 %:
    # a candidate, not a down period. 10:05-10:10 pools to 6 %: period 1, down, 5 samples.
    rows = sorted(con.execute(stage_one(policy, kpis["api-errors"]).sql("duckdb"), WINDOW).fetchall())
    assert [r for r in rows if r[0] == "down"] == [("down", "svc/api", 1, 1, 5, 0)]
    assert [r[5] for r in rows if r[0] == "partial"] == [0b0111]  # periods 0-2 have data, 10:15-10:20 none


def test_printed_duckdb_sql_is_what_runs_and_its_hash_is_recorded(run_main):
    code, out, _ = run_main("telemetry-sql", POLICY, "--dialect", "duckdb", "--kpi", "app-errors")
    assert code == 0
    header, statement = out.split("\nWITH", 1)
    statement = ("WITH" + statement).rstrip().removesuffix(";")
    digest = hashlib.sha256(statement.encode()).hexdigest()
    assert f"-- sha256 of the statement: {digest}" in header
    rows = duckdb_samples().execute(statement, WINDOW).fetchall()
    assert ("down", "svc/app", 1, 2, 2, 0) in rows
    code, out, _ = run_main("evaluate", POLICY, "--samples", SAMPLES, "--from", "2026-11-10T10:00:00+00:00", "--to", "2026-11-10T10:20:00+00:00",
                            "--as-of", "2026-12-01T00:00:00+00:00", "--format", "json")
    app = next(i for i in json.loads(out)["inputs"] if i.get("kpi") == "app-errors")
    assert (app["engine"], app["dialect"], app["sql_sha256"]) == ("duckdb", "duckdb", digest)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_parses_back(dialect):
    policy = load_policy(POLICY)
    for kpi in policy.kpis:
        text = stage_one(policy, kpi).sql(dialect)
        tree = sqlglot.parse_one(text, read=dialect)  # raises on a syntax error in that dialect
        assert tree.sql(dialect=dialect, pretty=True) == text  # and reads back as the same statement
    marks = {"duckdb": "BIT_OR(", "spark": "UNIX_TIMESTAMP(", "trino": "BITWISE_OR_AGG(", "bigquery": "UNIX_MICROS(", "clickhouse": "groupBitOr("}
    assert marks[dialect] in text


def test_thresholds_are_exact_integers():
    from decimal import Decimal

    from slagen.telemetry.sql import _scaled

    assert _scaled(Decimal("5")) == (100, 5)  # errors * 100 > 5 * requests
    assert _scaled(Decimal("0.1")) == (1000, 1)  # 0.1 %: errors * 1000 > 1 * requests
    assert _scaled(Decimal("99.95")) == (10000, 9995)
    assert _scaled(Decimal("5.00")) == (100, 5)


def test_telemetry_sql_usage_errors(run_main):
    code, _, err = run_main("telemetry-sql", POLICY, "--dialect", "oracle")
    assert code == 2 and "Invalid value for '--dialect'" in err
    code, _, err = run_main("telemetry-sql", POLICY, "--kpi", "nope")
    assert code == 2 and err.count("\n") == 1 and "--kpi 'nope': not a telemetry KPI" in err
    code, _, err = run_main("telemetry-sql", ROOT / "examples/dingtalk-enterprise.yaml")
    assert code == 2 and "no availability KPI with a 'telemetry' rule" in err
    code, _, err = run_main("telemetry-sql", POLICY, "--table", "x; DROP TABLE y")
    assert code == 2 and "--table" in err


def test_engine_usage_errors(run_main, monkeypatch, tmp_path):
    args = ("evaluate", POLICY, "--samples", SAMPLES, "--period", "2026-11", "--as-of", "2026-12-01T00:00:00+00:00")
    code, _, err = run_main(*args, "--engine", "spark", "--spark-master", "http://nowhere")
    assert code == 2 and err.count("\n") == 1 and "--spark-master 'http://nowhere': not a Spark master URL" in err
    code, _, err = run_main(*args, "--spark-master", "local[2]")
    assert code == 2 and "--spark-master goes with --engine spark" in err
    code, _, err = run_main(*args, "--engine", "flink")
    assert code == 2 and "Invalid value for '--engine'" in err
    code, _, err = run_main("evaluate", POLICY, "--samples", "s3a://bucket/samples.parquet", "--period", "2026-11", "--as-of", "2026-12-01T00:00:00+00:00")
    assert code == 2 and err.count("\n") == 1 and "--samples s3a://bucket/samples.parquet: a URL is read by Spark (--engine spark)" in err
    monkeypatch.setitem(__import__("sys").modules, "pyspark", None)  # as if the spark extra were not installed
    code, _, err = run_main(*args, "--engine", "spark")
    assert code == 2 and err.count("\n") == 1 and "--engine spark needs pyspark: pip install 'slagen[spark]'" in err
    monkeypatch.undo()
    pytest.importorskip("pyspark")
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    monkeypatch.delenv("JAVA_HOME", raising=False)
    code, _, err = run_main(*args, "--engine", "spark")
    assert code == 2 and err.count("\n") == 1 and "--engine spark needs a Java runtime" in err


def test_docs_show_the_generated_spark_statement(run_main):
    code, out, _ = run_main("telemetry-sql", "tests/data/policies/telemetry.yaml", "--dialect", "spark", "--kpi", "api-errors")
    statement = out[out.index("WITH"):].rstrip().removesuffix(";")
    docs = (ROOT / "docs/scale.md").read_text()
    shown = docs[docs.index("```sql\nWITH") + len("```sql\n"):]
    assert code == 0 and shown[:shown.index("\n```")] == statement + ";"

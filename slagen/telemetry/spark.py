"""Stage one on Spark: the same generated query as DuckDB runs, in Spark SQL.

`slagen evaluate … --samples PATH --engine spark [--spark-master URL]` reads the sample files
in Spark (local paths, or any URL Spark reads: s3a://, abfss://, gs://, hdfs://), registers
them as the view `samples(ts, component, requests, errors, up, latency_ms)`, and runs
`StageOne.sql("spark")` per KPI and window with the window's bounds as named parameters.
What comes back to Python is the reduced rows (runs of down periods, coverage blocks,
counts per component); the contract stage is the same Python as for DuckDB.

Local files are first opened by the DuckDB reader as well, which checks every timestamp
and names a bad one at its own line, so a file gives the same error on either engine.
Files on object storage are checked by Spark in one pass: a timestamp Spark cannot read, or
one without a UTC offset (without --input-timezone), is an error naming the file.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

from slagen.errors import IncidentDataError, UsageError

DEFAULT_MASTER = "local[*]"
MASTER = re.compile(r"local(\[(\*|[1-9]\d*)(,[1-9]\d*)?\])?|local-cluster\[\d+,\d+,\d+\]|spark://[\w.\-]+(:\d+)?(,[\w.\-]+(:\d+)?)*|yarn|k8s://\S+|mesos://\S+")
ERROR_LINE = re.compile(r"error|exception|no such file|not found|cannot|could not", re.IGNORECASE)
OFFSET = r"(Z|z|[+-]\d\d(:?\d\d)?)$"  # a timestamp text that states its UTC offset


def is_remote(path: str | Path) -> bool:
    return "://" in str(path)


def check_master(master: str) -> str:
    if not MASTER.fullmatch(master):
        raise UsageError(f"--spark-master {master!r}: not a Spark master URL (local[*], local[4], spark://HOST:7077, yarn, k8s://https://HOST:443)")
    return master


def check_available() -> None:
    """pyspark installed and a Java runtime found, or a one-line usage error."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise UsageError("--engine spark needs pyspark: pip install 'slagen[spark]' (and Java 17)") from None
    import os

    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").is_file()):
        raise UsageError("--engine spark needs a Java runtime (17): none on PATH and JAVA_HOME is not set")


def session(master: str | None = None, partitions: int | None = None):
    """The active SparkSession (a Databricks notebook or job, or a test's), or a new one.

    A new one runs on `master`; without it, on what spark-submit was given (it starts the
    JVM and sets PYSPARK_GATEWAY_PORT), else on local[*]. UI off, UTC; on a local master a
    few shuffle partitions, as the reduced rows are few.

    A JVM slagen starts itself writes its stdout and stderr to a temporary file, not to the
    terminal: a successful run prints only slagen's own lines, not the JVM's start-up talk
    (`WARNING: Using incubator modules`, log4j's default profile, `WARN NativeCodeLoader`,
    `Setting default log level…`), and JSON on stdout stays JSON. If the JVM does not start,
    what it said is part of slagen's one-line error."""
    import os

    check_available()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    options = {"spark.app.name": "slagen", "spark.ui.showConsoleProgress": "false", "spark.sql.session.timeZone": "UTC"}
    launch = master or not os.environ.get("PYSPARK_GATEWAY_PORT")
    if launch:
        master = check_master(master or DEFAULT_MASTER)
        options.update({"spark.master": master, "spark.ui.enabled": "false"})
        if master.startswith("local"):
            options["spark.sql.shuffle.partitions"] = str(partitions or 8)
    builder = SparkSession.builder
    for key, value in options.items():
        builder = builder.config(key, value)
    import tempfile

    with tempfile.TemporaryFile() as jvm_output:
        try:
            if launch:
                _start_quietly(options, jvm_output)
            spark = builder.getOrCreate()
        except Exception as exc:  # the JVM did not start, or the master is unreachable
            said = _jvm_said(jvm_output)
            raise UsageError(f"--engine spark: cannot start Spark on {master or 'the spark-submit master'}: {_first_line(exc)}"
                             + (f" (the JVM said: {said})" if said else "")) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _start_quietly(options: dict[str, str], output) -> None:
    """Start the SparkContext that `SparkSession.builder` then takes, with the JVM's stdout and
    stderr going to `output` (pyspark's `launch_gateway(popen_kwargs=…)`, meant for this).
    Nothing to do where a JVM is already running in this process (a stopped session leaves
    its gateway, and pyspark reuses it)."""
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway

    if getattr(SparkContext, "_gateway", None) is not None or getattr(SparkContext, "_active_spark_context", None) is not None:
        return
    conf = SparkConf(loadDefaults=False).setAll(list(options.items()))
    gateway = launch_gateway(conf, popen_kwargs={"stdout": output, "stderr": output})
    SparkContext(conf=conf, gateway=gateway)


def _jvm_said(output) -> str:
    """What a JVM that did not start wrote to `output`: its first line that reads like an error
    (`Error: Unrecognized option…`, `…/java: No such file or directory`), else its last line."""
    try:
        output.flush()
        output.seek(0)
        lines = [line.strip() for line in output.read().decode("utf-8", "replace").splitlines() if line.strip()]
    except (OSError, ValueError):
        return ""
    errors = [line for line in lines if ERROR_LINE.search(line)]
    return (errors or lines or [""])[0 if errors else -1][:300]


class SparkSampleSet:
    """Sample files read by Spark; stage one per KPI and window runs there."""

    engine = "spark"

    def __init__(self, files: tuple[Path | str, ...], input_zone=None, names: tuple[str, ...] = (), master: str | None = None, spark=None,
                 mapping: dict | None = None):
        self.files = tuple(files)
        self.mapping = dict(mapping or {})  # --map FIELD=COLUMN, as the DuckDB reader takes it
        self.input_zone = input_zone
        self.names = names or tuple(str(p) for p in self.files)
        local = [(p, n) for p, n in zip(self.files, self.names) if not is_remote(p)]
        data_names: set[str] = set()
        if local:  # every timestamp checked, a bad one named at its line, as on DuckDB
            from slagen.telemetry.samples import SampleSet

            checked = SampleSet(tuple(Path(p) for p, _ in local), input_zone, tuple(n for _, n in local), self.mapping)
            data_names.update(checked._names)
            checked.close()
        self.spark = spark or session(master)
        try:
            frames = [self._frame(path, name) for path, name in zip(self.files, self.names)]
        except IncidentDataError:
            raise
        except Exception as exc:
            raise IncidentDataError(", ".join(self.names), "file", f"Spark cannot read the samples: {_first_line(exc)}") from None
        union = frames[0]
        for frame in frames[1:]:
            union = union.unionByName(frame)
        # every KPI and window runs stage one on the same rows: they are read and parsed once,
        # kept in memory (spilling to disk) on the executors, not re-read per query
        from pyspark import StorageLevel

        union = union.persist(StorageLevel.MEMORY_AND_DISK)
        self._union = union
        union.createOrReplaceTempView("samples")
        if any(is_remote(p) for p in self.files):
            self._check_remote(frames, data_names)
        self._names = tuple(sorted(data_names))

    def _frame(self, path, name: str):
        from pyspark.sql import functions as F

        text = str(path if is_remote(path) else Path(path).resolve())
        if is_remote(path):  # a directory or pattern on object storage: Parquet unless it names CSV files
            parquet = not text.lower().endswith((".csv", ".csv.gz"))
        else:  # as DuckDB reads a local file
            parquet = text.lower().endswith((".parquet", ".pq"))
        reader = self.spark.read
        if not parquet and not is_remote(path):  # every column as text, named from the header: no job to infer them
            import csv

            from pyspark.sql.types import StringType, StructField, StructType

            with open(text, newline="", encoding="utf-8", errors="replace") as handle:
                header = next(csv.reader(handle), [])
            reader = reader.schema(StructType([StructField(c, StringType()) for c in header]))
        frame = reader.parquet(text) if parquet else reader.option("header", True).csv(text)
        renames = {column: field for field, column in self.mapping.items() if column in frame.columns and column != field}
        if renames:  # the mapped columns take slagen's names; a column already so named gives way
            frame = frame.drop(*[field for field in renames.values() if field in frame.columns and field not in renames])
            for column, field in renames.items():
                frame = frame.withColumnRenamed(column, field)
        columns = {f.name: f.dataType.simpleString() for f in frame.schema.fields}
        time_column = "timestamp" if "timestamp" in columns else "ts" if "ts" in columns else None
        if time_column is None or "component" not in columns:
            raise IncidentDataError(name, "line 1", f"a sample file needs the columns timestamp (or ts) and component; it has: {', '.join(columns) or '(none)'}")
        column, kind = F.col(f"`{time_column}`"), columns[time_column]
        zone = self.input_zone.key if self.input_zone is not None else None
        if kind == "string":
            stated = F.col(f"`{time_column}`").rlike(OFFSET)
            naive = F.to_utc_timestamp(column.try_cast("timestamp_ntz").cast("timestamp"), zone) if zone else F.lit(None).cast("timestamp")
            ts = F.when(stated, column.try_cast("timestamp")).otherwise(naive)
        elif kind == "timestamp":
            ts = column
        elif kind == "timestamp_ntz":
            if zone is None:
                raise IncidentDataError(name, "line 1", f"column {time_column} has no UTC offset ({kind}); write offsets (2026-10-05T10:00:00+08:00) or pass --input-timezone")
            ts = F.to_utc_timestamp(column.cast("timestamp"), zone)
        else:
            raise IncidentDataError(name, "line 1", f"column {time_column} holds {kind}, not date-times")
        measures = {"requests": "bigint", "errors": "bigint", "up": "boolean", "latency_ms": "double"}
        return frame.select(
            ts.alias("ts"), F.col("component").cast("string").alias("component"),
            *[(F.col(f"`{m}`").try_cast(t) if m in columns else F.lit(None).cast(t)).alias(m) for m, t in measures.items()],
            F.lit(name).alias("_file"),
        )

    def _check_remote(self, frames, data_names: set[str]) -> None:
        """One pass over the files Spark alone reads: component names, and timestamps it could not read."""
        from pyspark.sql import functions as F

        for frame, path, name in zip(frames, self.files, self.names):
            if not is_remote(path):
                continue
            rows = frame.groupBy("component").agg(F.count(F.when(F.col("ts").isNull(), 1)).alias("bad")).collect()
            if any(r["bad"] for r in rows):
                raise IncidentDataError(name, "file", "a timestamp Spark cannot read, or without a UTC offset (write e.g. 2026-10-05T10:00:00+08:00 or pass --input-timezone)")
            data_names.update(r["component"] for r in rows if r["component"] is not None)

    def stage_one(self, query, window_start: datetime, window_end: datetime) -> list[tuple]:
        try:
            rows = self.spark.sql(query.sql("spark"), args={"window_start": window_start.isoformat(), "window_end": window_end.isoformat()}).collect()
        except Exception as exc:
            raise IncidentDataError(", ".join(self.names), "file", f"Spark cannot aggregate the samples: {_first_line(exc)}") from None
        return [tuple(r) for r in rows]

    def downtime(self, policy, kpi, window, as_of):
        from slagen.telemetry.samples import downtime

        return downtime(self, self.names, self._names, policy, kpi, window, as_of)

    def close(self) -> None:
        try:
            self.spark.catalog.dropTempView("samples")
            self._union.unpersist()
        except Exception:
            pass


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]

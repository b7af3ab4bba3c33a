"""Monitoring samples (CSV or Parquet) -> downtime intervals, aggregated in DuckDB.

A sample row is `timestamp` (or `ts`, with a UTC offset), `component` (a policy component's
id, name or alias), and the measures its rule needs: `requests` and `errors`, or `up`
(probe: true/false), or `latency_ms`. The heavy work is stage one, one generated SQL
statement per KPI and window (`slagen.telemetry.sql`), run here by DuckDB or by Spark
(`slagen.telemetry.spark`); what comes back is small: runs of down periods and coverage
per component, which `downtime` turns into ordinary incidents so exclusions, credits and
the trace treat them like any other.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from slagen.engine.scope import ScopeIndex
from slagen.engine.windows import MeasurementWindow
from slagen.errors import IncidentDataError
from slagen.incidents.model import Incident, Outage, finding as found
from slagen.policy.model import Kpi, Policy
from slagen.telemetry.sql import StageOne, stage_one

MEASURES = {"requests": "BIGINT", "errors": "BIGINT", "up": "BOOLEAN", "latency_ms": "DOUBLE"}
# what --map FIELD=COLUMN can rename in a sample file
SAMPLE_FIELDS = {"timestamp": "samples: the time of the sample (or a column 'ts')", "requests": "samples: requests in the sample",
                 "errors": "samples: failed requests", "up": "samples: probe result true/false", "latency_ms": "samples: latency in ms"}


@dataclass(frozen=True)
class SampleStats:
    """What the samples said for one KPI and window: reported with the evaluation."""

    kpi: str
    files: tuple[str, ...]
    rule: str  # the telemetry rule: error_rate | probe | latency | average_error_rate (renderers word it: samples.rule.*)
    period_minutes: int
    rows: int
    down_periods: int
    missing_periods: int
    missing_as: str
    unknown_names: tuple[str, ...] = ()
    engine: str = "duckdb"  # what ran stage one
    dialect: str = "duckdb"  # the SQL dialect of the query it ran
    sql_sha256: str = ""  # SHA-256 of that query's text (`slagen telemetry-sql --dialect D` prints it)
    missing_by_component: tuple[tuple[str, int], ...] = ()  # (component ref, periods without a sample), components with gaps only
    more_than: Decimal | None = None  # the rule's threshold: percent (error_rate, probe) or ms (latency); None for average_error_rate

    def as_input(self) -> dict:
        return {
            "kind": "samples", "files": list(self.files), "kpi": self.kpi, "rule": self.rule,
            "more_than": None if self.more_than is None else format(self.more_than, "f"), "period_minutes": self.period_minutes,
            "rows": self.rows, "down_periods": self.down_periods, "missing_periods": self.missing_periods,
            "missing_minutes": self.missing_periods * self.period_minutes, "missing_counted_as": self.missing_as,
            "unknown_components": list(self.unknown_names),
            "engine": self.engine, "dialect": self.dialect, "sql_sha256": self.sql_sha256,
            "missing_components": [{"component": ref, "missing_minutes": n * self.period_minutes} for ref, n in self.missing_by_component],
        }


@dataclass
class SampleSet:
    """Sample files opened once in DuckDB; evaluate many KPIs and windows against them."""

    engine = "duckdb"  # what runs stage one (a class attribute, not a field)

    files: tuple[Path, ...]
    input_zone: object | None = None  # ZoneInfo for timestamps without offset
    names: tuple[str, ...] = ()  # how results name the files (a pack names its copies); default: the paths
    mapping: dict = field(default_factory=dict)  # --map FIELD=COLUMN: timestamp, component and the measures under other column names
    _con: object = field(default=None, repr=False)
    _names: tuple[str, ...] = ()
    _rows: int = 0

    def __post_init__(self) -> None:
        import duckdb

        self.names = self.names or tuple(str(p) for p in self.files)
        self._links = None  # a private directory of literal links, made only when a path needs one
        self._sources: list[tuple[str, str, str | None]] = []  # per file: (SQL source, time column, text timestamp check)
        self._physical: list[tuple[str, str]] = []  # (path DuckDB reads, name in messages)
        self._con = duckdb.connect()
        self._con.execute("SET TimeZone = 'UTC'")
        try:
            parts = [self._relation(path, i) for i, path in enumerate(self.files)]
            self._con.execute("CREATE TEMP VIEW raw_samples AS " + " UNION ALL ".join(fast for fast, _ in parts))
            self._con.execute("CREATE TEMP VIEW samples AS SELECT ts, component, requests, errors, up, latency_ms FROM raw_samples")  # what stage one reads
            self._con.execute("CREATE TEMP VIEW checked_samples AS " + " UNION ALL ".join(checked for _, checked in parts))
            try:  # one scan that checks every timestamp, so a bad one is found here, at its own line
                self._names = tuple(r[0] for r in self._con.execute("SELECT DISTINCT component FROM checked_samples WHERE ts IS NOT NULL AND component IS NOT NULL").fetchall())
            except duckdb.Error as exc:
                self._fail(exc, "cannot read the samples")
        except BaseException:
            self.close()
            raise

    def _literal(self, path: Path, index: int) -> str:
        """The path as DuckDB must see it: absolute, and never a pattern. DuckDB expands `*`, `?`,
        `[...]` and `{a,b}` in file names and `~` at the start; slagen never globs (the shell
        does: `--samples 'dir/*.csv'` unquoted, or one --samples per file), so a name holding
        such characters is read through a link with a plain name in a private directory."""
        import os
        import tempfile

        absolute = str(path.resolve())
        if not any(c in absolute for c in "*?[]{}~\\") and "://" not in absolute:
            return absolute
        if self._links is None:
            import shutil
            import weakref

            self._links = tempfile.mkdtemp(prefix="slagen-samples-")
            weakref.finalize(self, shutil.rmtree, self._links, True)  # removed with this object or at exit
        link = os.path.join(self._links, f"sample-{index}{path.suffix.lower() if path.suffix.isascii() and path.suffix[1:].isalnum() else ''}")
        os.symlink(absolute, link)
        return link

    def _relation(self, path: Path, index: int) -> tuple[str, str]:
        """SQL for one file's rows: (for the queries, checking every timestamp) — the second
        is scanned once when the files are opened; the first, cheaper, by every query after."""
        import duckdb

        if not path.is_file():
            from slagen.errors import UsageError

            raise UsageError(f"{path}: no such file")
        name = self.names[index]
        parquet = path.suffix.lower() in (".parquet", ".pq")
        physical = self._literal(path, index)
        self._physical.append((physical, name))
        literal = "'" + physical.replace("'", "''") + "'"
        source = f"read_parquet({literal})" if parquet else f"read_csv({literal})"
        try:
            columns = {col: kind for col, kind, *_ in self._con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
        except duckdb.Error as exc:
            raise IncidentDataError(name, _line_of(exc), f"not a readable {'Parquet' if parquet else 'CSV'} sample file: {self._message(exc)}") from None
        col = lambda f: self.mapping.get(f, f)  # noqa: E731  (--map FIELD=COLUMN)
        if "timestamp" in self.mapping:
            time_column = self.mapping["timestamp"] if self.mapping["timestamp"] in columns else None
        else:
            time_column = "timestamp" if "timestamp" in columns else "ts" if "ts" in columns else None
        if time_column is None or col("component") not in columns:
            raise IncidentDataError(name, "line 1", f"a sample file needs the columns {col('timestamp')}{'' if 'timestamp' in self.mapping else ' (or ts)'} and {col('component')}; "
                                    f"it has: {_names_shown(columns)}; map others with --map timestamp=COLUMN, --map component=COLUMN")
        kind = columns[time_column]
        column = _quoted(time_column)
        check = None
        if not parquet or kind == "VARCHAR":
            # CSV (and text in Parquet): the time column is read as text and converted here, row
            # by row, so a value without an offset is never read as UTC and a bad value is found
            # at its own line (row).
            if not parquet:
                source = "read_csv({}, types={{'{}': 'VARCHAR'}})".format(literal, time_column.replace("'", "''"))
            zone = self.input_zone.key.replace("'", "") if self.input_zone is not None else None
            has_offset = f"(upper({column}) LIKE '%Z' OR {column}[11:] LIKE '%+%' OR {column}[11:] LIKE '%-%')"
            local = f"timezone('{zone}', TRY_CAST({column} AS TIMESTAMP))" if zone else "NULL"
            parsed = f"CASE WHEN {has_offset} THEN TRY_CAST({column} AS TIMESTAMPTZ) ELSE {local} END"
            check = f"{parsed} BETWEEN TIMESTAMPTZ '1970-01-01 00:00:00+00' AND TIMESTAMPTZ '2999-12-31 23:59:59+00' AND {column}[12:13] <> '24'"  # 24:00 as the readers refuse it
            checked = f"CASE WHEN {check} THEN {parsed} ELSE error('slagen: bad timestamp in sample file {index}') END"
            # every row passed `checked` when the files were opened: plain casts from then on
            ts = f"CASE WHEN {has_offset} THEN {column}::TIMESTAMPTZ ELSE timezone('{zone}', {column}::TIMESTAMP) END" if zone else f"{column}::TIMESTAMPTZ"
        elif kind == "TIMESTAMP WITH TIME ZONE":
            ts = column
        elif kind.startswith("TIMESTAMP") or kind == "VARCHAR":
            if self.input_zone is None:
                raise IncidentDataError(name, "line 1", f"column {time_column} has no UTC offset ({kind}); write offsets (2026-10-05T10:00:00+08:00) or pass --input-timezone")
            zone = self.input_zone.key.replace("'", "")
            ts = f"timezone('{zone}', {column}::TIMESTAMP)"
        else:
            raise IncidentDataError(name, "line 1", f"column {time_column} holds {kind}, not date-times")
        self._sources.append((source, time_column, check))
        measures = ", ".join(f"TRY_CAST({_quoted(col(m))} AS {sql_type}) AS {m}" if col(m) in columns else f"NULL::{sql_type} AS {m}" for m, sql_type in MEASURES.items())
        component = _quoted(col("component"))
        select = "SELECT {index} AS file, {ts} AS ts, {component}::VARCHAR AS component, {measures} FROM {source}"
        return (select.format(index=index, ts=ts, component=component, measures=measures, source=source),
                select.format(index=index, ts=check and checked or ts, component=component, measures=measures, source=source))

    def _message(self, exc: Exception) -> str:
        """DuckDB's first line, with the paths DuckDB was given replaced by the names the user knows."""
        message = _first_line(exc)
        for physical, name in self._physical:
            message = message.replace(physical, name)
        return message

    def _why(self, value: object, column: str) -> str:
        """What is wrong with a timestamp DuckDB refused, in the incident readers' words."""
        from slagen.incidents.timestamps import parse_time

        if value is None or not str(value).strip():
            return f"{column}: no value; every sample needs a date-time"
        try:
            parse_time(str(value), column, self.input_zone)
        except ValueError as exc:
            return str(exc)
        return f"{column}: {_shown(value)} is not a date-time slagen can read in sample files (write e.g. 2026-10-05T10:00:00+08:00)"

    def _fail(self, exc: Exception, what: str) -> None:
        """Raise a located IncidentDataError for a DuckDB error: the bad timestamp's own line,
        or the line DuckDB names, in the file as the user named it."""
        import duckdb

        for index, (source, column, check) in enumerate(self._sources):
            if check is None:
                continue
            try:
                row = self._con.execute(
                    f'SELECT n, {_quoted(column)} FROM (SELECT row_number() OVER () AS n, * FROM {source}) WHERE ({check}) IS NOT TRUE ORDER BY n LIMIT 1'
                ).fetchone()
            except duckdb.Error:
                continue
            if row:
                parquet = self.files[index].suffix.lower() in (".parquet", ".pq")
                where = f"row {row[0]}" if parquet else f"line {_csv_line(self.files[index], row[0])}"
                raise IncidentDataError(self.names[index], where, self._why(row[1], column)) from None
        message = self._message(exc)
        where, name = _line_of(exc), ", ".join(self.names)
        for index, physical in enumerate(self.files):
            if len(self.files) == 1 or str(Path(physical).resolve()) in str(exc):
                name = self.names[index]
                break
        raise IncidentDataError(name, where, f"{what}: {message}") from None

    def stage_one(self, query: StageOne, window_start: datetime, window_end: datetime) -> list[tuple]:
        """Run stage one for one window in DuckDB: rows (kind, ref, first_period, last_period, samples, mask)."""
        import duckdb

        try:
            return self._con.execute(query.sql("duckdb"), {"window_start": window_start.isoformat(), "window_end": window_end.isoformat()}).fetchall()
        except duckdb.Error as exc:
            self._fail(exc, "cannot aggregate the samples")

    def downtime(self, policy: Policy, kpi: Kpi, window: MeasurementWindow, as_of: datetime) -> tuple[tuple[Incident, ...], SampleStats]:
        """Down (and, if the policy says so, missing) periods of the KPI's components as incidents."""
        return downtime(self, self.names, self._names, policy, kpi, window, as_of)

    def close(self) -> None:
        import shutil

        self._con.close()
        if self._links is not None:
            shutil.rmtree(self._links, ignore_errors=True)
            self._links = None


def downtime(engine, files: tuple[str, ...], data_names, policy: Policy, kpi: Kpi, window: MeasurementWindow, as_of: datetime) -> tuple[tuple[Incident, ...], SampleStats]:
    """Stage one on `engine` (DuckDB or Spark), then the down and (if the policy says so)
    missing periods of the KPI's components as incidents, in Python."""
    rules = kpi.telemetry
    query = stage_one(policy, kpi)
    index = ScopeIndex(policy)
    unknown = tuple(sorted(n for n in data_names if not index.resolve(n)))
    period = query.period_seconds
    end = min(window.end, as_of)
    periods = -(-int((end - window.start).total_seconds()) // period) if end > window.start else 0
    complete = int((end - window.start).total_seconds()) // period  # the period holding as_of may still fill in
    rows = engine.stage_one(query, window.start, end) if end > window.start and query.names else []
    reduced = reduce_rows(rows, query.refs, complete)
    incidents = []
    minutes = period // 60
    averaged = rules.rule == "average_error_rate"
    for ref in query.refs:
        if averaged:
            incidents.extend(_shares(files, ref, reduced, rules, window, period, periods, end, kpi))
            continue
        marks = [(first, last, "down") for first, last in reduced.down[ref] if first < periods]
        if rules.missing == "down":
            marks.extend((first, last, "missing") for first, last in reduced.missing[ref])
        for first, last, why in sorted(marks):
            start = window.start + timedelta(seconds=first * period)
            stop = min(window.start + timedelta(seconds=(last + 1) * period), end)
            count = last - first + 1
            key = hashlib.sha256(f"{ref}{start.isoformat()}".encode()).hexdigest()[:8]
            incidents.append(Incident(
                id=f"samples:{ref}:{start:%Y-%m-%dT%H:%MZ}:{key}", started_at=start, resolved_at=stop,
                outages=(Outage(ref, start, stop, "major_outage"),), source=", ".join(files),
                impact="major_outage", kpi=kpi.id, finding=finding(rules, why, count, period),
            ))
    down_periods = (sum(len([b for b in shares if b < periods]) for shares in reduced.shares.values()) if averaged
                    else sum(last - first + 1 for runs in reduced.down.values() for first, last in runs))
    missing_periods = sum(last - first + 1 for runs in reduced.missing.values() for first, last in runs)
    missing_by_component = tuple((ref, n) for ref in query.refs if (n := sum(last - first + 1 for first, last in reduced.missing[ref])))
    stats = SampleStats(kpi.id, files, rules.rule, minutes, reduced.rows, down_periods, missing_periods, rules.missing, unknown,
                        engine=engine.engine, dialect=engine.engine, sql_sha256=query.sha256(engine.engine), missing_by_component=missing_by_component,
                        more_than=None if averaged else rules.more_than)
    return tuple(incidents), stats


def finding(rules, why: str, periods: int, period: int, error_pct: Decimal | None = None) -> tuple:
    """What the samples showed for one derived incident, as a reason code with parameters
    (renderers word it from the catalogues): `samples.missing` (periods without a sample that
    the policy counts as down), `samples.average_error_rate` (one period's measured error
    rate) or `samples.<rule>` (a run of `periods` down periods: rule error_rate, probe or
    latency, with its threshold). `period_s` is one period's length in seconds."""
    if why == "missing":
        return found("samples.missing", periods=periods, period_s=period, missing="down")
    if rules.rule == "average_error_rate":
        return found("samples.average_error_rate", error_pct=error_pct, period_s=period)
    threshold = {"latency_ms": rules.more_than} if rules.rule == "latency" else {"threshold_pct": rules.more_than}
    return found(f"samples.{rules.rule}", periods=periods, period_s=period, **threshold)


@dataclass(frozen=True)
class Reduced:
    """Stage one's rows for one KPI and window, per component: runs of down periods, runs of
    missing periods (before `complete`, the first period that may still fill in), samples."""

    down: dict[str, list[tuple[int, int]]]
    missing: dict[str, list[tuple[int, int]]]
    rows: int
    shares: dict[str, dict[int, Decimal]] = field(default_factory=dict)  # average_error_rate: period -> its error rate


def reduce_rows(rows, refs: tuple[str, ...], complete: int) -> Reduced:
    """Stage one's rows -> down runs, missing runs and the sample count, per component.

    Rows are (kind, ref, first_period, last_period, samples, mask): `all` (one per component:
    its samples), `covered` (a run of blocks whose every period has data), `partial` (a block
    with some periods without data: bit i of `mask` is period first_period + i), `down` (a
    run of down periods), `share` (average_error_rate: a period with failed requests, its
    errors in `samples` and its requests in `mask`)."""
    down: dict[str, list[tuple[int, int]]] = {ref: [] for ref in refs}
    shares: dict[str, dict[int, Decimal]] = {ref: {} for ref in refs}
    covered: dict[str, list[tuple[int, int]]] = {ref: [] for ref in refs}
    count = 0
    for kind, ref, first, last, samples, mask in rows:
        if ref not in down:
            continue
        first, last = int(first), int(last)
        if kind == "all":
            count += int(samples)
        elif kind == "covered":
            covered[ref].append((first, last))
        elif kind == "partial":
            mask = int(mask or 0)
            covered[ref].extend(_consecutive([first + i for i in range(last - first + 1) if mask >> i & 1]))
        elif kind == "down":
            down[ref].append((first, last))
        elif kind == "share" and int(mask or 0) > 0:
            shares[ref][first] = min(Decimal(int(samples)) / Decimal(int(mask)), Decimal(1))
    missing: dict[str, list[tuple[int, int]]] = {}
    for ref in refs:
        gaps, nxt = [], 0
        for first, last in sorted(covered[ref]):
            if first > nxt and nxt < complete:
                gaps.append((nxt, min(first, complete) - 1))
            nxt = max(nxt, last + 1)
        if nxt < complete:
            gaps.append((nxt, complete - 1))
        missing[ref] = gaps
        down[ref].sort()
    return Reduced(down, missing, count, shares)


def _shares(files, ref: str, reduced: Reduced, rules, window: MeasurementWindow, period: int, periods: int, end: datetime, kpi: Kpi) -> list[Incident]:
    """average_error_rate: one incident per period with failed requests, counting that
    period's error rate of its time (and, with missing: down, each missing period in full)."""
    shares = reduced.shares.get(ref, {})
    missing = {b for first, last in reduced.missing.get(ref, ()) for b in range(first, last + 1)} if rules.missing == "down" else set()
    out = []
    for bucket in sorted({b for b in shares if b < periods} | missing):
        start = window.start + timedelta(seconds=bucket * period)
        stop = min(start + timedelta(seconds=period), end)
        lost = bucket in missing and bucket not in shares
        share = Decimal(1) if lost else shares[bucket]
        key = hashlib.sha256(f"{ref}{start.isoformat()}".encode()).hexdigest()[:8]
        out.append(Incident(
            id=f"samples:{ref}:{start:%Y-%m-%dT%H:%MZ}:{key}", started_at=start, resolved_at=stop,
            outages=(Outage(ref, start, stop, "major_outage", share=None if lost else share),),
            source=", ".join(files), impact="major_outage", kpi=kpi.id,
            finding=finding(rules, "missing" if lost else "down", 1, period, None if lost else share * 100),
        ))
    return out


def _consecutive(numbers: list[int]):
    """Sorted integers -> runs of consecutive ones as (first, last)."""
    run = None
    for n in numbers:
        if run and n == run[1] + 1:
            run = (run[0], n)
            continue
        if run:
            yield run
        run = (n, n)
    if run:
        yield run


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300]


def _csv_line(path: Path, row: int) -> int:
    """The physical line of data row `row` (1-based, header not counted, blank lines skipped
    as DuckDB skips them). Only called on the error path, so reading the file again is fine."""
    import csv

    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            count = 0
            for record in reader:
                if record:
                    count += 1
                    if count == row:
                        return reader.line_num
    except (OSError, csv.Error):
        pass
    return row + 1


def _line_of(exc: Exception) -> str:
    """'line N' when DuckDB's message names a CSV line, else 'file'."""
    import re

    match = re.search(r"CSV Error on Line: (\d+)", str(exc))
    return f"line {match.group(1)}" if match else "file"


def _quoted(column: str) -> str:
    """A column name as a DuckDB identifier (any name a --map gives is quoted, never spliced)."""
    return '"' + column.replace('"', '""') + '"'


def _names_shown(columns) -> str:
    text = ", ".join(columns)
    if not text:
        return "(none)"
    return _shown(text)[1:-1] if text.isprintable() and len(text) <= 60 else _shown(text)


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:60] + "…")

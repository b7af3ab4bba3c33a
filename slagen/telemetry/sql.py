"""Stage one of a telemetry KPI, written once and generated for every SQL engine by sqlglot.

Stage one turns raw monitoring samples into what the contract stage needs. It returns rows
(kind, ref, first_period, last_period, samples, mask), per component (`ref`):

- `all`: one row, with every sample of the window (the coverage count);
- `covered`: a run of blocks of 62 periods in which every period has data;
- `partial`: a block in which some periods have no data (bit i of `mask`: period
  first_period + i has data); periods in no `covered` or `partial` row have no data;
- `down`: a run of consecutive down periods and the samples in them.

Periods are numbered from the window's start (period 0 starts at `window_start`, the
window's local midnight whatever the zone), so they align to the window. The contract stage
(calendars, exclusions, union, credits, Decimal money) stays in Python on these few rows
(`slagen.telemetry.samples.downtime`), so results never depend on the engine.

The statement is one text (`TEMPLATE`, in DuckDB's dialect) with two named parameters,
`window_start` and `window_end` (ISO 8601 instants with an offset); the rule, threshold,
period length and the policy's component names are literals. sqlglot parses it once and
generates it for DuckDB (the embedded default) and Spark SQL (both run by slagen and its
tests) and for Trino, BigQuery and ClickHouse (printed by `slagen telemetry-sql`; they parse
back in their dialect, but slagen runs none of them). Where sqlglot has no mapping of a
function for a dialect, `_fix` says what is used instead.

Thresholds are compared in exact integer arithmetic: `more_than` 0.1 (percent) becomes
`SUM(errors) * 1000 > 1 * SUM(requests)`, so no engine rounds a period to the other side.
Latency is a mean of DOUBLE values, compared as `SUM(latency_ms) > t * COUNT(latency_ms)`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache

DIALECTS = ("duckdb", "spark", "trino", "bigquery", "clickhouse")
COLUMNS = ("kind", "ref", "first_period", "last_period", "samples", "mask")  # what stage one returns
TABLE = "samples"  # samples(ts, component, requests, errors, up, latency_ms)


def _scaled(more_than: Decimal) -> tuple[int, int]:
    """more_than (percent) -> (M, T) with  bad * M > T * all  <=>  bad / all * 100 > more_than."""
    exponent = -more_than.normalize().as_tuple().exponent
    shift = max(0, exponent)
    return 100 * 10 ** shift, int(more_than.scaleb(shift))


def _rule_sql(rule: str, more_than: Decimal) -> tuple[str, str, str]:
    """(a sample gives its period data, a sample is bad on its own, a period is down).

    A period can only be down if it holds a sample that is bad on its own (if every sample
    had errors * M <= T * requests, so would their sums), so only those periods are looked
    at sample by sample; the rest of the window is counted per block of 62 periods."""
    if rule == "error_rate":
        m, t = _scaled(more_than)
        return ("requests > 0", f"COALESCE(errors, 0) * {m} > {t} * COALESCE(requests, 0)",
                f"SUM(requests) > 0 AND SUM(errors) * {m} > {t} * SUM(requests)")
    if rule == "probe":
        m, t = _scaled(more_than)
        return ("up IS NOT NULL", f"NOT up AND {m} > {t}",
                f"COUNT(up) > 0 AND SUM(CASE WHEN NOT up THEN 1 ELSE 0 END) * {m} > {t} * COUNT(up)")
    if rule == "average_error_rate":  # no period is down on its own: each counts by its error rate (the 'share' rows)
        return "requests > 0", "1 = 0", "1 = 0"
    if rule == "latency":
        t = format(more_than.normalize(), "f")
        return "latency_ms IS NOT NULL", f"latency_ms > {t}", f"COUNT(latency_ms) > 0 AND SUM(latency_ms) > {t} * COUNT(latency_ms)"
    raise ValueError(rule)


BLOCK = 62  # periods per block: a block's coverage is a BIGINT mask of 62 bits (all engines have signed 64-bit integers)
FULL = (1 << BLOCK) - 1

# Written in DuckDB's dialect (the embedded default), parsed once by sqlglot.
TEMPLATE = """
WITH components AS (
  SELECT name, ref FROM (VALUES {values}) AS components(name, ref)
), windowed AS (
  SELECT c.ref AS ref,
         CAST(FLOOR((EPOCH(s.ts) - EPOCH(CAST($window_start AS TIMESTAMPTZ))) / {period}) AS BIGINT) AS period,
         s.requests AS requests, s.errors AS errors, s.up AS up, s.latency_ms AS latency_ms
  FROM {table} AS s
  JOIN components AS c ON LOWER(TRIM(s.component)) = c.name
  WHERE s.ts >= CAST($window_start AS TIMESTAMPTZ) AND s.ts < CAST($window_end AS TIMESTAMPTZ)
), marked AS (
  SELECT ref, period, requests, errors, up, latency_ms,
         CAST(FLOOR(period / {block}) AS BIGINT) AS block,
         CASE WHEN {present} THEN CAST(POWER(2, period % {block}) AS BIGINT) ELSE 0 END AS bit,
         CASE WHEN {bad} THEN 1 ELSE 0 END AS bad
  FROM windowed
), blocks AS (
  SELECT ref, block, COUNT(*) AS samples, BIT_OR(bit) AS mask
  FROM marked
  GROUP BY ref, block
), candidates AS (
  SELECT DISTINCT ref, period FROM marked WHERE bad = 1
), down_periods AS (
  SELECT m.ref AS ref, m.period AS period, COUNT(*) AS samples
  FROM marked AS m
  JOIN candidates AS c ON m.ref = c.ref AND m.period = c.period
  GROUP BY m.ref, m.period
  HAVING {down}
), full_runs AS (
  SELECT ref, block, block - ROW_NUMBER() OVER (PARTITION BY ref ORDER BY block) AS run
  FROM blocks
  WHERE mask = {full}
), down_runs AS (
  SELECT ref, period, samples, period - ROW_NUMBER() OVER (PARTITION BY ref ORDER BY period) AS run
  FROM down_periods
)
SELECT 'all' AS kind, ref, MIN(block) * {block} AS first_period, MAX(block) * {block} + {last} AS last_period, SUM(samples) AS samples, CAST(0 AS BIGINT) AS mask
FROM blocks GROUP BY ref
UNION ALL
SELECT 'covered' AS kind, ref, MIN(block) * {block} AS first_period, MAX(block) * {block} + {last} AS last_period, CAST(0 AS BIGINT) AS samples, CAST({full} AS BIGINT) AS mask
FROM full_runs GROUP BY ref, run
UNION ALL
SELECT 'partial' AS kind, ref, block * {block} AS first_period, block * {block} + {last} AS last_period, samples, mask
FROM blocks WHERE mask <> {full}
UNION ALL
SELECT 'down' AS kind, ref, MIN(period) AS first_period, MAX(period) AS last_period, SUM(samples) AS samples, CAST(0 AS BIGINT) AS mask
FROM down_runs GROUP BY ref, run{shares}
"""

# average_error_rate: every period with failed requests, its errors (as samples) and requests (as mask)
SHARES = """
UNION ALL
SELECT 'share' AS kind, ref, period AS first_period, period AS last_period, CAST(SUM(errors) AS BIGINT) AS samples, CAST(SUM(requests) AS BIGINT) AS mask
FROM marked WHERE requests > 0 GROUP BY ref, period HAVING SUM(errors) > 0"""


@dataclass(frozen=True)
class StageOne:
    """Stage one of one telemetry KPI: the query's text in every dialect, and its hash."""

    kpi: str
    rule: str
    period_seconds: int
    refs: tuple[str, ...]  # the KPI's components in scope ('service/component')
    names: tuple[tuple[str, str], ...]  # (lower-case name in the data, ref)
    present: str  # a sample gives its period data
    bad: str  # a sample is bad on its own (its period is a candidate)
    down: str  # a period is down (an aggregate over its samples)
    table: str = TABLE

    @cached_property
    def tree(self):
        import sqlglot

        values = ", ".join(f"({_string(name)}, {_string(ref)})" for name, ref in self.names)
        text = TEMPLATE.format(values=values, period=self.period_seconds, table=_identifier(self.table), present=self.present, bad=self.bad,
                               down=self.down, block=BLOCK, last=BLOCK - 1, full=FULL,
                               shares=SHARES if self.rule == "average_error_rate" else "")
        return sqlglot.parse_one(text, read="duckdb")

    def sql(self, dialect: str) -> str:
        """The query as `dialect` writes it (pretty-printed), parameters as named placeholders:
        the exact text slagen runs and `slagen telemetry-sql` prints."""
        if dialect not in DIALECTS:
            raise ValueError(dialect)
        return _generate(self, dialect)

    def sha256(self, dialect: str) -> str:
        return hashlib.sha256(self.sql(dialect).encode()).hexdigest()


@lru_cache(maxsize=256)
def _generate(query: StageOne, dialect: str) -> str:
    """Generated once per statement and dialect (every window of a range runs the same text)."""
    return _fix(query.tree.copy(), dialect).sql(dialect=dialect, pretty=True)


def stage_one(policy, kpi, table: str = TABLE) -> StageOne:
    """Stage one for a policy's telemetry KPI (equal inputs give an equal, hashable StageOne)."""
    from slagen.engine.scope import ScopeIndex

    rules = kpi.telemetry
    index = ScopeIndex(policy)
    refs = tuple(sorted({ref for s in policy.services for ref in ([f"{s.id}/{c.id}" for c in s.components] or [s.id]) if index.in_scope(ref, kpi.scope)}))
    names = tuple(sorted((key, ref) for key, keyed in index.lookup.items() for ref in keyed if ref in refs))
    present, bad, down = _rule_sql(rules.rule, Decimal(rules.more_than if rules.more_than is not None else 0))
    return StageOne(kpi.id, rules.rule, int(rules.period.total_seconds()), refs, names, present, bad, down, table)


def _string(text: str) -> str:
    from sqlglot import exp

    return exp.Literal.string(text).sql()


def _identifier(name: str) -> str:
    from sqlglot import exp

    return ".".join(exp.to_identifier(part).sql() for part in name.split("."))


def _fix(tree, dialect: str):
    """Where sqlglot (30.x) has no mapping of a function or type for a dialect, say what to use.

    - the instant as seconds since 1970: DuckDB EPOCH, Spark UNIX_TIMESTAMP and Trino
      TO_UNIXTIME come from sqlglot; BigQuery gets UNIX_MICROS / 1e6 and ClickHouse
      toUnixTimestamp64Micro / 1e6 (sqlglot writes TIME_TO_UNIX, which neither has);
    - ClickHouse casts the window bounds to DateTime64(6, 'UTC') and types its parameters
      as String ({window_start:String}), as its query parameters must be typed.
    """
    from sqlglot import exp

    if dialect == "bigquery":
        for node in list(tree.find_all(exp.TimeToUnix)):
            node.replace(exp.Div(this=exp.UnixMicros(this=node.this), expression=exp.Literal.number(1000000)))
    elif dialect == "clickhouse":
        for node in list(tree.find_all(exp.TimeToUnix)):
            node.replace(exp.Div(this=exp.Anonymous(this="toUnixTimestamp64Micro", expressions=[node.this]), expression=exp.Literal.number(1000000)))
        for node in list(tree.find_all(exp.Cast)):
            if node.to.is_type(exp.DataType.Type.TIMESTAMPTZ):
                node.set("to", exp.DataType.build("DateTime64(6, 'UTC')", dialect="clickhouse"))
        for node in list(tree.find_all(exp.Placeholder)):
            node.set("kind", exp.DataType.build("String", dialect="clickhouse"))
    return tree

"""The telemetry aggregation as plain SQL, kept in one place so it can be run elsewhere.

Two queries per KPI and window, both over a relation `samples(ref, ts, requests, errors,
up, latency_ms)` already joined to the policy's component names (see docs/scale.md for the
same queries on Spark SQL and Trino):

1. `BLOCKS`: one pass over the window's rows, grouped by component and block of 64 periods.
   Each block carries two 64-bit masks: periods that have data (`present`) and periods
   holding at least one sample that is bad on its own (`bad`), plus the sample count.
   A period can only be down if it holds a bad sample (a mean never exceeds its largest
   term), and when a block has one sample per period its bad periods *are* its down
   periods. So most windows need nothing more.
2. `EXACT`: for candidate periods in blocks with several samples per period, the pooled
   measure over the period decides: sum(errors) / sum(requests) for error_rate, failed /
   all checks for probe, mean latency for latency.

Parameters are bound by position: window start (TIMESTAMPTZ), window end, period seconds,
threshold. Bucket numbers count periods from the window start, so periods align to the
window's local midnight whatever the zone.
"""

from __future__ import annotations

FULL_MASK = (1 << 64) - 1

# Per rule: which samples count as data, which are bad alone, and the pooled down test.
RULES = {
    "error_rate": {
        "present": "requests > 0",
        "bad": "requests > 0 AND errors * 100 > ? * requests",
        "down": "sum(requests) > 0 AND sum(errors) * 100 > ? * sum(requests)",
    },
    "probe": {
        "present": "up IS NOT NULL",
        "bad": "up IS NOT NULL AND NOT up AND 100 > ?",
        "down": "count(up) > 0 AND count(up) FILTER (WHERE NOT up) * 100 > ? * count(up)",
    },
    "latency": {
        "present": "latency_ms IS NOT NULL",
        "bad": "latency_ms > ?",
        "down": "count(latency_ms) > 0 AND sum(latency_ms) > ? * count(latency_ms)",
    },
}

WINDOW_ROWS = """
SELECT ref, (epoch(ts)::BIGINT - epoch(?::TIMESTAMPTZ)::BIGINT) // ? AS bucket, requests, errors, up, latency_ms
FROM samples
WHERE ts >= ?::TIMESTAMPTZ AND ts < ?::TIMESTAMPTZ
"""


def blocks_query(rule: str) -> str:
    r = RULES[rule]
    return f"""
WITH w AS ({WINDOW_ROWS})
SELECT ref,
       bucket // 64 AS block,
       count(*) AS samples,
       bit_or(1::UBIGINT << (bucket % 64)::INTEGER) FILTER (WHERE {r['present']}) AS present,
       bit_or(1::UBIGINT << (bucket % 64)::INTEGER) FILTER (WHERE {r['bad']}) AS bad
FROM w
GROUP BY ref, block
"""


def error_share_query() -> str:
    """average_error_rate: every period with failed requests, with its errors and requests
    (its error rate is errors / requests; periods without requests have none)."""
    return f"""
WITH w AS ({WINDOW_ROWS})
SELECT ref, bucket, sum(errors) AS errors, sum(requests) AS requests
FROM w
WHERE requests > 0
GROUP BY ref, bucket
HAVING sum(errors) > 0
ORDER BY ref, bucket
"""


def exact_query(rule: str) -> str:
    r = RULES[rule]
    return f"""
WITH w AS ({WINDOW_ROWS})
SELECT w.ref, w.bucket
FROM w JOIN candidates c ON w.ref = c.ref AND w.bucket = c.bucket
GROUP BY w.ref, w.bucket
HAVING {r['down']}
"""

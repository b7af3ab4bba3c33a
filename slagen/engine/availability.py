"""Availability KPIs: downtime as a union of in-scope outages, minus exclusions.

Order of operations (stated once, documented in docs/policy-language.md):
1. each outage of an in-scope component is clipped to the window and to as_of;
2. its incident's cause decides counted or excluded (with notice, maintenance-window and
   cap conditions); a cause the policy lists as covered, or does not list, is counted;
3. overlapping time is a union: where any counted outage is active the time is counted
   at the highest active weight, otherwise excluded time is excluded once;
4. excluded time beyond a cap spills back into counted time, in time order;
5. contiguous counted runs shorter than the minimum outage are dropped; each run is then
   rounded as the policy says (exact, up or down to whole minutes).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from slagen.engine.intervals import Span, from_ms, merge, ms
from slagen.engine.result import TraceLine
from slagen.engine.scope import ScopeIndex
from slagen.engine.windows import MeasurementWindow
from slagen.incidents.model import Incident
from slagen.policy.model import Exclusion, Kpi, Policy, RecurringWindow
from slagen.policy.units import format_duration

MINUTE = 60_000
ONE = Decimal(1)


@dataclass(frozen=True)
class _Seg:
    incident: Incident
    ref: str
    counted: bool
    weight: Decimal
    rule: str | None
    reason: str


@dataclass(frozen=True)
class Downtime:
    counted_ms: Decimal  # weighted, after minimum-outage and before rounding
    counted_minutes: Decimal  # after rounding
    excluded_minutes: Decimal
    maintenance_excluded_minutes: Decimal
    runs: tuple[tuple[int, int], ...]  # counted runs (ms), for charts and cost
    trace: tuple[TraceLine, ...]
    daily: tuple[tuple[date, Decimal], ...] = ()  # counted minutes per local day; sums to counted_minutes


def _notice_reason(exc: Exclusion, incident: Incident) -> str | None:
    """None when the notice condition holds, else why it fails."""
    if exc.notice_at_least is None:
        return None
    need = format_duration(exc.notice_at_least, days=False)
    if incident.notice_at is None:
        return f"no notice recorded; {exc.category.replace('_', ' ')} needs {need} notice"
    given = incident.started_at - incident.notice_at
    if given < exc.notice_at_least:
        return f"notice {format_duration(max(given, timedelta(0)), days=False)} < {need} required"
    return None


def _recurring_pieces(rw: tuple[RecurringWindow, ...], zone: ZoneInfo, start: int, end: int) -> list[tuple[int, int]]:
    """Parts of [start, end) inside the recurring local windows."""
    out = []
    day = from_ms(start).astimezone(zone).date() - timedelta(days=1)
    last = from_ms(end).astimezone(zone).date()
    while day <= last:
        for w in rw:
            if day.weekday() not in w.days:
                continue
            open_at = datetime.combine(day, time(w.start // 60, w.start % 60), tzinfo=zone)
            close_day = day if w.end > w.start else day + timedelta(days=1)
            close_at = datetime.combine(close_day, time(0), tzinfo=zone) + timedelta(minutes=w.end) if w.end >= 1440 else datetime.combine(close_day, time(w.end // 60, w.end % 60), tzinfo=zone)
            s, e = ms(open_at.astimezone(timezone.utc)), ms(close_at.astimezone(timezone.utc))
            lo, hi = max(s, start), min(e, end)
            if hi > lo:
                out.append((lo, hi))
        day += timedelta(days=1)
    return sorted(out)


def _classify(policy: Policy, incident: Incident, ref: str, start: int, end: int, weight: Decimal) -> list[tuple[int, int, _Seg]]:
    exclusions = {e.category: e for e in policy.exclusions}
    cause = incident.cause
    counted = lambda reason, rule=None: [(start, end, _Seg(incident, ref, True, weight, rule, reason))]  # noqa: E731
    if not cause:
        return counted("counted: no excluded cause recorded")
    exc = exclusions.get(cause)
    if exc is None:
        return counted(f"counted: cause '{cause}' is not excluded by this policy")
    if not exc.excluded:
        return counted(f"counted: {cause.replace('_', ' ')} is covered by this policy (exclusion '{exc.id}' says excluded: false)", exc.id)
    failed = _notice_reason(exc, incident)
    if failed:
        return counted(f"counted: {failed}", exc.id)
    notice = ""
    if exc.notice_at_least is not None and incident.notice_at is not None:
        notice = f" with {format_duration(incident.started_at - incident.notice_at, days=False)} notice ≥ {format_duration(exc.notice_at_least, days=False)} required"
    excluded_reason = f"excluded: {cause.replace('_', ' ')}{notice}"
    if not exc.within:
        return [(start, end, _Seg(incident, ref, False, weight, exc.id, excluded_reason))]
    inside = _recurring_pieces(exc.within, ZoneInfo(policy.timezone), start, end)
    out, cursor = [], start
    for lo, hi in inside:
        if lo > cursor:
            out.append((cursor, lo, _Seg(incident, ref, True, weight, exc.id, "counted: outside the permitted maintenance window")))
        out.append((lo, hi, _Seg(incident, ref, False, weight, exc.id, excluded_reason + ", inside the maintenance window")))
        cursor = hi
    if cursor < end:
        out.append((cursor, end, _Seg(incident, ref, True, weight, exc.id, "counted: outside the permitted maintenance window")))
    return out


def latency_weight(policy: Policy, incident: Incident, ref: str) -> tuple[Decimal, str] | None:
    """Full weight when a latency KPI says time over its threshold counts as downtime."""
    if incident.latency is None:
        return None
    for kpi in policy.kpis:
        if kpi.kind == "latency" and kpi.counts_as_downtime and kpi.threshold is not None and incident.latency > kpi.threshold and ScopeIndex.in_scope(ref, kpi.scope):
            return ONE, f"latency {format_duration(incident.latency)} over the {format_duration(kpi.threshold)} threshold of '{kpi.id}' counts as downtime"
    return None


def downtime(policy: Policy, kpi: Kpi, incidents: tuple[Incident, ...], window: MeasurementWindow, as_of: datetime, index: ScopeIndex, every_kpi: bool = False) -> Downtime:
    """Counted and excluded downtime of one KPI. Incidents derived from a KPI's telemetry
    count for that KPI only, unless `every_kpi` (business impact: all downtime, once)."""
    w_start, w_end = ms(window.start), ms(min(window.end, as_of))
    as_of_ms = ms(as_of)
    spans: list[Span] = []
    trace: list[TraceLine] = []
    for incident in incidents:
        if incident.kpi is not None and incident.kpi != kpi.id and not every_kpi:
            continue
        refs_seen: list[str] = []
        unknown: list[str] = []
        for outage in incident.outages:
            refs = index.resolve(outage.component)
            if not refs:
                unknown.append(outage.component)
            for ref in refs:
                if not index.in_scope(ref, kpi.scope):
                    continue
                start = max(ms(outage.start), w_start)
                end = min(ms(outage.end) if outage.end else as_of_ms, w_end)
                if end <= start:
                    continue
                weight = policy.counting.weight(outage.impact)
                lat = latency_weight(policy, incident, ref)
                refs_seen.append(ref)
                for lo, hi, seg in _classify(policy, incident, ref, start, end, max(weight, lat[0]) if lat else weight):
                    if lat and lat[0] > weight and seg.counted:
                        seg = replace(seg, reason=f"{seg.reason}; {lat[1]}")
                    spans.append(Span(lo, hi, seg))
        if unknown and not refs_seen and _touches(incident, window, as_of):
            trace.append(TraceLine(incident.id, kpi.id, "ignored", Decimal(0), f"ignored: component(s) {', '.join(sorted(set(unknown)))} not in this policy's services", None, tuple(sorted(set(unknown))), incident.started_at, incident.resolved_at, incident.source))
    pieces = _pieces(spans)
    pieces = _apply_caps(policy, pieces)
    # contiguous counted runs -> minimum outage -> rounding
    runs: list[list] = []
    for piece in pieces:
        if piece[2] and piece[3] > 0:
            if runs and runs[-1][-1][1] == piece[0]:
                runs[-1].append(piece)
            else:
                runs.append([piece])
    min_ms = int(policy.counting.minimum_outage.total_seconds() * 1000)
    counted_ms = Decimal(0)
    counted_minutes = Decimal(0)
    kept_runs = []
    per_day: dict[date, Decimal] = {}
    bounds = _day_starts(window)
    dropped: set[int] = set()
    for run in runs:
        raw = run[-1][1] - run[0][0]
        if raw < min_ms:
            dropped.update(id(p) for p in run)
            continue
        weighted = sum((Decimal(p[1] - p[0]) * p[3] for p in run), Decimal(0))
        counted_ms += weighted
        minutes = weighted / MINUTE
        rounding = policy.counting.rounding
        if rounding == "up":
            minutes = minutes.to_integral_value(ROUND_CEILING)
        elif rounding == "down":
            minutes = minutes.to_integral_value(ROUND_FLOOR)
        counted_minutes += minutes
        kept_runs.append((run[0][0], run[-1][1]))
        _spread_by_day(run, weighted, minutes, bounds, per_day)
    excluded_ms = sum((Decimal(p[1] - p[0]) for p in pieces if not p[2]), Decimal(0))
    maint_rules = {e.id for e in policy.exclusions if e.category == "scheduled_maintenance"}
    maint_ms = sum((Decimal(p[1] - p[0]) for p in pieces if not p[2] and any(t.rule in maint_rules for t in p[4])), Decimal(0))
    trace.extend(_trace(kpi, spans, pieces, dropped, policy))
    return Downtime(counted_ms, counted_minutes, excluded_ms / MINUTE, maint_ms / MINUTE, tuple(kept_runs), tuple(trace), tuple(sorted(per_day.items())))


def _day_starts(window: MeasurementWindow) -> tuple[list[int], list[date]]:
    """Local midnights (as ms) from the day before the window to the day after, and their dates."""
    zone = ZoneInfo(window.timezone)
    day = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date() + timedelta(days=1)
    starts, days = [], []
    while day <= last:
        starts.append(ms(datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)))
        days.append(day)
        day += timedelta(days=1)
    return starts, days


def _spread_by_day(run: list[list], weighted: Decimal, minutes: Decimal, bounds: tuple[list[int], list[date]], per_day: dict[date, Decimal]) -> None:
    """Share a run's counted (rounded) minutes among the local days it touches, by weighted time.

    The last day takes the remainder, so the days always add up to the run's minutes exactly.
    """
    starts, names = bounds
    shares: dict[date, Decimal] = {}
    for lo, hi, _counted, weight, _tags in run:
        while lo < hi:
            i = bisect_right(starts, lo) - 1
            cut = min(hi, starts[i + 1])
            shares[names[i]] = shares.get(names[i], Decimal(0)) + Decimal(cut - lo) * weight
            lo = cut
    days = sorted(shares)
    given = Decimal(0)
    for day in days[:-1]:
        part = (minutes * shares[day] / weighted).quantize(Decimal("0.001")) if weighted else Decimal(0)
        per_day[day] = per_day.get(day, Decimal(0)) + part
        given += part
    if days:
        per_day[days[-1]] = per_day.get(days[-1], Decimal(0)) + minutes - given


def _touches(incident: Incident, window: MeasurementWindow, as_of: datetime) -> bool:
    end = incident.resolved_at or as_of
    return incident.started_at < window.end and end > window.start


def _apply_caps(policy: Policy, pieces: list[list]) -> list[list]:
    caps = {e.id: e.cap_per_window for e in policy.exclusions if e.cap_per_window is not None}
    if not caps:
        return pieces
    used = {rule: 0 for rule in caps}
    out = []
    for piece in pieces:
        rule = next((t.rule for t in piece[4] if t.rule in caps), None) if not piece[2] else None
        if rule is None:
            out.append(piece)
            continue
        cap_ms = int(caps[rule].total_seconds() * 1000)
        room = cap_ms - used[rule]
        length = piece[1] - piece[0]
        if room >= length:
            used[rule] += length
            out.append(piece)
            continue
        split = piece[0] + max(room, 0)
        if room > 0:
            used[rule] = cap_ms
            out.append([piece[0], split, False, Decimal(0), piece[4]])
        spill = [_Seg(t.incident, t.ref, True, t.weight, t.rule, f"counted: beyond the {format_duration(caps[rule])} cap of '{rule}' per window") for t in piece[4]]
        out.append([split, piece[1], True, max(t.weight for t in spill), spill])
    return out


def _line_order(item: tuple) -> tuple:
    return item[1][3], item[0]


def _pieces(spans: list[Span]) -> list[list]:
    """The union of spans as elementary pieces [start, end, counted, weight, segs], in time order.

    A piece is counted when any counted segment is active, at the highest active weight
    (overlaps count once, at the worst impact). Only uncounted pieces keep their segments
    (caps and maintenance need them); counted time is traced from the spans themselves.
    """
    points: list[tuple[int, int, int]] = []
    for i, span in enumerate(spans):
        if span.end > span.start:
            points.append((span.start, 1, i))
            points.append((span.end, 0, i))
    points.sort()
    weights: dict[Decimal, int] = {}  # active counted segments per weight
    excluded: dict[int, _Seg] = {}  # active uncounted segments by span index
    out: list[list] = []
    last = None
    for at, is_start, index in points:
        if last is not None and at > last and (weights or excluded):
            if weights:
                out.append([last, at, True, max(weights), []])
            else:
                out.append([last, at, False, Decimal(0), [excluded[i] for i in sorted(excluded)]])
        seg = spans[index].tag
        if seg.counted:
            if is_start:
                weights[seg.weight] = weights.get(seg.weight, 0) + 1
            else:
                weights[seg.weight] -= 1
                if not weights[seg.weight]:
                    del weights[seg.weight]
        elif is_start:
            excluded[index] = seg
        else:
            excluded.pop(index, None)
        last = at
    return out


def _trace(kpi: Kpi, spans: list[Span], pieces: list[list], dropped: set[int], policy: Policy) -> list[TraceLine]:
    """One line per incident, status and reason, with the minutes it contributed.

    Worked out per segment, not per piece: a counted segment lies inside one counted run
    (kept, or dropped as shorter than the minimum outage); an excluded segment contributes
    the excluded pieces it covers (found with prefix sums); cap spills are traced per piece.
    The segments of one incident on several components are merged first, so overlapping
    time counts once per line.
    """
    short = f"ignored: outage shorter than the minimum of {format_duration(policy.counting.minimum_outage)}"
    starts = [p[0] for p in pieces]
    kind = ["D" if p[2] and id(p) in dropped else "C" if p[2] else "X" for p in pieces]
    spill = [p[2] and p[4] for p in pieces]
    prefix = [0]
    for p, k in zip(pieces, kind):
        prefix.append(prefix[-1] + (p[1] - p[0] if k == "X" else 0))
    x_index = [i for i, k in enumerate(kind) if k == "X"]
    groups: dict[tuple, list] = {}
    for span in spans:
        seg = span.tag
        key = (seg.incident.id, seg.counted, seg.reason, seg.rule, seg.weight)
        group = groups.setdefault(key, [seg.incident, [], set()])
        group[1].append((span.start, span.end))
        group[2].add(seg.ref)
    lines: dict[tuple, list] = {}

    def add(line: tuple, incident, minutes: Decimal, refs: set, lo: int, hi: int) -> None:
        entry = lines.get(line)
        if entry is None:
            lines[line] = [incident, minutes, set(refs), lo, hi]
        else:
            entry[1] += minutes
            entry[2] |= refs
            entry[3], entry[4] = min(entry[3], lo), max(entry[4], hi)

    for (inc_id, counted, reason, rule, weight), (incident, intervals, refs) in groups.items():
        for lo, hi in (intervals if len(intervals) == 1 else merge(intervals)):
            if counted and weight == 0:
                add((inc_id, "ignored", "ignored: its impact has weight 0% under this policy", rule), incident, Decimal(0), refs, lo, hi)
            elif counted:
                at = bisect_right(starts, lo) - 1
                if kind[at] == "D":
                    add((inc_id, "ignored", short, rule), incident, Decimal(hi - lo) / MINUTE, refs, lo, hi)
                else:
                    text = reason + (f" (weighted {weight * 100:.0f}% for its impact)" if weight < 1 else "")
                    add((inc_id, "counted", text, rule), incident, Decimal(hi - lo) * weight / MINUTE, refs, lo, hi)
            else:
                first, last = bisect_left(starts, lo), bisect_left(starts, hi)
                total = prefix[last] - prefix[first]
                if total:
                    a, b = bisect_left(x_index, first), bisect_left(x_index, last) - 1
                    add((inc_id, "excluded", reason, rule), incident, Decimal(total) / MINUTE, refs, pieces[x_index[a]][0], pieces[x_index[b]][1])
    for piece, segs in zip(pieces, spill):
        if not segs:
            continue
        seen: set[tuple] = set()
        for seg in segs:  # excluded time beyond a cap, counted again
            line = (seg.incident.id, "counted", seg.reason + (f" (weighted {seg.weight * 100:.0f}% for its impact)" if seg.weight < 1 else ""), seg.rule)
            if line not in seen:
                seen.add(line)
                weight = ONE if id(piece) in dropped else seg.weight
                line = (seg.incident.id, "ignored", short, seg.rule) if id(piece) in dropped else line
                add(line, seg.incident, Decimal(piece[1] - piece[0]) * weight / MINUTE, {seg.ref}, piece[0], piece[1])
    return [
        TraceLine(inc_id, kpi.id, status, minutes, reason, rule, tuple(refs) if len(refs) == 1 else tuple(sorted(refs)), from_ms(lo), from_ms(hi), incident.source)
        for (inc_id, status, reason, rule), (incident, minutes, refs, lo, hi) in sorted(lines.items(), key=_line_order)
    ]

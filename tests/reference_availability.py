"""Reference: the per-piece availability engine as it stood before the fast sweep (kept to check the new one, see test_accounting).

Order of operations (stated once, documented in docs/policy-language.md):
1. each outage of an in-scope component is clipped to the window and to as_of;
2. its incident's cause decides counted or excluded (with notice, maintenance-window and
   cap conditions); a cause the policy lists as covered, or does not list, is counted;
3. overlapping time is a union: where any counted outage with a weight above 0 % is active
   the time is counted once, at the highest active weight, and belongs to one incident (the
   earliest-starting at that weight); every other incident active then gets an *overlap*
   line ("already counted under …") with 0 minutes. Otherwise, where an excluded outage is
   active, the time is excluded once (an outage weighted 0 % never hides an exclusion);
4. excluded time beyond a cap spills back into counted time, in time order; time that an
   uncapped exclusion also covers stays excluded under that exclusion and uses no cap;
5. contiguous counted runs shorter than the minimum outage are dropped (ignored lines); a
   run cut by the window's start or end is judged on its whole outage;
   each run is then rounded as the policy says, and the difference is a `rounding` line.

The trace is the accounting: per KPI, the `counted` lines sum exactly to its downtime and
the `excluded` lines to its excluded minutes (the totals are built from the lines).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from slagen.engine.intervals import from_ms, ms
from slagen.engine.reasons import Reason, seconds
from slagen.engine.result import TraceLine
from slagen.engine.scope import ScopeIndex
from slagen.engine.windows import MeasurementWindow
from slagen.incidents.model import Incident
from slagen.policy.model import Exclusion, Kpi, Policy, RecurringWindow

MINUTE = 60_000
ONE = Decimal(1)
ZERO = Decimal(0)
MAINTENANCE = "scheduled_maintenance"


@dataclass(frozen=True)
class _Seg:
    incident: Incident
    ref: str
    counted: bool
    weight: Decimal
    rule: str | None
    reason: Reason
    start: int
    end: int
    impact: str
    outage_start: int  # the whole outage, before clipping to the window: the minimum outage is judged on it
    outage_end: int


@dataclass(frozen=True)
class Downtime:
    counted_minutes: Decimal  # after minimum outage, weighting and rounding: the sum of the counted trace lines
    excluded_minutes: Decimal  # the sum of the excluded trace lines
    maintenance_excluded_minutes: Decimal
    runs: tuple[tuple[int, int], ...]  # counted runs (ms), for charts and cost
    trace: tuple[TraceLine, ...]
    daily: tuple[tuple[date, Decimal], ...] = ()  # counted minutes per local day; sums to counted_minutes


def _notice_failure(exc: Exclusion, incident: Incident) -> Reason | None:
    """None when the notice condition holds, else why it fails."""
    if exc.notice_at_least is None:
        return None
    need = seconds(exc.notice_at_least)
    if incident.notice_at is None:
        return Reason.of("counted.notice_missing", category=exc.category, rule=exc.id, required_s=need)
    given = incident.started_at - incident.notice_at
    if given < exc.notice_at_least:
        return Reason.of("counted.notice_short", category=exc.category, rule=exc.id, notice_s=max(seconds(given), 0), required_s=need)
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


def classify(policy: Policy, incident: Incident, start: int, end: int, cause: str | None = None) -> list[tuple[int, int, bool, str | None, Reason]]:
    """Cut [start, end) of one outage into (lo, hi, counted, rule, reason) by its cause (the outage's, else its incident's)."""
    exclusions = {e.category: e for e in policy.exclusions}
    cause = cause or incident.cause
    if not cause:
        return [(start, end, True, None, Reason.of("counted.no_cause"))]
    exc = exclusions.get(cause)
    if exc is None:
        return [(start, end, True, None, Reason.of("counted.cause_not_excluded", category=cause))]
    if not exc.excluded:
        return [(start, end, True, exc.id, Reason.of("counted.cause_covered", category=cause, rule=exc.id))]
    failed = _notice_failure(exc, incident)
    if failed:
        return [(start, end, True, exc.id, failed)]
    notice = {}
    if exc.notice_at_least is not None and incident.notice_at is not None:
        notice = {"notice_s": seconds(incident.started_at - incident.notice_at), "required_s": seconds(exc.notice_at_least)}
    if not exc.within:
        return [(start, end, False, exc.id, Reason.of(f"excluded.{cause}", category=cause, rule=exc.id, **notice))]
    inside = _recurring_pieces(exc.within, ZoneInfo(policy.timezone), start, end)
    outside = Reason.of("counted.outside_maintenance_window", category=cause, rule=exc.id)
    within = Reason.of(f"excluded.{cause}", category=cause, rule=exc.id, inside_window=True, **notice)
    out, cursor = [], start
    for lo, hi in inside:
        if lo > cursor:
            out.append((cursor, lo, True, exc.id, outside))
        out.append((lo, hi, False, exc.id, within))
        cursor = hi
    if cursor < end:
        out.append((cursor, end, True, exc.id, outside))
    return out


def latency_weight(policy: Policy, incident: Incident, ref: str) -> tuple[Decimal, Reason] | None:
    """Full weight when a latency KPI says time over its threshold counts as downtime."""
    if incident.latency is None:
        return None
    for kpi in policy.kpis:
        if kpi.kind == "latency" and kpi.counts_as_downtime and kpi.threshold is not None and incident.latency > kpi.threshold and ScopeIndex.in_scope(ref, kpi.scope):
            return ONE, Reason.of("counted.latency_over_threshold", latency_kpi=kpi.id, latency_s=seconds(incident.latency), threshold_s=seconds(kpi.threshold))
    return None


def _segments(policy: Policy, kpi: Kpi, incidents, window: MeasurementWindow, as_of: datetime, index: ScopeIndex, every_kpi: bool, trace: list[TraceLine]) -> list[_Seg]:
    w_start, w_end = ms(window.start), ms(min(window.end, as_of))
    as_of_ms = ms(as_of)
    segs: list[_Seg] = []
    for incident in incidents:
        if incident.kpi is not None and incident.kpi != kpi.id and not every_kpi:
            continue
        seen = False
        unknown: list[str] = []
        for outage in incident.outages:
            refs = index.resolve(outage.component) or (index.resolve(outage.component_id) if outage.component_id else ())
            if not refs:
                unknown.append(outage.component)
            for ref in refs:
                if not index.in_scope(ref, kpi.scope):
                    continue
                full_start, full_end = ms(outage.start), min(ms(outage.end) if outage.end else as_of_ms, as_of_ms)
                start = max(full_start, w_start)
                end = min(full_end, w_end)
                if end <= start:
                    continue
                seen = True
                weight = policy.counting.weight(outage.impact)
                lat = latency_weight(policy, incident, ref)
                for lo, hi, counted, rule, reason in classify(policy, incident, start, end, outage.cause):
                    w = weight
                    if lat and lat[0] > weight:
                        w = lat[0]
                        if counted:
                            reason = Reason(lat[1].code, tuple(sorted(lat[1].params + tuple(p for p in reason.params if p[0] == "category"))))
                    segs.append(_Seg(incident, ref, counted, w, rule, reason, lo, hi, outage.impact, full_start, full_end))
        if unknown and not seen and _touches(incident, window, as_of):
            names = tuple(sorted(set(unknown)))
            trace.append(TraceLine(incident.id, kpi.id, "ignored", ZERO, Reason.of("ignored.unknown_component", components=names), None, names,
                                   incident.started_at, incident.resolved_at, incident.source))
    return segs


def _sweep(segs: list[_Seg]) -> list[list]:
    """Elementary pieces [lo, hi, kind, weight, counted, excluded, zero] in time order.

    kind: "C" counted (a counted segment above 0 % is active), "X" excluded, "Z" only
    segments weighted 0 %. The three lists hold the indices of the active segments.
    """
    points = []
    for i, s in enumerate(segs):
        points.append((s.start, 1, i))
        points.append((s.end, 0, i))
    points.sort()
    counted: dict[int, Decimal] = {}  # active segments by kind, kept apart so a piece copies, never filters
    excluded: dict[int, None] = {}
    zero: dict[int, None] = {}
    weights: dict[Decimal, int] = {}  # active counted segments per weight above 0
    out: list[list] = []
    last = None
    for at, is_start, i in points:
        if last is not None and at > last:
            if counted:
                out.append([last, at, "C", max(weights), list(counted), list(excluded), list(zero)])
            elif excluded:
                out.append([last, at, "X", ZERO, [], list(excluded), list(zero)])
            elif zero:
                out.append([last, at, "Z", ZERO, [], [], list(zero)])
        seg = segs[i]
        if not seg.counted:
            target = excluded
        elif seg.weight == 0:
            target = zero
        else:
            target = counted
            weights[seg.weight] = weights.get(seg.weight, 0) + (1 if is_start else -1)
            if not weights[seg.weight]:
                del weights[seg.weight]
        if is_start:
            target[i] = None
        else:
            target.pop(i, None)
        last = at
    return out


def _caps(policy: Policy, segs: list[_Seg], pieces: list[list], rank) -> list[list]:
    """Give each excluded piece its owner and spill capped time back as counted ("S").

    Time an uncapped exclusion covers stays excluded under it and uses no cap; capped
    exclusions use their caps in time order; what no cap has room for is counted again,
    at the outage's weight. Appends the owner index to every X and S piece.
    """
    caps = {e.id: int(e.cap_per_window.total_seconds() * 1000) for e in policy.exclusions if e.cap_per_window is not None}
    used = dict.fromkeys(caps, 0)
    out: list[list] = []
    for piece in pieces:
        if piece[2] != "X":
            out.append(piece)
            continue
        order = sorted(piece[5], key=rank)
        free = [j for j in order if segs[j].rule not in caps]
        if free:
            out.append(piece + [free[0]])
            continue
        lo, hi = piece[0], piece[1]
        for j in order:
            rule = segs[j].rule
            take = min(caps[rule] - used[rule], hi - lo)
            if take > 0:
                used[rule] += take
                out.append([lo, lo + take, "X", ZERO, piece[4], piece[5], piece[6], j])
                lo += take
            if lo >= hi:
                break
        if lo < hi:
            owner = order[0]
            out.append([lo, hi, "S", max(segs[j].weight for j in order), piece[4], piece[5], piece[6], owner])
    return out


def downtime(policy: Policy, kpi: Kpi, incidents, window: MeasurementWindow, as_of: datetime, index: ScopeIndex, every_kpi: bool = False) -> Downtime:
    """Counted and excluded downtime of one KPI, with its trace lines. Incidents derived
    from a KPI's telemetry count for that KPI only, unless `every_kpi` (business impact)."""
    trace: list[TraceLine] = []
    segs = _segments(policy, kpi, incidents, window, as_of, index, every_kpi, trace)
    order = sorted(range(len(segs)), key=lambda j: (segs[j].start, segs[j].incident.id, j))
    ranks = [0] * len(segs)
    for r, j in enumerate(order):
        ranks[j] = r
    rank = ranks.__getitem__
    pieces = _caps(policy, segs, _sweep(segs), rank)
    caps = {e.id: e.cap_per_window for e in policy.exclusions if e.cap_per_window is not None}

    # contiguous counted runs -> minimum outage -> rounding
    runs: list[list[list]] = []
    for piece in pieces:
        if piece[2] in "CS" and piece[3] > 0:
            if runs and runs[-1][-1][1] == piece[0]:
                runs[-1].append(piece)
            else:
                runs.append([piece])
    min_ms = int(policy.counting.minimum_outage.total_seconds() * 1000)
    dropped: set[int] = set()
    kept: list[list[list]] = []
    for run in runs:
        if min_ms and _run_length(run, segs, ms(window.start), ms(window.end)) < min_ms:
            dropped.update(id(p) for p in run)
        else:
            kept.append(run)

    lines: dict[tuple, list] = {}

    def add(seg: _Seg, status: str, reason: Reason, weighted: Decimal, span: int, lo: int, hi: int, weight: Decimal | None) -> tuple:
        key = (seg.incident.id, status, reason, seg.rule, weight)
        entry = lines.get(key)
        if entry is None:
            lines[key] = [seg.incident, weighted, span, {seg.ref}, lo, hi]
        else:
            entry[1] += weighted
            entry[2] += span
            entry[3].add(seg.ref)
            entry[4], entry[5] = min(entry[4], lo), max(entry[5], hi)
        return key

    short = Reason.of("ignored.below_minimum", minimum_s=seconds(policy.counting.minimum_outage))
    cached: dict[tuple, Reason] = {}  # reasons made per piece are few distinct values: build each once

    def reason(code: str, name: str, value) -> Reason:
        key = (code, value)
        found = cached.get(key)
        if found is None:
            found = cached[key] = Reason(code, ((name, value),))
        return found

    maint_rules = {e.id for e in policy.exclusions if e.category == MAINTENANCE}
    spills: dict[tuple, Reason] = {}
    pending: dict[tuple, list] = {}  # 0-minute lines (overlap, ignored) summed per segment first: many pieces, few lines

    def defer(j: int, tag, length: int, lo: int, hi: int) -> None:
        """tag: None (shorter than the minimum), "zero" (weighted 0 %) or (status, under) for overlap."""
        entry = pending.get((j, tag))
        if entry is None:
            pending[(j, tag)] = [length, lo, hi]
        else:
            entry[0] += length
            entry[2] = hi  # pieces come in time order

    def beyond_cap(seg: _Seg) -> Reason:
        key = (seg.incident.cause, seg.rule)
        if key not in spills:
            spills[key] = Reason.of("counted.beyond_cap", category=seg.incident.cause, rule=seg.rule, cap_s=seconds(caps[seg.rule]))
        return spills[key]

    maint_ms = 0
    for piece in pieces:
        lo, hi, kind = piece[0], piece[1], piece[2]
        length = hi - lo
        if kind == "C":
            owner = min((j for j in piece[4] if segs[j].weight == piece[3]), key=rank)
        elif kind in "XS":
            owner = piece[7]
        else:
            owner = None
        owner_seg = segs[owner] if owner is not None else None
        is_dropped = id(piece) in dropped
        owner_key = None
        if owner_seg is not None:
            if kind == "X":
                owner_key = add(owner_seg, "excluded", owner_seg.reason, Decimal(length), length, lo, hi, None)
                if any(segs[j].rule in maint_rules for j in piece[5]):
                    maint_ms += length
            elif is_dropped:
                owner_key = add(owner_seg, "ignored", short, ZERO, length, lo, hi, None)
            else:
                weight = piece[3]
                why = owner_seg.reason if kind == "C" else beyond_cap(owner_seg)
                owner_key = add(owner_seg, "counted", why, Decimal(length) * weight, length, lo, hi, weight if weight != ONE else None)
        under = owner_seg.incident.id if owner_seg is not None else None
        status_under = "excluded" if kind == "X" else "counted"
        done = {under}
        for j in (*piece[4], *piece[5]):
            if j == owner:
                continue
            seg = segs[j]
            if seg.incident.id in done:
                if seg.incident.id == under:
                    lines[owner_key][3].add(seg.ref)
                continue
            done.add(seg.incident.id)
            defer(j, None if is_dropped else (status_under, under), length, lo, hi)
        for j in piece[6]:
            seg = segs[j]
            if seg.incident.id in done:
                continue
            done.add(seg.incident.id)
            defer(j, "zero", length, lo, hi)
    for (j, tag), (span, lo, hi) in pending.items():
        if tag is None:
            add(segs[j], "ignored", short, ZERO, span, lo, hi, None)
        elif tag == "zero":
            add(segs[j], "ignored", reason("ignored.zero_weight", "impact", segs[j].impact), ZERO, span, lo, hi, None)
        else:
            add(segs[j], "overlap", reason("overlap." + tag[0], "under", tag[1]), ZERO, span, lo, hi, None)

    counted_lines: list[TraceLine] = []
    sums = {"counted": [ZERO, ZERO], "excluded": [ZERO, ZERO]}  # per status: exact weighted ms, sum of the lines' minutes
    for (inc_id, status, reason, rule, weight), (incident, weighted, span, refs, lo, hi) in lines.items():
        minutes = (weighted / MINUTE).normalize() if weighted else ZERO
        if status in sums:
            sums[status][0] += weighted
            sums[status][1] += minutes
        counted_lines.append(TraceLine(inc_id, kpi.id, status, minutes, reason, rule, tuple(sorted(refs)), from_ms(lo), from_ms(hi),
                                       incident.source, Decimal(span) / MINUTE, weight))
    counted_lines.sort(key=lambda t: (t.start, _STATUS_ORDER[t.status], t.incident))
    # A total is one division of the exact milliseconds (so cutting an outage in two never
    # changes it); each line's own division may differ from it in the 28th digit, and the
    # last line of the status takes that remainder, so the lines still add up exactly.
    counted_total = (sums["counted"][0] / MINUTE).normalize() if sums["counted"][0] else ZERO
    excluded_total = (sums["excluded"][0] / MINUTE).normalize() if sums["excluded"][0] else ZERO
    for status, total_of in (("counted", counted_total), ("excluded", excluded_total)):
        diff = total_of - sums[status][1]
        if diff:
            last = max(i for i, t in enumerate(counted_lines) if t.status == status)
            counted_lines[last] = replace(counted_lines[last], minutes=counted_lines[last].minutes + diff)
    trace.extend(counted_lines)

    # rounding per run, shown as one line; days share each run's minutes
    rounding = policy.counting.rounding
    per_day: dict[date, Decimal] = {}
    bounds = _day_starts(window)
    total = ZERO
    for run in kept:
        weighted = sum((Decimal(p[1] - p[0]) * p[3] for p in run), ZERO)
        minutes = weighted / MINUTE
        if rounding == "up":
            minutes = minutes.to_integral_value(ROUND_CEILING)
        elif rounding == "down":
            minutes = minutes.to_integral_value(ROUND_FLOOR)
        total += minutes
        _spread_by_day(run, weighted, minutes, bounds, per_day)
    if rounding in ("up", "down") and total != counted_total:
        trace.append(TraceLine("", kpi.id, "counted", total - counted_total, Reason.of(f"rounding.{rounding}", runs=len(kept)), None, (), window.start, min(window.end, as_of), ""))
        counted_total = total
    elif rounding not in ("up", "down"):
        total = counted_total
    _settle_days(per_day, counted_total)
    return Downtime(counted_total.normalize() if counted_total else ZERO, excluded_total.normalize() if excluded_total else ZERO, Decimal(maint_ms) / MINUTE, tuple((r[0][0], r[-1][1]) for r in kept), tuple(trace), tuple(sorted(per_day.items())))


def _run_length(run: list[list], segs: list[_Seg], w_start: int, w_end: int) -> int:
    """How long a counted run's outage lasted: a run cut by the window's start or end is
    judged on the whole outage (a 5-minute outage across midnight is not two short ones)."""
    start, end = run[0][0], run[-1][1]
    if start == w_start:
        first = run[0]
        start = min((segs[j].outage_start for j in (first[4] if first[2] == "C" else first[5])), default=start)
    if end == w_end:
        last = run[-1]
        end = max((segs[j].outage_end for j in (last[4] if last[2] == "C" else last[5])), default=end)
    return end - start


_STATUS_ORDER = {"counted": 0, "excluded": 1, "overlap": 2, "ignored": 3}


def _settle_days(per_day: dict[date, Decimal], total: Decimal) -> None:
    """Make the days add up to the KPI's minutes exactly (the last day takes any remainder
    of decimal division, far below a millisecond)."""
    if not per_day:
        return
    diff = total - sum(per_day.values(), ZERO)
    if diff:
        last = max(per_day)
        per_day[last] += diff


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
    for piece in run:
        lo, hi, weight = piece[0], piece[1], piece[3]
        while lo < hi:
            i = bisect_right(starts, lo) - 1
            cut = min(hi, starts[i + 1])
            shares[names[i]] = shares.get(names[i], ZERO) + Decimal(cut - lo) * weight
            lo = cut
    days = sorted(shares)
    given = ZERO
    for day in days[:-1]:
        part = (minutes * shares[day] / weighted).quantize(Decimal("0.001")) if weighted else ZERO
        per_day[day] = per_day.get(day, ZERO) + part
        given += part
    if days:
        per_day[days[-1]] = per_day.get(days[-1], ZERO) + minutes - given


def _touches(incident: Incident, window: MeasurementWindow, as_of: datetime) -> bool:
    end = incident.resolved_at or as_of
    return incident.started_at < window.end and end > window.start

"""Availability KPIs: downtime as a union of in-scope outages, minus exclusions, as an accounting.

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
from functools import lru_cache
from heapq import heappop, heappush
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from slagen.engine.intervals import from_ms, merge, ms
from slagen.engine.reasons import Reason, seconds
from slagen.engine.result import Budget, KpiResult, TraceLine
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
    cause: str | None = None  # the outage's cause, else its incident's
    zero_reason: Reason | None = None  # why it weighs 0 % when not its impact (an affected share below the policy's threshold)


@dataclass(frozen=True)
class Downtime:
    counted_minutes: Decimal  # after minimum outage, weighting and rounding: the sum of the counted trace lines
    excluded_minutes: Decimal  # the sum of the excluded trace lines
    maintenance_excluded_minutes: Decimal
    runs: tuple[tuple[int, int], ...]  # counted runs (ms), for charts and cost
    trace: tuple[TraceLine, ...]
    daily: tuple[tuple[date, Decimal], ...] = ()  # counted minutes per local day; sums to counted_minutes
    year_used: tuple[tuple[str, int], ...] = ()  # per exclusion with a cap per year: ms used in the year up to this window's end
    hourly: tuple[tuple[datetime, Decimal], ...] = ()  # exact counted minutes per local clock hour, when asked for


@lru_cache(maxsize=4096)
def _reason(code: str, **params) -> Reason:
    """The same few reasons are made for thousands of outages and pieces: build each once."""
    return Reason.of(code, **params)


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
    """Cut [start, end) of one outage into (lo, hi, counted, rule, reason) by its cause (the
    outage's own, e.g. a Statuspage component under maintenance, else its incident's)."""
    exclusions = {e.category: e for e in policy.exclusions}
    cause = cause or incident.cause
    if not cause:
        return [(start, end, True, None, _reason("counted.no_cause"))]
    exc = exclusions.get(cause)
    if exc is None:
        return [(start, end, True, None, _reason("counted.cause_not_excluded", category=cause))]
    if not exc.excluded:
        return [(start, end, True, exc.id, _reason("counted.cause_covered", category=cause, rule=exc.id))]
    failed = _notice_failure(exc, incident)
    if failed:
        return [(start, end, True, exc.id, failed)]
    notice = {}
    if exc.notice_at_least is not None and incident.notice_at is not None:
        notice = {"notice_s": seconds(incident.started_at - incident.notice_at), "required_s": seconds(exc.notice_at_least)}
    if not exc.within:
        return [(start, end, False, exc.id, _reason(f"excluded.{cause}", category=cause, rule=exc.id, **notice))]
    inside = _recurring_pieces(exc.within, ZoneInfo(policy.timezone), start, end)
    outside = _reason("counted.outside_maintenance_window", category=cause, rule=exc.id)
    within = _reason(f"excluded.{cause}", category=cause, rule=exc.id, inside_window=True, **notice)
    out, cursor = [], start
    for lo, hi in inside:
        if lo > cursor:
            out.append((cursor, lo, True, exc.id, outside))
        out.append((lo, hi, False, exc.id, within))
        cursor = hi
    if cursor < end:
        out.append((cursor, end, True, exc.id, outside))
    return out


def affected_factor(policy: Policy, incident: Incident) -> tuple[Decimal, Reason | None] | None:
    """How an incident's affected share changes its weight (counting.affected_percent):
    None (not at all), (share, None) for 'weight', (1, None) or (0, why) for a threshold."""
    pct, counting = incident.affected_percent, policy.counting
    if pct is None or counting.affected == "ignore":
        return None
    if counting.affected == "weight":
        return pct / 100, None
    bound = counting.affected_bound
    if (pct > bound) if counting.affected == "more_than" else (pct >= bound):
        return ONE, None
    code = "ignored.affected_not_more_than" if counting.affected == "more_than" else "ignored.affected_below"
    return ZERO, _reason(code, affected_pct=pct, bound_pct=bound)


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
                share = affected_factor(policy, incident)
                for lo, hi, counted, rule, reason in classify(policy, incident, start, end, outage.cause):
                    w = weight
                    if lat and lat[0] > weight:
                        w = lat[0]
                        if counted:
                            reason = Reason(lat[1].code, tuple(sorted(lat[1].params + tuple(p for p in reason.params if p[0] == "category"))))
                    zero = None
                    if outage.share is not None and counted:  # a period counted by its measured error rate (averaged error rates)
                        w = w * outage.share
                        reason = _reason(reason.code, **reason.args, error_pct=outage.share * 100)
                    if share is not None and counted:
                        w, zero = w * share[0], share[1]
                        if policy.counting.affected == "weight":  # user-minutes: the line says which share weighed it
                            reason = _reason(reason.code, **reason.args, affected_pct=incident.affected_percent)
                    segs.append(_Seg(incident, ref, counted, w, rule, reason, lo, hi, outage.impact, full_start, full_end, outage.cause or incident.cause, zero))
        if unknown and not seen and _touches(incident, window, as_of):
            names = tuple(sorted(set(unknown)))
            trace.append(TraceLine(incident.id, kpi.id, "ignored", ZERO, Reason.of("ignored.unknown_component", components=names), None, names,
                                   incident.started_at, incident.resolved_at, incident.source, finding=_finding(incident)))
    return segs


def _finding(incident) -> Reason | None:
    """What a derived incident's source observed (Incident.finding), as a Reason for the trace."""
    return None if incident.finding is None else Reason(*incident.finding)


def _sweep(segs: list[_Seg], ranks: list[int]) -> list[list]:
    """Elementary pieces [lo, hi, kind, weight, owner, excluded] in time order.

    kind "C": a counted segment above 0 % is active; the piece is counted at the highest
    active weight and `owner` is the earliest-ranked segment at that weight (a heap per
    weight, so a piece costs O(log n), not O(active)). kind "X": only excluded segments are
    active; `excluded` lists them (caps and maintenance need them). Time with only 0 %
    segments is no piece: the trace pass words it.
    """
    points = []
    for i, s in enumerate(segs):
        if s.counted and s.weight == 0:
            continue
        points.append((s.start, 1, i))
        points.append((s.end, 0, i))
    points.sort()
    alive: set[int] = set()
    excluded: dict[int, None] = {}
    heaps: dict[Decimal, list[tuple[int, int]]] = {}
    weights: dict[Decimal, int] = {}  # active counted segments per weight
    out: list[list] = []
    last = None
    for at, is_start, i in points:
        if last is not None and at > last:
            if weights:
                top = max(weights)
                heap = heaps[top]
                while heap[0][1] not in alive:
                    heappop(heap)
                out.append([last, at, "C", top, heap[0][1], None])
            elif excluded:
                out.append([last, at, "X", ZERO, None, list(excluded)])
        seg = segs[i]
        if not seg.counted:
            if is_start:
                excluded[i] = None
            else:
                excluded.pop(i, None)
        else:
            w = seg.weight
            if is_start:
                alive.add(i)
                heappush(heaps.setdefault(w, []), (ranks[i], i))
                weights[w] = weights.get(w, 0) + 1
            else:
                alive.discard(i)
                weights[w] -= 1
                if not weights[w]:
                    del weights[w]
        last = at
    return out


def cap_room(policy: Policy, used_before: dict[str, int] | None) -> dict[str, tuple[int, bool]]:
    """Per capped exclusion: the ms it may exclude in this window, and whether the year's cap
    (what is left of it after the year's earlier windows) is what limits it."""
    room = {}
    for e in policy.exclusions:
        if e.cap_per_window is None and e.cap_per_year is None:
            continue
        per_window = int(e.cap_per_window.total_seconds() * 1000) if e.cap_per_window is not None else None
        year_left = max(int(e.cap_per_year.total_seconds() * 1000) - (used_before or {}).get(e.id, 0), 0) if e.cap_per_year is not None else None
        if per_window is None or (year_left is not None and year_left < per_window):
            room[e.id] = (year_left, True)
        else:
            room[e.id] = (per_window, False)
    return room


def _caps(policy: Policy, segs: list[_Seg], pieces: list[list], rank, room: dict[str, tuple[int, bool]], used: dict[str, int]) -> list[list]:
    """Give each excluded piece its owner and spill capped time back as counted ("S").

    Time an uncapped exclusion covers stays excluded under it and uses no cap; capped
    exclusions use their caps (per window, or what is left of the year's) in time order; what
    no cap has room for is counted again, at the outage's weight. Sets the owner of every X
    and S piece; `used` receives the ms each capped exclusion used.
    """
    caps = {rule: limit for rule, (limit, _) in room.items()}
    used.update(dict.fromkeys(caps, 0))
    out: list[list] = []
    for piece in pieces:
        if piece[2] != "X":
            out.append(piece)
            continue
        order = sorted(piece[5], key=rank) if len(piece[5]) > 1 else piece[5]
        free = next((j for j in order if segs[j].rule not in caps), None)
        if free is not None:
            piece[4] = free
            out.append(piece)
            continue
        lo, hi = piece[0], piece[1]
        for j in order:
            rule = segs[j].rule
            take = min(caps[rule] - used[rule], hi - lo)
            if take > 0:
                used[rule] += take
                out.append([lo, lo + take, "X", ZERO, j, piece[5]])
                lo += take
            if lo >= hi:
                break
        if lo < hi:
            out.append([lo, hi, "S", max(segs[j].weight for j in order), order[0], piece[5]])
    return out


def downtime(policy: Policy, kpi: Kpi, incidents, window: MeasurementWindow, as_of: datetime, index: ScopeIndex, every_kpi: bool = False,
             with_trace: bool = True, used_before: dict[str, int] | None = None, hourly: bool = False) -> Downtime:
    """Counted and excluded downtime of one KPI, with its trace lines. Incidents derived
    from a KPI's telemetry count for that KPI only, unless `every_kpi` (business impact).
    Without `with_trace` (trend windows nobody reads line by line) the totals are the same
    sums, but no trace line objects are made."""
    trace: list[TraceLine] = []
    segs = _segments(policy, kpi, incidents, window, as_of, index, every_kpi, trace)
    order = sorted(range(len(segs)), key=lambda j: (segs[j].start, segs[j].incident.id, j))
    ranks = [0] * len(segs)
    for r, j in enumerate(order):
        ranks[j] = r
    rank = ranks.__getitem__
    room = cap_room(policy, used_before)
    used: dict[str, int] = {}
    pieces = _caps(policy, segs, _sweep(segs, ranks), rank, room, used)
    year_caps = {e.id: e.cap_per_year for e in policy.exclusions if e.cap_per_year is not None}
    year_used = tuple(sorted((rule, (used_before or {}).get(rule, 0) + used.get(rule, 0)) for rule in year_caps))
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
    maint_rules = {e.id for e in policy.exclusions if e.category == MAINTENANCE}
    pending: dict[tuple, list] = {}  # 0-minute lines (overlap, ignored) summed per segment first: many pieces, few lines

    def defer(j: int, tag, length: int, lo: int, hi: int) -> None:
        """tag: None (shorter than the minimum), "zero" (weighted 0 %) or (status, under) for overlap."""
        entry = pending.get((j, tag))
        if entry is None:
            pending[(j, tag)] = [length, lo, hi]
        else:
            entry[0] += length
            entry[1], entry[2] = min(entry[1], lo), max(entry[2], hi)

    def beyond_cap(seg: _Seg) -> Reason:
        if room[seg.rule][1]:  # the year's cap is what ran out
            return _reason("counted.beyond_year_cap", category=seg.cause, rule=seg.rule, cap_s=seconds(year_caps[seg.rule]),
                           used_s=(used_before or {}).get(seg.rule, 0) // 1000)
        return _reason("counted.beyond_cap", category=seg.cause, rule=seg.rule, cap_s=seconds(caps[seg.rule]))

    maint_ms = 0
    # pieces with one owner and one wording, merged: [lo, hi, owner, status of the time, dropped, line status, reason, weight, weighted ms]
    owner_runs: list[list] = []
    for piece in pieces:
        lo, hi, kind, owner = piece[0], piece[1], piece[2], piece[4]
        length = hi - lo
        is_dropped = id(piece) in dropped
        weight = piece[3]
        if kind == "X":
            line, why, weight = "excluded", segs[owner].reason, ONE
            if maint_rules and any(segs[j].rule in maint_rules for j in piece[5]):
                maint_ms += length
        elif is_dropped:
            line, why, weight = "ignored", short, ZERO
        else:
            line, why = "counted", segs[owner].reason if kind == "C" else beyond_cap(segs[owner])
        status = "excluded" if kind == "X" else "counted"
        last = owner_runs[-1] if owner_runs else None
        if last is not None and last[1] == lo and last[2] == owner and last[3] == status and last[4] == is_dropped and last[6] is why and last[7] == weight:
            last[1] = hi
            last[8] += length
        else:
            owner_runs.append([lo, hi, owner, status, is_dropped, line, why, weight, length])
    for run in owner_runs:
        lo, hi, owner, _status, _dropped, line, why, weight, length = run
        weighted = Decimal(length) if line == "excluded" else (Decimal(length) * weight if line == "counted" else ZERO)
        run[5] = add(segs[owner], line, why, weighted, length, lo, hi, weight if line == "counted" and weight != ONE else None)
    owner_runs = [r[:6] for r in owner_runs]

    # every other incident's time under an owner: overlap (0 min), or ignored when the run
    # was dropped or the outage is weighted 0 %. Per incident, its segments' union first,
    # so an incident on two components is one line, not two.
    starts = [r[0] for r in owner_runs]
    by_incident: dict[tuple, list[int]] = {}
    for j, seg in enumerate(segs):
        by_incident.setdefault((seg.incident.id, seg.counted and seg.weight == 0), []).append(j)
    for (inc_id, is_zero), members in by_incident.items():
        first = members[0]
        intervals = [(segs[j].start, segs[j].end) for j in members]
        for s_lo, s_hi in (intervals if len(intervals) == 1 else merge(intervals)):
            k = max(bisect_right(starts, s_lo) - 1, 0)
            cursor = s_lo  # zero-weight time is worded where no run of its own incident covers it
            while k < len(owner_runs) and owner_runs[k][0] < s_hi:
                r_lo, r_hi, owner, status, is_dropped, owner_key = owner_runs[k]
                k += 1
                lo, hi = max(s_lo, r_lo), min(s_hi, r_hi)
                if hi <= lo:
                    continue
                if segs[owner].incident.id == inc_id:
                    if is_zero:
                        if lo > cursor:
                            defer(first, "zero", lo - cursor, cursor, lo)
                        cursor = hi
                    else:
                        lines[owner_key][3].update(segs[j].ref for j in members if segs[j].start < hi and segs[j].end > lo)
                    continue
                if is_zero:
                    continue
                defer(first, None if is_dropped else (status, segs[owner].incident.id), hi - lo, lo, hi)
            if is_zero and cursor < s_hi:
                defer(first, "zero", s_hi - cursor, cursor, s_hi)
    for (j, tag), (span, lo, hi) in pending.items():
        if tag is None:
            add(segs[j], "ignored", short, ZERO, span, lo, hi, None)
        elif tag == "zero":
            add(segs[j], "ignored", segs[j].zero_reason or _reason("ignored.zero_weight", impact=segs[j].impact), ZERO, span, lo, hi, None)
        else:
            add(segs[j], "overlap", _reason("overlap." + tag[0], under=tag[1]), ZERO, span, lo, hi, None)

    counted_lines: list[TraceLine] = []
    sums = {"counted": [ZERO, ZERO], "excluded": [ZERO, ZERO]}  # per status: exact weighted ms, sum of the lines' minutes
    for (inc_id, status, reason, rule, weight), (incident, weighted, span, refs, lo, hi) in lines.items():
        minutes = (weighted / MINUTE).normalize() if weighted else ZERO
        if status in sums:
            sums[status][0] += weighted
            sums[status][1] += minutes
        if not with_trace:
            continue
        counted_lines.append(TraceLine(inc_id, kpi.id, status, minutes, reason, rule, tuple(sorted(refs)), from_ms(lo), from_ms(hi),
                                       incident.source, Decimal(span) / MINUTE, weight, _finding(incident)))
    counted_lines.sort(key=lambda t: (t.start, _STATUS_ORDER[t.status], t.incident))
    # A total is one division of the exact milliseconds (so cutting an outage in two never
    # changes it); each line's own division may differ from it in the 28th digit, and the
    # last line of the status takes that remainder, so the lines still add up exactly.
    counted_total = (sums["counted"][0] / MINUTE).normalize() if sums["counted"][0] else ZERO
    excluded_total = (sums["excluded"][0] / MINUTE).normalize() if sums["excluded"][0] else ZERO
    for status, total_of in (("counted", counted_total), ("excluded", excluded_total)):
        diff = total_of - sums[status][1]
        if diff and with_trace:
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
        if with_trace:
            trace.append(TraceLine("", kpi.id, "counted", total - counted_total, Reason.of(f"rounding.{rounding}", runs=len(kept)), None, (), window.start, min(window.end, as_of), ""))
        counted_total = total
    _settle_days(per_day, counted_total)
    return Downtime(counted_total.normalize() if counted_total else ZERO, excluded_total.normalize() if excluded_total else ZERO, Decimal(maint_ms) / MINUTE, tuple((r[0][0], r[-1][1]) for r in kept), tuple(trace), tuple(sorted(per_day.items())),
                    year_used, _hourly(kept, ZoneInfo(window.timezone)) if hourly else ())


def _hourly(kept: list[list[list]], zone: ZoneInfo) -> tuple[tuple[datetime, Decimal], ...]:
    """Exact counted minutes (weighted, after the minimum outage, before rounding) per local
    clock hour, keyed by the hour's start in UTC; a DST hour repeated is two hours."""
    hour = 3_600_000
    out: dict[int, Decimal] = {}
    for run in kept:
        for piece in run:
            lo, hi, weight = piece[0], piece[1], piece[3]
            while lo < hi:
                offset = int(from_ms(lo).astimezone(zone).utcoffset().total_seconds() * 1000)
                start = (lo + offset) // hour * hour - offset
                cut = min(hi, start + hour)
                out[start] = out.get(start, ZERO) + Decimal(cut - lo) * weight / MINUTE
                lo = cut
    return tuple((from_ms(start), minutes) for start, minutes in sorted(out.items()) if minutes > 0)


def year_start(policy: Policy, window: MeasurementWindow) -> datetime:
    """The start of the year a cap per year counts in: the fiscal year of a fiscal window,
    else the calendar year (in the policy's zone) the window starts in."""
    from slagen.engine.windows import fiscal_year_start

    zone = ZoneInfo(policy.timezone)
    first = window.start.astimezone(zone).date()
    day = fiscal_year_start(policy.window.start_month or 1, first) if policy.window.start_month else date(first.year, 1, 1)
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def used_in_year(policy: Policy, kpi: Kpi, incidents, window: MeasurementWindow, as_of: datetime, index: ScopeIndex) -> dict[str, int] | None:
    """Ms each exclusion with a cap per year used in the year's windows before `window`
    (each window with its own per-window cap, in time order); None without such a cap."""
    if not any(e.cap_per_year is not None for e in policy.exclusions):
        return None
    from slagen.engine.windows import window_containing

    start = year_start(policy, window)
    used: dict[str, int] = {}
    earlier = window_containing(policy, start)
    if earlier.start < start:  # a billing cycle begun in the year before counts there
        earlier = window_containing(policy, earlier.end)
    while earlier.start < window.start:
        used = dict(downtime(policy, kpi, incidents, earlier, as_of, index, with_trace=False, used_before=used).year_used)
        earlier = window_containing(policy, earlier.end)
    return used


def _run_length(run: list[list], segs: list[_Seg], w_start: int, w_end: int) -> int:
    """How long a counted run's outage lasted: a run cut by the window's start or end is
    judged on the whole outage (a 5-minute outage across midnight is not two short ones)."""
    start, end = run[0][0], run[-1][1]
    if start == w_start:
        first = run[0]
        start = min((segs[j].outage_start for j in ((first[4],) if first[2] == "C" else first[5])), default=start)
    if end == w_end:
        last = run[-1]
        end = max((segs[j].outage_end for j in ((last[4],) if last[2] == "C" else last[5])), default=end)
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


_HUNDRED = Decimal(100)


def availability_kpi(context, kpi: Kpi) -> tuple[KpiResult, tuple[TraceLine, ...]]:
    """An availability KPI's result: downtime against the window's (or the fixed) minutes,
    the allowance the objective gives, the mid-window budget; with its trace lines."""
    policy, window, as_of, insufficient = context.policy, context.window, context.as_of, context.insufficient
    used_before = used_in_year(policy, kpi, context.year_incidents or context.incidents, window, as_of, context.index)
    hourly = any(r.kind == "hourly_waiver" and r.kpi == kpi.id for r in (policy.credits.rules if policy.credits else ()))
    dt = downtime(policy, kpi, context.incidents, window, as_of, context.index, with_trace=context.with_trace, used_before=used_before, hourly=hourly)
    fixed = policy.window.fixed_minutes
    denominator = Decimal(fixed if fixed is not None else window.minutes)
    if policy.window.maintenance == "remove_from_denominator":
        denominator -= dt.maintenance_excluded_minutes
    objective = kpi.objective or Decimal(0)
    allowed = denominator * (_HUNDRED - objective) / _HUNDRED
    if insufficient:
        return KpiResult(kpi.id, kpi.kind, kpi.name, "insufficient_data", objective=objective, notes=(insufficient,),
                         allowed_minutes=allowed, denominator_minutes=denominator, excluded_minutes=dt.excluded_minutes), dt.trace
    down = dt.counted_minutes
    actual = max((denominator - down) / denominator * _HUNDRED, Decimal(0)) if denominator > 0 else Decimal(0)
    met = actual >= objective
    budget = None
    if as_of < window.end:
        elapsed = Decimal(max(ms(as_of) - ms(window.start), 0)) / MINUTE
        used_pct = (down / allowed * _HUNDRED) if allowed > 0 else None
        elapsed_share = elapsed / Decimal(window.minutes) if window.minutes else Decimal(0)
        burn = (down / allowed) / elapsed_share if allowed > 0 and elapsed_share > 0 else None
        budget = Budget(elapsed, allowed, down, allowed - down, used_pct, burn, actual)
    notes = (Reason.of("availability.projected"),) if as_of < window.end else ()
    result = KpiResult(
        id=kpi.id, kind=kpi.kind, name=kpi.name, status="met" if met else "missed", objective=objective, actual=actual, met=met,
        downtime_minutes=down, excluded_minutes=dt.excluded_minutes, allowed_minutes=allowed, denominator_minutes=denominator,
        budget=budget, notes=notes, daily=dt.daily, hourly=dt.hourly,
    )
    return result, dt.trace

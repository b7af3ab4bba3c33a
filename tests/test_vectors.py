"""Engine cases as data: every case in tests/vectors/*.yaml, run by this one test.

The format is described in tests/vectors/README.md. A case states a policy (inline or by
path, optionally patched), incidents in slagen's JSON/YAML incident shape (read by slagen's
own reader), a period (or from/to), as_of and what a domain expert expects. Whatever it
expects, the accounting (tests/accounting.py) is always checked too.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from slagen.engine.credits import PriorWindow
from slagen.engine.evaluate import evaluate
from slagen.engine.windows import explicit_window, window_for_period, windows_for_range
from slagen.incidents.readers import read_records
from slagen.policy.load import load_policy, parse_policy
from slagen.policy.yamlsrc import load_yaml

from .accounting import accounting_problems
from .conftest import ROOT

VECTORS = ROOT / "tests" / "vectors"
DEFAULT_AS_OF = "2030-01-01T00:00:00+00:00"
CASE_KEYS = {"description", "working", "policy", "policy_file", "policy_patch", "incidents", "period", "from", "to", "as_of", "prior",
             "expect", "expect_error", "xfail"}
EXPECT_KEYS = {"kpis", "credit", "escalation_level", "trace", "trace_exact", "window", "windows"}
KPI_KEYS = {"daily", "breach_details", "availability", "downtime_minutes", "excluded_minutes", "denominator_minutes", "allowed_minutes", "status", "breaches", "actual", "measured"}
CREDIT_KEYS = {"amount", "days", "fee", "percent", "steps", "no_tier_applies", "claim_deadline"}
TRACE_KEYS = {"incident", "kpi", "status", "minutes", "code", "params", "weight", "span_minutes"}


def _cases():
    out = []
    for path in sorted(VECTORS.glob("*.yaml")):
        doc = load_yaml(path.read_text(encoding="utf-8"), str(path)).data
        for name, case in doc.items():
            marks = []
            if isinstance(case, dict) and case.get("xfail"):
                marks.append(pytest.mark.xfail(reason=str(case["xfail"]), strict=True))
            out.append(pytest.param(path.name, name, case, id=f"{path.stem}:{name}", marks=marks))
    return out


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", format(v, "f")))


def _merge(base, patch):
    """Deep-merge mappings; a list or scalar in the patch replaces the base value."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = _merge(base.get(key), value) if key in base else value
        return out
    return copy.deepcopy(patch)


def _policy(where: str, case: dict):
    if "policy_file" in case:
        source = load_yaml((ROOT / case["policy_file"]).read_text(encoding="utf-8"), case["policy_file"]).data
        if "policy_patch" not in case:
            return load_policy(ROOT / case["policy_file"])
    else:
        assert isinstance(case.get("policy"), dict), f"{where}: give 'policy' (a mapping) or 'policy_file' (a path from the repo root)"
        source = case["policy"]
    data = _merge(source, case.get("policy_patch") or {})
    return parse_policy(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True), f"{where}:policy")


def _time(text) -> datetime:
    value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    assert value.tzinfo is not None, f"time {text!r} needs an offset"
    return value.astimezone(timezone.utc)


def _windows(policy, case: dict):
    if "from" in case or "to" in case:
        return [explicit_window(policy, _time(case["from"]), _time(case["to"]))]
    period = str(case["period"])
    if ".." in period:
        return windows_for_range(policy, period)
    return [window_for_period(policy, period)]


def _same(where: str, field: str, got, want) -> None:
    """Exact comparison; decimals compare by value ("99.90" == "99.9")."""
    if isinstance(want, dict) and "approx" in want:
        places = int(want.get("places", 2))
        assert got is not None and abs(Decimal(got) - Decimal(str(want["approx"]))) <= Decimal(5) / Decimal(10) ** (places + 1), \
            f"{where}: {field} is {got}, expected {want['approx']} to {places} places"
        return
    if isinstance(want, bool) or want is None:
        assert got == want, f"{where}: {field} is {got!r}, expected {want!r}"
        return
    if isinstance(want, (int, Decimal)) or (isinstance(want, str) and _is_number(want) and isinstance(got, (int, Decimal))):
        assert got is not None and Decimal(got) == Decimal(str(want)), f"{where}: {field} is {got}, expected {want}"
        return
    assert got == want, f"{where}: {field} is {got!r}, expected {want!r}"


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _check_unknown(where: str, found: dict, allowed: set[str]) -> None:
    unknown = sorted(set(found) - allowed)
    assert not unknown, f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"


def _line_matches(line, want: dict) -> bool:
    if "incident" in want and line.incident != str(want["incident"] or ""):
        return False
    for key in ("kpi", "status"):
        if key in want and getattr(line, key) != want[key]:
            return False
    if "code" in want and line.reason.code != want["code"]:
        return False
    for key in ("minutes", "span_minutes", "weight"):
        if key in want:
            got = getattr(line, key)
            if got is None or Decimal(got) != Decimal(str(want[key])):
                return False
    for key, value in (want.get("params") or {}).items():
        got = line.reason.get(key)
        if isinstance(got, (int, Decimal)) and not isinstance(got, bool):
            if Decimal(str(value)) != Decimal(got):
                return False
        elif isinstance(got, tuple):
            if list(got) != list(value):
                return False
        elif got != value:
            return False
    return True


def _show(line) -> str:
    return f"{{incident: {line.incident or '(none)'}, kpi: {line.kpi}, status: {line.status}, minutes: {line.minutes}, code: {line.reason.code}, params: {dict(line.reason.params)}}}"


def _check(where: str, evaluation, expect: dict) -> None:
    _check_unknown(f"{where}: expect", expect, EXPECT_KEYS)
    kpis = {k.id: k for k in evaluation.kpis}
    for kpi_id, want in (expect.get("kpis") or {}).items():
        at = f"{where}: kpi {kpi_id}"
        assert kpi_id in kpis, f"{at}: no such KPI; KPIs: {', '.join(kpis)}"
        _check_unknown(at, want, KPI_KEYS)
        k = kpis[kpi_id]
        for key, value in want.items():
            if key == "availability":
                _same(at, "availability", k.actual, value)
            elif key == "breach_details":
                for i, spec in enumerate(value):
                    found = [b for b in k.breaches if b.incident == str(spec["incident"])]
                    assert found, f"{at}: breach_details[{i}]: no breach of {spec['incident']}; breaches: {[b.incident for b in k.breaches]}"
                    b = found[0]
                    if "code" in spec:
                        _same(f"{at}: breach {b.incident}", "code", b.reason.code, spec["code"])
                    if "measured_minutes" in spec:
                        _same(f"{at}: breach {b.incident}", "measured_minutes", b.measured_minutes, spec["measured_minutes"])
                    for name, want_param in (spec.get("params") or {}).items():
                        _same(f"{at}: breach {b.incident}", f"params.{name}", b.reason.get(name), want_param)
            elif key == "daily":
                days = {d.isoformat(): m for d, m in k.daily if m}
                _same(at, "daily (local days with counted minutes)", sorted(days), sorted(str(d) for d in value))
                for day, minutes in value.items():
                    _same(at, f"daily {day}", days.get(str(day)), minutes)
            elif key == "breaches":
                _same(at, "breaches", sorted(b.incident for b in k.breaches), sorted(str(v) for v in value))
            else:
                _same(at, key, getattr(k, key), value)
    if "credit" in expect:
        want = expect["credit"]
        at = f"{where}: credit"
        _check_unknown(at, want, CREDIT_KEYS)
        c = evaluation.credits
        assert c is not None, f"{at}: the policy has no credits"
        for key, value in want.items():
            if key == "steps":
                _same(at, "steps (codes in order)", [s.reason.code for s in c.steps], list(value))
            elif key == "claim_deadline":  # a date, written as YYYY-MM-DD (or null: none)
                _same(at, key, c.claim_deadline.isoformat() if c.claim_deadline else None, None if value is None else str(value))
            else:
                _same(at, key, getattr(c, key), value)
    if "escalation_level" in expect:
        _same(where, "escalation_level", evaluation.escalation.level, expect["escalation_level"])
    if "trace" in expect:
        remaining = list(evaluation.trace)
        for i, want in enumerate(expect["trace"]):
            _check_unknown(f"{where}: trace[{i}]", want, TRACE_KEYS)
            match = next((t for t in remaining if _line_matches(t, want)), None)
            assert match is not None, f"{where}: trace[{i}] {want} not found; trace lines:\n  " + "\n  ".join(_show(t) for t in evaluation.trace)
            remaining.remove(match)
        if expect.get("trace_exact"):
            assert not remaining, f"{where}: trace_exact, but these lines are not expected:\n  " + "\n  ".join(_show(t) for t in remaining)


@pytest.mark.parametrize(("file", "name", "case"), _cases())
def test_vector(file: str, name: str, case: dict) -> None:
    where = f"tests/vectors/{file}: case {name}"
    assert isinstance(case, dict), f"{where}: a case is a mapping"
    _check_unknown(where, case, CASE_KEYS)
    assert case.get("description"), f"{where}: every case needs a description"
    error = case.get("expect_error")
    try:
        policy = _policy(where, case)
        windows = _windows(policy, case)
    except Exception as exc:
        if not error:
            raise
        names = [c.__name__ for c in type(exc).__mro__]
        assert error["type"] in names, f"{where}: raised {type(exc).__name__}: {exc}; expected {error['type']}"
        assert str(error.get("contains", "")) in str(exc), f"{where}: message {str(exc)!r} does not contain {error['contains']!r}"
        return
    assert not error, f"{where}: expected {error['type']}, but nothing was raised"
    incidents = read_records(Path(f"{file}:{name}"), case.get("incidents") or []).incidents
    as_of = _time(case.get("as_of", DEFAULT_AS_OF))
    prior = tuple(PriorWindow(str(p["label"]), Decimal(str(p["fee"])), Decimal(str(p["credit"]))) for p in case.get("prior") or ())
    expect = case.get("expect") or {}
    if "windows" in expect:
        want = expect["windows"]
        _same(where, "number of windows", len(windows), want.get("count", len(windows)))
        if "labels" in want:
            _same(where, "window labels", [w.label for w in windows], list(want["labels"]))
        if "minutes" in want:
            _same(where, "window minutes", [w.minutes for w in windows], list(want["minutes"]))
    for window in windows:
        at = where if len(windows) == 1 else f"{where}: window {window.label}"
        evaluation = evaluate(policy, incidents, window, as_of, prior=prior)
        problems = accounting_problems(evaluation)
        assert not problems, f"{at}: the trace does not account for the figures:\n  " + "\n  ".join(problems)
        if "window" in expect:
            from slagen.engine.credits import window_fee

            for key, value in expect["window"].items():
                got = window_fee(policy, window) if key == "fee" else getattr(window, key)
                _same(f"{at}: window", key, got if not hasattr(got, "isoformat") else got.isoformat(), value)
        if len(windows) == 1:
            _check(at, evaluation, {k: v for k, v in expect.items() if k not in ("window", "windows")})

"""The buyer's own weights: an optional weighted-score row. Without weights no score and no
ranking is made.

    # weights.yaml: row keys (see `slagen compare --format json`, "key") and weights > 0
    weights:
      objective: 3              # Availability objective
      claim_deadline: 1
      messaging-3h/credit: 2    # a scenario row: <scenario id>/<row>
      history/exposure: 2       # with --history

Each weighted row scores a vendor 100 for the row's best value and 0 for its worst, linearly
in between (all equal: 100 each; a value not stated: 0). The score is the weighted mean of
those, 0-100. Only rows with a direction (the ones marked ▲/▼) can be weighted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from slagen.compare.terms import Row
from slagen.errors import PolicyErrors, PolicyProblem
from slagen.policy.units import number
from slagen.policy.yamlsrc import escape_pointer, load_yaml, read_yaml_file

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Weights:
    file: str
    weights: tuple[tuple[str, Decimal], ...]
    lines: tuple[tuple[str, int, int], ...] = ()  # (key, line, column)

    def where(self, key: str) -> tuple[int, int]:
        return next(((line, col) for k, line, col in self.lines if k == key), (1, 1))


def load_weights(path: Path) -> Weights:
    return parse_weights(read_yaml_file(path, "a weights file"), str(path))


def parse_weights(text: bytes | str, filename: str) -> Weights:
    doc = load_yaml(text, filename)
    problems: list[PolicyProblem] = []

    problem = doc.collector(filename, problems)

    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("weights"), dict) or not data["weights"]:
        raise PolicyErrors([PolicyProblem(filename, *doc.where("/weights"), "a weights file is weights: {<row key>: <weight above 0>, ...}, e.g. weights: {objective: 3}")])
    doc.unknown_keys(problem, ("weights",), "a weights file has only 'weights'")
    out, lines = [], []
    for key, value in data["weights"].items():
        pointer = f"/weights/{escape_pointer(key)}"
        try:
            weight = number(value)
        except ValueError as exc:
            problem(pointer, f"weight of {str(key)[:40]!r}: {exc}")
            continue
        if weight <= 0:
            problem(pointer, f"weight of {str(key)[:40]!r} is {value}: a weight must be above zero (leave a row out to ignore it)")
            continue
        out.append((str(key), weight))
        lines.append((str(key), *doc.where(pointer)))
    if problems:
        raise PolicyErrors(problems)
    return Weights(filename, tuple(out), tuple(lines))


def _rows(comparison) -> list[Row]:
    return list(comparison.terms) + comparison.scenario_rows() + comparison.history_rows()


def check_weights(weights: Weights, comparison) -> None:
    """Every weighted key names a row with a direction whose numbers can be compared."""
    rows = {r.key: r for r in _rows(comparison) if r.key}
    weighable = sorted(k for k, r in rows.items() if r.better)
    problems = []
    for key, _ in weights.weights:
        line, col = weights.where(key)
        row = rows.get(key)
        if row is None or not row.better:
            shown = ", ".join(weighable[:12]) + (", …" if len(weighable) > 12 else "")
            what = "has no best or worst (it cannot be scored)" if row is not None else "is not a row of this comparison"
            problems.append(PolicyProblem(weights.file, line, col, f"{key!r} {what}; rows that can be weighted: {shown}", f"/weights/{key}"))
        elif row.unit_problem():
            problems.append(PolicyProblem(weights.file, line, col, f"{key!r} has amounts in {', '.join(row.unit_problem())}: give --currency and --fx FILE to weigh it", f"/weights/{key}"))
    if problems:
        raise PolicyErrors(problems)


def scores(comparison, rows: list[Row] | None = None) -> list[Decimal]:
    by_key = {r.key: r for r in (rows if rows is not None else _rows(comparison)) if r.key}
    n = len(comparison.vendors)
    totals = [Decimal(0)] * n
    weight_sum = sum((w for _, w in comparison.weights), Decimal(0))
    for key, weight in comparison.weights:
        row = by_key[key]
        known = [x for x in row.numbers if x is not None]
        if not known:
            continue
        best, worst = (max(known), min(known)) if row.better == "higher" else (min(known), max(known))
        for i in range(n):
            value = row.numbers[i] if i < len(row.numbers) else None
            if value is None:
                share = Decimal(0)
            elif best == worst:
                share = HUNDRED
            else:
                share = (value - worst) / (best - worst) * HUNDRED
            totals[i] += share * weight
    return [t / weight_sum for t in totals]


def score_row(comparison, rows: list[Row]) -> Row:
    w = comparison.words
    values = scores(comparison, rows)
    return Row(w.say("compare.section.weights"), w.say("compare.weights.score"), tuple(f"{v.quantize(Decimal('0.1'))}" for v in values),
               tuple(values), "higher", (), (), "weighted_score")


def score_note(comparison) -> str:
    w = comparison.words
    rows = {r.key: r.label for r in _rows(comparison)}
    listed = "; ".join(f"{rows.get(k, k)} × {format(v.normalize(), 'f')}" for k, v in comparison.weights)
    return w.say("compare.weights.note", file=Path(comparison.weights_file).name, rows=listed)

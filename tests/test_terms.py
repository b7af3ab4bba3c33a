"""Policy terms of issue 18: each term's clause wording, comparison row and loader checks
(the engine figures are vectors in tests/vectors/)."""

from __future__ import annotations

from pathlib import Path

from slagen.clauses.render import render_clauses
from slagen.policy.load import load_policy

ROOT = Path(__file__).resolve().parents[1]
AWS = ROOT / "policies/aws-ec2-region.yaml"
DINGTALK = ROOT / "examples/dingtalk-enterprise.yaml"


def clause(path: Path, lang: str) -> str:
    return render_clauses(load_policy(path), lang, "md").decode()


def test_strict_minimum_payout_is_worded_as_not_more_than_in_every_language():
    policy = load_policy(AWS)
    assert policy.credits.minimum_payout == 1 and policy.credits.minimum_payout_exclusive
    assert "after the limits above, is not more than USD 1.00." in clause(AWS, "en")
    assert "不超过" in clause(AWS, "zh-Hans")
    assert "不超過" in clause(AWS, "zh-Hant")
    # an inclusive minimum keeps its wording
    assert "is less than" in clause(DINGTALK, "en") and "低于" in clause(DINGTALK, "zh-Hans")


def test_minimum_payout_comparison_row_states_the_boundary():
    from slagen.compare.terms import terms_rows

    terms = terms_rows([load_policy(AWS), load_policy(DINGTALK)])
    row = next(t for t in terms if t.label == "Minimum payout")
    assert row.values[0].startswith("only credits of more than ") and "1.00" in row.values[0]
    assert row.values[1].startswith("credits of at least ") and "10.00" in row.values[1]

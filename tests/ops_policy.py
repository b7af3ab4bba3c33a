"""The DingTalk example policy with each escalation level's `severity` and `audience` stated
(the example itself keeps the older form, which `slagen validate` answers with a hint)."""

from __future__ import annotations

from pathlib import Path

from .conftest import ROOT

EXAMPLE = ROOT / "examples/dingtalk-enterprise.yaml"
LEVELS = (("[it-ops]", "warning", "IT operations"), ("[legal]", "critical", "Legal"), ("[trading-desk]", "critical", "Trading desk"))


def write_ops_policy(directory: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    for notify, severity, audience in LEVELS:
        line = f"    notify: {notify}\n"
        assert text.count(line) == 1, line
        text = text.replace(line, line + f"    severity: {severity}\n    audience: {audience}\n")
    path = Path(directory) / "dingtalk-ops.yaml"
    path.write_text(text, encoding="utf-8")
    return path

"""The notify file: YAML with positions -> its JSON Schema -> typed targets, secrets read
from the environment variables it names. Every problem is `file:line:col: message`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from slagen.errors import PolicyErrors, PolicyProblem
from slagen.policy.yamlsrc import load_yaml, read_yaml_file

SEVERITY_ORDER = {"info": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True)
class Target:
    id: str
    kind: str
    settings: dict  # the target's fields as written
    secrets: dict = field(default_factory=dict)  # `*_env` field -> the value read from the environment
    url: str | None = None
    lang: str = "en"
    kpis: tuple[str, ...] | None = None
    min_severity: str = "info"
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0
    kpis_at: tuple[str, int, int] = ("", 1, 1)  # where `kpis` is written (file, line, column), for a KPI the policy lacks

    @property
    def module(self):
        from slagen.notify.targets import TARGET_KINDS

        return TARGET_KINDS[self.kind]

    @property
    def messages(self):
        from slagen.render.messages import Messages

        return Messages(self.lang)

    def has_secret(self, name: str) -> bool:
        return name in self.secrets

    def secret(self, name: str) -> str:
        return self.secrets[name]

    def wants(self, kpi: str, severity: str) -> bool:
        return (self.kpis is None or kpi in self.kpis) and SEVERITY_ORDER[severity] >= SEVERITY_ORDER[self.min_severity]


@dataclass(frozen=True)
class NotifyConfig:
    source: str
    targets: tuple[Target, ...]


def load_notify(path: str | Path, environ: Mapping[str, str] | None = None) -> NotifyConfig:
    """Read and check a notify file; raise PolicyErrors listing every problem (exit 1)."""
    path = Path(path)
    return parse_notify(read_yaml_file(path, "a notify file"), str(path), os.environ if environ is None else environ)


def parse_notify(text: str | bytes, filename: str, environ: Mapping[str, str]) -> NotifyConfig:
    from slagen.policy.schema import structural_problems

    doc = load_yaml(text, filename)
    problems = structural_problems(doc, filename, "notify")
    if problems:
        raise PolicyErrors(problems)
    out: list[PolicyProblem] = []

    problem = doc.collector(filename, out)

    targets, seen = [], set()
    for i, raw in enumerate(doc.data["targets"]):
        pointer = f"/targets/{i}"
        if raw["id"] in seen:
            problem(f"{pointer}/id", f"duplicate target id {raw['id']!r}; each must be unique (the state store remembers what was sent per target)")
        seen.add(raw["id"])
        secrets: dict[str, str] = {}
        for key, name in raw.items():
            if key.endswith("_env"):
                value = environ.get(name, "")
                if not value:
                    problem(f"{pointer}/{key}", f"target {raw['id']!r}: environment variable {name} ({key}) is not set or empty; "
                                                "secrets come from the environment, never from the notify file")
                secrets[key] = value
        url = raw.get("url") or secrets.get("url_env")
        if "url_env" in raw and url and not url.startswith(("http://", "https://")):
            problem(f"{pointer}/url_env", f"target {raw['id']!r}: {raw['url_env']} does not hold an http(s) URL")
        targets.append(Target(
            id=raw["id"], kind=raw["kind"], settings=dict(raw), secrets=secrets, url=url, lang=raw.get("lang", "en"),
            kpis=tuple(raw["kpis"]) if "kpis" in raw else None, min_severity=raw.get("min_severity", "info"),
            timeout=float(raw.get("timeout", 10)), retries=int(raw.get("retries", 3)), backoff=float(raw.get("backoff", 1)),
            kpis_at=(filename, *doc.where(f"{pointer}/kpis")),
        ))
    if out:
        raise PolicyErrors(out)
    return NotifyConfig(filename, tuple(targets))


def check_kpis(config: NotifyConfig, kpi_ids: set[str]) -> None:
    """A target's `kpis` must name the policy's KPIs (a typo would silently send nothing)."""
    problems = []
    for target in config.targets:
        for kpi in target.kpis or ():
            if kpi not in kpi_ids:
                file, line, col = target.kpis_at
                problems.append(PolicyProblem(file, line, col, f"target {target.id!r}: KPI {kpi!r} is not in the policy (its KPIs: {', '.join(sorted(kpi_ids))})"))
    if problems:
        raise PolicyErrors(problems)

"""slagen: vendor SLAs as numbers and documents people can rely on.

The public Python API is what `__all__` lists (see docs/api.md); every other module is an
implementation detail that may change between versions.

    >>> import slagen
    >>> policy = slagen.load_policy("examples/dingtalk-enterprise.yaml")
    >>> october = slagen.read_incidents("examples/incidents/dingtalk-2026-10.csv")
    >>> ev = slagen.evaluate(policy, october, period="2026-10", as_of="2026-11-02T00:00:00+08:00")
    >>> ev.credits.amount
    Decimal('16600.00')

The functions load on first use, so `import slagen` stays light (the CLI's `validate`
does not pay for the report renderer).
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from slagen.errors import (  # noqa: E402
    EvaluationError,
    IncidentDataError,
    OutputError,
    PolicyError,
    PolicyErrors,
    PolicyProblem,
    RenderError,
    SlagenError,
    UsageError,
)

if TYPE_CHECKING:  # pragma: no cover
    from slagen.api import (
        IncidentFile,
        PackResult,
        build_pack,
        evaluate,
        evaluate_many,
        load_policy,
        read_incidents,
        render_clauses,
        render_report,
        verify_pack,
    )
    from slagen.engine.result import Evaluation
    from slagen.policy.model import Policy
    from slagen.request import RunRequest

_API = {
    "load_policy": "slagen.api",
    "read_incidents": "slagen.api",
    "evaluate": "slagen.api",
    "evaluate_many": "slagen.api",
    "render_report": "slagen.api",
    "render_clauses": "slagen.api",
    "build_pack": "slagen.api",
    "verify_pack": "slagen.api",
    "IncidentFile": "slagen.api",
    "PackResult": "slagen.api",
    "RunRequest": "slagen.request",
    "Evaluation": "slagen.engine.result",
    "Policy": "slagen.policy.model",
}

__all__ = [
    "__version__",
    *_API,
    "compare",
    "SlagenError",
    "UsageError",
    "PolicyError",
    "PolicyErrors",
    "PolicyProblem",
    "IncidentDataError",
    "EvaluationError",
    "RenderError",
    "OutputError",
]


import slagen.compare as _compare_package  # noqa: E402,F401  (loaded first, so `compare` below stays the function)


def compare(policies: Any, scenarios: Any = None, **options: Any) -> Any:
    """Compare policies side by side and under the same scenarios: see `slagen.api.compare`.
    (Defined here because `slagen.compare` is also a subpackage's name.)"""
    from slagen.api import compare as run

    return run(policies, scenarios, **options)


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'slagen' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

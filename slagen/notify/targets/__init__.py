"""Notification target kinds: one module each, registered here once.

A target module has:
- `ID`: the `kind` a notify file writes (`targets[].kind`);
- `PROPERTIES`: the JSON Schema of its own fields (besides the common `id`, `kind`, `lang`,
  `kpis`, `min_severity`, `timeout`, `retries`, `backoff`); a field ending in `_env` names an
  environment variable holding a secret, and is read from the environment, never the file;
- `REQUIRED`: its required fields; `ONE_OF`: alternatives, each a list of fields that go
  together (e.g. `url` or `url_env`), exactly one of which must be given;
- `deliver(ctx, target, notice, ref) -> ref`: send one notice (raised, lowered or resolved)
  through `ctx.http` and return what to remember for the next notice of the same KPI and
  window (a ServiceNow incident's sys_id), or None;
- a docstring that is its user documentation, with the YAML to write.

The notify schema's `kind` enum and per-kind fields, the docs' list of targets and the CLI's
help are read from `TARGET_KINDS`; `tests/test_notify.py` walks it.
"""

from __future__ import annotations

import copy
from types import ModuleType


URL = {"type": "string", "pattern": "^https?://[^\\s]+$", "description": "The URL to POST to (http or https)."}
URL_ENV = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "description": "Environment variable holding the URL (when the URL itself is a secret, as Slack's and DingTalk's are)."}
ENV = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}


def env(description: str) -> dict:
    return {**ENV, "description": description}


def _modules() -> tuple[ModuleType, ...]:
    from slagen.notify.targets import dingtalk, servicenow, slack, webhook

    return (webhook, dingtalk, slack, servicenow)


TARGET_KINDS: dict[str, ModuleType] = {m.ID: m for m in _modules()}


def fill_schema(schema: dict) -> dict:
    """The notify schema with the registry's kinds: the `kind` enum, and per kind an `if kind
    is X then` branch holding the common fields and the kind's own (unknown fields refused)."""
    schema = copy.deepcopy(schema)
    defs = schema["$defs"]
    common = defs.pop("common")
    target = defs["target"]
    target["properties"]["kind"]["enum"] = list(TARGET_KINDS)
    target["allOf"] = []
    for kind, module in TARGET_KINDS.items():
        node: dict = {
            "type": "object",
            "description": (module.__doc__ or kind).strip().splitlines()[0],
            "additionalProperties": False,
            "required": ["id", "kind", *module.REQUIRED],
            "properties": {**common, **module.PROPERTIES},
        }
        if getattr(module, "ONE_OF", None):
            node["oneOf"] = [{"required": list(group)} for group in module.ONE_OF]
        defs[f"target_{kind}"] = node
        target["allOf"].append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]}, "then": {"$ref": f"#/$defs/target_{kind}"}})
    return schema

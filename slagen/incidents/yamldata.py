"""YAML incident files read with YAML 1.2-style rules, like policies (`slagen.policy.yamlsrc`).

PyYAML's SafeLoader follows YAML 1.1: `010` becomes 8, `0x1F` 31, `1_000` 1000, `12:30` the
integer 750, `yes` True, and `2026-10-05 10:00` a naive datetime; a duplicate key silently
keeps the last value. Incident data is ids, names and times, so here every scalar stays the
text it is written as; only an unquoted `null`, `~` or nothing is null. Timestamps stay text
until `slagen.incidents.timestamps` parses them. Duplicate keys, complex keys, `<<` merges and
tags are refused at their line and column; aliases and deep nesting are refused by the shared
guarded loader while composing.
"""

from __future__ import annotations

from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from slagen.errors import IncidentDataError
from slagen.policy.yamlsrc import GuardedLoader

_PLAIN = "tag:slagen,2026:plain"  # what every untagged node resolves to here
_STR = "tag:yaml.org,2002:str"
_NULLS = ("", "~", "null", "Null", "NULL")


class YamlMapping(dict):
    """A mapping read from YAML that remembers its line, so a record can be named by it."""

    __slots__ = ("line",)


def load_incident_yaml(text: str, file: str) -> Any:
    """Parse one YAML document into plain lists, dicts, text and None (IncidentDataError on refusal)."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if root is None:
        return None
    return _data(root, file)


def _where(node: Node) -> str:
    return f"line {node.start_mark.line + 1} column {node.start_mark.column + 1}"


def _data(node: Node, file: str) -> Any:
    if node.tag not in (_PLAIN, _STR):  # a tag written in the file (other than !!str): the resolver never saw this node
        raise IncidentDataError(file, _where(node), f"YAML tag {node.tag!r} is not allowed in incident data; write plain values")
    if isinstance(node, MappingNode):
        out = YamlMapping()
        out.line = node.start_mark.line + 1
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise IncidentDataError(file, _where(key_node), "mapping keys must be plain names (no complex keys or '<<' merges)")
            key = key_node.value
            if key in out:
                raise IncidentDataError(file, _where(key_node), f"duplicate key {key[:60]!r} (first at line {lines[key]}); each key may appear once")
            lines[key] = key_node.start_mark.line + 1
            out[key] = _data(value_node, file)
        return out
    if isinstance(node, SequenceNode):
        return [_data(item, file) for item in node.value]
    if node.tag == _PLAIN and node.style in (None, "") and node.value in _NULLS:  # `!!str null` is text
        return None
    return node.value


class _Loader(GuardedLoader):
    """The guarded loader (aliases, depth) whose resolver tags every untagged node _PLAIN."""

    def resolve(self, kind, value, implicit):  # type: ignore[override]
        return _PLAIN

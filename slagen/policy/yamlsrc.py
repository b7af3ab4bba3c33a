"""Read YAML into plain data plus a map of where every value came from.

PyYAML's default resolvers follow YAML 1.1, which silently turns `17:30` into 1050,
`NO` into False and `1.10` into a float. Policies decide money, so this module
composes the node graph itself and resolves scalars with YAML 1.2 core rules:
booleans are only true/false, numbers become `Decimal` read from the source text,
everything else (dates, times, durations) stays a string. Duplicate keys, aliases
and custom tags are rejected at their position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from slagen.errors import PolicyErrors, PolicyProblem

_INT = re.compile(r"[-+]?[0-9]+\Z")
_NUM = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:value",
}

MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Located:
    """Parsed YAML data and the (line, column) of each JSON pointer, 1-based."""

    data: Any
    positions: dict[str, tuple[int, int]]

    def where(self, pointer: str) -> tuple[int, int]:
        """Position of the node at `pointer`, or of its nearest located ancestor."""
        while True:
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return (1, 1)
            pointer = pointer.rsplit("/", 1)[0]

    def collector(self, filename: str, problems: list[PolicyProblem]):
        """`problem(pointer, message)`: add a problem located at `pointer` to `problems`
        (the one way every YAML file slagen reads reports where it is wrong)."""
        def problem(pointer: str, message: str) -> None:
            line, column = self.where(pointer)
            problems.append(PolicyProblem(filename, line, column, message, pointer))

        return problem

    def unknown_keys(self, problem, allowed: tuple[str, ...], says: str) -> None:
        """A problem at each top-level key not in `allowed`; `says` tells what the file holds."""
        for key in self.data:
            if key not in allowed:
                problem(f"/{escape_pointer(key)}", f"unknown key {str(key)[:40]!r}: {says}")


def escape_pointer(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


MAX_DEPTH = 64  # policies nest about 6 deep; PyYAML's composer recurses and would overflow


MAX_NODES = 50_000  # values in one file; the bundled policies hold 130-400


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases where they appear (no billion laughs), deep nesting,
    and more values than any policy holds (so a 5 MB file of tiny values is refused in a
    second instead of being validated for a minute)."""

    depth = 0
    nodes = 0
    max_nodes: int | None = MAX_NODES

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _Located(event.start_mark, "YAML aliases (*name) are not allowed in policies; write the value out")
        if self.depth >= MAX_DEPTH:
            raise _Located(self.peek_event().start_mark, f"nested more than {MAX_DEPTH} levels deep; a policy is never this deep")
        self.nodes += 1
        if self.max_nodes is not None and self.nodes > self.max_nodes:
            raise _Located(self.peek_event().start_mark, f"more than {MAX_NODES:,} values in one file; a policy holds a few hundred")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


try:  # libyaml's scanner and parser, when PyYAML was built with it: 20x faster on large files
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _CParser = None

FAST_FROM = 64 * 1024  # smaller files use the pure-Python parser (its messages are the reference)


if _CParser is not None:

    class _FastLoader(_Loader, _CParser):  # type: ignore[misc, valid-type]
        """The same guards (compose_node above, the Python composer) over libyaml's events."""

        def __init__(self, stream):
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        # the events come from libyaml; the composition (and its guards) stays in Python
        check_event = _CParser.check_event
        peek_event = _CParser.peek_event
        get_event = _CParser.get_event
        dispose = _CParser.dispose


class _Located(Exception):
    def __init__(self, mark, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


def read_yaml_file(path, what: str) -> bytes:
    """A policy or scenario file's bytes: a regular file only (a FIFO or /dev/zero would block
    or never end), and never more than MAX_BYTES + 1 read (load_yaml then refuses it)."""
    from slagen.errors import UsageError
    from slagen.files import check_input_file

    check_input_file(path, what)  # one rule and one message for every input: regular files only
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None


def load_yaml(text: str | bytes, filename: str) -> Located:
    """Parse one YAML document; raise PolicyErrors naming file, line and column."""

    def fail(line: int, col: int, message: str) -> PolicyErrors:
        return PolicyErrors([PolicyProblem(filename, line, col, message)])

    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise fail(1, 1, f"file is larger than {MAX_BYTES // (1024 * 1024)} MB; a policy is a short text file")
        if text.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise fail(1, 1, "file is UTF-16; save it as UTF-8")
        if b"\x00" in text:
            raise fail(1, 1, "file contains NUL bytes: this looks like a binary file, not a YAML policy")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text[: exc.start].count(b"\n") + 1
            raise fail(line, 1, f"file is not valid UTF-8 (byte 0x{text[exc.start]:02x} at offset {exc.start}); save it as UTF-8") from None
    fast = _CParser is not None and len(text) > FAST_FROM
    if fast:
        bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
        if bad:  # libyaml reports these without a usable position; say where, as the Python reader does
            before = text[: bad.start()]
            raise fail(before.count("\n") + 1, bad.start() - (before.rfind("\n") + 1) + 1, f"control character U+{ord(bad.group()):04X} is not allowed in YAML; remove it")
    try:
        loader = _FastLoader(text) if fast else _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except _Located as exc:
        raise fail(exc.mark.line + 1, exc.mark.column + 1, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc.context or ""):
            what = "more than one YAML document in the file; a policy file holds exactly one"
        if "maximum nesting depth" in str(what):  # libyaml's own limit, met before ours
            what = f"nested more than {MAX_DEPTH} levels deep; a policy is never this deep"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise fail(line, col, f"YAML syntax error: {what}") from None
    except yaml.reader.ReaderError as exc:  # control characters: a position, not a mark
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        raise fail(line, col, f"control character U+{exc.character:04X} is not allowed in YAML; remove it") from None
    except yaml.YAMLError as exc:
        raise fail(1, 1, f"YAML syntax error: {exc}") from None
    if root is None:
        raise fail(1, 1, "file is empty; a policy is a YAML mapping starting with 'slagen: 1'")
    positions: dict[str, tuple[int, int]] = {}
    data = _construct(root, "", positions, filename)
    if not isinstance(data, dict):
        line, col = positions[""]
        raise fail(line, col, f"a policy must be a YAML mapping (key: value), not a {_kind(data)}")
    return Located(data, positions)


def _kind(value: object) -> str:
    return {list: "list", str: "string", type(None): "null"}.get(type(value), type(value).__name__)


def _construct(node: Node, pointer: str, positions: dict, filename: str) -> Any:
    positions[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
    tag = node.tag
    explicit = tag.startswith("!") or (tag not in _STANDARD_TAGS and tag is not None)
    if explicit and tag not in _STANDARD_TAGS:
        raise PolicyErrors([PolicyProblem(filename, *positions[pointer], f"YAML tag {tag!r} is not allowed; policies hold plain values only", pointer)])
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise PolicyErrors([PolicyProblem(filename, kline, kcol, "mapping keys must be plain names (no complex keys or '<<' merges)", pointer)])
            key = key_node.value
            child = f"{pointer}/{escape_pointer(key)}"
            if key in out:
                first = positions.get(child + "#key", (0, 0))
                raise PolicyErrors([PolicyProblem(filename, kline, kcol, f"duplicate key {key!r} (first defined at line {first[0]}); each key may appear once", child)])
            positions[child + "#key"] = (kline, kcol)
            out[key] = _construct(value_node, child, positions, filename)
        return out
    if isinstance(node, SequenceNode):
        return [_construct(item, f"{pointer}/{i}", positions, filename) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: ScalarNode) -> Any:
    value = node.value
    if node.style is not None and node.style != "":  # quoted or block scalar: always a string
        return value
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if _INT.match(value):
        return int(value)
    if _NUM.match(value):
        return Decimal(value)
    return value


# For other YAML inputs (incident lists, report labels): the same refusals, standard values;
# incident lists are as long as the data (their readers bound them).
class GuardedLoader(_Loader):
    max_nodes = None


YamlRefused = _Located

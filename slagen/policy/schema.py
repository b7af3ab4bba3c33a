"""Structural validation against the shipped JSON Schema, with YAML positions.

The schema file is the single source of truth for structure; this module only turns
jsonschema's errors into located, readable problems.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

import re

from slagen.errors import PolicyProblem
from slagen.policy.yamlsrc import Located, escape_pointer


_DECIMAL = re.compile(r"Decimal\('([^']*)'\)")


@lru_cache(maxsize=None)
def load_schema(name: str = "policy") -> dict[str, Any]:
    """Read a packaged JSON Schema ('policy' or 'evaluation')."""
    text = resources.files("slagen.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    schema = json.loads(text)
    if name == "policy":
        from slagen.kinds import fill_schema_enums

        schema = fill_schema_enums(schema)
    elif name == "notify":
        from slagen.notify.targets import fill_schema

        schema = fill_schema(schema)  # the target kinds and their fields, from the registry
    return schema


def _pattern(validator, pattern: str, instance, schema):
    """`pattern` as JSON Schema means it (ECMA 262), not as Python's `re` does: `$` does not
    match before a final newline ("2026-11\\n" is not a month) and `\\d` is ASCII only."""
    if validator.is_type(instance, "string") and not re.search(_ecma(pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@lru_cache(maxsize=None)
def _ecma(pattern: str) -> re.Pattern:
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern.replace("$|", r"\Z|"), re.ASCII)


_Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})


@lru_cache(maxsize=None)
def _validator(name: str = "policy") -> Draft202012Validator:
    return _Validator(load_schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


def structural_problems(doc: Located, filename: str, schema: str = "policy") -> list[PolicyProblem]:
    """Every schema violation in the document, each with line, column and a hint."""
    problems = []
    for error in _validator(schema).iter_errors(doc.data):
        problems.extend(_describe(error, doc, filename))
    # one message per location and text
    return sorted(set(problems))


def _pointer(path) -> str:
    return "".join(f"/{escape_pointer(p)}" for p in path)


def _describe(error: ValidationError, doc: Located, filename: str) -> list[PolicyProblem]:
    pointer = _pointer(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        out = []
        for key in extra:
            child = f"{pointer}/{escape_pointer(key)}"
            line, col = doc.where(child + "#key")
            hint = _closest(key, allowed)
            message = f"unknown field {key!r}{hint}; allowed here: {', '.join(allowed)}"
            out.append(PolicyProblem(filename, line, col, message, child))
        return out
    if error.validator == "required":
        line, col = doc.where(pointer)
        where = f" in {pointer}" if pointer else " at the top level"
        return [PolicyProblem(filename, line, col, f"missing required field{where}: {error.message.split(' is a required')[0]}", pointer)]
    if error.validator in ("anyOf", "oneOf") and error.context:
        line, col = doc.where(pointer)
        if error.validator == "oneOf" and not any(e for e in error.context if e.validator != "required"):
            names = sorted({e.message.split("'")[1] for e in error.context if "'" in e.message})
            if names and _matching_count(error) > 1:
                return [PolicyProblem(filename, line, col, f"give only one of {', '.join(names)}", pointer)]
            if names:
                return [PolicyProblem(filename, line, col, f"give one of {', '.join(names)}", pointer)]
        typed = [e for e in error.context if e.validator != "type"]
        inside = [e for e in typed if e.relative_path]  # a branch whose shape matched: its value is wrong
        if inside:
            return _describe(best_match(inside), doc, filename)
        best = best_match(typed or error.context)
        desc = error.schema.get("description") or ""
        detail = "it does not have the expected form" if best.validator == "pattern" else _DECIMAL.sub(r"\1", best.message)
        text = f"{_value(error.instance)} is not valid here: {detail}"
        if desc:
            text += f" (expected: {desc})"
        return [PolicyProblem(filename, line, col, text, pointer)]
    line, col = doc.where(pointer)
    message = error.message
    if error.validator == "pattern":
        message = f"{_value(error.instance)} does not have the expected form"
        desc = _description_for(error)
        if desc:
            message += f": {desc}"
    elif error.validator == "type" and error.instance is None:
        message = f"no value given; expected a {error.validator_value if isinstance(error.validator_value, str) else ' or '.join(error.validator_value)}"
    elif error.validator == "type":
        message = f"{_value(error.instance)} is not of type {error.validator_value!r}"
        desc = _description_for(error)
        if desc:
            message += f" ({desc})"
    elif error.validator == "const":
        message = f"{_value(error.instance)} is not allowed here: the only valid value is {error.validator_value!r}"
    elif error.validator == "enum":
        message = f"{_value(error.instance)} is not one of the allowed values: {', '.join(map(str, error.validator_value))}"
    elif error.validator == "format":
        message = f"{_value(error.instance)} is not a valid {error.validator_value} (expected YYYY-MM-DD)" if error.validator_value == "date" else f"{_value(error.instance)} is not a valid {error.validator_value}"
    return [PolicyProblem(filename, line, col, message, pointer)]


def _matching_count(error: ValidationError) -> int:
    failing = {id(e.schema_path[0]) for e in error.context}
    return len(error.validator_value) - len({e.schema_path[0] for e in error.context}) if failing else 0


def _description_for(error: ValidationError) -> str:
    return error.schema.get("description", "") if isinstance(error.schema, dict) else ""


def _value(value: object) -> str:
    text = repr(str(value)) if not isinstance(value, (dict, list)) else ("a mapping" if isinstance(value, dict) else "a list")
    return text if len(text) <= 60 else text[:57] + "...'"


def _closest(key: str, allowed: list[str]) -> str:
    import difflib

    match = difflib.get_close_matches(key, allowed, n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""

"""Message catalogues: every sentence a reader sees about a reason code, per language.

The engine returns `Reason(code, params)`; this module words it in `en`, `zh-Hans` or
`zh-Hant` from `templates/messages/<lang>.yaml` (a user's `--templates` directory may
override single messages). A message is text with placeholders:

- `{name}` the parameter as written; `{name:spec}` formatted by kind: `money` (with the
  reason's `currency`), `pct` (as stated), `pct1`..`pct4` (cut, never rounded up), `min`
  (minutes to 0.01), `dur` (seconds as 1d 4h / 1天4小时), `durh` (in hours: 96h), `word` (the
  catalogue's word for `<name>.<value>`), `band` (a credit tier's bounds),
  `cat` (an exclusion category's name), `list`;
- `[[name: text]]` text shown only when the parameter is present and true;
  `[[!name: text]]` when it is present and false; `[[name=value: text]]` when equal,
  `[[name!=value: text]]` when present and not equal (English plurals: `period[[n!=1:s]]`).

A code without a message of its own falls back to `prefix.*` (`excluded.*` words every
excluded category), and a code no catalogue knows is shown as the code with its
parameters, never an error. Placeholders are looked up in the parameters only: no
attribute access, no format strings built from data.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from slagen.engine.reasons import Reason
from slagen.render.numbers import fmt_money, minutes, plain_number, shown_percent

LANGS = ("en", "zh-Hans", "zh-Hant")
_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")
_OPTIONAL = re.compile(r"\[\[(!?)(\w+)(?:(!?=)([\w.-]+))?:(.*?)\]\]", re.S)


@lru_cache(maxsize=16)
def _load(lang: str, user_dir: str | None) -> dict[str, str]:
    from slagen.render.templates import layered_mapping

    return layered_mapping(f"messages/{lang}.yaml", Path(user_dir) if user_dir else None, "a message catalogue") or {}


class Messages:
    """The catalogue of one language: `messages.text(reason)` -> a sentence."""

    def __init__(self, lang: str = "en", templates: Path | None = None):
        if lang not in LANGS:
            from slagen.errors import UsageError

            raise UsageError(f"--lang {lang!r}: choose one of {', '.join(LANGS)}")
        self.lang = lang
        self.catalogue = _load(lang, str(templates) if templates else None)
        self.chinese = lang != "en"

    def has(self, code: str) -> bool:
        return code in self.catalogue

    def template(self, code: str) -> str | None:
        if code in self.catalogue:
            return self.catalogue[code]
        parts = code.split(".")
        while len(parts) > 1:
            parts.pop()
            wildcard = ".".join(parts) + ".*"
            if wildcard in self.catalogue:
                return self.catalogue[wildcard]
        return None

    def text(self, reason: Reason) -> str:
        params = reason.args
        template = self.template(reason.code)
        if template is None:
            args = ", ".join(f"{k}={self._value(v, None, params)}" for k, v in reason.params)
            return f"{reason.code}({args})" if args else reason.code

        def optional(match: re.Match) -> str:
            negate, name, compare, equals, body = match.groups()
            if name not in params:
                return ""
            value = params[name]
            if equals is not None:
                keep = (str(value) == equals) == (compare == "=")
            else:
                keep = bool(value) != bool(negate)
            return body if keep else ""

        template = _OPTIONAL.sub(optional, template)
        return _PLACEHOLDER.sub(lambda m: self._value(params.get(m.group(1)), m.group(2), params, m.group(1)), template)

    def say(self, key: str, **values: Any) -> str:
        """A catalogue sentence with plain values put in (`{name}`), for labels and headings."""
        template = self.catalogue.get(key, key)
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)

    def word(self, key: str, default: str | None = None) -> str:
        """A single catalogue word (`category.natural_disaster`, `status.counted`)."""
        return self.catalogue.get(key, default if default is not None else key)

    # formatting of one parameter --------------------------------------------------
    def _value(self, value: Any, spec: str | None, params: dict, name: str = "") -> str:
        if value is None:
            return "—"
        if spec == "money":
            if self.chinese and params.get("currency"):  # 港币2,000.00元, as Chinese writes money
                from slagen.render.words import Words

                return Words(self.lang).money(Decimal(value), str(params["currency"]))
            return fmt_money(Decimal(value), str(params.get("currency", "")))
        if spec == "pct":
            return plain_number(Decimal(value))
        if spec and spec.startswith("pct") and spec[3:].isdigit():
            return shown_percent(Decimal(value), int(spec[3:]))
        if spec == "min":
            return minutes(Decimal(value))
        if spec == "dur":
            return self.duration(value)
        if spec == "durh":
            return self.duration(value, days=False)
        if spec == "word":
            return self.word(f"{name}.{value}", str(value))
        if spec == "band":
            return self.band(value)
        if spec == "cat":
            return self.category(str(value))
        if spec == "list" or isinstance(value, (tuple, list)):
            return ("、" if self.chinese else ", ").join(str(v) for v in value)
        if isinstance(value, bool):
            return self.word("yes" if value else "no")
        if isinstance(value, Decimal):
            return plain_number(value)
        return str(value)

    def window(self, label: str, short: bool = False) -> str:
        """A window label as its reader says it ("2026年10月", "自2026-11-01起的账单周期");
        the label itself stays the key in JSON, the ledger and file names. `short` for chart
        ticks and narrow columns: a month or quarter as labelled, other windows by a date."""
        from slagen.engine.windows import window_caption

        key, params = window_caption(label)
        if short:
            return params.get("start") or params.get("last") or label
        return self.say(key, **params) if key in self.catalogue else label

    def category(self, category: str) -> str:
        return self.catalogue.get(f"category.{category}", category.replace("_", " "))

    def duration(self, value: Any, days: bool = True) -> str:
        """Seconds as '1d 4h', '15m', '90s' / '1天4小时'; notice periods read in hours (96h)."""
        total = Decimal(value)
        units = [(86400, "d"), (3600, "h"), (60, "m"), (1, "s")] if days else [(3600, "h"), (60, "m"), (1, "s")]
        parts = []
        rest = total
        for size, unit in units:
            count = int(rest // size)
            if count:
                parts.append(f"{count}{self.word('unit.' + unit, unit)}")
                rest -= count * size
        if rest:
            parts.append(f"{plain_number(rest)}{self.word('unit.s', 's')}")
        if not parts:
            return f"0{self.word('unit.m', 'm')}"
        return ("" if self.chinese else " ").join(parts)

    def band(self, tier: Any) -> str:
        """A credit tier's availability band, word for word the engine's boundary rule:
        'less than 99.9% but at least 99.0%' / '低于99.9%但不低于99.0%'."""
        get = tier.get if isinstance(tier, dict) else lambda k: getattr(tier, k)
        lower, upper = Decimal(get("lower")), Decimal(get("upper"))
        key = "band.at_most" if get("upper_inclusive") else "band.less_than"
        upper_text = self.word(key).replace("{x}", plain_number(upper))
        if lower == 0 and get("lower_inclusive"):
            return upper_text
        key = "band.at_least" if get("lower_inclusive") else "band.more_than"
        lower_text = self.word(key).replace("{x}", plain_number(lower))
        return self.word("band.both").replace("{upper}", upper_text).replace("{lower}", lower_text)


def messages(lang: str = "en", templates: Path | None = None) -> Messages:
    return Messages(lang, templates)

"""`RunRequest`: the one description of a run (policy, inputs, window, as-of, options).

The CLI builds it from options (`slagen.cli.options.build_request`), the Python API from
arguments, an audit pack stores it in its manifest (`to_record`), `verify --recompute`
reads it back (`from_record`), and the manifest's command line is generated from it
(`command_line`). Nothing else describes a run, so the four can never drift apart.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from slagen.engine.credits import PriorWindow
from slagen.engine.evaluate import Coverage
from slagen.errors import UsageError

LANGS = ("en", "zh-Hans", "zh-Hant")

FIRST_YEAR, LAST_YEAR = 1970, 2999  # as for incident timestamps and policy dates
MAX_AMOUNT = Decimal(10) ** 15  # as for amounts in policies


def instant(text: str, option: str, zone: ZoneInfo) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text!r}: write an ISO 8601 date or date-time, e.g. 2026-10-15T12:00+08:00") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise UsageError(f"{option} {text!r}: outside the years {FIRST_YEAR}-{LAST_YEAR} slagen evaluates")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)  # stated in the policy's zone, which the help says
    return value.astimezone(timezone.utc)


def amount(text: str, option: str) -> Decimal:
    """A money option: a finite, non-negative decimal below 10^15 ('10000', '10,000.00')."""
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise UsageError(f"{option} {text!r}: write an amount, e.g. 10000 or 10000.00") from None
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        raise UsageError(f"{option} {text!r}: write an amount from 0 up to (not including) {MAX_AMOUNT:,f}")
    return value


RECORD_FORMAT = 2  # the manifest's "request" object; 1 had no paths and no format number


@dataclass(frozen=True)
class RunRequest:
    """Everything that decides what a run computes and renders. Immutable; `Path`s are the
    names the user gave (a pack's `verify` swaps in the packed copies' names)."""

    policy: Path
    incident_files: tuple[Path, ...]
    as_of: datetime  # aware
    period: str | None = None  # 2026-10, 2026-Q4, 2026-01..2026-10; None: the last complete window
    explicit: tuple[datetime, datetime] | None = None  # --from/--to
    incident_format: str = "auto"
    input_zone: ZoneInfo | None = None  # for naive timestamps in incident files
    on_bad_record: str = "fail"
    mapping: Mapping[str, str] = field(default_factory=dict)
    coverage: tuple[Coverage, ...] | None = None
    prior: tuple[PriorWindow, ...] = ()
    history: int = 0  # earlier windows evaluated for a trend
    sample_files: tuple[Path | str, ...] = ()  # monitoring samples (CSV/Parquet) for telemetry KPIs; a URL (s3a://…) with engine spark
    duplicates: str = "fail"  # an incident id seen twice: fail | first
    lang: str = "en"  # the language of documents and reason texts
    templates: Path | None = None  # a house template directory for documents
    allow_fallback: bool = False  # documents: the policy's English where it lacks text in `lang`, marked
    engine: str = "duckdb"  # what runs telemetry stage one: duckdb (embedded) | spark (evaluate --engine)
    spark_master: str | None = None  # engine spark: the master URL (default: spark-submit's, else local[*])

    def for_window(self, label: str) -> RunRequest:
        """The same request with the window it resolved to named, so that repeating it later
        (a pack's `verify --recompute`) evaluates that window, not "the last complete one"."""
        return self if self.explicit else replace(self, period=label)

    def to_record(self) -> dict[str, Any]:
        """The JSON a pack's manifest stores; `from_record` reads it back identically."""
        return {
            "format": RECORD_FORMAT,
            "policy": str(self.policy),
            "incidents": [str(p) for p in self.incident_files],
            "samples": [str(p) for p in self.sample_files],
            "period": self.period,
            "from": self.explicit[0].isoformat() if self.explicit else None,
            "to": self.explicit[1].isoformat() if self.explicit else None,
            "as_of": self.as_of.isoformat(),
            "incident_format": self.incident_format,
            "input_timezone": self.input_zone.key if self.input_zone is not None else None,
            "on_bad_record": self.on_bad_record,
            "duplicates": self.duplicates,
            "mapping": dict(sorted(self.mapping.items())),
            "coverage": [[c.start.isoformat(), c.end.isoformat()] for c in self.coverage] if self.coverage is not None else None,
            "prior_credits": [[p.label, str(p.fee), str(p.credit)] for p in self.prior],
            "history": self.history,
            "lang": self.lang,
            "templates": str(self.templates) if self.templates is not None else None,
            "engine": self.engine,
            "spark_master": self.spark_master,
            "allow_fallback": self.allow_fallback,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RunRequest:
        """A request from a manifest's record. Raises ValueError (or KeyError/TypeError) on a
        record that is not one; the caller names the file. Records of format 1 (before paths
        were stored) give an empty policy path and no incident paths: the pack supplies them."""
        if not isinstance(record, Mapping):
            raise TypeError("the request is not an object")
        history = record.get("history", 0)
        if not isinstance(history, int) or isinstance(history, bool) or not 0 <= history <= 60:
            raise ValueError(f"history {history!r} is not 0..60")
        lang = record.get("lang", "en")
        if lang not in LANGS:
            raise ValueError(f"lang {lang!r} is not one of {', '.join(LANGS)}")
        for key in ("on_bad_record", "duplicates", "incident_format"):
            if not isinstance(record.get(key, ""), str):
                raise TypeError(f"{key} is not text")
        mapping = record.get("mapping") or {}
        if not isinstance(mapping, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise TypeError("mapping is not an object of texts")
        return cls(
            policy=Path(record.get("policy") or ""),
            incident_files=tuple(Path(p) for p in record.get("incidents") or ()),
            sample_files=tuple(sample_path(p) for p in record.get("samples") or ()),
            as_of=_aware(record["as_of"]),
            period=record.get("period"),
            explicit=(_aware(record["from"]), _aware(record["to"])) if record.get("from") else None,
            incident_format=record.get("incident_format", "auto"),
            input_zone=ZoneInfo(record["input_timezone"]) if record.get("input_timezone") else None,
            on_bad_record=record.get("on_bad_record", "fail"),
            duplicates=record.get("duplicates", "fail"),
            mapping=dict(mapping),
            coverage=tuple(Coverage(_aware(a), _aware(b)) for a, b in record["coverage"]) if record.get("coverage") is not None else None,
            prior=tuple(PriorWindow(str(label), Decimal(str(fee)), Decimal(str(credit))) for label, fee, credit in record.get("prior_credits") or ()),
            history=history,
            lang=lang,
            templates=Path(record["templates"]) if record.get("templates") else None,
            engine=_engine(record.get("engine", "duckdb")),
            spark_master=record.get("spark_master") if isinstance(record.get("spark_master"), str) else None,
            allow_fallback=record.get("allow_fallback") is True,
        )

    def command_line(self, command: str = "pack") -> str:
        """The shell command that repeats this request (`slagen pack …`), quoted for a POSIX shell."""
        parts = ["slagen", command, str(self.policy)]
        for path in self.incident_files:
            parts += ["--incidents", str(path)]
        for path in self.sample_files:
            parts += ["--samples", str(path)]
        if self.explicit:
            parts += ["--from", self.explicit[0].isoformat(), "--to", self.explicit[1].isoformat()]
        elif self.period:
            parts += ["--period", self.period]
        parts += ["--as-of", self.as_of.isoformat()]
        if self.incident_format != "auto":
            parts += ["--incident-format", self.incident_format]
        if self.input_zone is not None:
            parts += ["--input-timezone", self.input_zone.key]
        if self.on_bad_record != "fail":
            parts += ["--on-bad-record", self.on_bad_record]
        if self.duplicates != "fail":
            parts += ["--duplicates", self.duplicates]
        for name, column in sorted(self.mapping.items()):
            parts += ["--map", f"{name}={column}"]
        for c in self.coverage or ():
            parts += ["--coverage", f"{c.start.isoformat()}/{c.end.isoformat()}"]
        for p in self.prior:
            parts += ["--prior-credit", f"{p.label}={p.fee}:{p.credit}"]
        if self.history:
            parts += ["--history", str(self.history)]
        if self.lang != "en":
            parts += ["--lang", self.lang]
        if self.templates is not None:
            parts += ["--templates", str(self.templates)]
        if self.allow_fallback:
            parts += ["--allow-fallback"]
        if self.engine != "duckdb":
            parts += ["--engine", self.engine] + (["--spark-master", self.spark_master] if self.spark_master else [])
        return " ".join(shlex.quote(p) for p in parts)


def sample_path(value: str | Path) -> Path | str:
    """A samples file as a Path, or a URL Spark reads (s3a://…) kept as text (a Path would
    fold its '//')."""
    text = str(value)
    return text if "://" in text else Path(text)


def _engine(value: Any) -> str:
    if value not in ("duckdb", "spark"):
        raise ValueError(f"engine {value!r} is not duckdb or spark")
    return value


def _aware(text: Any) -> datetime:
    if not isinstance(text, str):
        raise TypeError(f"{text!r} is not an ISO 8601 text")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return value

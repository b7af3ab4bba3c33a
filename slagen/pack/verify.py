"""Check an audit pack: every file present and unchanged, nothing extra, optionally re-run.

A pack is read into memory and never extracted, and every entry name is checked before use:
absolute paths, `..`, backslashes and duplicate names are reported, not followed (zip slip).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath

from slagen.errors import SlagenError, UsageError
from slagen.pack.build import FORMAT, MANIFEST

MAX_ENTRY_BYTES = 512 * 1024 * 1024  # a pack entry larger than this is refused, not inflated
# what a damaged zip raises from the standard library (zlib.error was found by fuzzing)
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError, NotImplementedError, OverflowError)


@dataclass(frozen=True)
class Problem:
    path: str
    kind: str  # changed | missing | extra | unsafe | manifest | recompute
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.path}: {self.message}"


@dataclass(frozen=True)
class Verification:
    pack: str
    files_checked: int
    problems: tuple[Problem, ...]
    recomputed: bool

    @property
    def ok(self) -> bool:
        return not self.problems


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and "\\" not in name and not path.is_absolute() and ".." not in path.parts and not name.startswith("/") and ":" not in path.parts[0]


def read_pack(path: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """Pack contents by name, and the entries refused as unsafe."""
    problems: list[Problem] = []
    files: dict[str, bytes] = {}
    if path.is_dir():
        for item in sorted(path.rglob("*")):
            if item.is_symlink():
                problems.append(Problem(item.relative_to(path).as_posix(), "unsafe", "a symbolic link; packs hold plain files only"))
            elif item.is_file():
                files[item.relative_to(path).as_posix()] = item.read_bytes()
        return files, problems
    if not path.exists():
        raise UsageError(f"{path}: no such pack (a directory or a .zip file)")
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS as exc:
        raise SlagenError(f"{path}: not a readable zip file ({exc})") from None
    with archive:
        for info in archive.infolist():
            name = info.filename
            if info.is_dir():
                continue
            if not _safe(name):
                problems.append(Problem(name, "unsafe", "entry name escapes the pack (absolute path, '..' or drive); not read"))
                continue
            if name in files:
                problems.append(Problem(name, "unsafe", "the zip holds this name twice"))
                continue
            if info.file_size > MAX_ENTRY_BYTES:
                problems.append(Problem(name, "unsafe", f"entry declares {info.file_size:,} bytes; refused"))
                continue
            try:
                files[name] = archive.read(info)
            except ZIP_ERRORS as exc:
                problems.append(Problem(name, "changed", f"cannot be read from the zip ({exc})"))
    return files, problems


def verify_pack(path: Path, recompute: bool = False) -> Verification:
    files, problems = read_pack(path)
    if MANIFEST not in files:
        problems.append(Problem(MANIFEST, "missing", "the pack has no manifest; it is not a slagen audit pack or the manifest was removed"))
        return Verification(str(path), 0, tuple(problems), False)
    try:
        manifest = json.loads(files[MANIFEST].decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError(f"format {manifest.get('format') if isinstance(manifest, dict) else None!r}, expected {FORMAT!r}")
        listed = {entry["path"]: entry for entry in manifest["files"]}
        for name, entry in listed.items():
            if not (isinstance(name, str) and isinstance(entry.get("sha256"), str) and isinstance(entry.get("bytes"), int) and not isinstance(entry.get("bytes"), bool)):
                raise ValueError(f"entry {str(name)[:60]!r} needs a path, a sha256 text and a byte count")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        problems.append(Problem(MANIFEST, "manifest", f"not a readable slagen manifest ({exc})"))
        return Verification(str(path), 0, tuple(problems), False)
    for name, entry in sorted(listed.items()):
        if not _safe(name):
            problems.append(Problem(name, "unsafe", "the manifest lists a path outside the pack"))
        elif name not in files:
            problems.append(Problem(name, "missing", "listed in the manifest but not in the pack"))
        else:
            digest = hashlib.sha256(files[name]).hexdigest()
            if digest != entry.get("sha256") or len(files[name]) != entry.get("bytes"):
                problems.append(Problem(name, "changed", f"SHA-256 {digest[:16]}… and {len(files[name]):,} bytes; the manifest says {str(entry.get('sha256'))[:16]}… and {entry.get('bytes'):,} bytes"))
    for name in sorted(set(files) - set(listed) - {MANIFEST}):
        problems.append(Problem(name, "extra", "in the pack but not listed in the manifest"))
    recomputed = False
    if recompute and not problems:
        problems.extend(_recompute(files, manifest))
        recomputed = True
    return Verification(str(path), len(listed), tuple(problems), recomputed)


def _recompute(files: dict[str, bytes], manifest: dict) -> list[Problem]:
    """Evaluate again from the packed inputs with the recorded options; compare the JSON."""
    from zoneinfo import ZoneInfo

    from slagen.engine.credits import PriorWindow
    from slagen.engine.evaluate import Coverage
    from slagen.report.content import evaluation_json
    from slagen.runs import RunRequest, Source, run

    try:
        rec = manifest["request"]
        policy_name = manifest["policy"]["file"]
        incident_names = [i["file"] for i in manifest["inputs"]]
        request = RunRequest(
            policy=Path(policy_name),
            incident_files=tuple(Path(n) for n in incident_names),
            as_of=datetime.fromisoformat(rec["as_of"]),
            period=rec["period"],
            explicit=(datetime.fromisoformat(rec["from"]), datetime.fromisoformat(rec["to"])) if rec.get("from") else None,
            incident_format=rec["incident_format"],
            input_zone=ZoneInfo(rec["input_timezone"]) if rec.get("input_timezone") else None,
            on_bad_record=rec["on_bad_record"],
            duplicates=rec.get("duplicates", "fail"),
            mapping=dict(rec["mapping"]),
            coverage=tuple(Coverage(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in rec["coverage"]) if rec.get("coverage") is not None else None,
            prior=tuple(PriorWindow(label, Decimal(fee), Decimal(credit)) for label, fee, credit in rec["prior_credits"]),
            history=rec.get("history", 0),
        )
        if not isinstance(request.history, int) or not 0 <= request.history <= 60:
            raise ValueError(f"history {request.history!r} is not 0..60")
        sources = (Source(policy_name, files[policy_name]), tuple(Source(n, files[n]) for n in incident_names))
        sample_names = [i["file"] for i in manifest.get("samples", [])]
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        return [Problem(MANIFEST, "manifest", f"the recorded evaluation request cannot be read ({type(exc).__name__}: {exc}); the pack cannot be recomputed")]
    import tempfile

    with tempfile.TemporaryDirectory(prefix="slagen-verify-") as scratch:
        samples = []
        for name in sample_names:  # DuckDB reads files: the packed copies go to a scratch folder
            copy = Path(scratch) / f"{len(samples)}-{Path(name).name}"
            copy.write_bytes(files[name])
            samples.append(Source(name, path=copy))
        try:
            lang = rec.get("lang", "en") if rec.get("lang") in ("en", "zh-Hans", "zh-Hant") else "en"
            again = evaluation_json(run(replace(request, sample_files=tuple(Path(n) for n in sample_names)), sources, tuple(samples)).evaluation, lang)
        except SlagenError as exc:
            return [Problem("evaluation.json", "recompute", f"the packed inputs no longer evaluate: {exc}")]
        except KeyError as exc:
            return [Problem(MANIFEST, "manifest", f"the manifest names a sample file the pack does not hold: {exc}")]
    if "evaluation.json" not in files:
        return [Problem("evaluation.json", "missing", "the pack has no evaluation.json to compare with")]
    if again != files["evaluation.json"]:
        try:
            where = _first_difference(json.loads(files["evaluation.json"]), json.loads(again), "")
        except ValueError:
            where = "/ (evaluation.json is not JSON)"
        return [Problem("evaluation.json", "recompute", f"re-running the evaluation from the packed inputs gives a different result (first difference at {where or '/'}); slagen {manifest.get('slagen_version')} made the pack")]
    return []


def _first_difference(a, b, path: str) -> str | None:
    if type(a) is not type(b):
        return path
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}/{key}"
            found = _first_difference(a[key], b[key], f"{path}/{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return path
        for i, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, f"{path}/{i}")
            if found:
                return found
        return None
    return None if a == b else path

"""Check an audit pack: every file present and unchanged, nothing extra, optionally re-run.

A pack is read into memory and never extracted, and every entry name is checked before use:
absolute paths, `..`, backslashes and duplicate names are reported, not followed (zip slip).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, replace
from decimal import InvalidOperation
from pathlib import Path, PurePosixPath

from slagen.errors import SlagenError, UsageError
from slagen.pack.build import FORMAT, MANIFEST

MAX_ENTRY_BYTES = 512 * 1024 * 1024  # a pack entry larger than this is refused, not inflated
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all entries together, checked from the zip directory before anything is inflated
MAX_ENTRIES = 10_000  # a pack holds a few files per input; more entries is not a slagen pack
MAX_PACK_BYTES = 2 * 1024 * 1024 * 1024  # the .zip file itself
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_MANIFEST_DEPTH = 32  # the manifest is a few levels deep; deeper is refused before it is parsed
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


def _entry_kind(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is not a plain file, from the Unix mode bits the zip records (if any)."""
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode:  # made on Unix: the mode bits are meaningful
        if stat.S_ISLNK(mode):
            return "a symbolic link"
        if stat.S_ISDIR(mode):
            return "a directory named as a file"
        if not stat.S_ISREG(mode) and stat.S_IFMT(mode):
            return "a device, FIFO or socket"
    if info.external_attr & 0x10:  # MS-DOS directory attribute
        return "a directory named as a file"
    return None


def read_pack(path: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """Pack contents by name, and the entries refused as unsafe.

    Limits are checked before anything is inflated or read: the number of entries, each
    entry's and the total declared size; then every read stops at the declared size."""
    problems: list[Problem] = []
    files: dict[str, bytes] = {}
    if path.is_dir() and not path.is_symlink():
        return _read_directory_pack(path)
    from slagen.files import read_input

    data = read_input(path, "an audit pack (a directory or a .zip file)", MAX_PACK_BYTES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except ZIP_ERRORS as exc:
        raise SlagenError(f"{path}: not a readable zip file ({exc})") from None
    if len(infos) > MAX_ENTRIES:
        raise SlagenError(f"{path}: {len(infos):,} zip entries, more than the {MAX_ENTRIES:,} a pack may hold; not read")
    declared = sum(i.file_size for i in infos if i.file_size <= MAX_ENTRY_BYTES)
    if declared > MAX_TOTAL_BYTES:
        raise SlagenError(f"{path}: the entries would inflate to {declared:,} bytes, more than the {MAX_TOTAL_BYTES:,} a pack may hold; not read")
    names = {i.filename.rstrip("/") for i in infos}
    with archive:
        for info in infos:
            name = info.filename
            if name.endswith("/"):
                continue  # a directory entry proper
            if not _safe(name):
                problems.append(Problem(name, "unsafe", "entry name escapes the pack (absolute path, '..' or drive); not read"))
                continue
            kind = _entry_kind(info)
            if kind:
                problems.append(Problem(name, "unsafe", f"{kind}; packs hold plain files only; not read"))
                continue
            if any(other.startswith(name + "/") for other in names):
                problems.append(Problem(name, "unsafe", "a file and a directory of the same name; not read"))
                continue
            if name in files:
                problems.append(Problem(name, "unsafe", "the zip holds this name twice"))
                continue
            if info.file_size > MAX_ENTRY_BYTES:
                problems.append(Problem(name, "unsafe", f"entry declares {info.file_size:,} bytes; refused"))
                continue
            try:
                with archive.open(info) as member:
                    content = member.read(info.file_size + 1)
            except ZIP_ERRORS as exc:
                problems.append(Problem(name, "changed", f"cannot be read from the zip ({exc})"))
                continue
            if len(content) != info.file_size:
                problems.append(Problem(name, "changed", f"inflates to more or fewer bytes than the {info.file_size:,} the zip declares; not read"))
                continue
            files[name] = content
    return files, problems


def _read_directory_pack(path: Path) -> tuple[dict[str, bytes], list[Problem]]:
    """A pack as a directory: plain files only (links, FIFOs, devices refused unread). Every
    entry is counted and sized first; nothing is read when the limits are exceeded."""
    import os

    from slagen.files import read_input

    problems: list[Problem] = []
    plain: list[tuple[str, Path]] = []
    total = 0
    for folder, dirnames, filenames in os.walk(path, followlinks=False):
        dirnames.sort()
        for entry in sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(folder, d))]:
            item = Path(folder) / entry
            name = item.relative_to(path).as_posix()
            try:
                info = item.lstat()
            except OSError as exc:
                problems.append(Problem(name, "changed", f"cannot be read ({exc.strerror})"))
                continue
            if stat.S_ISLNK(info.st_mode):
                problems.append(Problem(name, "unsafe", "a symbolic link; packs hold plain files only"))
            elif not stat.S_ISREG(info.st_mode):
                problems.append(Problem(name, "unsafe", "not a regular file (a FIFO, device or socket); not read"))
            else:
                plain.append((name, item))
                total += info.st_size
            if len(plain) + len(problems) > MAX_ENTRIES:
                raise SlagenError(f"{path}: more than the {MAX_ENTRIES:,} files a pack may hold; nothing read")
            if total > MAX_TOTAL_BYTES:
                raise SlagenError(f"{path}: the files add up to more than the {MAX_TOTAL_BYTES:,} bytes a pack may hold; nothing read")
    files: dict[str, bytes] = {}
    for name, item in plain:
        files[name] = read_input(item, "a pack file", MAX_ENTRY_BYTES)
    return files, problems


_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _too_deep(text: bytes, limit: int) -> bool:
    """True when JSON brackets nest deeper than `limit` (brackets inside strings do not count)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def verify_pack(path: Path, recompute: bool = False, expect: str | None = None, templates: Path | None = None) -> Verification:
    """Check a pack. `expect` is the manifest SHA-256 that `slagen pack` printed: without it
    anyone who rewrites the manifest can rewrite its hashes too. `recompute` re-runs the
    evaluation and re-renders every document from the packed inputs (`templates`: the house
    template directory the pack was made with, if any; templates inside a pack never run)."""
    if expect is not None:
        expect = expect.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", expect):
            raise UsageError(f"--expect {expect[:80]!r}: give the 64 hex digits of the manifest SHA-256 that 'slagen pack' printed")
    files, problems = read_pack(path)
    if MANIFEST not in files:
        problems.append(Problem(MANIFEST, "missing", "the pack has no manifest; it is not a slagen audit pack or the manifest was removed"))
        return Verification(str(path), 0, tuple(problems), False)
    if expect is not None:
        actual = hashlib.sha256(files[MANIFEST]).hexdigest()
        if actual != expect:
            problems.append(Problem(MANIFEST, "manifest", f"SHA-256 is {actual}, not the expected {expect}: this is not the manifest 'slagen pack' made"))
    try:
        if len(files[MANIFEST]) > MAX_MANIFEST_BYTES:
            raise ValueError(f"{len(files[MANIFEST]):,} bytes; a manifest is at most {MAX_MANIFEST_BYTES:,}")
        if _too_deep(files[MANIFEST], MAX_MANIFEST_DEPTH):
            raise ValueError(f"nested more than {MAX_MANIFEST_DEPTH} levels")
        manifest = json.loads(files[MANIFEST].decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError(f"format {manifest.get('format') if isinstance(manifest, dict) else None!r}, expected {FORMAT!r}")
        listed = {entry["path"]: entry for entry in manifest["files"]}
        for name, entry in listed.items():
            if not (isinstance(name, str) and isinstance(entry.get("sha256"), str) and isinstance(entry.get("bytes"), int) and not isinstance(entry.get("bytes"), bool)):
                raise ValueError(f"entry {str(name)[:60]!r} needs a path, a sha256 text and a byte count")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
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
        problems.extend(_recompute(files, manifest, templates))
        recomputed = True
    return Verification(str(path), len(listed), tuple(problems), recomputed)


DOCUMENTS = {"report.pdf": "pdf", "report.docx": "docx"}


def _recompute(files: dict[str, bytes], manifest: dict, templates: Path | None = None) -> list[Problem]:
    """Evaluate again from the packed inputs with the recorded options and compare the JSON;
    then render every document again and compare the bytes (reports are reproducible).

    Documents are rendered with slagen's packaged templates, or with the house templates
    the verifier names (`templates`), which must hash to those the manifest records.
    Nothing inside the pack is ever used as a template."""
    from zoneinfo import ZoneInfoNotFoundError

    from slagen.report.content import evaluation_json
    from slagen.runs import RunRequest, Source, run

    try:
        rec = manifest["request"]
        policy_name = manifest["policy"]["file"]
        incident_names = [i["file"] for i in manifest["inputs"]]
        # the request as it was made, its file names swapped for the packed copies' names
        request = replace(RunRequest.from_record(rec), policy=Path(policy_name), incident_files=tuple(Path(n) for n in incident_names))
        sources = (Source(policy_name, files[policy_name]), tuple(Source(n, files[n]) for n in incident_names))
        sample_names = [i["file"] for i in manifest.get("samples", [])]
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation, OverflowError, ZoneInfoNotFoundError) as exc:
        return [Problem(MANIFEST, "manifest", f"the recorded evaluation request cannot be read ({type(exc).__name__}: {exc}); the pack cannot be recomputed")]
    import tempfile

    with tempfile.TemporaryDirectory(prefix="slagen-verify-") as scratch:
        samples = []
        for name in sample_names:  # DuckDB reads files: the packed copies go to a scratch folder
            copy = Path(scratch) / f"{len(samples)}-{Path(name).name}"
            copy.write_bytes(files[name])
            samples.append(Source(name, path=copy))
        try:
            lang = request.lang
            result = run(replace(request, sample_files=tuple(Path(n) for n in sample_names)), sources, tuple(samples))
            again = evaluation_json(result.evaluation, lang)
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
    return _rerender(files, manifest, result, templates, request.lang)


def _rerender(files: dict[str, bytes], manifest: dict, result, templates: Path | None, lang: str) -> list[Problem]:
    from slagen import __version__
    from slagen.pack.build import template_record
    from slagen.report.render import render_report

    documents = [name for name in DOCUMENTS if name in files]
    if not documents:
        return []
    recorded = manifest.get("templates")
    given = template_record(templates) if templates is not None else None
    if recorded != given:
        if recorded is None:
            return [Problem(", ".join(documents), "recompute", "the pack was made with slagen's own templates; verify without --templates")]
        if given is None:
            return [Problem(", ".join(documents), "recompute", "the pack was made with house templates; give the same directory with --templates DIR to re-render and compare its documents")]
        return [Problem(", ".join(documents), "recompute", f"the templates in {templates} are not the ones the pack was made with ({_template_difference(recorded, given)})")]
    problems = []
    for name in documents:
        try:
            again = render_report(result, DOCUMENTS[name], lang, templates)
        except SlagenError as exc:
            problems.append(Problem(name, "recompute", f"cannot be rendered again: {exc}"))
            continue
        if again != files[name]:
            problems.append(Problem(name, "recompute", f"differs from the document rendered again from the packed inputs; it is not the report of this evaluation (slagen {manifest.get('slagen_version')} made the pack, this is {__version__})"))
    return problems


def _template_difference(recorded, given) -> str:
    try:
        old = {f["path"]: f["sha256"] for f in recorded["files"]}
    except (TypeError, KeyError):
        return "the manifest's template record is not readable"
    new = {f["path"]: f["sha256"] for f in given["files"]}
    for path in sorted(set(old) | set(new)):
        if old.get(path) != new.get(path):
            return f"first difference: {path}"
    return "same files"


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

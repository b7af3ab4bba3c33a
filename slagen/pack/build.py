"""An audit pack: report PDF and DOCX, evaluation JSON, exact copies of the inputs and a manifest.

The evaluation is made from the packed copies under their names inside the pack, so a
verifier re-running it from the pack gets the same JSON byte for byte. Zip entries are
sorted and dated 1980-01-01: the same inputs give the same pack.
"""

from __future__ import annotations

import hashlib
import re
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from slagen import __version__
from slagen.errors import UsageError
from slagen.report.content import evaluation_json
from slagen.runs import Run, RunRequest, Source, read_sources, run

FORMAT = "slagen-pack/1"
MANIFEST = "manifest.json"
CHECKSUMS = "manifest-sha256.txt"


@dataclass(frozen=True)
class Pack:
    files: dict[str, bytes]  # pack path -> bytes, including the manifest
    run: Run

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.files[MANIFEST]).hexdigest()


def _packed_names(policy: Source, incidents: tuple[Source, ...]) -> tuple[Source, tuple[Source, ...]]:
    """Copies named inputs/policy/<file> and inputs/incidents/<file>, numbered if names repeat."""
    used: set[str] = set()

    def name(folder: str, original: str) -> str:
        base = _safe_name(Path(original).name)
        candidate, n = f"inputs/{folder}/{base}", 2
        while candidate in used:
            candidate, n = f"inputs/{folder}/{n}-{base}", n + 1
        used.add(candidate)
        return candidate

    return Source(name("policy", policy.name), policy.data), tuple(Source(name("incidents", s.name), s.data) for s in incidents)


def _safe_name(name: str) -> str:
    """Only safe characters inside a pack: no separators, no '..', no leading dot."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "input"


def make_pack(request: RunRequest) -> Pack:
    """Evaluate the request from copies of its inputs and render the documents it asks for
    (`request.lang`, `request.templates`); the manifest stores the request itself."""
    from slagen.report.render import render_report

    from slagen.files import read_input
    from slagen.runs import sample_sources

    policy, incidents = _packed_names(*read_sources(request))
    originals = sample_sources(request)
    samples = tuple(Source(f"inputs/samples/{_safe_name(Path(s.name).name)}", path=s.path) for s in originals)
    if len({s.name for s in samples}) != len(samples):
        raise UsageError("two sample files have the same name; rename one so the pack can hold both")
    result = run(request, (policy, incidents), samples)
    lang, templates = request.lang, request.templates
    request = request.for_window(result.window.label)
    files: dict[str, bytes] = {policy.name: policy.data, **{s.name: s.data for s in incidents}, **{s.name: read_input(s.path, "a samples file") for s in samples}}
    files["evaluation.json"] = evaluation_json(result.evaluation, lang)
    files["report.pdf"] = render_report(result, "pdf", lang, templates)
    files["report.docx"] = render_report(result, "docx", lang, templates)
    files[CHECKSUMS] = "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files)).encode()
    import tzdata

    manifest = {
        "format": FORMAT,
        "slagen_version": __version__,
        "tzdata_version": getattr(tzdata, "IANA_VERSION", None),
        "command": request.command_line(),
        "policy": {"id": result.policy.agreement.id, "file": policy.name, "original": str(request.policy)},
        "window": {"label": result.window.label, "start": result.window.start.isoformat(), "end": result.window.end.isoformat(), "timezone": result.window.timezone},
        "request": request.to_record(),
        "inputs": [{"file": s.name, "original": str(o)} for s, o in zip(incidents, request.incident_files)],
        "samples": [{"file": s.name, "original": str(o)} for s, o in zip(samples, request.sample_files)],
        "files": [{"path": n, "sha256": hashlib.sha256(files[n]).hexdigest(), "bytes": len(files[n])} for n in sorted(files)],
        "templates": template_record(templates),
    }
    files[MANIFEST] = (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    return Pack(files, result)


def template_record(directory: Path | None) -> dict | None:
    """What `verify --recompute` needs to know about house templates: every file's path and
    SHA-256 (None: slagen's packaged templates). The templates themselves are not packed:
    a pack never carries code that verifying it would run."""
    if directory is None:
        return None
    import os
    import stat

    from slagen.files import read_input

    out = []
    root = Path(directory)
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(folder) / name
            if not stat.S_ISREG(path.lstat().st_mode):
                continue  # links and special files are never loaded as templates either
            out.append({"path": path.relative_to(root).as_posix(), "sha256": hashlib.sha256(read_input(path, "a template file", 64 * 1024 * 1024)).hexdigest()})
            if len(out) > 10_000:
                raise UsageError(f"--templates {directory}: more than 10,000 files; name the template directory itself")
    return {"files": out}


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files, key=lambda n: (n != MANIFEST, n)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return out.getvalue()


def write_pack(pack: Pack, target: Path) -> Path:
    """A .zip file (atomically), or a new directory (built beside it, then renamed into place).

    Only a regular file (zip) or an empty directory (directory pack) is ever replaced; the
    parent directory must exist; OS errors name the path and the reason."""
    import os
    import shutil
    import tempfile

    from slagen.files import atomic_write, check_output_path, temp_prefix, write_error

    if target.suffix.lower() == ".zip":
        atomic_write(target, zip_bytes(pack.files))
        return target
    check_output_path(target, directory_ok=True)
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"-o {target}: already exists and is not an empty directory; choose a new directory or a .zip file")
    try:
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=temp_prefix(target)))
    except OSError as exc:
        raise write_error(target, exc, f"cannot create a directory in {target.parent}") from None
    try:
        try:
            for name, data in pack.files.items():
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            for directory in [staging, *[p for p in staging.rglob("*") if p.is_dir()]]:
                directory.chmod(0o755)
            if target.exists():
                target.rmdir()
            os.replace(staging, target)
        except OSError as exc:
            raise write_error(target, exc) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target

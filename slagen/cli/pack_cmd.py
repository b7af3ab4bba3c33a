"""`slagen pack` and `slagen verify`: audit packs for one policy or a batch, and their check."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from slagen.cli.ledger_opts import ledger_options
from slagen.cli.options import build_request, evaluation_options
from slagen.cli.outcomes import Outcome
from slagen.errors import SlagenError, UsageError
from slagen.text import for_terminal, utf8


@dataclass(frozen=True)
class PackJob:
    policy: str
    target: str | None  # an explicit -o path, used literally (never as a format string)
    folder: str  # without -o: the pack is <folder>/<policy stem>-<window label>.zip
    params: dict
    history: int
    lang: str
    templates: str | None


def _pack_one(job: PackJob, catch: bool = True) -> dict:
    """Make and write one pack; a summary row (worker processes call this too).

    In a batch (`catch`) an error becomes the row's error so the other packs still get made.
    """
    from slagen.render.numbers import fmt_money
    from slagen.files import check_output_path, safe_filename
    from slagen.pack.build import make_pack, write_pack
    from slagen.policy.load import load_policy

    try:
        if job.target:  # refuse an unusable -o before the work, not after it
            check_output_path(Path(job.target), directory_ok=Path(job.target).suffix.lower() != ".zip")
        policy = load_policy(job.policy)
        request = build_request(job.policy, policy.timezone, {**job.params, "history": job.history, "lang": job.lang, "templates": job.templates})
        from slagen.cli.ledger_opts import open_ledger, record, with_ledger_priors

        ledger = open_ledger(job.params)
        request = with_ledger_priors(request, policy, ledger)
        pack = make_pack(request)
        target = Path(job.target) if job.target else Path(job.folder) / f"{Path(job.policy).stem}-{safe_filename(pack.run.window.label)}.zip"
        write_pack(pack, target)
        if job.params.get("record"):  # the pack's manifest hash is kept with the window
            record(ledger, pack.run, (pack.run.evaluation,), job.params, "pack", job.lang, manifest=pack.manifest_sha256)
    except SlagenError as exc:
        if not catch:
            raise
        return {"policy": job.policy, "error": str(exc)}
    ev = pack.run.evaluation
    met = sum(1 for k in ev.kpis if k.status in ("met", "pending"))
    return {
        "policy": job.policy,
        "window": ev.window_label,
        "kpis_met": f"{met}/{len(ev.kpis)}",
        "credit": fmt_money(ev.credits.amount, ev.credits.currency) if ev.credits else "—",
        "escalation": str(ev.escalation.level) if ev.escalation.level is not None else "—",
        "pack": str(target),
        "manifest_sha256": pack.manifest_sha256,
    }


def _policies(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            if not found:
                raise UsageError(f"{path}: no .yaml policies in this directory")
            out.extend(found)
        else:
            out.append(path)
    return out


@click.command("pack")
@click.argument("policy_files", nargs=-1, required=True, metavar="POLICY...")
@evaluation_options
@click.option("--history", type=click.IntRange(0, 60), default=0, show_default=True, help="Earlier windows to evaluate for the report's trend.")
@click.option("--lang", type=click.Choice(["en", "zh-Hans", "zh-Hant"]), default="en", show_default=True, help="Language of the report in the pack.")
@click.option("--allow-fallback", is_flag=True, help="Where the policy has no text in --lang, show its English text, marked (without this, each such field is an error).")
@click.option("--templates", type=click.Path(file_okay=False), help="Your template directory for the report.")
@click.option("-o", "--output", type=click.Path(), help="One policy: a .zip file or a new directory. Several: a directory that receives <policy>-<period>.zip each. Default: <policy>-<period>.zip here.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Packs made at once (default: the number of CPUs).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Summary format.")
@ledger_options
def pack_cmd(policy_files, history, lang, templates, output, jobs, quiet, fmt, **params) -> Outcome:
    """Make a verifiable audit pack: the report PDF and DOCX, the evaluation JSON, exact
    copies of the policy and incident files, and manifest.json with every file's SHA-256
    and size, the slagen version and the command that made it.

    Several policies (or a directory of them) make one pack each, for the same period and
    incident files, on all CPUs, with a progress bar and a summary table.

    \b
    Examples:
      slagen pack examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv \\
          --period 2026-10 -o dingtalk-2026-10.zip
      slagen pack policies/ --incidents incidents.csv --period 2026-10 -o packs/
      slagen verify dingtalk-2026-10.zip --recompute
    """
    policies = _policies(policy_files)
    batch = len(policies) > 1
    if batch and output and Path(output).suffix.lower() == ".zip":
        raise UsageError("several policies make several packs: give -o a directory")
    folder = "."
    if batch:
        folder = output or "."
        _make_folder(Path(folder))
    target = None if batch else output
    jobs_list = [PackJob(str(p), target, folder, params, history, lang, templates) for p in policies]
    if batch:
        results = _run_jobs(jobs_list, jobs or os.cpu_count() or 1, show=not quiet and sys.stderr.isatty())
    else:
        results = [_pack_one(jobs_list[0], catch=False)]
    failed = [r for r in results if "error" in r]
    if fmt == "json":
        click.echo(utf8(json.dumps(results, indent=2, ensure_ascii=False)))
    else:
        for r in results:
            if "error" not in r:
                click.echo(f"wrote {for_terminal(r['pack'])}  (manifest SHA-256 {r['manifest_sha256']})", err=True)
        click.echo(for_terminal(_summary(results), keep_newlines=True))
    return Outcome.INVALID if failed else Outcome.OK


def _make_folder(folder: Path) -> None:
    """The batch's output directory: used if it exists, made if only it is missing (its
    parent must exist); anything else there is refused."""
    from slagen.files import write_error

    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise UsageError(f"-o {folder}: not a directory")
    if not folder.exists():
        try:
            folder.mkdir()
        except FileNotFoundError:
            raise UsageError(f"-o {folder}: directory {folder.parent} does not exist (slagen does not create it)") from None
        except OSError as exc:
            raise write_error(folder, exc, "cannot create the directory") from None


def _run_jobs(jobs: list[PackJob], workers: int, show: bool) -> list[dict]:
    workers = min(workers, len(jobs))
    if workers <= 1:
        with click.progressbar(jobs, label="packs", file=sys.stderr) if show else _nullbar(jobs) as bar:
            return [_pack_one(job) for job in bar]
    from concurrent.futures import ProcessPoolExecutor

    results: dict[int, dict] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_pack_one, job): i for i, job in enumerate(jobs)}
        from concurrent.futures import as_completed

        with click.progressbar(length=len(jobs), label="packs", file=sys.stderr) if show else _nullbar(None) as bar:
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                bar.update(1)
    return [results[i] for i in range(len(jobs))]


class _nullbar:
    def __init__(self, items):
        self.items = items

    def __enter__(self):
        return self.items if self.items is not None else self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass


def _summary(rows: list[dict]) -> str:
    header = ("policy", "window", "KPIs met", "credit", "esc.", "pack / error")
    body = [(Path(r["policy"]).stem, r.get("window", "—"), r.get("kpis_met", "—"), r.get("credit", "—"), r.get("escalation", "—"), r.get("pack") or f"error: {r['error']}") for r in rows]
    widths = [min(max(len(str(row[i])) for row in [header, *body]), 40) for i in range(len(header) - 1)]
    lines = ["  ".join(str(cell)[:w].ljust(w) for cell, w in zip(row[:-1], widths)) + "  " + str(row[-1]) for row in [header, *body]]
    return "\n".join(lines)


@click.command("verify")
@click.argument("pack_path", metavar="PACK", type=click.Path())
@click.option("--expect", metavar="SHA256", help="The manifest SHA-256 that 'slagen pack' printed: proves the manifest (and so every hash in it) is the one made then.")
@click.option("--recompute", is_flag=True, help="Also re-run the evaluation from the packed inputs and re-render every document; name each that differs from what was packed.")
@click.option("--templates", type=click.Path(file_okay=False), help="With --recompute: the house template directory the pack was made with (its files must hash to those the manifest records). Templates inside a pack are never run.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify_cmd(pack_path: str, expect: str | None, recompute: bool, templates: str | None, fmt: str) -> Outcome:
    """Check an audit pack (directory or .zip): re-hash every file against manifest.json and
    report any changed, missing or extra file. Exit status 0 intact, 1 not.

    Whoever can change a pack can also rewrite its manifest: give the manifest SHA-256 that
    `slagen pack` printed with --expect, or --recompute to re-derive the evaluation and the
    report documents from the packed inputs.

    \b
    Examples:
      slagen verify dingtalk-2026-10.zip --expect 3f5a…(64 hex digits)
      slagen verify packs/dingtalk-enterprise-2026-10.zip --recompute --format json
    """
    from slagen.pack.verify import verify_pack

    if templates and not recompute:
        raise UsageError("--templates goes with --recompute (it names the house templates to render the documents again with)")
    result = verify_pack(Path(pack_path), recompute, expect, Path(templates) if templates else None)
    if fmt == "json":
        click.echo(utf8(json.dumps({"pack": result.pack, "ok": result.ok, "files_checked": result.files_checked, "recomputed": result.recomputed, "manifest_expected": bool(expect),
                               "problems": [{"path": p.path, "kind": p.kind, "message": p.message} for p in result.problems]}, indent=2, ensure_ascii=False)))
    else:
        for problem in result.problems:
            click.echo(for_terminal(f"{pack_path}: {problem}"))
        if result.ok:
            click.echo(for_terminal(f"{pack_path}: intact: {result.files_checked} files match the manifest") + (" (the manifest SHA-256 is the expected one)" if expect else "")
                       + ("; the evaluation recomputes identically and every document renders again to the same bytes" if result.recomputed else ""))
    return Outcome.OK if result.ok else Outcome.INVALID

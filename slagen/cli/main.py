"""The `slagen` command: a thin layer that builds a request from options and calls the library.

Exit codes are mapped in one place, here, from the `Outcome` a command returns or the
error it raises (`slagen.cli.outcomes`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from slagen import __version__
from slagen.errors import PolicyErrors, SlagenError, UsageError
from slagen.files import Terminated, install_signal_handlers
from slagen.text import for_terminal, utf8

from slagen.cli.outcomes import Outcome, exit_code, table as exit_table
from slagen.net import DeliveryError

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_MISSED, EXIT_INTERNAL = (o.value for o in (Outcome.OK, Outcome.INVALID, Outcome.USAGE, Outcome.MISSED, Outcome.INTERNAL))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog="\b\nExit status:\n" + exit_table())
@click.version_option(__version__, prog_name="slagen")
def cli() -> None:
    """slagen: vendor SLAs as numbers and documents people can rely on.

    \b
    Typical use:
      slagen validate policies/*.yaml
      slagen evaluate examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv --period 2026-10
      slagen clauses examples/dingtalk-enterprise.yaml --lang en+zh-Hans -o sla.pdf
      slagen report examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv --period 2026-10 -o report.pdf
      slagen pack examples/dingtalk-enterprise.yaml --incidents examples/incidents/dingtalk-2026-10.csv --period 2026-10 -o pack.zip
      slagen verify pack.zip --recompute
      slagen compare policies/ examples/dingtalk-enterprise.yaml
      slagen schema > policy.schema.json
      slagen fetch statuspage https://www.githubstatus.com -o githubstatus.json
    """


@cli.result_callback()
@click.pass_context
def _exit_status(ctx: click.Context, outcome: object, **_: object) -> None:
    """Every command's `Outcome` becomes the exit status here, and nowhere else."""
    code = exit_code(outcome)
    if code:
        ctx.exit(code)


def _expand(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            out.append(path)
    return out


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one 'path:line:column: message' per problem; json: a list of problem objects.")
def validate(files: tuple[str, ...], fmt: str) -> Outcome:
    """Check policy files against the policy language; report every problem.

    A directory stands for the *.yaml files in it. Exit status: 0 all valid,
    1 any file invalid, 2 a file missing or unreadable.

    \b
    Examples:
      slagen validate examples/dingtalk-enterprise.yaml
      slagen validate policies/ --format json
    """
    from slagen.policy.load import load_policy

    problems: list[dict] = []
    hints: list[dict] = []
    usage: list[str] = []
    valid: list[str] = []
    for path in _expand(files):
        try:
            hints.extend(h.as_dict() for h in load_policy(path).hints)  # migration hints: valid, but say it the new way
            valid.append(str(path))
        except PolicyErrors as exc:
            problems.extend(p.as_dict() for p in exc.problems)
        except UsageError as exc:
            usage.append(str(exc))
    if fmt == "json":
        click.echo(utf8(json.dumps({"valid": valid, "problems": problems, "hints": hints, "usage_errors": usage}, indent=2, ensure_ascii=False)))
    else:
        for p in problems:
            click.echo(for_terminal(f"{p['file']}:{p['line']}:{p['column']}: {p['message']}"))
        for h in hints:
            click.echo(for_terminal(f"{h['file']}:{h['line']}:{h['column']}: {h['message']}"), err=True)
        for message in usage:
            click.echo(f"error: {for_terminal(message)}", err=True)
        for path in valid:
            click.echo(f"{for_terminal(path)}: valid")
    if usage:
        return Outcome.USAGE
    return Outcome.INVALID if problems else Outcome.OK


@cli.command()
@click.argument("name", type=click.Choice(["policy", "evaluation", "scenario", "notify"]), default="policy")
def schema(name: str) -> None:
    """Print a JSON Schema shipped with slagen (default: the policy language).

    Editors use it for completion and inline help; add this line to a policy:

    \b
      # yaml-language-server: $schema=policy.schema.json
    """
    from slagen.policy.schema import load_schema

    click.echo(json.dumps(load_schema(name), indent=2, ensure_ascii=False))


from slagen.cli.evaluate_cmd import evaluate_cmd  # noqa: E402

from slagen.cli.clauses_cmd import clauses_cmd  # noqa: E402

cli.add_command(evaluate_cmd)
from slagen.cli.report_cmd import report_cmd  # noqa: E402

cli.add_command(clauses_cmd)
from slagen.cli.pack_cmd import pack_cmd, verify_cmd  # noqa: E402

from slagen.cli.compare_cmd import compare_cmd  # noqa: E402

cli.add_command(report_cmd)
cli.add_command(compare_cmd)
cli.add_command(pack_cmd)
cli.add_command(verify_cmd)
from slagen.cli.claims_cmd import claims_cmd  # noqa: E402
from slagen.cli.roi_cmd import roi_cmd  # noqa: E402

cli.add_command(claims_cmd)
cli.add_command(roi_cmd)
from slagen.cli.fetch_cmd import fetch_cmd  # noqa: E402

cli.add_command(fetch_cmd)
from slagen.cli.telemetry_sql_cmd import telemetry_sql_cmd  # noqa: E402

cli.add_command(telemetry_sql_cmd)


def main() -> None:
    """Console entry point: every SlagenError becomes one message and an exit code."""
    restore = install_signal_handlers()  # SIGTERM cleans up temp files as Ctrl-C does
    try:
        _main()
    finally:
        restore()


def _main() -> None:
    try:
        outcome = cli.main(standalone_mode=False)
    except Terminated as exc:
        click.echo("terminated", err=True)
        sys.exit(128 + (exc.args[0] if exc.args else 15))
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except UsageError as exc:
        click.echo(f"error: {for_terminal(exc)}", err=True)
        sys.exit(EXIT_USAGE)
    except DeliveryError as exc:  # a fetch that failed: the network or the remote, not the user's input
        click.echo(f"error: {for_terminal(exc)}", err=True)
        sys.exit(Outcome.DELIVERY.value)
    except PolicyErrors as exc:
        for problem in exc.problems:
            click.echo(for_terminal(problem), err=True)
        sys.exit(EXIT_INVALID)
    except SlagenError as exc:
        click.echo(f"error: {for_terminal(exc)}", err=True)
        sys.exit(EXIT_INVALID)
    except Exception as exc:  # a bug: say so in one line; SLAGEN_DEBUG=1 shows the traceback
        if os.environ.get("SLAGEN_DEBUG"):
            raise
        click.echo(f"internal error (please report it; rerun with SLAGEN_DEBUG=1 for details): {type(exc).__name__}: {for_terminal(exc)}", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(outcome if isinstance(outcome, int) else 0)  # click returns the status _exit_status chose


if __name__ == "__main__":
    main()

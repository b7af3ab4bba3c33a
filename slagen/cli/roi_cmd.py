"""`slagen roi`: the year per vendor and in total, every figure citing its windows."""

from __future__ import annotations

import json
from pathlib import Path

import click

from slagen.cli.outcomes import Outcome
from slagen.errors import UsageError
from slagen.files import STDOUT, atomic_write, check_output_path
from slagen.text import for_terminal, utf8

SUFFIX_FORMAT = {".json": "json", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx", ".txt": "table"}


@click.command("roi")
@click.option("--year", type=click.IntRange(1970, 2999), required=True, help="The year: windows whose first local day falls in it.")
@click.option("--policy", "policy_ids", multiple=True, metavar="ID", help="Only this agreement id (the policy's agreement.id). Repeatable.")
@click.option("--ledger", "ledger", envvar="SLAGEN_LEDGER", metavar="PATH|URL", help="The ledger (SQLite file or postgresql:// URL). Default: $SLAGEN_LEDGER.")
@click.option("--as-of", "as_of", help="Claims' state (expired or not) on this date or date-time with offset. Default: now.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html", "pdf", "docx"]), default=None, help="Default: from the -o suffix, else table.")
@click.option("--lang", type=click.Choice(["en", "zh-Hans", "zh-Hant"]), default="en", show_default=True)
@click.option("--templates", type=click.Path(file_okay=False), help="Your template directory (roi/roi.html.j2, messages/<lang>.yaml override the packaged ones).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of standard output.")
def roi_cmd(year, policy_ids, ledger, as_of, fmt, lang, templates, output) -> None:
    """The annual view from the ledger, per vendor and in total: incidents and downtime
    (frequency and duration), downtime cost, fees, credits owed / claimed / received /
    rejected / expired, credits as a share of fees, uncovered exposure, windows breached.
    Every figure lists the windows it came from (JSON: each window's contribution).

    \b
    Examples:
      slagen roi --year 2026 --ledger ledger.sqlite
      slagen roi --year 2026 --policy dingtalk-enterprise-2026 --format json -o roi-2026.json
      slagen roi --year 2026 --lang zh-Hans -o roi-2026.pdf      # or .docx, .html
    """
    from datetime import datetime, time, timezone

    from slagen.cli.claims_cmd import _as_of, _open
    from slagen.ledger import annual_view

    if fmt is None:
        fmt = SUFFIX_FORMAT.get(Path(output).suffix.lower(), "table") if output and output != STDOUT else "table"
    if fmt in ("pdf", "docx") and (output is None or output == STDOUT):
        raise UsageError(f"--format {fmt} writes a binary file: name it with -o FILE")
    if output and output != STDOUT:
        check_output_path(Path(output))  # refuse an unusable -o before the work, not after it
    when = _as_of(as_of)
    if not isinstance(when, datetime):
        when = datetime.combine(when, time(12), timezone.utc)  # a date: its middle, so every zone's date is the day given (±12 h)
    with _open(ledger) as book:
        roi = annual_view(book, year, tuple(policy_ids), when)
    if fmt == "json":
        data = utf8(json.dumps(roi.as_dict(), indent=2, ensure_ascii=False) + "\n")
    elif fmt == "table":
        from slagen.render.messages import Messages
        from slagen.render.roi import roi_document, roi_table

        data = utf8(for_terminal(roi_table(roi_document(roi, Messages(lang, Path(templates) if templates else None))), keep_newlines=True))
    else:
        from slagen.render.roi import render_roi

        data = render_roi(roi, fmt, lang, Path(templates) if templates else None)
    atomic_write(STDOUT if output is None else output, data)
    if output and output != STDOUT:
        click.echo(f"wrote {for_terminal(output)}", err=True)
    return Outcome.OK

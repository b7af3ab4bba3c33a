"""`slagen clauses`: the SLA schedule of a contract, written from the policy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from slagen.errors import UsageError
from slagen.files import STDOUT, atomic_write
from slagen.text import for_terminal

SUFFIX_FORMAT = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}


@click.command("clauses")
@click.argument("policy_file", metavar="POLICY", type=click.Path(dir_okay=False))
@click.option("--lang", default=None, type=click.Choice(["en", "zh-Hans", "zh-Hant", "en+zh-Hans", "en+zh-Hant"]),
              help="Language; en+zh-Hans and en+zh-Hant put English and Chinese side by side. Default: the policy's governing language.")
@click.option("--allow-fallback", is_flag=True, help="Where the policy has no text in the language asked for, print its English text, marked on the page (without this, each such field is an error).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "docx", "pdf"]), default=None,
              help="Output format. Default: from the -o suffix, else md.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of standard output.")
@click.option("--templates", "templates", type=click.Path(file_okay=False), help="Your template directory: any file in it (e.g. clauses/en/service_credits.md.j2, clauses/page.css, clauses/reference.docx) replaces the packaged one.")
@click.option("--date", "document_date", help="Document date (YYYY-MM-DD). Default: the agreement's effective date, so output never depends on the clock.")
def clauses_cmd(policy_file: str, lang: str | None, allow_fallback: bool, fmt: str | None, output: str | None, templates: str | None, document_date: str | None) -> None:
    """Write the SLA schedule of a contract from a policy: numbered clauses, defined terms,
    the credit schedule as a table, in English, Chinese or both side by side.

    Clauses for features the policy does not use are left out and the numbering closes up.

    \b
    Examples:
      slagen clauses examples/dingtalk-enterprise.yaml
      slagen clauses examples/dingtalk-enterprise.yaml --lang zh-Hans -o sla-zh.pdf
      slagen clauses examples/dingtalk-enterprise.yaml --lang en+zh-Hans -o sla.docx
      slagen clauses examples/dingtalk-enterprise.yaml --lang en+zh-Hant -o sla.pdf
      slagen clauses policy.yaml --templates house-style/ -o sla.pdf
    """
    from slagen.clauses.render import render_clauses
    from slagen.policy.load import load_policy

    if fmt is None:
        fmt = SUFFIX_FORMAT.get(Path(output).suffix.lower(), "md") if output else "md"
    if fmt in ("docx", "pdf") and (not output or output == STDOUT):
        raise UsageError(f"--format {fmt} writes a binary file: name it with -o FILE")
    when = None
    if document_date:
        try:
            when = date.fromisoformat(document_date)
        except ValueError:
            raise UsageError(f"--date {document_date!r}: write a date as YYYY-MM-DD") from None
    policy = load_policy(Path(policy_file))
    data = render_clauses(policy, lang or policy.agreement.governing_language, fmt, Path(templates) if templates else None, when, allow_fallback)
    atomic_write(STDOUT if output is None else output, data)
    if output and output != STDOUT:
        click.echo(f"wrote {for_terminal(output)}", err=True)

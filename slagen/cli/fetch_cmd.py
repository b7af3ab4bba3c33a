"""`slagen fetch statuspage|gcp URL -o archive.json`: merge a status page's incidents into an archive."""

from __future__ import annotations

from pathlib import Path

import click

from slagen.text import for_terminal

_COMMON = [
    click.option("-o", "--output", "archive", required=True, type=click.Path(dir_okay=False),
                 help="The archive to merge into (created if missing; replaced atomically, untouched on any failure)."),
    click.option("--timeout", type=click.FloatRange(min=0.1, max=300), default=30, show_default=True, help="Seconds to wait for each request."),
    click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True, help="Retries after a timeout, connection error, 5xx or 429."),
    click.option("--backoff", type=click.FloatRange(0, 60), default=1, show_default=True, help="Seconds before the first retry; each next one waits twice as long."),
]


def _common(func):
    for option in reversed(_COMMON):
        func = option(func)
    return func


def _http(timeout: float, retries: int, backoff: float):
    from slagen.net import Http

    return Http(timeout=timeout, retries=retries, backoff=backoff)


@click.group("fetch")
def fetch_cmd() -> None:
    """Fetch a status page's incident history into an archive that `evaluate` reads.

    Each run merges what the page returns into the archive by incident id (the newest
    update of each incident wins), so a scheduled fetch builds the whole history. Exit
    status 5 when the page cannot be fetched or is not what was expected; the archive is
    then left exactly as it was.
    """


@fetch_cmd.command("statuspage")
@click.argument("url")
@_common
@click.option("--page-id", help="Page through the management API (all incidents) instead of the public API (recent ones only).")
@click.option("--api-key-env", metavar="VAR", help="Environment variable holding the management API key (with --page-id).")
@click.option("--api-url", default="https://api.statuspage.io/v1", show_default=True, help="The management API's base URL.")
def statuspage_cmd(url: str, archive: str, timeout: float, retries: int, backoff: float, page_id: str | None, api_key_env: str | None, api_url: str) -> None:
    """Atlassian Statuspage: URL is the page (https://www.githubstatus.com) or its incidents.json.

    \b
    Examples:
      slagen fetch statuspage https://www.githubstatus.com -o githubstatus.json
      slagen fetch statuspage - --page-id kctbh9vrtdwd --api-key-env STATUSPAGE_KEY -o github.json
    """
    from slagen.fetch import api_key_from, fetch_statuspage
    from slagen.notify.state import state_dir

    result = fetch_statuspage(url, Path(archive), http=_http(timeout, retries, backoff), state=state_dir(), page_id=page_id,
                              api_key=api_key_from(api_key_env), api_url=api_url)
    click.echo(for_terminal(result.line()), err=True)


@fetch_cmd.command("gcp")
@click.argument("url", default="https://status.cloud.google.com/incidents.json")
@_common
def gcp_cmd(url: str, archive: str, timeout: float, retries: int, backoff: float) -> None:
    """Google Cloud status: its incidents.json (the default URL).

    \b
    Example:
      slagen fetch gcp -o gcp-incidents.json
    """
    from slagen.fetch import fetch_gcp
    from slagen.notify.state import state_dir

    result = fetch_gcp(url, Path(archive), http=_http(timeout, retries, backoff), state=state_dir())
    click.echo(for_terminal(result.line()), err=True)

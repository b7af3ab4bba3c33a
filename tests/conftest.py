"""Shared fixtures: paths to the repo's data and to ../shared, and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SLAGEN_SHARED", ROOT.parent / "shared"))
REAL = SHARED / "data" / "real-incidents"


@pytest.fixture
def run_cli():
    """Invoke the CLI in-process; return (exit_code, stdout, stderr)."""
    from slagen.cli.main import cli

    def run(*args: str):
        runner = CliRunner()
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def real_data() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"shared real-incident data not found at {REAL} (set SLAGEN_SHARED)")
    return REAL


@pytest.fixture
def run_main():
    """Run the real entry point (error mapping and exit codes included) in-process.

    Returns (exit_code, stdout, stderr); stdout is text when it decodes as UTF-8.
    """
    from slagen.cli.main import main

    def run(*args: str):
        runner = CliRunner()
        with runner.isolation(env={}) as streams:
            out, err = streams[0], streams[1]
            import sys

            sys.argv = ["slagen", *map(str, args)]
            code = 0
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            return code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace")

    return run


def pytest_collection_modifyitems(session, config, items):
    """The longest test (Spark starts a JVM) runs first, so that on two workers it overlaps
    everything else instead of ending the run alone."""
    items.sort(key=lambda item: 0 if item.nodeid.startswith("tests/test_telemetry_spark.py") else 1)

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

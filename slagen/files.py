"""Reading user-named input files, with the same usage errors for every kind of input."""

from __future__ import annotations

from pathlib import Path

from slagen.errors import UsageError


def read_input(path: Path, what: str) -> bytes:
    """The file's bytes; a missing, directory or unreadable path is a usage error (exit 2)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, expected {what}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file in the target directory, then rename: never a half-written file,
    and an existing file is replaced only when the new one is complete."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def safe_filename(text: str) -> str:
    """A window label as part of a file name: '2026-10-01 cycle' -> '2026-10-01-cycle'."""
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "output"

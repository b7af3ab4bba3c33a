"""Reading user-named input files and writing outputs, with the same errors for every command.

Inputs: only regular files are read (a FIFO, a device such as /dev/zero or a socket is
refused before anything is read), and every read is capped in size before it starts.

Outputs (`-o`): written to a temp file in the target's directory and renamed over the
target only when complete. Only a regular file (or nothing) is ever replaced: a directory,
FIFO, device, socket or symbolic link at the output path is refused, never written through
or replaced. `-` means standard output. The parent directory must exist (it is not
created). Every OS error names the path and the reason. SIGTERM removes the temp file as
Ctrl-C does (`install_signal_handlers`).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

from slagen.errors import OutputError, UsageError

MAX_INPUT_BYTES = 2 * 1024**3  # no input file slagen reads whole may be larger than this
STDOUT = "-"

# errors that say the path the user gave is unusable (exit 2); anything else while writing
# (disk full, file too large, I/O error, quota) is a failed output (exit 1)
_USAGE_ERRNOS = {errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG, errno.EISDIR, errno.ELOOP, errno.EXDEV}


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def read_input(path: Path, what: str, limit: int | None = None) -> bytes:
    """The file's bytes; a missing, directory, non-regular, oversized or unreadable path is a
    usage error (exit 2). Opened without blocking, so a FIFO cannot hang the run."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, expected {what}") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read ({_reason(exc)})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{path}: is a directory, expected {what}")
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{path}: is {_kind(info.st_mode)}, expected {what} (slagen reads regular files only)")
        if info.st_size > limit:
            raise UsageError(f"{path}: {info.st_size:,} bytes is larger than the {limit:,} bytes slagen reads for {what}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # the file grew while being read
                raise UsageError(f"{path}: larger than the {limit:,} bytes slagen reads for {what}")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({_reason(exc)})") from None
    finally:
        os.close(fd)


def check_input_file(path: Path, what: str) -> None:
    """For inputs read by another library (DuckDB): the path names a regular file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read ({_reason(exc)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{path}: is a directory, expected {what}")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path}: is {_kind(info.st_mode)}, expected {what} (slagen reads regular files only)")


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def write_error(path: Path | str, exc: OSError, doing: str = "cannot write") -> Exception:
    """An OS error while writing `path` as the SlagenError the CLI maps to exit 1 or 2."""
    message = f"-o {path}: {doing} ({_reason(exc)})"
    return UsageError(message) if exc.errno in _USAGE_ERRNOS else OutputError(message)


def check_output_path(path: Path, directory_ok: bool = False) -> None:
    """Refuse an output path slagen must not replace: anything but a regular file (a new
    directory pack may replace an empty directory), and a missing parent directory."""
    if "\x00" in str(path):
        raise UsageError(f"-o {str(path)!r}: a file name cannot contain a NUL character")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise write_error(path, exc) from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise UsageError(f"-o {path}: is a symbolic link; slagen does not write through or replace links, name the file itself")
        if not stat.S_ISREG(info.st_mode) and not (directory_ok and stat.S_ISDIR(info.st_mode)):
            raise UsageError(f"-o {path}: is {_kind(info.st_mode)}; slagen only replaces regular files (use '-' for standard output)")
    parent = path.parent
    try:
        parent_info = os.stat(parent)
    except FileNotFoundError:
        raise UsageError(f"-o {path}: directory {parent} does not exist (slagen does not create it)") from None
    except OSError as exc:
        raise write_error(path, exc) from None
    if not stat.S_ISDIR(parent_info.st_mode):
        raise UsageError(f"-o {path}: {parent} is not a directory")


def temp_prefix(path: Path) -> str:
    """A temp name beside the target that stays short: a long target name cannot make the
    temp name exceed the file system's limit."""
    return f".{path.name[:40]}."


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write to a temp file in the target directory, then rename: never a half-written file,
    and an existing file is replaced only when the new one is complete. `-` is standard output."""
    import tempfile

    if str(path) == "":
        raise UsageError("-o '': give a file name, or '-' for standard output")
    if str(path) == STDOUT:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except OSError as exc:
            raise OutputError(f"standard output: cannot write ({_reason(exc)})") from None
        return
    path = Path(path)
    check_output_path(path)
    try:
        mode = os.lstat(path).st_mode & 0o777  # never carries set-uid/gid bits over
    except OSError:
        mode = 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path), suffix=".tmp")
    except OSError as exc:
        raise write_error(path, exc, f"cannot create a file in {path.parent}") from None
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)  # mkstemp makes 0600; outputs get the usual (or the replaced file's) mode
            os.replace(tmp, path)
        except OSError as exc:
            raise write_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C so every temp file is removed on the way out."""


def install_signal_handlers():
    """SIGTERM (and SIGHUP) raise `Terminated` in the main thread, so the `except
    BaseException` clean-ups that remove temp files and staging directories run.
    Returns a function that puts the previous handlers back."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum, frame):
        raise Terminated(signum)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
            previous[sig] = signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def safe_filename(text: str) -> str:
    """A window label as part of a file name: '2026-10-01 cycle' -> '2026-10-01-cycle'."""
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "output"

"""The send-on-change state store: what was last sent, per policy, window, KPI and target.

One JSON file, `notify-state.json`, in `$SLAGEN_STATE_DIR`, else `$XDG_STATE_HOME/slagen`,
else `~/.local/state/slagen`. Written atomically under an exclusive lock, so two cron runs
that overlap neither lose nor duplicate an alert. A delivery that failed is not recorded,
so the next run sends it again.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Mapping

from slagen.errors import SlagenError, UsageError
from slagen.files import atomic_write

FILE = "notify-state.json"
FORMAT = 1


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("SLAGEN_STATE_DIR"):
        return Path(env["SLAGEN_STATE_DIR"])
    if env.get("XDG_STATE_HOME"):
        return Path(env["XDG_STATE_HOME"]) / "slagen"
    return Path(env.get("HOME") or Path.home()) / ".local" / "state" / "slagen"


class StateStore:
    """`sent(policy, window, target)` -> {kpi: entry}; `record`/`forget` change it; `save` writes it."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.path = self.directory / FILE
        self.data: dict = {"slagen_notify_state": FORMAT, "sent": {}}

    @contextmanager
    def locked(self):
        """Hold the store's lock while reading, sending and writing."""
        import fcntl

        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle = open(self.directory / ".lock", "a")
        except OSError as exc:
            raise UsageError(f"{self.directory}: cannot use as the notification state directory ({exc.strerror}); set SLAGEN_STATE_DIR") from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self.load()
                yield self
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def load(self) -> None:
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise UsageError(f"{self.path}: cannot read ({exc.strerror})") from None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("slagen_notify_state") != FORMAT or not isinstance(data.get("sent"), dict):
            raise SlagenError(f"{self.path}: not a slagen notification state file (format {FORMAT}); move it away to start afresh "
                              "(every level reached is then sent again)")
        self.data = data

    @staticmethod
    def _key(policy: str, window: str) -> str:
        return f"{policy}|{window}"

    def sent(self, policy: str, window: str, target: str) -> dict[str, dict]:
        return {kpi: dict(entry) for kpi, entry in self.data["sent"].get(self._key(policy, window), {}).get(target, {}).items()}

    def ref(self, policy: str, window: str, target: str, kpi: str) -> str | None:
        return self.sent(policy, window, target).get(kpi, {}).get("ref")

    def record(self, policy: str, window: str, target: str, kpi: str, entry: dict) -> None:
        self.data["sent"].setdefault(self._key(policy, window), {}).setdefault(target, {})[kpi] = entry

    def forget(self, policy: str, window: str, target: str, kpi: str) -> None:
        targets = self.data["sent"].get(self._key(policy, window), {})
        targets.get(target, {}).pop(kpi, None)
        if target in targets and not targets[target]:
            del targets[target]
        if not targets:
            self.data["sent"].pop(self._key(policy, window), None)

    def save(self) -> None:
        atomic_write(self.path, (json.dumps(self.data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))

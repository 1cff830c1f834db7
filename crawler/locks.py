"""Per-source crawl locks: cron, the scheduler and one-off crawls never overlap on a source."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from filelock import FileLock, Timeout


class SourceBusy(Exception):
    def __init__(self, source: str, holder_pid: str):
        self.source = source
        self.holder_pid = holder_pid
        super().__init__(f"source {source!r} is already being crawled by process {holder_pid}")


class SourceLock:
    """An OS file lock (released by the kernel if the holder dies) plus a pid note for humans."""

    def __init__(self, state_dir: Path, source: str):
        state_dir.mkdir(parents=True, exist_ok=True)
        self.source = source
        self._lock = FileLock(state_dir / f"{source}.lock", timeout=0)
        self._pid_file = state_dir / f"{source}.pid"

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise SourceBusy(self.source, self.holder_pid()) from None
        self._pid_file.write_text(str(os.getpid()), encoding="ascii")

    def release(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._pid_file.unlink()
        self._lock.release()

    def holder_pid(self) -> str:
        try:
            return self._pid_file.read_text(encoding="ascii").strip() or "unknown"
        except OSError:
            return "unknown"

    def __enter__(self) -> SourceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

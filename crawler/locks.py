"""Per-source crawl locks: cron, the scheduler and one-off crawls never overlap on a source."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from filelock import FileLock, Timeout

# The holder writes its pid right after taking the lock; a loser that looks in between waits this long.
PID_NOTE_WAIT = 2.0
FEEDS_LOCK_TIMEOUT = 300.0


class SourceBusy(Exception):
    def __init__(self, source: str, holder_pid: str):
        self.source = source
        self.holder_pid = holder_pid
        super().__init__(f"source {source!r} is already being crawled by process {holder_pid}")


class SourceLock:
    """An OS file lock (released by the kernel if the holder dies) plus a pid note for humans.

    The note is only ever read by a process that failed to take the lock, so a note left by a
    holder killed with SIGKILL is harmless: the next holder overwrites it.
    """

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
        temporary = self._pid_file.with_name(f".{self._pid_file.name}.{os.getpid()}")
        temporary.write_text(str(os.getpid()), encoding="ascii")
        temporary.replace(self._pid_file)  # readers never see a half-written pid

    def release(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._pid_file.unlink()
        self._lock.release()

    def holder_pid(self, wait: float = PID_NOTE_WAIT) -> str:
        """The pid of the live process holding the lock, or "unknown"."""
        deadline = time.monotonic() + wait
        while True:
            pid = self._read_pid()
            if pid is not None and _alive(pid):
                return str(pid)
            if time.monotonic() >= deadline:
                return "unknown"
            time.sleep(0.05)

    def _read_pid(self) -> int | None:
        try:
            return int(self._pid_file.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None

    def __enter__(self) -> SourceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def feeds_lock(state_dir: Path) -> FileLock:
    """Held while feeds are rebuilt, so the last writer is always the one that read the newest store."""
    state_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(state_dir / "feeds.lock", timeout=FEEDS_LOCK_TIMEOUT)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True

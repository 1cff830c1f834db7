"""Atomic, write-only-on-change file output shared by the archive and the feeds."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

TEMP_PREFIX = ".tmp-topicfeed-"


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly these bytes.

    Readers never see a half-written file: the bytes go to a temporary file in the same
    folder, are fsynced, and replace the target in one rename. Returns True if written.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return True


def remove_stale_temp_files(root: Path, older_than: float = 0.0) -> int:
    """Delete temporary files a killed process left behind under ``root``.

    ``older_than`` (seconds) spares younger ones: another process may be writing them right now.
    """
    removed = 0
    if not root.exists():
        return 0
    cutoff = time.time() - older_than
    for leftover in root.rglob(TEMP_PREFIX + "*"):
        with contextlib.suppress(FileNotFoundError):
            if older_than and leftover.stat().st_mtime > cutoff:
                continue
            leftover.unlink()
            removed += 1
    return removed

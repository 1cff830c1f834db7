import os
import subprocess
import sys

from crawler.fsutil import TEMP_PREFIX, remove_stale_temp_files, write_if_changed


def test_write_if_changed_is_atomic_and_change_only(tmp_path):
    target = tmp_path / "a" / "feed.atom"
    assert write_if_changed(target, b"one") is True
    mtime = target.stat().st_mtime_ns
    assert write_if_changed(target, b"one") is False and target.stat().st_mtime_ns == mtime
    assert write_if_changed(target, b"two") is True and target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["feed.atom"]


def test_only_temp_files_of_dead_writers_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_file = tmp_path / f"{TEMP_PREFIX}{dead.stdout.strip()}-abc"
    live_file = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def"
    nameless = tmp_path / f"{TEMP_PREFIX}xyz"
    for path in (dead_file, live_file, nameless):
        path.write_bytes(b"half")
    assert remove_stale_temp_files(tmp_path) == 2
    assert [p.name for p in tmp_path.iterdir()] == [live_file.name]

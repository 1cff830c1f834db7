import os
import subprocess
import sys

import pytest

from crawler.fsutil import TEMP_PREFIX, remove_stale_temp_files, write_if_changed, write_many_if_changed


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


def test_many_files_written_side_by_side_come_back_in_order_and_only_when_changed(tmp_path):
    files = [(tmp_path / f"p{n % 7}" / f"{n}.html", f"page {n}".encode()) for n in range(100)]
    assert list(write_many_if_changed(files, threads=4)) == [(path, True) for path, _ in files]
    again = [(path, data if n % 3 else data + b"!") for n, (path, data) in enumerate(files)]
    assert [written for _, written in write_many_if_changed(again, threads=4)] == [n % 3 == 0 for n in range(100)]
    assert all(path.read_bytes() == data for path, data in again)
    assert not list(tmp_path.rglob(f"{TEMP_PREFIX}*"))


def test_a_file_that_cannot_be_written_stops_the_rest_after_those_before_it(tmp_path):
    (tmp_path / "taken").mkdir()  # a folder where a file should go
    files = [(tmp_path / "a.html", b"a"), (tmp_path / "taken", b"x"),
             *((tmp_path / f"{n}.html", b"n") for n in range(50))]
    seen = []
    with pytest.raises(OSError):
        for path, _ in write_many_if_changed(files, threads=2):
            seen.append(path)
    assert seen == [tmp_path / "a.html"] and (tmp_path / "a.html").read_bytes() == b"a"
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*"))

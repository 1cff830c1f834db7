"""The demo snapshot shipped in the package is what the test site builders record today."""

from __future__ import annotations

from pathlib import Path

from crawler.snapshot import DEMO_SNAPSHOT
from tests.sites.record_demo import record_demo


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_committed_demo_snapshot_matches_a_fresh_recording(tmp_path):
    fresh = tree(record_demo(tmp_path / "demo"))
    committed = tree(DEMO_SNAPSHOT)
    assert fresh.keys() == committed.keys(), "run `python -m tests.sites.record_demo` and commit crawler/snapshot/demo"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale (run `python -m tests.sites.record_demo`): {stale}"


def test_record_demo_replaces_what_was_there(tmp_path):
    leftover = tmp_path / "demo" / "old.example" / "gone.html"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("<p>old</p>", encoding="utf-8")
    record_demo(tmp_path / "demo")
    assert not leftover.exists() and (tmp_path / "demo" / "index.json").is_file()

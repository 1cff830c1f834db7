"""The bundled offline sample: snapshots of the sources built from data (DESIGN §9)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler.samples.ifeng import IfengSample, build_ifeng_snapshot
from crawler.snapshot import SnapshotWriter

RECORDED_AT = datetime(2025, 7, 26, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def build_sample_snapshot(root: Path) -> Path:
    """Write the whole sample snapshot under ``root`` and return ``root``."""
    writer = SnapshotWriter(root, RECORDED_AT)
    build_ifeng_snapshot(writer)
    return writer.save()


__all__ = ["RECORDED_AT", "IfengSample", "build_ifeng_snapshot", "build_sample_snapshot"]

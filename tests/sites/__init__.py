"""The bundled offline sample: snapshots of the sources built from data (DESIGN §9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler.snapshot.writer import SnapshotWriter
from tests.sites.ifeng import IfengSample, build_ifeng_snapshot
from tests.sites.qutoutiao import QutoutiaoSample, build_qutoutiao_snapshot

RECORDED_AT = datetime(2025, 7, 26, 10, 0, tzinfo=timezone(timedelta(hours=8)))


@dataclass(frozen=True)
class Sample:
    """A written sample snapshot and what each source's part of it holds."""

    root: Path
    recorded_at: datetime
    ifeng: IfengSample
    qutoutiao: QutoutiaoSample


def build_sample(root: Path) -> Sample:
    """Write the whole sample snapshot under ``root``."""
    writer = SnapshotWriter(root, RECORDED_AT)
    ifeng = build_ifeng_snapshot(writer)
    qutoutiao = build_qutoutiao_snapshot(writer, ifeng)
    writer.save()
    return Sample(root=root, recorded_at=RECORDED_AT, ifeng=ifeng, qutoutiao=qutoutiao)


def build_sample_snapshot(root: Path) -> Path:
    return build_sample(root).root


__all__ = ["RECORDED_AT", "IfengSample", "QutoutiaoSample", "Sample", "build_ifeng_snapshot",
           "build_qutoutiao_snapshot", "build_sample", "build_sample_snapshot"]

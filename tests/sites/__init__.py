"""The bundled offline sample: snapshots of the sources built from data (DESIGN §9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from crawler.snapshot.writer import SnapshotWriter
from tests.sites import web
from tests.sites.ifeng import IfengSample, build_ifeng_snapshot
from tests.sites.media import placeholder_png
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
    build_web_snapshot(writer)
    writer.save()
    return Sample(root=root, recorded_at=RECORDED_AT, ifeng=ifeng, qutoutiao=qutoutiao)


# Pages the web test set's list pages link but does not hold: in the sample, removed from the site.
WEB_REMOVED = (
    "http://hb.people.com.cn/GB/192237/index3.html",
    "http://hb.people.com.cn/n2/2025/0722/c192237-41283390.html",
    "http://hb.people.com.cn/n2/2025/0723/c192237-41285102.html",
    "https://www.news.cn/local/20250723/88aa77bb66cc55dd44ee33ff22110099/c.html",
    "http://www.hubei.gov.cn/zwgk/hbyw/hbywqb/202507/t20250723_5710001.shtml",
)
NOT_FOUND_PAGE = "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"


def build_web_snapshot(writer: SnapshotWriter) -> None:
    """The web test set (tests/sites/web) for the sample's ``web`` source, with its images."""
    web.add_pages(writer)
    for expected in web.ARTICLES:
        for image in expected.images:
            writer.add(image, placeholder_png(image), content_type="image/png")
    for url in WEB_REMOVED:
        writer.add(url, NOT_FOUND_PAGE, status=404)
        writer.mark_broken(url, "linked from a list page, but removed from the site (HTTP 404)")


def build_sample_snapshot(root: Path) -> Path:
    return build_sample(root).root


__all__ = ["RECORDED_AT", "WEB_REMOVED", "IfengSample", "QutoutiaoSample", "Sample", "build_ifeng_snapshot",
           "build_qutoutiao_snapshot", "build_sample", "build_sample_snapshot", "build_web_snapshot"]

"""The breakage alarm for web sources (issue 16.5): a template change shows after one run."""

from __future__ import annotations

import re
from pathlib import Path

from crawler.snapshot.server import SnapshotServer
from tests.configs import WEB_ARTICLE_URLS, web_config
from tests.helpers import FAST, run_topicfeed, write_config
from tests.sites.web import RECORDED_AT, write_snapshot

ARTICLE = [re.compile(pattern) for pattern in WEB_ARTICLE_URLS]


def is_article(url: str) -> bool:
    return any(pattern.search(url) for pattern in ARTICLE)


def crawl_with(tmp_path: Path, transform):
    write_snapshot(tmp_path / "snapshot")
    config = write_config(tmp_path, web_config())
    with SnapshotServer(tmp_path / "snapshot", transform=transform) as server:
        run = run_topicfeed("crawl", "--config", str(config), "--mirror", server.url,
                            "--set", f"TOPICFEED_NOW={RECORDED_AT.isoformat()}", *FAST, cwd=tmp_path)
    return run, run_topicfeed("status", "--config", str(config), cwd=tmp_path).stdout


def test_bodies_gone_near_empty_make_a_web_source_unhealthy_after_one_run(tmp_path):
    def template_changed(url: str, body: bytes) -> bytes:
        if not is_article(url):
            return body
        return re.sub(rb"<body.*</body>", "<body><h1>新版页面</h1><p>正文见客户端。</p></body>".encode(), body,
                      flags=re.S)

    run, status = crawl_with(tmp_path, template_changed)
    assert run.returncode == 1, run.stderr
    assert re.search(r"web-set: unhealthy \(\d+ of \d+ article bodies near-empty", run.stderr)
    assert re.search(r"web-set: .*unhealthy \(\d+ of \d+ article bodies near-empty", status)

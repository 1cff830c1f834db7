"""The breakage alarm: a source whose pages stop parsing is reported, not silently empty."""

from __future__ import annotations

import re

from crawler.snapshot.server import SnapshotServer


def crawl_through(ws, server):
    from tests.helpers import FAST, run_topicfeed

    return run_topicfeed("crawl", "--config", str(ws.config), "--mirror", server.url,
                         "--set", f"TOPICFEED_NOW={ws.recorded_at}", *FAST, cwd=ws.root)


def test_article_pages_without_alldata_make_the_run_unhealthy(ifeng_workspace):
    def drop_all_data(url: str, body: bytes) -> bytes:
        return body.replace(b"var allData", b"var otherData") if "/c/" in url else body

    with SnapshotServer(ifeng_workspace.snapshot, transform=drop_all_data) as server:
        run = crawl_through(ifeng_workspace, server)
    assert run.returncode == 1
    assert re.search(r"unhealthy \(0 of \d+ article pages parsed\)", run.stderr)
    assert "looks broken" in run.stderr
    status = ifeng_workspace.run("status").stdout
    assert re.search(r"ifeng-hb: .* unhealthy \(0 of \d+ article pages parsed\)", status)


def test_list_pages_without_links_make_the_run_unhealthy(ifeng_workspace):
    def empty_lists(url: str, body: bytes) -> bytes:
        if "/c/" in url:
            return body
        return re.sub(rb"//[a-z]+\.ifeng\.com/c/|/c/", b"/x/", body)

    with SnapshotServer(ifeng_workspace.snapshot, transform=empty_lists) as server:
        run = crawl_through(ifeng_workspace, server)
    assert run.returncode == 1
    assert re.search(r"unhealthy \(no article links on \d+ list pages\)", run.stderr)


def test_no_new_articles_is_healthy(ifeng_workspace):
    assert ifeng_workspace.crawl().returncode == 0
    again = ifeng_workspace.crawl()
    assert again.returncode == 0 and "ifeng-hb: ok; " in again.stdout and "0 new" in again.stdout
    assert "unhealthy" not in ifeng_workspace.run("status").stdout

"""One source never stops another (DESIGN §6): a source that cannot start is its own failed run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.exceptions import CloseSpider
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.commands.crawl import StartFailures, source_result
from crawler.config import parse_config
from crawler.outcomes import RunState
from crawler.snapshot.server import SnapshotServer
from crawler.store import Store
from crawler.text.dates import utcnow
from spiders.ifeng import IfengSpider
from tests.components import close_crawl, component_crawler, open_crawl
from tests.configs import config_text, feeds, ifeng_hb_source, paths, qutoutiao_source, topic
from tests.conftest import Workspace
from tests.helpers import check_atom, store_url, summary_lines, write_config
from tests.sites import Sample


def garble_list_answers(url: str, body: bytes) -> bytes:
    """A ``SnapshotServer`` transform: Qutoutiao's list API answers with something that is not JSON."""
    return b"<html>502 Bad Gateway</html>" if "/content/outList" in url else body


@pytest.fixture
def broken_qutoutiao(tmp_path: Path, sample: Sample) -> Iterator[Workspace]:
    """ifeng-hb, and a qutoutiao source whose list API answers garbage."""
    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample.root, snapshot)
    text = config_text(paths(), feeds(), topic(), qutoutiao_source(), ifeng_hb_source())
    config = write_config(tmp_path, text)
    with SnapshotServer(snapshot, transform=garble_list_answers) as server:
        yield Workspace(tmp_path, config, server, sample.recorded_at.isoformat(), snapshot)


def test_a_broken_source_fails_alone_and_the_feeds_are_rebuilt(broken_qutoutiao, sample):
    ws = broken_qutoutiao
    run = ws.crawl()
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    [failed] = [line for line in summary_lines(run.stderr) if line.startswith("qutoutiao: ")]
    assert failed.startswith("qutoutiao: unhealthy (no article links on 3 list pages); ")
    [ifeng_line] = [line for line in summary_lines(run.stdout) if line.startswith("ifeng-hb: ")]
    assert ifeng_line.startswith("ifeng-hb: ok; ") and " 0 new," not in ifeng_line

    feed = check_atom(ws.data / "feeds" / "service-outsourcing.atom")  # rebuilt after the crawl
    assert {e.id for e in feed.entries} >= {sample.ifeng.docs["seed"].url}
    store = Store.open(store_url(ws.data))
    try:
        runs = store.last_runs()
    finally:
        store.close()
    assert runs["qutoutiao"].outcome.state is RunState.UNHEALTHY and runs["qutoutiao"].finished is not None
    assert str(runs["ifeng-hb"].outcome) == "ok"


def test_a_source_that_cannot_start_is_recorded_as_its_own_failed_run(tmp_path: Path):
    """What the crawl command records for a spider that could not even be made (Crawler.stats unset)."""
    config = parse_config(config_text(paths(), topic(), ifeng_hb_source()), file=None, base_dir=tmp_path,
                          known_spiders=["ifeng"])
    crawler = get_crawler(IfengSpider, {"TOPICFEED_CONFIG": config})
    failures = StartFailures("ifeng-hb", utcnow())
    failures.record(Failure(ValueError("no such region")))

    result = source_result(config, config.sources[0], crawler, failures)

    assert not result.ok
    assert result.line() == ("ifeng-hb: failed (could not start: ValueError: no such region); "
                             "0 pages, 0 new, 0 updated, 0 duplicates, 0 errors")
    store = Store.open(config.store_url)
    try:
        run = store.last_runs()["ifeng-hb"]
    finally:
        store.close()
    assert run.outcome.state is RunState.FAILED and run.finished is not None
    assert run.errors == ["could not start: ValueError: no such region"]


def test_a_spider_whose_start_raises_closes_with_the_reason(tmp_path, monkeypatch):
    config = parse_config(config_text(paths(), topic(), ifeng_hb_source()), file=None, base_dir=tmp_path,
                          known_spiders=["ifeng"])
    crawler = component_crawler(config, IfengSpider)
    open_crawl(crawler)
    spider = crawler.spider

    def broken_discover():
        raise KeyError("home")
        yield  # a generator, as discover() is

    monkeypatch.setattr(spider, "discover", broken_discover)

    async def drain() -> None:
        async for _ in spider.start():
            pass

    with pytest.raises(CloseSpider) as closed:
        drain().send(None)
    assert closed.value.reason == "start failed: KeyError: 'home'"
    close_crawl(crawler)

"""Images: downloaded once into the archive, linked locally, served for feeds with local_images."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

from crawler.config import load_config
from crawler.config.load import parse_config
from crawler.downloadermiddlewares.unreachable import HostUnreachable
from crawler.items import Image
from crawler.outcomes import SaveOutcome
from crawler.pipelines.images import ArchiveImagesPipeline, image_path, referer_for
from crawler.store.imagefiles import missing_copies
from crawler.store.imagerefs import ImageReferences
from feeds.server import FeedServer
from tests.components import close_crawl, component_crawler, open_crawl
from tests.configs import config_text, ifeng_config, ifeng_hb_source, paths, topic
from tests.helpers import check_atom, store_url, write_config
from tests.sites.media import placeholder_png
from tests.test_store import T0, make_article


def test_image_paths_are_stable_and_safe():
    url = "https://x0.ifengimg.com/ucms/2025_30/ABC_size120_w1330_h1080.jpg"
    assert image_path(url) == image_path(url)
    assert re.fullmatch(r"images/x0\.ifengimg\.com/[0-9a-f]{40}\.jpg", image_path(url))
    assert image_path("https://evil.example/../../etc/passwd").startswith("images/evil.example/")
    assert image_path("https://a.example/x.php?img=1").endswith(".img")


def test_referer_policy_per_site():
    assert referer_for("http://static.1sapp.com/qupost/img/a.jpeg", "https://html2.qktoutiao.com/detail/x.html") == {}
    assert referer_for("https://x0.ifengimg.com/a.jpg", "https://hb.ifeng.com/c/x") == {"Referer": "https://hb.ifeng.com/"}


def test_two_workers_starting_together_both_get_the_images_folder(tmp_path, monkeypatch):
    """`crawl --worker` x2 on one data dir: the other process makes the folder just before this one."""
    config = parse_config(config_text(paths(), topic(), ifeng_hb_source()), file=None, base_dir=tmp_path,
                          known_spiders=["ifeng"])
    contested = {config.archive_dir, config.images_dir}
    real_mkdir = Path.mkdir

    def other_worker_first(self: Path, mode: int = 0o777, parents: bool = False, exist_ok: bool = False) -> None:
        if self in contested and not self.exists():
            real_mkdir(self, mode, parents=True, exist_ok=True)
        real_mkdir(self, mode, parents, exist_ok)

    monkeypatch.setattr(Path, "mkdir", other_worker_first)
    pipeline = ArchiveImagesPipeline.from_crawler(component_crawler(config))
    assert config.images_dir.is_dir() and pipeline.store.basedir == str(config.archive_dir)


def test_images_of_a_host_given_up_are_fetched_by_a_later_crawl(tmp_path):
    """An image host down for one run (given up: crawler.downloadermiddlewares.unreachable) is not a 404."""
    config = parse_config(config_text(paths(), topic(), ifeng_hb_source()), file=None, base_dir=tmp_path,
                          known_spiders=["ifeng"])
    crawler = component_crawler(config)
    pipeline = ArchiveImagesPipeline.from_crawler(crawler)
    store = open_crawl(crawler).store
    down, gone = "https://x0.ifengimg.com/down.jpg", "https://d.ifengimg.com/gone.jpg"
    item = make_article(images=[Image(down), Image(gone)])
    item.stored_id = store.save(item, "ab" * 32, T0).article_id
    item.save_outcome = SaveOutcome.NEW
    info = SimpleNamespace(spider=crawler.spider)
    results = []
    for url, why in ((down, HostUnreachable("x0.ifengimg.com unreachable (DNS), not tried")),
                     (gone, IgnoreRequest("image HTTP 404"))):
        try:
            pipeline.media_failed(Failure(why), Request(url), info)
        except Exception:  # noqa: BLE001 - Scrapy's own FileException, kept as the crawl keeps it
            results.append((False, Failure()))
    pipeline.item_completed(results, item, info)

    stored = store.get(item.stored_id)
    assert {image.url: image.failed for image in stored.images} == {down: False, gone: True}
    store.mark_archived(stored.id, stored.version)
    [(_, _, refetched)] = missing_copies(store.engine, "ifeng-hb", config.archive_dir, T0 - timedelta(days=1), 10)
    assert refetched == [down]
    close_crawl(crawler)


def test_local_images_feeds_point_at_our_server(ifeng_workspace, sample):
    ws = ifeng_workspace
    write_config(ws.root, ifeng_config(local_images=True))
    assert ws.crawl().returncode == 0
    parsed = check_atom(ws.data / "feeds" / "service-outsourcing.atom")
    sources = [src for entry in parsed.entries for src in re.findall(r'<img[^>]+src="([^"]+)"', entry.content[0].value)]
    ours = [src for src in sources if src.startswith("http://127.0.0.1:8080/images/")]
    assert len(ours) >= 4
    # every image that exists is served by us; the xss page's bogus src=x answered 404: it is gone
    assert [src for src in sources if src not in ours] == []

    config = load_config(ws.config)
    references = ImageReferences(store_url(ws.data))
    with FeedServer(config.feeds_dir, images_root=config.archive_dir / "images", image_referenced=references) as server:
        seed_image = sample.ifeng.docs["seed"].images[0].url
        local = f"{server.url}/{image_path(seed_image)}"
        with urllib.request.urlopen(local) as answer:
            assert answer.status == 200 and answer.read() == placeholder_png(seed_image)
        for hostile in ("/images/../index.opml", "/images/%2e%2e/index.opml", "/images/../../topicfeed.toml"):
            try:
                urllib.request.urlopen(server.url + hostile)
                raise AssertionError(f"{hostile} was served")
            except urllib.error.HTTPError as error:
                assert error.code == 404

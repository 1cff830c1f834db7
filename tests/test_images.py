"""Images: downloaded once into the archive, linked locally, served for feeds with local_images."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

from crawler.config import load_config
from crawler.config.load import parse_config
from crawler.pipelines.images import ArchiveImagesPipeline, image_path, referer_for
from crawler.store.imagerefs import ImageReferences
from feeds.server import FeedServer
from tests.components import component_crawler
from tests.configs import config_text, ifeng_config, ifeng_hb_source, paths, topic
from tests.helpers import check_atom, store_url, write_config
from tests.sites.media import placeholder_png


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

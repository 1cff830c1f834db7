"""In a real browser: what a person sees of a served crawl (index, topic page, archived articles).

``topicfeed serve`` serves a crawl of the ifeng sample; headless Chromium loads the pages and
the test reads them as a person would: the titles, the links, Chinese text drawn with a font
that has its glyphs (not boxes), every image of an archived article actually loaded.
Skipped only when no Chromium is installed (.ci/run installs Debian's chromium and fonts-noto-cjk).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import pytest

from crawler.snapshot.server import SnapshotServer
from tests.browser import Browser, find_chromium
from tests.configs import ifeng_config
from tests.helpers import FAST, run_topicfeed, write_config
from tests.sites import Sample

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
TOPIC = "service-outsourcing"

# What the page shows, read in the page (the DevTools protocol runs this whatever the page's CSP).
LINKS = "[...document.querySelectorAll('a')].map(a => [a.textContent.trim(), a.href])"
IMAGES = "[...document.images].map(i => ({src: i.src, loaded: i.complete && i.naturalWidth > 0}))"


@dataclass
class Served:
    url: str
    sample: Sample
    browser: Browser

    def open(self, path: str) -> None:
        self.browser.open(urljoin(self.url, path))

    def text(self, selector: str) -> str:
        return self.browser.evaluate(f"document.querySelector({selector!r}).innerText")

    def links(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for label, href in self.browser.evaluate(LINKS):
            found.setdefault(label, []).append(href)
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert process.poll() is None, "topicfeed serve exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("topicfeed serve did not listen")


def cjk_families() -> set[str]:
    """Installed font families that cover Chinese (fontconfig's :lang=zh)."""
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, sample: Sample) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("browser")
    snapshot = root / "snapshot"
    shutil.copytree(sample.root, snapshot)
    config = write_config(root, ifeng_config())
    with SnapshotServer(snapshot) as site:
        crawl = run_topicfeed("crawl", "--config", str(config), "--mirror", site.url,
                              "--set", f"TOPICFEED_NOW={sample.recorded_at.isoformat()}", *FAST, cwd=root)
        assert crawl.returncode == 0, crawl.stderr
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--config", str(config), "--port", str(port)],
                              cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
        with Browser(CHROMIUM) as browser:
            yield Served(f"http://127.0.0.1:{port}/", sample, browser)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_index_lists_the_topic_with_its_page_and_feeds(served):
    served.open("")
    assert served.browser.evaluate("document.documentElement.lang") == "zh-CN"
    links = served.links()
    assert links["服务外包"][0] == urljoin(served.url, f"{TOPIC}.html")
    assert any(href.endswith(f"/{TOPIC}.atom") for href in links["Atom 订阅"])
    assert any(href.endswith("/index.opml") for label, hrefs in links.items() for href in hrefs if "OPML" in label)
    counted = re.search(r"共 (\d+) 条", served.text("section"))
    served.open(f"{TOPIC}.html")
    listed = served.browser.evaluate("document.querySelectorAll('ol.entries > li').length")
    assert counted and int(counted.group(1)) == listed > 0, "the index counts what the topic page lists"


def test_the_topic_page_shows_each_article_with_its_links(served):
    served.open(f"{TOPIC}.html")
    assert served.text("h1") == "服务外包"
    entries = served.browser.evaluate(
        "[...document.querySelectorAll('ol.entries > li')].map(li => ({title: li.querySelector('h2').innerText,"
        " links: [...li.querySelectorAll('a')].map(a => [a.textContent, a.href])}))")
    ifeng = served.sample.ifeng
    shown = [entry["title"] for entry in entries]
    assert {ifeng.docs[role].title for role in ifeng.expected_archived} <= set(shown)
    assert set(shown) <= {doc.title for doc in ifeng.docs.values()} and len(set(shown)) == len(shown)
    for entry in entries:
        links = dict((label, href) for label, href in entry["links"])
        assert ifeng.role_of(links["阅读原文"]) is not None, "links the article on its site"
        assert links["存档副本"].startswith(served.url + "archive/ifeng-hb/")
    assert served.browser.evaluate("document.querySelectorAll('time').length") >= len(entries)


def test_archived_articles_read_in_chinese_with_every_image_loaded(served):
    served.open(f"{TOPIC}.html")
    pages = served.browser.evaluate(
        "[...document.querySelectorAll('a')].filter(a => a.textContent == '存档副本').map(a => a.href)")
    cjk = cjk_families()
    assert cjk, "no font with Chinese glyphs installed (apt-get install fonts-noto-cjk)"
    ifeng = served.sample.ifeng
    images_seen = 0
    for page in pages:
        served.browser.open(page)
        title = served.text("h1")
        assert title in {doc.title for doc in ifeng.docs.values()}, page
        assert served.browser.evaluate("document.title").startswith(title)
        original = served.browser.evaluate("document.querySelector('ul.meta a').href")
        assert ifeng.docs[ifeng.role_of(original)].title == title, "the facts link the original article"
        # every Chinese character drawn with a font that has Chinese glyphs, not as boxes
        fonts = served.browser.fonts_used("h1")
        chinese = sum(1 for char in title if "\u4e00" <= char <= "\u9fff")
        assert sum(glyphs for family, glyphs in fonts.items() if family in cjk) >= chinese > 0, (page, fonts)
        images = served.browser.evaluate(IMAGES)
        broken = [image["src"] for image in images if not image["loaded"]]
        assert broken == [], f"broken images on {page}"
        assert all(image["src"].startswith(served.url + "images/") for image in images), "our own copies"
        images_seen += len(images)
    assert images_seen >= 3

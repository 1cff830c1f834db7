"""Hostile sites: a page cannot make the crawler reach this machine or a private network."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from crawler.rasters import raster_type
from crawler.snapshot.server import SnapshotWriter
from crawler.store import Store
from crawler.text.addresses import host_refusal, ip_literal, url_refusal
from tests.faultserver import Canary, Fault, FaultServer
from tests.helpers import FAST, read_notes, run_topicfeed, store_url
from tests.sites.ifeng import IfengImage, article_page, lazy_img
from tests.sites.media import placeholder_png

REFUSED_HOSTS = [
    "127.0.0.1", "127.1", "0x7f000001", "0X7F.0.0.1", "2130706433", "0177.0.0.1", "017700000001",
    "127.0.0.1.", "localhost", "LocalHost.", "api.localhost", "[::1]", "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:a9fe:a9fe::]",
    "169.254.169.254", "0xa9fea9fe", "[fe80::1%25eth0]", "10.0.0.1", "012.0.0.1", "172.16.5.4",
    "192.168.1.1", "100.64.0.1", "0.0.0.0", "0", "224.0.0.251", "[ff02::1]", "240.0.0.1",
    "255.255.255.255", "[fc00::1]", "[::]", "metadata.google.internal", "printer.local",
    "router.home.arpa", "redis", "１２７.０.０.１",
]
PUBLIC_HOSTS = ["hb.ifeng.com", "x0.ifengimg.com", "static.1sapp.com", "8.8.8.8", "[2606:4700::1111]",
                "[::ffff:8.8.8.8]", "1.1.1.1"]


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_private_hosts_in_any_spelling_are_refused(host):
    assert host_refusal(host), host
    assert url_refusal(f"http://{host}:6379/latest/meta-data/"), host


@pytest.mark.parametrize("host", PUBLIC_HOSTS)
def test_public_hosts_pass(host):
    assert host_refusal(host) is None
    assert url_refusal(f"https://{host}/a.jpg") is None


@pytest.mark.parametrize("spelling", ["0x7f000001", "2130706433", "0177.0.0.1", "127.1", "0x7f.1", "127.0.1"])
def test_ipv4_spellings_are_read_as_resolvers_read_them(spelling):
    assert str(ip_literal(spelling)) == "127.0.0.1"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://10.0.0.1/x", "data:text/plain,x", "s3://bucket/key",
                                 "javascript:alert(1)", "http:///nohost", "http://[::1/"])
def test_only_http_urls_with_a_host_are_fetched(url):
    assert url_refusal(url)


def hostile_targets(port: int) -> list[str]:
    """URLs a hostile article names as its images: this machine, the metadata service, a LAN."""
    return [
        f"http://127.0.0.1:{port}/canary.png", f"http://localhost:{port}/canary.png",
        f"http://0x7f000001:{port}/canary.png", f"http://2130706433:{port}/canary.png",
        f"http://0177.0.0.1:{port}/canary.png", f"http://[::ffff:127.0.0.1]:{port}/canary.png",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token",
        "http://localhost:6379/", "http://10.0.0.1/router.png",
    ]


def test_hostile_pages_reach_nothing_internal(ifeng_workspace, sample):
    ws, docs = ifeng_workspace, sample.ifeng.docs
    with Canary() as canary:
        targets = hostile_targets(canary.port)
        images = tuple(IfengImage(url, 640, 480) for url in targets)
        seed = docs["seed"]
        hostile = replace(seed, images=seed.images + images,
                          content_html=seed.content_html + "".join(lazy_img(i) for i in images)
                          + "".join(f'<p><a href="{url}">链接</a></p>' for url in targets))
        writer = SnapshotWriter(ws.snapshot, sample.recorded_at)
        writer.add(seed.url, article_page(hostile))
        for url in targets:  # the mirror would answer them: only the refusal keeps them out
            writer.add(url, placeholder_png(url), content_type="image/png")
        writer.save()
        # a public image whose host answers with a redirect to this machine
        redirecting = IfengImage("https://x0.ifengimg.com/ucms/2025_30/redirect.jpg", 640, 480)
        hostile = replace(hostile, images=hostile.images + (redirecting,),
                          content_html=hostile.content_html + lazy_img(redirecting))
        # public images whose answers are active content, whatever they are called
        disguised = {"https://x0.ifengimg.com/ucms/2025_30/logo.svg": (SVG_WITH_SCRIPT, "image/svg+xml"),
                     "https://x0.ifengimg.com/ucms/2025_30/photo.jpg": (SVG_WITH_SCRIPT, "image/jpeg"),
                     "https://x0.ifengimg.com/ucms/2025_30/page.png": (HTML_AS_IMAGE, "image/png")}
        for url, (body, kind) in disguised.items():
            writer.add(url, body, content_type=kind)
        extra = tuple(IfengImage(url, 640, 480) for url in disguised)
        hostile = replace(hostile, images=hostile.images + extra,
                          content_html=hostile.content_html + "".join(lazy_img(i) for i in extra))
        writer.add(seed.url, article_page(hostile))
        writer.save()
        faults = {redirecting.url.split("://", 1)[1]: Fault(
            "status", 302, headers={"Location": f"http://127.0.0.1:{canary.port}/redirected"})}
        with FaultServer(ws.snapshot, faults) as server:
            run = run_topicfeed("crawl", "--config", str(ws.config), "--mirror", server.url,
                                "--set", f"TOPICFEED_NOW={ws.recorded_at}", *FAST, cwd=ws.root)
            requested = list(server.requests)
        assert canary.hits == []

    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    hostile_hosts = {url.split("/")[2] for url in targets}
    assert [r for r in requested if r.split("/")[0] in hostile_hosts] == []
    assert seed.images[0].url.split("://", 1)[1] in requested, "the public image is still fetched"
    stored = [path for path in (ws.data / "archive" / "images").rglob("*") if path.is_file()]
    assert {path.parent.name for path in stored} == {"x0.ifengimg.com"}
    assert all(raster_type(path.read_bytes()) for path in stored)
    assert sum("not a JPEG, PNG, GIF, WebP or AVIF image" in line for line in run.stderr.splitlines()) == 3
    assert seed.url in read_notes(ws.data / "archive")
    assert f"Refused http://127.0.0.1:{canary.port}/redirected: 127.0.0.1 is in the loopback range" in run.stderr
    store = Store.open(store_url(ws.data))
    try:
        article = store.get_by_url(seed.url)
    finally:
        store.close()
    local = {image.url: image.local for image in article.images}
    assert [url for url in local if local[url]] == [seed.images[0].url]


RESOLVER_SCRIPT = textwrap.dedent("""
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    port, trusted = sys.argv[1], sys.argv[2:]

    class Probe(scrapy.Spider):
        name = "probe"

        async def start(self):
            # names only: the middleware is off, so only the resolver stands between them and us
            for host in ("localhost", "127.0.0.1"):
                yield scrapy.Request(f"http://{host}:{port}/{host}", errback=self.failed, dont_filter=True)

        def parse(self, response):
            print("FETCHED", response.url, flush=True)

        def failed(self, failure):
            print("FAILED", failure.request.url, failure.getErrorMessage(), flush=True)

    process = CrawlerProcess({
        **{k: v for k, v in vars(__import__("crawler.settings").settings).items() if k.isupper()},
        "TOPICFEED_PUBLIC_ONLY": True, "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING",
        "DOWNLOADER_MIDDLEWARES": {"crawler.downloadermiddlewares.publiconly.PublicOnlyMiddleware": None,
                                   "crawler.downloadermiddlewares.known.KnownArticleMiddleware": None},
        "SPIDER_MIDDLEWARES": {"crawler.spidermiddlewares.known.KnownArticleFilter": None},
        "ITEM_PIPELINES": {}, "EXTENSIONS": {}, "TOPICFEED_TRUSTED_ENDPOINTS": trusted,
        "RETRY_ENABLED": False, "DOWNLOAD_TIMEOUT": 5,
    })
    process.crawl(Probe)
    process.start()
""")


def resolve_and_fetch(port: int, *trusted: str) -> str:
    done = subprocess.run([sys.executable, "-c", RESOLVER_SCRIPT, str(port), *trusted],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(__import__("tests").__path__[0] + "/..")})
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_names_resolving_to_this_machine_are_refused_at_connect_time():
    with Canary() as canary:
        out = resolve_and_fetch(canary.port)
        assert canary.hits == [], out
    assert out.count("FAILED") == 2, out
    assert "Refused to connect to localhost: it resolves to a non-public address (127.0.0.1 is in the loopback" in out


def test_configured_endpoints_stay_reachable():
    with Canary() as canary:
        out = resolve_and_fetch(canary.port, f"http://localhost:{canary.port}/v1", "127.0.0.1")
        assert sorted(canary.hits) == ["/127.0.0.1", "/localhost"], out


SVG_WITH_SCRIPT = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)">'
                   b"<script>fetch('/index.opml')</script></svg>")
HTML_AS_IMAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
AVIF = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 16


@pytest.mark.parametrize(("data", "kind"), [
    (placeholder_png("x"), "image/png"), (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"), (GIF, "image/gif"),
    (WEBP, "image/webp"), (AVIF, "image/avif"), (SVG_WITH_SCRIPT, None), (HTML_AS_IMAGE, None), (b"", None),
    (b"BM\x36\x00\x00\x00", None), (b"\x00\x00\x00\x1cftypisom\x00\x00\x00\x00isommp41", None),
])
def test_raster_images_are_known_by_their_bytes(data, kind):
    assert raster_type(data) == kind


def test_the_mirror_a_proxy_and_configured_endpoints_are_trusted(monkeypatch):
    from scrapy.settings import Settings

    from crawler.resolver import NonPublicAddress, judged, trusted_hosts

    monkeypatch.setenv("https_proxy", "http://10.1.2.3:3128")
    settings = Settings({"TOPICFEED_MIRROR": "http://127.0.0.1:8765",
                         "TOPICFEED_TRUSTED_ENDPOINTS": ["llm.local:8000"]})
    trusted = trusted_hosts(settings)
    assert {"127.0.0.1", "10.1.2.3", "llm.local"} <= trusted
    assert judged("10.1.2.3", "10.1.2.3", trusted) == "10.1.2.3"
    with pytest.raises(NonPublicAddress):
        judged("10.1.2.3", "rebinding.example", trusted)  # a public name whose answer is private
    assert judged("93.184.215.14", "example.com", trusted) == "93.184.215.14"

"""Qutoutiao end to end: config → crawl (child process, snapshot server) → store → note + Hexo."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
import yaml

from crawler.pipelines.images import image_path
from crawler.store import Store
from crawler.text.urls import canonical_url, unwrap_proxy
from tests.configs import qutoutiao_config
from tests.helpers import SEEDS, check_atom, read_notes, store_url, write_config
from tests.sites.media import placeholder_png
from tests.sites.qutoutiao import BEIJING

SEED_POST = SEEDS / "qutoutiao-hexo-post.md"
JUNK = ("点击查看大图", "相关推荐", "打开趣头条", "viewer-bg", "__qkImgs", "base64", "data-src")


def article_requests(requests: list[str]) -> list[str]:
    return [r for r in requests if r.startswith("html2.qktoutiao.com/detail/")]


def list_requests(requests: list[str]) -> list[str]:
    return [r for r in requests if r.startswith("api.1sapp.com/content/outList")]


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def read_posts(hexo_dir: Path) -> dict[str, tuple[dict[str, Any], str, Path]]:
    """Hexo posts keyed by file name: (front matter, body, path)."""
    posts = {}
    for path in sorted((hexo_dir / "source" / "_posts").glob("*.md")):
        front, body = split_front_matter(path.read_text(encoding="utf-8"))
        posts[path.name] = (front, body, path)
    return posts


def post_blocks(body: str) -> list[str | tuple[str, int, int]]:
    """A post body's paragraphs: text, or (image URL, width, height) as the seed gives them."""
    root = lxml.html.fragment_fromstring(body.strip())
    assert root.tag == "div"
    blocks: list[str | tuple[str, int, int]] = []
    paragraphs = list(root)
    if paragraphs and paragraphs[-1].text_content().startswith("原文："):
        paragraphs.pop()  # our link to the original article (the hand-made seed has none)
    for p in paragraphs:
        img = p.find("img")
        if img is None:
            blocks.append(p.text_content())
        elif img.get("data-size"):
            width, height = img.get("data-size").split(",")
            blocks.append((unwrap_proxy(img.get("src")), int(width), int(height)))
        else:
            blocks.append((img.get("src"), int(img.get("width")), int(img.get("height"))))
    return blocks


def open_store(ws) -> Store:
    return Store.open(store_url(ws.data))


@pytest.fixture
def crawled(qutoutiao_workspace):
    run = qutoutiao_workspace.crawl("-v")
    assert run.returncode == 0, run.stderr
    return qutoutiao_workspace, run


def test_first_crawl_archives_exactly_the_expected_articles(crawled, sample):
    ws, _ = crawled
    q = sample.qutoutiao
    notes = read_notes(ws.data / "archive")
    assert {q.role_of(url) for url in notes} == set(q.expected_archived)
    for url, (meta, body, path) in notes.items():
        doc = q.docs[q.role_of(url)]
        local = doc.published.isoformat()
        assert meta["title"] == doc.title
        assert meta["published"] == local and local.endswith("+08:00")
        assert (meta["author"], meta["site_name"], meta["outlet"]) == (doc.account, "趣头条", doc.outlet)
        assert f"- **来源**: 趣头条 / {doc.outlet}\n" in body
        assert meta["url"] == meta["canonical_url"] == doc.url  # no per-request key kept
        assert meta["cover"] == doc.cover
        assert path.relative_to(ws.data / "archive").parts[0] == "qutoutiao"
        assert path.name == f"{doc.published:%Y%m%d}-{doc.content_id}.md"
        for paragraph in doc.paragraphs:
            assert paragraph in body, f"{paragraph[:20]}… missing from {path.name}"
        for image in doc.images:  # downloaded into the archive, linked from the note
            assert f'](../../../{image_path(image.url)} "{image.url}")' in body  # the copy, and where from
            local = path.parent / "../../.." / image_path(image.url)
            assert local.resolve().read_bytes() == placeholder_png(image.url)
        for junk in JUNK:
            assert junk not in body, f"{junk!r} leaked into {path.name}"
    # the feed credits the publisher, not the site it was found on
    feed = check_atom(ws.data / "feeds" / "service-outsourcing.atom")
    for entry in feed.entries:
        doc = q.docs[q.role_of(entry.id)]
        assert entry.author == doc.outlet
        assert f"来源：<a href=\"{doc.url}\">趣头条 / {doc.outlet}</a>" in entry.content[0].value


def test_images_keep_their_size_and_text_its_paragraphs(crawled, sample):
    ws, _ = crawled
    store = open_store(ws)
    try:
        for role in sample.qutoutiao.expected_archived:
            doc = sample.qutoutiao.docs[role]
            stored = store.get_by_url(doc.url)
            assert stored is not None, role
            sizes = [(i.url, i.width, i.height) for i in stored.images]
            assert sizes == [(i.url, i.width, i.height) for i in doc.images], role
            assert all(i.local == image_path(i.url) for i in stored.images), role
            assert [line for line in stored.text.split("\n") if line] == doc.paragraphs, role
            assert stored.published == doc.published
    finally:
        store.close()


def test_hexo_posts_for_every_archived_article(crawled, sample):
    ws, _ = crawled
    q = sample.qutoutiao
    posts = read_posts(ws.data / "hexo")
    expected = {f"{q.docs[r].published:%Y%m%d}-qutoutiao-{q.docs[r].content_id}.md": r
                for r in q.expected_archived}
    assert set(posts) == set(expected)
    for name, (front, body, _) in posts.items():
        doc = q.docs[expected[name]]
        assert front["title"] == doc.title
        assert front["date"] == doc.published.astimezone(BEIJING).replace(tzinfo=None)  # as Hexo wants
        assert front["categories"] == [["服务外包"], ["趣头条"]]
        assert front["author"] == doc.account and front["comments"] is False
        assert [b for b in post_blocks(body) if isinstance(b, str)] == doc.paragraphs
        assert ("disableNunjucks" in front) == (expected[name] == "nunjucks"), name
        assert front["original_url"] == doc.url
        assert f'<p>原文：<a href="{doc.url}">趣头条 / {doc.outlet}</a></p>' in body
    nunjucks = posts[next(n for n, r in expected.items() if r == "nunjucks")]
    assert nunjucks[0]["disableNunjucks"] is True and "{{ customer.name }}" in nunjucks[1]


def test_seed_hexo_post_has_the_seed_shape(crawled, sample):
    ws, _ = crawled
    seed_front, seed_body = split_front_matter(SEED_POST.read_text("utf-8").lstrip("\n"))
    doc = sample.qutoutiao.docs["seed"]
    front, body, _ = read_posts(ws.data / "hexo")[f"20250721-qutoutiao-{doc.content_id}.md"]
    assert set(seed_front) <= set(front)
    assert front["title"] == seed_front["title"]
    assert isinstance(front["categories"], list) and all(len(c) == 1 for c in front["categories"])
    assert front["headimg"] == unwrap_proxy(seed_front["headimg"])
    assert front["thumbnail"].split("?")[0] == unwrap_proxy(seed_front["thumbnail"])
    assert post_blocks(body) == post_blocks(seed_body)  # same paragraphs, images and sizes
    images = lxml.html.fragment_fromstring(body.strip()).findall(".//img")
    assert images and all(i.get("referrerpolicy") == "no-referrer" for i in images)


def test_requests_skip_ads_old_and_unmatched_articles(crawled, sample):
    ws, run = crawled
    q = sample.qutoutiao
    requests = ws.server.requests
    fetched = Counter(canonical_url("https://" + r) for r in article_requests(requests))
    wanted = {q.docs[r].url for r in q.expected_archived | {q.deleted}}
    assert set(fetched) == wanted and set(fetched.values()) == {1}, "each article once"
    listed = ["http://" + r for r in list_requests(requests)]
    assert set(listed) == {u for urls in q.list_urls.values() for u in urls}
    assert not set(listed) & set(q.unrecorded_list_urls), "an old page ends paging"
    assert re.search(rf"'topicfeed/ads_skipped': {q.ads}[,}}]", run.stderr)


def test_deleted_article_is_counted_remembered_and_not_fetched_again(crawled, sample):
    ws, run = crawled
    doc = sample.qutoutiao.docs[sample.qutoutiao.deleted]
    assert re.search(r"'topicfeed/deleted': 1[,}]", run.stderr)
    assert doc.url not in read_notes(ws.data / "archive")
    store = open_store(ws)
    try:
        assert store.get_by_url(doc.url) is None
        failure = store.failure(doc.url)
        assert failure is not None and "NoSuchKey" in failure.reason
    finally:
        store.close()
    before = len(ws.server.requests)
    assert ws.crawl().returncode == 0
    assert doc.url.split("://", 1)[1] not in " ".join(ws.server.requests[before:])


def builder_keys(sample) -> set[str]:
    """The keys written into the recorded list answers (the server replaces them)."""
    text = "".join((sample.root / f).read_text("utf-8") for f in list_files(sample))
    return set(re.findall(r"[?&]key=([0-9a-f]+)", text))


def list_files(sample) -> list[str]:
    index = json.loads((sample.root / "index.json").read_text("utf-8"))
    return [e["file"] for e in index["responses"] if "/content/outList" in e["url"]]


def test_recrawl_with_new_keys_adds_nothing_and_fetches_no_article(crawled, sample):
    ws, _ = crawled
    outputs = {p: p.read_bytes() for p in (*ws.data.glob("archive/**/*.md"), *ws.data.glob("hexo/**/*.md"))}
    first_keys = {parse_qs(urlsplit(r).query)["key"][0] for r in article_requests(ws.server.requests)}
    recorded = builder_keys(sample)
    assert recorded and first_keys and first_keys.isdisjoint(recorded), "keys are fresh per answer"
    before = len(ws.server.requests)
    run = ws.crawl()
    assert run.returncode == 0, run.stderr
    again = ws.server.requests[before:]
    assert list_requests(again), "the lists were asked again"
    assert article_requests(again) == []
    assert not [r for r in again if r.startswith("static.1sapp.com/")], "images downloaded twice"
    assert "0 new, 0 updated" in run.stdout
    assert {p: p.read_bytes() for p in outputs} == outputs


def test_prefilter_off_fetches_unmatched_articles_and_stores_them_unarchived(qutoutiao_workspace, sample):
    ws = qutoutiao_workspace
    write_config(ws.root, qutoutiao_config(prefilter=False))
    run = ws.crawl("-v")
    assert run.returncode == 0, run.stderr
    q = sample.qutoutiao
    fetched = {canonical_url("https://" + r) for r in article_requests(ws.server.requests)}
    young_unmatched = {q.docs[r].url for r in q.non_matching - q.too_old}
    assert young_unmatched <= fetched
    assert not fetched & {q.docs[r].url for r in q.too_old}
    assert {q.role_of(url) for url in read_notes(ws.data / "archive")} == set(q.expected_archived)
    assert re.search(rf"'topicfeed/unmatched': {len(young_unmatched)}[,}}]", run.stderr)

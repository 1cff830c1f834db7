"""The Qutoutiao part of the sample snapshot: faithful to the seed, linked by min_time, realistic."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from crawler.snapshot.server import SnapshotServer
from crawler.text.htmlclean import clean_body
from crawler.text.strings import content_hash
from crawler.text.urls import unwrap_proxy
from spiders.qutoutiao import content_html
from tests.helpers import SEEDS
from tests.sites import Sample
from tests.sites.qutoutiao import BEIJING, SEED_TITLE, QttImage, list_url, rotate_list_keys

SEED_POST = SEEDS / "qutoutiao-hexo-post.md"
KEYWORDS = ("服务外包", "服博会")


def body_of(sample: Sample, url: str) -> bytes:
    index = json.loads((sample.root / "index.json").read_text("utf-8"))
    entry = next(e for e in index["responses"] if e["url"] == url)
    return (sample.root / entry["file"]).read_bytes()


def list_pages(sample: Sample) -> dict[str, dict]:
    return {url: json.loads(body_of(sample, url)) for urls in sample.qutoutiao.list_urls.values()
            for url in urls}


def seed_blocks() -> list[str | tuple[str, int, int]]:
    """The seed Hexo post's body: paragraph texts and (unwrapped image URL, width, height)."""
    body = SEED_POST.read_text("utf-8").split("---", 2)[2]
    blocks: list[str | tuple[str, int, int]] = []
    for p in lxml.html.fragment_fromstring(body.strip()):
        img = p.find("img")
        if img is None:
            blocks.append(p.text_content())
        else:
            width, height = img.get("data-size").split(",")
            blocks.append((unwrap_proxy(img.get("src")), int(width), int(height)))
    return blocks


def page_text(page: bytes, url: str) -> str:
    """The text the pipeline hashes, from a Qutoutiao page's div.content."""
    content = lxml.html.fromstring(page.decode("utf-8")).xpath("//div[@class='content']")[0]
    body = content_html(lxml.html.tostring(content, encoding="unicode"))
    return clean_body(body, url).text


def test_seed_article_keeps_the_real_title_paragraphs_and_images(sample):
    seed = sample.qutoutiao.docs["seed"]
    assert seed.title == SEED_TITLE
    assert "title: '第12届服博会将在武汉举行！展览面积历届最大，参展企业机构数历届最多'" in SEED_POST.read_text("utf-8")
    page = lxml.html.fromstring(body_of(sample, seed.url).decode("utf-8"))
    blocks: list[str | tuple[str, int, int]] = []
    for p in page.xpath("//div[@class='content']/p"):
        img = p.find("img")
        if img is None:
            blocks.append(p.text_content())
        else:
            width, height = img.get("data-size").split(",")
            blocks.append((img.get("data-src"), int(width), int(height)))
    assert blocks == seed_blocks()
    assert all(isinstance(b, str) or b[0].startswith("http://static.1sapp.com/") for b in blocks)
    assert b"cors.zfour.workers.dev" not in body_of(sample, seed.url)


def test_article_dates_fall_in_the_week_before_recording(sample):
    q = sample.qutoutiao
    window_start = q.recorded_at - timedelta(days=7)
    for role, doc in q.docs.items():
        if role in q.too_old:
            assert doc.published < window_start, role
        else:
            assert window_start < doc.published < q.recorded_at, role
        assert f"/detail/{doc.published.astimezone(BEIJING):%Y/%m/%d}/" in doc.url


def test_enough_articles_of_each_kind(sample):
    q = sample.qutoutiao
    assert len(q.docs) >= 8 and "seed" in q.expected_archived
    assert len(q.non_matching) >= 3
    for role in q.non_matching:
        doc = q.docs[role]
        haystack = doc.title + doc.introduction + doc.body_html
        assert not any(k in haystack for k in (*KEYWORDS, "博览会")), role
    for role in q.expected_archived:
        doc = q.docs[role]
        assert any(k in doc.title + doc.introduction for k in KEYWORDS), role


def test_list_pages_are_linked_by_min_time(sample):
    q = sample.qutoutiao
    pages = list_pages(sample)
    assert set(q.list_urls) == {255, 1, 10}
    assert len(q.list_urls[255]) >= 2 and len(q.list_urls[10]) >= 2
    for cid, urls in q.list_urls.items():
        assert urls[0] == list_url(cid)
        for previous, following in zip(urls, urls[1:], strict=False):
            min_time = pages[previous]["data"]["min_time"]
            assert following == list_url(cid, min_time)
            items = [i for i in pages[following]["data"]["data"] if i.get("id")]
            assert all(int(i.get("publish_time", i["show_time"] * 1000)) <= min_time for i in items)
    assert q.unrecorded_list_urls and not set(q.unrecorded_list_urls) & set(pages)


def test_the_second_page_is_served_only_for_its_min_time(sample):
    first, second = sample.qutoutiao.list_urls[255][:2]
    with SnapshotServer(sample.root) as server:
        def get(url: str) -> dict:
            with urllib.request.urlopen(f"{server.url}/{url.split('://', 1)[1]}") as answer:
                return json.loads(answer.read())

        assert get(first) == json.loads(body_of(sample, first))
        assert get(second) == json.loads(body_of(sample, second))
        assert get(first + "&_=123")["data"]["data"] == get(first)["data"]["data"]


def test_ads_and_per_request_keys_in_list_answers(sample):
    pages = list_pages(sample)
    ads = [i for page in pages.values() for i in page["data"]["data"] if not i.get("id")]
    assert len(ads) == sample.qutoutiao.ads >= 2
    assert all(ad["type"] == "ad" and "url" not in ad for ad in ads)
    keys = []
    for page in pages.values():
        for item in page["data"]["data"]:
            if item.get("id"):
                query = parse_qs(urlsplit(item["url"]).query)
                assert query["content_id"] == [item["id"]] and query["pv_id"][0].startswith("{")
                keys.append(query["key"][0])
    assert len(set(keys)) == len(keys), "every listing of an article carries its own key"


def test_rotate_list_keys_gives_fresh_tokens_and_changes_nothing_else(sample):
    url = sample.qutoutiao.list_urls[255][0]
    body = body_of(sample, url)
    once, twice = rotate_list_keys(url, body), rotate_list_keys(url, body)
    assert once != body and twice != once

    def without_tokens(data: bytes) -> str:
        return re.sub(r"(key|pv_id)=[^&\"]+", r"\1=*", data.decode("utf-8"))

    assert without_tokens(once) == without_tokens(body)
    assert rotate_list_keys("https://html2.qktoutiao.com/detail/x.html", body) == body


def test_repost_has_exactly_the_text_of_its_ifeng_original(sample):
    role, ifeng_role = sample.qutoutiao.repost_of
    repost = sample.qutoutiao.docs[role]
    original = sample.ifeng.docs[ifeng_role]
    ifeng_text = clean_body(original.content_html, original.url).text
    qtt_text = page_text(body_of(sample, repost.url), repost.url)
    assert content_hash(qtt_text) == content_hash(ifeng_text)
    assert all(isinstance(i, QttImage) and "static.1sapp.com" in i.url for i in repost.images)
    assert len(repost.images) == len(original.images)


def test_deleted_article_is_an_object_store_error(sample):
    doc = sample.qutoutiao.docs[sample.qutoutiao.deleted]
    index = json.loads((sample.root / "index.json").read_text("utf-8"))
    entry = next(e for e in index["responses"] if e["url"] == doc.url)
    assert entry["status"] == 404 and entry["headers"]["Content-Type"] == "application/xml"
    assert b"<Code>NoSuchKey</Code>" in body_of(sample, doc.url)


@pytest.mark.parametrize("role", ["seed", "finance", "list_time_only"])
def test_article_pages_have_the_known_structure(sample, role):
    doc = sample.qutoutiao.docs[role]
    page = lxml.html.fromstring(body_of(sample, doc.url).decode("utf-8"))
    assert page.xpath("string(//div[@class='article']/h1)") == doc.title
    info = page.xpath("string(//div[@class='article']/div[@class='info'])")
    assert info.split()[-1] == doc.account
    assert page.xpath("//div[@class='content']//script") and page.xpath("//div[@class='content']//*[@id='img']")

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.snapshot.server import SnapshotServer
from crawler.snapshot.writer import SnapshotWriter
from tests.sites import RECORDED_AT, build_sample_snapshot
from tests.sites.ifeng import (
    IfengDoc,
    IfengSample,
    build_ifeng_snapshot,
    column_info_url,
    search_url,
)

KEYWORDS = ("服务外包", "服博会")
ALL_DATA = "var allData = "


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IfengSample]:
    root = tmp_path_factory.mktemp("ifeng")
    writer = SnapshotWriter(root, RECORDED_AT)
    sample = build_ifeng_snapshot(writer)
    writer.save()
    return root, sample


@pytest.fixture(scope="module")
def bodies(built: tuple[Path, IfengSample]) -> dict[str, str]:
    root, _ = built
    index = json.loads((root / "index.json").read_text("utf-8"))
    return {r["url"]: (root / r["file"]).read_text("utf-8") for r in index["responses"]
            if not r["headers"]["Content-Type"].startswith("image/")}


@pytest.fixture(scope="module")
def sample(built: tuple[Path, IfengSample]) -> IfengSample:
    return built[1]


def all_data(page: str) -> dict[str, Any]:
    start = page.index(ALL_DATA) + len(ALL_DATA)
    data, _ = json.JSONDecoder().raw_decode(page, start)
    return data


def jsonp(text: str) -> dict[str, Any]:
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def text_of(doc: IfengDoc) -> str:
    return re.sub(r"<[^>]+>", "", doc.content_html)


def matches(doc: IfengDoc) -> bool:
    return any(k in doc.title + text_of(doc) for k in KEYWORDS)


def test_roles_and_volume(sample: IfengSample) -> None:
    required = {
        "seed",
        "lazyload",
        "video",
        "brace_trap",
        "xss_trap",
        "too_old",
        "hb_copy",
        "hn_copy",
        "deep",
        "search_only",
        "broken",
    }
    assert required <= sample.docs.keys()
    assert len(sample.docs) >= 12
    assert all(len(text_of(d)) >= 400 for d in sample.docs.values())
    assert all(re.fullmatch(r"[0-9A-Za-z]{11}", d.doc_id) for d in sample.docs.values())
    assert sum(not matches(d) for d in sample.docs.values()) >= 4
    assert sample.expected_archived <= {r for r, d in sample.docs.items() if matches(d)}
    assert not sample.expected_archived & {"too_old", "broken", *sample.same_text_pair}
    assert sample.recorded_at == RECORDED_AT


def test_seed_is_the_real_article(sample: IfengSample) -> None:
    seed = sample.docs["seed"]
    assert seed.url == "https://hb.ifeng.com/c/8lE1OVQRmEX"
    assert seed.title == "这场博览会在武汉举行：数智技术赋能我国服务外包提质转型"
    assert (seed.news_time, seed.source) == ("2025-07-24 07:55:17", "新华社")
    assert text_of(seed).startswith("原标题：数智技术赋能我国服务外包提质转型")
    assert text_of(seed).endswith("（记者龚联康）")
    assert "第十四届中国国际服务外包交易博览会开幕式现场。主办方供图" in text_of(seed)


def test_article_pages_carry_doc_data(sample: IfengSample, bodies: dict[str, str]) -> None:
    for role, doc in sample.docs.items():
        page = bodies[doc.url]
        assert ALL_DATA in page
        if role == "broken":
            with pytest.raises(json.JSONDecodeError):
                all_data(page)
            continue
        data = all_data(page)
        doc_data = data["docData"]
        assert doc_data["title"] == doc.title
        assert doc_data["pcUrl"] == doc.url
        assert doc_data["contentData"]["contentList"][0]["data"] == doc.content_html
        assert data["keywords"] == ",".join(doc.keywords)
        assert '<meta name="og:time " content="' + doc.news_time in page
        assert "Copyright © 2024 Phoenix New Media Limited" in page and "频道推荐" in page


def test_non_greedy_regex_breaks_on_brace_trap(sample: IfengSample, bodies: dict[str, str]) -> None:
    page = bodies[sample.docs["brace_trap"].url]
    naive = re.search(r"var allData = (.+?});", page)
    assert naive is not None
    with pytest.raises(json.JSONDecodeError):
        json.loads(naive.group(1))
    assert sample.brace_trap_tail not in naive.group(1)
    content = all_data(page)["docData"]["contentData"]["contentList"][0]["data"]
    assert content.index("};") < content.index(sample.brace_trap_tail)
    # the same regex is fine on an ordinary page: the trap is what breaks it
    ordinary = re.search(r"var allData = (.+?});", bodies[sample.docs["seed"].url])
    assert ordinary is not None and json.loads(ordinary.group(1))["docData"]["title"]


def test_media_articles(sample: IfengSample, bodies: dict[str, str]) -> None:
    lazy = all_data(bodies[sample.docs["lazyload"].url])["docData"]
    html = lazy["contentData"]["contentList"][0]["data"]
    lazy_urls = re.findall(r'data-lazyload="([^"]+)" src="data:image/png;base64,', html)
    assert lazy_urls == [i["url"] for i in lazy["imagesInContent"]]
    assert len(lazy_urls) == 2 and all(
        u.startswith("https://x0.ifengimg.com/ucms/2025_30/") for u in lazy_urls
    )
    video = all_data(bodies[sample.docs["video"].url])["docData"]["contentData"]["contentList"]
    assert video[1]["type"] == "video"
    assert re.fullmatch(r"https://video\d+\.ifeng\.com/.+\.mp4", video[1]["data"]["playUrl"])


def test_xss_trap_carries_every_hazard(sample: IfengSample) -> None:
    html = sample.docs["xss_trap"].content_html
    for hazard in (
        "<script>alert(1)</script>",
        "onerror=alert(1)",
        'href="javascript:alert(1)"',
        "<iframe",
        'style="',
    ):
        assert hazard in html


def test_dates_and_copies(sample: IfengSample) -> None:
    assert sample.docs["too_old"].published == RECORDED_AT - timedelta(days=20)
    cutoff = RECORDED_AT - timedelta(days=7)
    assert all(sample.docs[r].published >= cutoff for r in sample.expected_archived)
    hb, hn = (sample.docs[r] for r in sample.same_text_pair)
    assert (hb.title, hb.content_html) == (hn.title, hn.content_html)
    assert (hb.host, hn.host) == ("hb.ifeng.com", "hn.ifeng.com") and hb.doc_id != hn.doc_id


def test_non_matching_pages_never_mention_the_topic(
    sample: IfengSample, bodies: dict[str, str]
) -> None:
    for doc in sample.docs.values():
        if not matches(doc):
            assert not any(k in bodies[doc.url] for k in KEYWORDS)


def test_search_hits(sample: IfengSample, bodies: dict[str, str]) -> None:
    assert set(KEYWORDS) <= set(sample.search_urls)
    hit_urls = set()
    for keyword, url in sample.search_urls.items():
        assert url == search_url(keyword)
        data = jsonp(bodies[url])["data"]
        assert data["totalPage"] == 1
        for item in data["items"]:
            assert f"<em>{keyword}</em>" in item["title"]
            assert item["url"].startswith("//")
            hit_urls.add("https:" + item["url"])
    assert any("/c/special/" in u for u in hit_urls)
    assert any(u.startswith("https://news.ifeng.com/c/") for u in hit_urls)
    assert {sample.docs[r].url for r in ("seed", "search_only")} <= hit_urls


def test_column_info_chain(sample: IfengSample, bodies: dict[str, str]) -> None:
    column = sample.column_urls[0]
    assert column == "https://hb.ifeng.com/shanklist/200-214-216353-/"
    last = all_data(bodies[column])["newsstream"][-1]
    first_url = sample.column_info_urls[0]
    assert f"/dynamicFragment/{last['id']}/" in first_url
    first = jsonp(bodies[first_url])["data"]
    assert first["isEnd"] is False
    last = first["newsstream"][-1]
    second_url = sample.column_info_urls[1]
    assert f"/dynamicFragment/{last['id']}/" in second_url
    second = jsonp(bodies[second_url])["data"]
    assert second["isEnd"] is True
    assert sample.docs["deep"].url in {
        "https:" + i["url"] if i["url"].startswith("//") else i["url"] for i in second["newsstream"]
    }
    by_id = {d.newsstream_id: d for d in sample.docs.values()}
    assert second_url == column_info_url(by_id[last["id"]], "200-214-216353-")


def test_every_entry_point_is_recorded(sample: IfengSample, bodies: dict[str, str]) -> None:
    recorded = set(bodies)
    expected = {
        *sample.home_urls,
        *sample.column_urls,
        *sample.column_info_urls,
        *sample.search_urls.values(),
        *(d.url for d in sample.docs.values()),
    }
    assert expected == recorded
    assert not recorded & set(sample.ignored_urls)
    # every column page's continuation is recorded, so a crawl never meets a 404
    for url in sample.column_urls:
        stream = all_data(bodies[url])["newsstream"]
        assert any(f"/dynamicFragment/{stream[-1]['id']}/" in u for u in sample.column_info_urls)


def _links(body: str, doc: IfengDoc) -> bool:
    return doc.protocol_relative_url in body


def test_reachability(sample: IfengSample, bodies: dict[str, str]) -> None:
    def found_in(role: str) -> set[str]:
        doc = sample.docs[role]
        return {url for url, body in bodies.items() if url != doc.url and _links(body, doc)}

    assert found_in("deep") == {sample.column_info_urls[1]}
    # the page before "deep" lists only articles found nowhere else: a crawl that already
    # stored everything else still sees it as fresh and pages on
    assert found_in("brace_trap") == found_in("traffic") == {sample.column_info_urls[0]}
    assert found_in("search_only") == {sample.search_urls["服务外包"]}
    seed_sources = found_in("seed")
    assert sample.home_urls[0] in seed_sources and sample.search_urls["服务外包"] in seed_sources
    home = bodies[sample.home_urls[0]]
    assert "/c/special/" in home and "//news.ifeng.com/c/" in home
    assert re.findall(r'href="(/shanklist/[^"]+)"', home) == [
        "/shanklist/200-214-216353-/",
        "/shanklist/200-214-216354-/",
    ]


def test_served_through_the_mirror(tmp_path: Path) -> None:
    root = build_sample_snapshot(tmp_path / "sample")
    with SnapshotServer(root) as server:
        url = server.url + "/hb.ifeng.com/c/8lE1OVQRmEX?_=1753500000000"
        with urllib.request.urlopen(url, timeout=5) as response:
            page = response.read().decode("utf-8")
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert all_data(page)["docData"]["newsTime"] == "2025-07-24 07:55:17"

"""Hostile content: nothing executable reaches notes, feeds or the index; hostile titles survive."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime

import lxml.html
import pytest
import yaml

from crawler.archive.hexo import render_hexo_post
from crawler.archive.note import render_note
from crawler.items import Article, Image
from crawler.store import Store
from crawler.text.prepare import normalize
from crawler.text.strings import content_hash
from feeds.atom import render_atom
from feeds.build import feed_entry
from feeds.index_page import render_index_html
from feeds.model import TopicFeed
from tests.helpers import ATOM_RNG
from tests.xss_vectors import XSS_VECTORS

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "base", "meta", "link",
                  "style", "form", "svg", "math", "input", "button", "details", "video", "audio",
                  "marquee", "bgsound", "noscript", "body"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "data", "dynsrc", "lowsrc", "poster"}
YAML_HOSTILE_TITLES = [
    "标题: 冒号", "# 不是注释", "'单引号'", '"双引号"', "- 列表", "[方括号]", "{花括号}", "&锚 *别名",
    "| 竖线", "> 大于", "% 百分号", "@ at", "`反引号`", "yes", "null", "2025-07-24", "---", "...",
    "? 问号", "!标签", "多行\n标题", "  前后空格  ",
]


def executable_parts(html: str) -> list[str]:
    """What a browser could run in an HTML fragment: dangerous tags, handlers, script URLs, styles."""
    found = []
    if not html.strip():
        return found
    for element in lxml.html.fragments_fromstring(f"<div>{html}</div>")[0].iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.lower() in DANGEROUS_TAGS:
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on") or name == "style":
                found.append(f"{name}=")
            if name in URL_ATTRIBUTES and re.match(r"\s*(javascript|vbscript|data):", value, re.I):
                found.append(f"{name}={value[:30]}")
    return found


def markdown_raw_html(markdown: str) -> list[str]:
    """Markdown renderers pass raw HTML through: no tag may start anywhere in a note."""
    return re.findall(r"<[A-Za-z!/?]", markdown) + re.findall(r"\]\(\s*(?:javascript|vbscript|data):", markdown, re.I)


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path}/s.sqlite3")
    yield s
    s.close()


def normalised(title: str, body: str, site_id: str) -> Article:
    article = Article(url=f"https://hb.ifeng.com/c/{site_id}", source="ifeng-hb", spider="ifeng",
                      site_name="凤凰网湖北", site_id=site_id, title=title, outlet=title,
                      body_html=f"<p>服务外包正文第一段。</p>{body}<p>第二段{site_id}。</p>",
                      published=datetime(2025, 7, 24, tzinfo=UTC))
    article = normalize(article)
    article.topics = {"so": ["服务外包"]}
    return article


def test_xss_vectors_leave_nothing_executable_anywhere(store):
    stored = []
    for number, vector in enumerate(XSS_VECTORS):
        article = normalised(title=f"标题{vector}", body=vector, site_id=f"x{number}")
        result = store.save(article, content_hash(article.text), datetime(2025, 7, 25, tzinfo=UTC))
        stored.append(store.get(result.article_id))
    assert len(stored) == len(XSS_VECTORS) >= 50

    for article in stored:
        assert executable_parts(article.body_html) == [], article.site_id
        note = render_note(article)
        assert markdown_raw_html(note.split("---\n", 2)[2]) == [], (article.site_id, note[-600:])
        assert yaml.safe_load(note.split("---\n", 2)[1])["title"] == article.title
        post = render_hexo_post(article, {"so": "服务外包"})
        front, body = post.split("---\n", 2)[1:]
        assert yaml.safe_load(front)["title"] == article.title
        assert executable_parts(body) == [], (article.site_id, body[:300])

    feed = TopicFeed("so", "服务外包<script>alert(1)</script>", ("服务外包",),
                     tuple(feed_entry(article, "so") for article in stored))
    import feedparser
    from lxml import etree

    atom = render_atom(feed, "http://127.0.0.1:8080/")
    schema = etree.RelaxNG(etree.parse(str(ATOM_RNG)))
    assert schema.validate(etree.fromstring(atom)), schema.error_log
    parsed = feedparser.parse(atom)
    assert not parsed.bozo
    for entry in parsed.entries:
        assert executable_parts(entry.content[0].value) == [], entry.id
        assert entry.title_detail.type == "text/plain"  # shown as text, never parsed as HTML
    index = render_index_html([feed], "http://127.0.0.1:8080/").decode()
    assert executable_parts(index.split("<body>", 1)[1]) == []
    assert "<script" not in index.lower()


def test_xml_illegal_characters_keep_feeds_valid(store):
    article = normalised(title="控制\x00字符\x0b标题\ufffe", body="<p>正文\x01\x1f里的\x08控制字符</p>", site_id="ctl")
    result = store.save(article, content_hash(article.text), datetime(2025, 7, 25, tzinfo=UTC))
    stored = store.get(result.article_id)
    assert stored.title == "控制字符标题"
    from lxml import etree

    atom = render_atom(TopicFeed("so", "t", ("k",), (feed_entry(stored, "so"),)), "http://127.0.0.1:8080/")
    assert etree.RelaxNG(etree.parse(str(ATOM_RNG))).validate(etree.fromstring(atom))


@pytest.mark.parametrize("title", YAML_HOSTILE_TITLES)
def test_yaml_hostile_titles_round_trip(store, title):
    article = normalised(title=title, body="", site_id="y")
    result = store.save(article, content_hash(article.text), datetime(2025, 7, 25, tzinfo=UTC))
    stored = store.get(result.article_id)
    front = yaml.safe_load(render_note(stored).split("---\n", 2)[1])
    assert front["title"] == stored.title == " ".join(title.split())


SCRIPT_URLS = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "vbscript:msgbox(1)",
               "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+", "data:text/html,<script>alert(1)</script>"]
MARKDOWN_LINK_TEXTS = ["[点我](javascript:alert(1))", "![图](data:image/svg+xml;base64,PHN2Zz4=)",
                       "[引用]: javascript:alert(1)", "[x]( jav&#97;script:alert(1))", "[y](vbscript:msgbox(1))"]


def markdown_script_links(markdown: str) -> list[str]:
    """Live Markdown links, images and reference definitions whose target is not a web URL."""
    inline = re.findall(r"(?<!\\)\]\(\s*<?\s*(?!https?://|mailto:|\.\./)([^)\s]*)", markdown)
    references = re.findall(r"^ {0,3}\[[^\]\n]+\]:\s*<?(?!https?://|mailto:|\.\./)(\S+)", markdown, re.M)
    return inline + references


@pytest.mark.parametrize("bad", SCRIPT_URLS)
def test_only_web_urls_reach_url_fields(store, bad):
    article = Article(url="https://hb.ifeng.com/c/jsurl", source="ifeng-hb", spider="ifeng", site_name="凤凰网湖北",
                      site_id="jsurl", title="服务外包标题", cover=bad,
                      images=[Image(bad), Image("https://x0.ifengimg.com/ok.jpg")],
                      body_html="<p>服务外包正文。</p>", published=datetime(2025, 7, 24, tzinfo=UTC))
    normalize(article)
    assert article.cover == "https://x0.ifengimg.com/ok.jpg"
    assert [image.url for image in article.images] == ["https://x0.ifengimg.com/ok.jpg"]
    article.topics = {"so": ["服务外包"]}
    stored = store.get(store.save(article, content_hash(article.text), datetime(2025, 7, 25, tzinfo=UTC)).article_id)
    # a value stored by an older version, or slipped past: nothing shows it as a link
    stored = replace(stored, cover=bad, images=[Image(bad)], aliases=[bad], reported_by=[("某报", bad)])
    front = yaml.safe_load(render_note(stored).split("---\n", 2)[1])
    assert front["cover"] == "" and front["also_at"] == [] and front["also_reported_by"] == []
    hexo = yaml.safe_load(render_hexo_post(stored, {"so": "服务外包"}).split("---\n", 2)[1])
    assert "headimg" not in hexo and "thumbnail" not in hexo
    entry = feed_entry(replace(stored, url=bad), "so")
    assert entry.url.startswith("https://") and entry.also_reported_by == ()
    atom = render_atom(TopicFeed("so", "t", ("k",), (entry,)), "http://127.0.0.1:8080/").decode()
    assert not re.search(r'href="\s*(javascript|vbscript|data):', atom, re.I)


def test_markdown_link_syntax_in_text_stays_text(store):
    body = "".join(f"<p>{html.escape(text)}</p>" for text in MARKDOWN_LINK_TEXTS)
    article = normalised(title="[标题](javascript:alert(1))", body=body, site_id="mdlink")
    stored = store.get(store.save(article, content_hash(article.text), datetime(2025, 7, 25, tzinfo=UTC)).article_id)
    note = render_note(stored)
    assert markdown_script_links(note.split("---\n", 2)[2]) == []
    assert "点我" in note and "javascript:alert(1)" in note, "the text itself is kept"
    assert markdown_script_links("[a](javascript:x)\n[r]: data:x") == ["javascript:x", "data:x"]  # the check works

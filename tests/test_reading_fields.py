"""What a reader sees of an article's images and credits: the note, the Hexo post and the feed agree.

A junk ``<img src=x>`` that answered 404 is nobody's cover and shows nowhere; every image copy
keeps its original URL beside it; 同时见于 / 同时报道 name outlets in the note as in the feed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
import yaml
from lxml import etree

from crawler.archive.hexo import render_hexo_post
from crawler.archive.note import render_note
from crawler.archive.writer import ArchiveWriter
from crawler.delivery.compose import story
from crawler.delivery.feishu_sync import document_markdown
from crawler.items import Article
from crawler.pipelines.images import image_path
from crawler.store import SaveOutcome, Store
from crawler.text.minhash import signature
from crawler.text.prepare import normalize
from crawler.text.strings import content_hash
from feeds.atom import ATOM_NS, render_atom
from feeds.build import feed_entry
from feeds.model import TopicFeed

T0 = datetime(2025, 7, 24, 12, 10, tzinfo=UTC)
URL = "https://hb.ifeng.com/c/8lDmK9sRw2E"
JUNK = "https://hb.ifeng.com/c/x"  # what ifeng's <img src=x> resolves to: an HTML 404
PHOTO = "https://x0.ifengimg.com/ucms/2025_30/0A1B2C3D_size120_w1330_h1080.jpg"
TITLE = "服博会观察：武汉服务外包企业“组团出海”"
TOPICS = {"service-outsourcing": "服务外包"}
PARAGRAPHS = ("在第十四届中国国际服务外包交易博览会上，“出海”成为武汉参展企业口中的高频词。",
              "记者在湖北展区看到，十余家本地服务外包企业联合推出“数字服务出海联盟”。",
              "数据显示，今年上半年，湖北省承接离岸服务外包执行额同比增长超过两成。")
BODY = (f"<p>{PARAGRAPHS[0]}</p><p><img src=x></p><p>{PARAGRAPHS[1]}</p>"
        f'<p><img data-lazyload="{PHOTO}" src="data:image/png;base64,iVBORw0KGgo="></p><p>{PARAGRAPHS[2]}</p>')


def item(url: str, body: str, *, outlet: str, site_name: str = "凤凰网湖北", source: str = "ifeng-hb") -> Article:
    article = normalize(Article(url=url, source=source, spider=source.split("-")[0], site_name=site_name,
                                site_id=url.rsplit("/", 1)[-1].split(".")[0], title=TITLE,
                                body_html=body, published=T0, outlet=outlet))
    article.topics = {"service-outsourcing": ["服务外包"]}
    return article


def save(store: Store, article: Article, now: datetime):
    return store.save(article, content_hash(article.text), now, fingerprint=signature(article.text),
                      near_similarity=0.6)


@pytest.fixture
def store(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path}/s.sqlite3")
    yield s
    s.close()


@pytest.fixture
def junk_and_photo(store):
    """The article as the crawl leaves it: the junk image failed, the photo was saved."""
    article = item(URL, BODY, outlet="湖北日报")
    assert [i.url for i in article.images] == [JUNK, PHOTO] and article.cover == JUNK  # as prepare makes it
    saved = save(store, article, T0)
    store.set_local_images(saved.article_id, {PHOTO: image_path(PHOTO)}, [JUNK])
    return store.get(saved.article_id)


def front_and_body(text: str) -> tuple[dict, str]:
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def test_a_failed_image_is_no_cover_and_shows_nowhere(junk_and_photo):
    article = junk_and_photo
    front, body = front_and_body(render_note(article))
    assert front["cover"] == PHOTO
    assert JUNK not in render_note(article)
    post_front, post_body = front_and_body(render_hexo_post(article, TOPICS))
    assert post_front["headimg"] == post_front["thumbnail"] == PHOTO
    assert JUNK not in render_hexo_post(article, TOPICS)
    assert [img.get("src") for img in lxml.html.fragment_fromstring(post_body.strip()).iter("img")] == [PHOTO]
    content = atom_content(article)
    assert JUNK not in content and PHOTO in content
    for paragraph in PARAGRAPHS:  # the text around the junk stays
        assert paragraph in body and paragraph in post_body


def test_the_note_keeps_each_images_original_url_beside_its_copy(junk_and_photo):
    front, body = front_and_body(render_note(junk_and_photo))
    assert f'![](../../../{image_path(PHOTO)} "{PHOTO}")' in body
    assert front["images"] == [{"url": PHOTO, "local": image_path(PHOTO)}]


def test_the_hexo_post_links_the_original_article(junk_and_photo):
    front, body = front_and_body(render_hexo_post(junk_and_photo, TOPICS))
    assert front["original_url"] == URL
    last = lxml.html.fragment_fromstring(body.strip())[-1]
    assert last.text_content() == "原文：凤凰网湖北 / 湖北日报" and last.find("a").get("href") == URL


def test_hexo_posts_can_show_the_archives_image_copies(junk_and_photo, tmp_path):
    archive, hexo = tmp_path / "archive", tmp_path / "hexo"
    (archive / image_path(PHOTO)).parent.mkdir(parents=True)
    (archive / image_path(PHOTO)).write_bytes(b"\x89PNG\r\n\x1a\n photo")
    remote = ArchiveWriter(archive, ("hexo",), hexo, TOPICS)
    [(_, text)] = remote.render(junk_and_photo)
    assert f'src="{PHOTO}"' in text  # the default: the site's own URL, as the seed post has it
    local = ArchiveWriter(archive, ("hexo",), hexo, TOPICS, hexo_local_images=True)
    written = list(local.write(junk_and_photo))
    copy = hexo / "source" / image_path(PHOTO)
    assert copy in written and copy.read_bytes() == b"\x89PNG\r\n\x1a\n photo"
    _, body = front_and_body(written[0].read_text("utf-8"))
    [img] = lxml.html.fragment_fromstring(body.strip()).iter("img")
    assert img.get("src") == f"/{image_path(PHOTO)}" and img.get("title") == PHOTO  # Hexo's source/images/…
    assert list(local.write(junk_and_photo)) == []  # nothing copied twice


def atom_content(article) -> str:
    """The feed entry's content as a reader gets it (the HTML, unescaped)."""
    entry = feed_entry(article, "service-outsourcing")
    atom = render_atom(TopicFeed("service-outsourcing", "服务外包", ("服务外包",), (entry,)), "http://127.0.0.1:8080/")
    return etree.fromstring(atom).findtext(f".//{{{ATOM_NS}}}content")


def test_note_and_feed_name_the_same_outlets_for_the_same_copies(store, junk_and_photo):
    repost = "https://html2.qktoutiao.com/detail/2025/07/24/1815897321.html"
    near = "https://www.cjn.cn/news/2025/07/24/a1.html"
    same = item(repost, BODY, outlet="湖北日报", site_name="趣头条", source="qutoutiao")
    assert save(store, same, T0 + timedelta(hours=1)).outcome is SaveOutcome.ALIAS
    longer = BODY.replace("</p><p><img src=x>", "另据了解，展会共吸引数百家企业参展。</p><p><img src=x>")
    other = item(near, longer, outlet="", site_name="长江网", source="web")  # no outlet named: the site
    assert save(store, other, T0 + timedelta(hours=2)).outcome is SaveOutcome.NEAR_DUPLICATE
    article = store.get(junk_and_photo.id)
    note = render_note(article)
    assert f"- **同时见于**: 湖北日报 {repost}\n" in note
    assert f"- **同时报道**: 长江网 {near}\n" in note
    content = atom_content(article)
    assert f'<p>同时见于：<a href="{repost}">湖北日报</a></p>' in content
    assert f'<p>同时报道：<a href="{near}">长江网</a></p>' in content
    assert f'<p>来源：<a href="{URL}">凤凰网湖北 / 湖北日报</a></p>' in content
    # pushed copies say the same: the Feishu document of the note, the notification's "also reported by"
    document = document_markdown(article)
    assert f"- 同时见于：湖北日报 {repost}\n" in document and f"- 同时报道：长江网 {near}\n" in document
    assert story(article, TOPICS, "Asia/Shanghai").also == (("长江网", near),)

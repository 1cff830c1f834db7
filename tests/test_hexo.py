"""The Hexo post format: path, front matter, body block, and when ArchiveWriter writes it."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
import pytest
import yaml

from crawler.archive.hexo import hexo_body, hexo_post_path, render_hexo_post
from crawler.archive.note import note_path
from crawler.archive.writer import ArchiveWriter
from crawler.items import Image
from crawler.store import Store
from tests.test_store import make_article

TOPICS = {"service-outsourcing": "服务外包"}
SEED_KEYS = {"title", "categories", "headimg", "author", "comments", "date", "thumbnail"}


@pytest.fixture
def stored(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path}/s.sqlite3")

    def save(body_html: str = "<p>服务外包博览会在武汉举行。</p>", **kw):
        article = make_article(**kw)
        article.body_html = body_html
        result = store.save(article, "ab" * 32, datetime(2025, 7, 25, 2, 7, 18, tzinfo=UTC))
        return store.get(result.article_id)

    yield save
    store.close()


def split_post(text: str) -> tuple[dict, str]:
    """Front matter and body, split where Hexo splits them: at lines that are just ``---``."""
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def test_path_is_stable_and_filename_safe(stored, tmp_path):
    article = stored(url="https://hb.ifeng.com/c/../../etc")
    path = hexo_post_path(tmp_path / "hexo", article)
    assert path.parent == tmp_path / "hexo" / "source" / "_posts"
    assert path.name.startswith("20250724-ifeng-hb-") and path.name.endswith(".md")
    assert "/" not in path.name.removesuffix(".md") and ".." not in path.name


def test_front_matter_has_the_seed_keys_and_sibling_categories(stored):
    article = stored(images=[Image("https://x0.ifengimg.com/a.jpg", 1330, 1080)],
                     cover="https://x0.ifengimg.com/a_thumb.jpg")
    front, body = split_post(render_hexo_post(article, TOPICS))
    assert SEED_KEYS | {"updated", "tags"} <= set(front)
    assert front["comments"] is False
    assert front["categories"] == [["服务外包"], ["凤凰网湖北"]]  # siblings, not a hierarchy
    # Hexo reads dates as wall clock in its `timezone` setting, dropping offsets: Beijing time
    assert front["date"] == front["updated"] == datetime(2025, 7, 24, 15, 55)
    assert "date: 2025-07-24 15:55:00\n" in render_hexo_post(article, TOPICS)
    assert front["headimg"] == "https://x0.ifengimg.com/a.jpg"
    assert front["thumbnail"] == "https://x0.ifengimg.com/a_thumb.jpg"
    assert "服务外包" in front["tags"]
    assert "disableNunjucks" not in front
    assert body.startswith("\n<div>\n") and body.endswith("\n</div>\n")
    assert lxml.html.fragment_fromstring(body.strip()).tag == "div"


def test_hostile_title_stays_a_yaml_string(stored):
    article = stored()
    article.title = "--- 标题: #不是注释 'q' \"d\" - [list] {map} &anchor *alias | > % ---"
    front, _ = split_post(render_hexo_post(article, TOPICS))
    assert front["title"] == article.title


@pytest.mark.parametrize("marker", ["{{ name }}", "{% if x %}", "{# note #}"])
def test_template_syntax_disables_nunjucks(stored, marker):
    article = stored(body_html=f"<p>服务外包模板写法：{marker}</p>")
    front, body = split_post(render_hexo_post(article, TOPICS))
    assert front["disableNunjucks"] is True
    assert marker in body


def test_body_is_one_html_block_with_no_referrer_images(stored):
    html = ('<p>第一段。</p>\n\n\n<pre><code>a = 1\n\nb = 2</code></pre>\n  \n'
            '<p><img src="http://static.1sapp.com/x.jpeg" width="750" height="136"></p>')
    body = hexo_body(html)
    assert not any(not line.strip() for line in body.splitlines()), "a blank line ends the HTML block"
    root = lxml.html.fragment_fromstring(f"<div>{body}</div>")
    assert root.xpath("string(.//pre)") == "a = 1\n\nb = 2"
    img = root.find(".//img")
    assert img.get("referrerpolicy") == "no-referrer" and img.get("width") == "750"


def test_writer_writes_hexo_only_when_configured_and_only_on_change(stored, tmp_path):
    article = stored()
    notes_only = ArchiveWriter(tmp_path / "archive", ("note",), tmp_path / "hexo", TOPICS)
    assert list(notes_only.write(article)) == [note_path(tmp_path / "archive", article)]
    assert not (tmp_path / "hexo").exists()

    both = ArchiveWriter(tmp_path / "archive", ("note", "hexo"), tmp_path / "hexo", TOPICS)
    assert list(both.write(article)) == [hexo_post_path(tmp_path / "hexo", article)]
    assert list(both.write(article)) == []
    article.title = "新标题"
    assert len(list(both.write(article))) == 2


def test_hexo_dir_defaults_beside_the_archive(tmp_path):
    writer = ArchiveWriter(tmp_path / "data" / "archive", ("hexo",))
    assert writer.hexo_dir == tmp_path / "data" / "hexo"

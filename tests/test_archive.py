from datetime import UTC, datetime

import pytest
import yaml

from crawler.archive.frontmatter import safe_file_id
from crawler.archive.note import note_path, render_note
from crawler.archive.writer import ArchiveWriter
from crawler.store import Store
from tests.test_store import make_article

NOTE_KEYS = ["title", "url", "canonical_url", "source", "site_name", "outlet", "author", "published",
             "archived", "topics", "tags", "cover", "content_sha256"]


@pytest.fixture
def stored(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path}/s.sqlite3")

    def save(**kw):
        article = make_article(**kw)
        result = store.save(article, "ab" * 32, datetime(2025, 7, 25, 2, 7, 18, tzinfo=UTC))
        return store.get(result.article_id)

    yield save
    store.close()


def split_note(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def test_note_path_follows_contract(stored, tmp_path):
    article = stored()
    assert note_path(tmp_path, article) == tmp_path / "ifeng-hb/2025/07/20250724-8lE1OVQRmEX.md"


@pytest.mark.parametrize("site_id", ["../../x", "/etc/passwd", "a\x00b", "x" * 1000, "CON", "..", ""])
def test_hostile_site_ids_stay_inside_archive(site_id):
    name = safe_file_id(site_id)
    assert name and "/" not in name and "\x00" not in name and not name.startswith(".")
    assert len(name) <= 80


def test_front_matter_keys_and_hostile_title_roundtrip(stored):
    article = stored()
    article.title = "标题: #不是注释 'quoted' \"double\" - [list] {map} &anchor *alias | > %"
    front, body = split_note(render_note(article))
    assert set(NOTE_KEYS) <= set(front)
    assert front["title"] == article.title
    assert front["published"] == "2025-07-24T15:55:00+08:00"
    assert front["topics"] == ["service-outsourcing"]
    assert "## 摘要" in body and "## 原文" in body and "- **归档时间**: 2025-07-25 10:07:18" in body
    assert "服务外包博览会在武汉举行。" in body


def test_writer_is_deterministic_and_writes_only_on_change(stored, tmp_path):
    writer = ArchiveWriter(tmp_path / "archive", ("note",))
    article = stored()
    assert list(writer.write(article)) == [note_path(tmp_path / "archive", article)]
    assert list(writer.write(article)) == []
    article.title = "新标题"
    assert len(list(writer.write(article))) == 1

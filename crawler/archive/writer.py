"""Writes an article's archive files in each configured format: the note, the Hexo post.

With "hexo" in `[archive] formats` each article also becomes a Hexo post (crawler.archive.hexo).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Self

from crawler.archive.hexo import hexo_post_path, render_hexo_post
from crawler.archive.note import note_path, render_note
from crawler.config import Config
from crawler.fsutil import write_if_changed
from crawler.store import Store, StoredArticle


class ArchiveWriter:
    """Writes each archive format configured in ``[archive] formats``."""

    def __init__(self, archive_dir: Path, formats: tuple[str, ...], hexo_dir: Path | None = None,
                 topic_titles: Mapping[str, str] | None = None):
        self.archive_dir = archive_dir
        self.formats = formats
        self.hexo_dir = hexo_dir if hexo_dir is not None else archive_dir.parent / "hexo"
        self.topic_titles = dict(topic_titles or {})

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(config.archive_dir, config.archive.formats, config.hexo_dir,
                   {topic.slug: topic.title for topic in config.topics})

    def catch_up(self, store: Store, source: str) -> int:
        """Write the files of articles stored but not archived (a crash came in between)."""
        backlog = store.archive_backlog(source)
        for article in backlog:
            for _ in self.write(article):
                pass
            store.mark_archived(article.id, article.version)
        return len(backlog)

    def render(self, article: StoredArticle) -> list[tuple[Path, str]]:
        """The article's files and their text, one per configured format."""
        files = []
        if "note" in self.formats:
            files.append((note_path(self.archive_dir, article), render_note(article)))
        if "hexo" in self.formats:
            files.append((hexo_post_path(self.hexo_dir, article),
                          render_hexo_post(article, self.topic_titles)))
        return files

    @staticmethod
    def write_rendered(files: list[tuple[Path, str]]) -> Iterator[Path]:
        """Write rendered files; yields the paths that actually changed."""
        for path, text in files:
            if write_if_changed(path, text.encode("utf-8")):
                yield path

    def write(self, article: StoredArticle) -> Iterator[Path]:
        """Write the article's files; yields the paths that actually changed."""
        return self.write_rendered(self.render(article))

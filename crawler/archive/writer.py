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
                 topic_titles: Mapping[str, str] | None = None, *, hexo_local_images: bool = False):
        self.archive_dir = archive_dir
        self.formats = formats
        self.hexo_dir = hexo_dir if hexo_dir is not None else archive_dir.parent / "hexo"
        self.topic_titles = dict(topic_titles or {})
        self.hexo_local_images = hexo_local_images and "hexo" in formats

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(config.archive_dir, config.archive.formats, config.hexo_dir,
                   {topic.slug: topic.title for topic in config.topics},
                   hexo_local_images=config.archive.hexo_local_images)

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
                          render_hexo_post(article, self.topic_titles, self.hexo_image_sources(article))))
        return files

    def hexo_image_sources(self, article: StoredArticle) -> dict[str, str]:
        """Image URL → its copy as the Hexo site serves ``source/images/<host>/<file>``."""
        if not self.hexo_local_images:
            return {}
        return {image.url: f"/{image.local}" for image in article.images if image.local}

    def write_rendered(self, files: list[tuple[Path, str]], article: StoredArticle | None = None
                       ) -> Iterator[Path]:
        """Write rendered files (and the Hexo image copies ``article``'s post shows); yields
        the paths that actually changed."""
        for path, text in files:
            if write_if_changed(path, text.encode("utf-8")):
                yield path
        if article is not None and self.hexo_local_images:
            yield from self.copy_hexo_images(article)

    def copy_hexo_images(self, article: StoredArticle) -> Iterator[Path]:
        """Copy the article's downloaded images to ``<hexo>/source/images/<host>/<file>``."""
        for image in article.images:
            if not image.local:
                continue
            target = self.hexo_dir / "source" / image.local
            original = self.archive_dir / image.local
            if target.is_file() or not original.is_file():  # a copy's name is its URL's hash
                continue
            if write_if_changed(target, original.read_bytes()):
                yield target

    def write(self, article: StoredArticle) -> Iterator[Path]:
        """Write the article's files; yields the paths that actually changed."""
        return self.write_rendered(self.render(article), article)

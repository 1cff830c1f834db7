"""The item worker's typed interface: the context it is sent once, and the jobs it runs.

A job is a frozen dataclass holding its input, whose ``run(context)`` is the work; the
worker runs whatever job it is sent, so a new kind of item work is one new class here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from crawler.archive.writer import ArchiveWriter
from crawler.items import Article
from crawler.store import StoredArticle
from crawler.text.prepare import prepare
from crawler.text.topics import TopicMatcher

T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True)
class WorkContext:
    """What the item work needs besides the item: built once, sent to each worker."""

    matcher: TopicMatcher
    writer: ArchiveWriter


class Job(Protocol[T_co]):
    def run(self, context: WorkContext) -> T_co: ...


@dataclass(frozen=True)
class Prepare:
    """Canonical URL, sanitised body, text, topics, summary, hashes (crawler.text.prepare)."""

    item: Article

    def run(self, context: WorkContext) -> Article:
        return prepare(self.item, context.matcher)


@dataclass(frozen=True)
class Render:
    """A stored article's archive files and their text, one per configured format."""

    article: StoredArticle

    def run(self, context: WorkContext) -> list[tuple[Path, str]]:
        return context.writer.render(self.article)

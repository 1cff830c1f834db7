"""The item worker's typed interface: the context it is sent once, and the jobs it runs.

A job is a frozen dataclass holding its input, whose ``run(context)`` is the work; the
worker runs whatever job it is sent, so a new kind of item work is one new class here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from crawler.archive.writer import ArchiveWriter
from crawler.fsutil import describe_os_error
from crawler.items import Article
from crawler.itemwork.storelink import StoreLink
from crawler.store import OUTPUT_ERRORS, SaveResult
from crawler.text.dates import utcnow
from crawler.text.prepare import prepare
from crawler.text.topics import TopicMatcher

T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True)
class WorkContext:
    """What the item work needs besides the item: built once, sent to each worker."""

    matcher: TopicMatcher
    writer: ArchiveWriter
    store: StoreLink = dataclasses.field(default_factory=lambda: StoreLink(""))
    near_similarity: float = 0.8


class Job(Protocol[T_co]):
    def run(self, context: WorkContext) -> T_co: ...


class OutputFailed(Exception):
    """Output cannot be written (disk full, read-only…); ``reason`` says so in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def output_failure(error: Exception) -> OutputFailed:
    if isinstance(error, OSError):
        detail = describe_os_error(error)
    else:
        detail = str(getattr(error, "orig", error))
        if "full" in detail:
            detail += "; free some space and run again (nothing stored was damaged)"
    return OutputFailed(f"cannot write output: {detail}")


@dataclass(frozen=True)
class Prepare:
    """Canonical URL, sanitised body, text, topics, summary, hashes (crawler.text.prepare)."""

    item: Article

    def run(self, context: WorkContext) -> Article:
        return prepare(self.item, context.matcher)


@dataclass(frozen=True)
class PrepareAndSave:
    """Prepare the article, then dedupe and store it in one transaction (crawler.store).

    Returns the prepared item with ``stored_id`` and ``save_outcome`` set, its body and text
    left out: the store has them, and nothing after the store reads them from the item.
    """

    item: Article

    def run(self, context: WorkContext) -> Article:
        item = prepare(self.item, context.matcher)
        try:
            result = context.store.get().save(item, item.content_sha256, utcnow(),
                                              fingerprint=item.fingerprint,
                                              near_similarity=context.near_similarity)
        except OUTPUT_ERRORS as error:
            raise output_failure(error) from None
        return stored(item, result)


def stored(item: Article, result: SaveResult) -> Article:
    return dataclasses.replace(item, body_html="", text="", stored_id=result.article_id,
                               save_outcome=result.outcome)


def prepare_and_save_all(jobs: Sequence[PrepareAndSave], context: WorkContext) -> list[Article | Exception]:
    """What each job's ``run`` gives (its answer, or the exception it raised), in order, with
    one store transaction for them all: DESIGN §13 lets a worker group its commits.

    Nothing is answered before the commit, so the crawl never archives (or counts as stored)
    an article that a kill could still lose; a kill before the commit loses only articles the
    next crawl fetches again.
    """
    prepared: list[Article | Exception] = []
    for job in jobs:
        try:
            prepared.append(prepare(job.item, context.matcher))
        except Exception as error:  # noqa: BLE001 - answered for that job alone, as run() would
            prepared.append(error)
    articles = [item for item in prepared if isinstance(item, Article)]
    try:
        results = iter(context.store.get().save_many(articles, utcnow(),
                                                     near_similarity=context.near_similarity))
    except OUTPUT_ERRORS as error:
        failed = output_failure(error)
        return [item if isinstance(item, Exception) else failed for item in prepared]
    return [item if isinstance(item, Exception) else stored(item, next(results)) for item in prepared]


@dataclass(frozen=True)
class Archived:
    canonical_url: str  # of the stored article ("" if it is gone)
    written: list[Path]  # the files that changed


@dataclass(frozen=True)
class Archive:
    """Write (or rewrite) a stored article's archive files, then mark that version archived.

    An article that matches nothing and was never archived has no files. Files are written
    only for a version the store has committed, so a kill never leaves a file ahead of it.
    """

    article_id: int

    def run(self, context: WorkContext) -> Archived:
        try:
            store = context.store.get()
            stored = store.get(self.article_id)
            if stored is None:
                return Archived("", [])
            # An archived article that no longer matches (its text changed) is still rewritten:
            # its files must not go on showing the old text.
            if not (stored.topics or stored.archived_version):
                return Archived(stored.canonical_url, [])
            files = context.writer.render(stored)
            # Meanwhile another process may have changed the article (joined it, added its
            # images): what changed it writes the newer files, these are stale.
            if store.version(stored.id) != stored.version:
                return Archived(stored.canonical_url, [])
            written = list(context.writer.write_rendered(files, stored))
            store.mark_archived(stored.id, stored.version)
        except OUTPUT_ERRORS as error:
            raise output_failure(error) from None
        return Archived(stored.canonical_url, written)

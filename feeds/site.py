"""The values the pages for people are made from, taken from the store and the config."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from crawler import __version__
from crawler.archive.note import note_name
from crawler.config import Config
from crawler.store import FeedArticle, Store
from crawler.text.credits import credited
from crawler.text.htmlclean import drop_images, replace_image_sources
from feeds.model import ArchivedPage, SourceStatus
from feeds.notepage import local_href

ARCHIVE_PAGES = "archive"  # archived articles' pages, under the feeds folder
# Part of every archived page's key: bump it when the same article would now render differently.
PAGE_FORMAT = 1


def archived_page_path(article: FeedArticle) -> str:
    """``archive/<source>/<YYYY>/<MM>/<YYYYMMDD>-<site_id>.html``: the note's path, as a page."""
    return f"{ARCHIVE_PAGES}/{note_name(article.source, article.published, article.site_id, '.html')}"


def archived_page(article: FeedArticle, topic_titles: Mapping[str, str]) -> ArchivedPage:
    path = archived_page_path(article)
    local = {image.url: local_href(path, image.local) for image in article.images if image.local}
    body = drop_images(article.body_html, {image.url for image in article.images if image.failed})
    return ArchivedPage(
        path=path,
        title=article.title,
        url=article.url,
        site_name=article.site_name,
        outlet=article.outlet,
        author=article.author,
        editor=article.editor,
        published=article.published,
        updated=max(article.updated, article.published),
        archived=article.archived or article.published,
        summary=article.summary,
        body_html=replace_image_sources(body, local),
        images=tuple(local.items()),
        topics=tuple((slug, topic_titles.get(slug, slug)) for slug in sorted(article.topics)),
        same_text_at=credited(article.same_text),
        also_reported_by=credited(article.reported_by),
    )


def archived_pages(articles: Iterable[FeedArticle], topic_titles: Mapping[str, str]
                   ) -> list[tuple[ArchivedPage, str]]:
    """Each article once, with the key of everything its page is rendered from."""
    unique = {article.id: article for article in articles}
    pages = []
    for article in unique.values():
        titles = [(slug, topic_titles.get(slug, slug)) for slug in sorted(article.topics)]
        described = [PAGE_FORMAT, __version__, article.id, article.version, titles]
        key = hashlib.sha256(json.dumps(described, ensure_ascii=False).encode("utf-8")).hexdigest()
        pages.append((archived_page(article, topic_titles), key))
    return pages


def source_statuses(config: Config, store: Store) -> list[SourceStatus]:
    """Every configured source's last run (or none yet), in config order."""
    runs = store.last_runs()
    statuses = []
    for source in config.sources:
        run = runs.get(source.name)
        if run is None:
            statuses.append(SourceStatus(source.name))
            continue
        stats = run.stats
        statuses.append(SourceStatus(source.name, run.started, str(run.outcome), int(stats.get("pages", 0) or 0),
                                     int(stats.get("new", 0) or 0), int(stats.get("errors", 0) or 0)))
    return statuses

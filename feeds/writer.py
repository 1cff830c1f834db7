"""Render every topic and write the feed folder, touching only files whose bytes change."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from crawler.fsutil import write_many_if_changed
from feeds.atom import render_atom
from feeds.html import STYLESHEET, STYLESHEET_NAME
from feeds.index_page import render_index_html
from feeds.model import ArchivedPage, SourceStatus, TopicFeed
from feeds.notepage import render_archived_html
from feeds.opml import render_opml
from feeds.pages import render_topic_html, topic_page_name
from feeds.rendered import RenderedFeeds

OPML_NAME = "index.opml"
INDEX_NAME = "index.html"


def write_feed_files(feeds: Sequence[TopicFeed], feeds_dir: Path, base_url: str, *,
                     inputs: Mapping[str, str] | None = None,
                     rendered: RenderedFeeds | None = None,
                     sources: Sequence[SourceStatus] = ()) -> list[Path]:
    """Write ``<slug>.atom`` and ``<slug>.html`` per topic plus ``index.opml``, ``index.html``
    and the stylesheet.

    Each file is replaced atomically and only when its bytes differ; returns the paths
    actually written. Feeds of topics that were removed are left in place, so readers
    still subscribed to them keep the last entries instead of a 404.

    ``inputs`` maps a slug to a key of everything its feed is rendered from: a feed whose
    key ``rendered`` recorded for its file, still as written then, is not rendered again.
    """
    _check_slugs(feeds)
    inputs = inputs or {}
    due: list[tuple[Path, TopicFeed, Callable[[TopicFeed, str], bytes]]] = []
    for feed in feeds:
        for path, render in ((feeds_dir / f"{feed.slug}.atom", render_atom),
                             (feeds_dir / topic_page_name(feed.slug), render_topic_html)):
            key = inputs.get(feed.slug)
            if rendered is not None and key is not None and rendered.is_current(path, key):
                continue
            due.append((path, feed, render))
    files = [*((path, lambda feed=feed, render=render: render(feed, base_url)) for path, feed, render in due),
             (feeds_dir / OPML_NAME, lambda: render_opml(feeds, base_url)),
             (feeds_dir / INDEX_NAME, lambda: render_index_html(feeds, base_url, sources)),
             (feeds_dir / STYLESHEET_NAME, lambda: STYLESHEET.encode("utf-8"))]
    slugs = {path: feed.slug for path, feed, _ in due}
    written: list[Path] = []
    failures: list[OSError] = []
    # One path that cannot be written (a folder sits there) never stops the others.
    for path, outcome in write_many_if_changed(((path, make()) for path, make in files), keep_going=True):
        if isinstance(outcome, OSError):
            failures.append(outcome)
            continue
        if outcome:
            written.append(path)
        key = inputs.get(slugs.get(path, ""))
        if rendered is not None and key is not None:
            rendered.remember(path, key)
    if rendered is not None:
        rendered.save()
    _raise_first(failures)
    return written


def _raise_first(failures: list[OSError]) -> None:
    if not failures:
        return
    first = failures[0]
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    raise OSError(first.errno, f"{first.strerror or first}{more}; every other feed file was written",
                  first.filename)


def write_archived_pages(pages: Sequence[tuple[ArchivedPage, str]], feeds_dir: Path,
                         rendered: RenderedFeeds | None = None) -> list[Path]:
    """Write each archived article's page; ``pages`` pairs it with the key of its input."""
    due = {feeds_dir / archived.path: (archived, key) for archived, key in pages}
    if rendered is not None:
        due = {path: job for path, job in due.items() if not rendered.is_current(path, job[1])}
    written = []
    for path, changed in write_many_if_changed((path, render_archived_html(archived))
                                               for path, (archived, _) in due.items()):
        if changed:
            written.append(path)
        if rendered is not None:
            rendered.remember(path, due[path][1])
    if rendered is not None:
        rendered.save()
    return written


def _check_slugs(feeds: Sequence[TopicFeed]) -> None:
    seen: set[str] = set()
    for feed in feeds:
        slug = feed.slug
        if not slug or slug in (".", "..") or "/" in slug or "\\" in slug or "\x00" in slug:
            raise ValueError(f"topic slug {slug!r} is not a plain file name")
        if slug in seen:
            raise ValueError(f"topic slug {slug!r} appears twice")
        seen.add(slug)

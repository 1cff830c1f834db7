"""Dates no article can have: never stored, and a stored one never stops a note, a post or a feed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from crawler.archive.hexo import render_hexo_post
from crawler.archive.note import note_path, render_note
from crawler.items import Article
from crawler.store import Store
from crawler.text.dates import parse_site_time
from crawler.text.prepare import normalize
from crawler.text.strings import content_hash
from feeds.atom import render_atom
from feeds.build import feed_entry
from feeds.html import time_html
from feeds.model import TopicFeed

ARCHIVED = datetime(2025, 7, 25, 2, 0, tzinfo=UTC)
IMPLAUSIBLE = [datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2099, 1, 1, tzinfo=UTC),
               datetime(1989, 12, 31, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)]


def article(published: datetime | None) -> Article:
    return Article(url="https://hb.ifeng.com/c/date1", source="ifeng-hb", spider="ifeng", site_name="凤凰网湖北",
                   site_id="date1", title="服务外包标题", body_html="<p>服务外包正文。</p>", published=published)


@pytest.mark.parametrize("moment", IMPLAUSIBLE, ids=str)
def test_implausible_dates_count_as_missing(moment):
    item = normalize(article(moment))
    assert item.published is None
    assert moment.isoformat() in item.date_note and "fetch time" in item.date_note


def test_plausible_dates_are_kept():
    moment = datetime(2025, 7, 24, 7, 55, tzinfo=UTC)
    item = normalize(article(moment))
    assert item.published == moment and item.date_note == ""


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59Z", "99999999999999", 5, 1e300, float("nan"), [], {}, True])
def test_site_times_never_raise(value):
    parsed = parse_site_time(value)  # type: ignore[arg-type]
    assert parsed is None or parsed.tzinfo is not None


@pytest.mark.parametrize("moment", IMPLAUSIBLE, ids=str)
def test_a_stored_extreme_date_stops_nothing(tmp_path, moment):
    store = Store.open(f"sqlite:///{tmp_path}/s.sqlite3")
    item = normalize(article(None))
    item.published = moment  # as an older version stored it
    item.topics = {"so": ["服务外包"]}
    stored = store.get(store.save(item, content_hash(item.text), ARCHIVED).article_id)
    store.close()
    assert stored.published == moment
    assert render_note(stored) and note_path(tmp_path, stored).suffix == ".md"
    assert render_hexo_post(stored, {"so": "服务外包"})
    assert time_html(moment)
    entry = feed_entry(stored, "so")
    assert entry.published == entry.updated == ARCHIVED
    atom = render_atom(TopicFeed("so", "t", ("k",), (entry, feed_entry(replace(stored, id=2), "so"))),
                       "http://127.0.0.1:8080/")
    assert b"<updated>2025-07-25T02:00:00+00:00</updated>" in atom


@pytest.mark.parametrize("moment", IMPLAUSIBLE, ids=str)
def test_an_implausible_date_goes_by_the_list_time(moment):
    listed = datetime(2025, 7, 24, 7, 55, tzinfo=UTC)
    item = normalize(replace(article(moment), listed=listed))
    assert item.published == listed
    assert moment.isoformat() in item.date_note and f"the list's time {listed.isoformat()}" in item.date_note


def test_an_implausible_list_time_is_no_fallback():
    item = normalize(replace(article(IMPLAUSIBLE[0]), listed=IMPLAUSIBLE[2]))
    assert item.published is None and "fetch time" in item.date_note

"""Across sources: a Qutoutiao repost of an ifeng article is stored once, the other URL an alias."""

from __future__ import annotations

import re

import pytest

from crawler.store import Store
from tests.helpers import check_atom, read_notes, store_url


def pair(sample) -> tuple[str, str]:
    """(Qutoutiao repost URL, ifeng original URL): the same text on both sites."""
    qtt_role, ifeng_role = sample.qutoutiao.repost_of
    return sample.qutoutiao.docs[qtt_role].url, sample.ifeng.docs[ifeng_role].url


def assert_stored_once(ws, kept: str, alias: str) -> None:
    notes = read_notes(ws.data / "archive")
    assert kept in notes and alias not in notes
    meta, body, path = notes[kept]
    assert meta["also_at"] == [alias]
    outlet = re.search(rf"- \*\*同时见于\*\*: (\S+) {re.escape(alias)}\n", body)
    assert outlet and outlet.group(1) == "湖北日报", "named by its outlet, the repost's too"
    store = Store.open(store_url(ws.data))
    try:
        article = store.get_by_url(alias)
        assert article is not None and article.canonical_url == kept
        assert article.aliases == [alias]
    finally:
        store.close()
    posts = [p for p in (ws.data / "hexo").rglob("*.md") if meta["title"] in p.read_text("utf-8")]
    assert len(posts) == 1, "one Hexo post for the story"
    feed = check_atom(ws.data / "feeds" / "service-outsourcing.atom")
    ids = [entry.id for entry in feed.entries]
    assert kept in ids and alias not in ids


def test_one_crawl_of_both_sources_stores_the_repost_once(cross_source_workspace, sample):
    ws = cross_source_workspace
    run = ws.crawl()
    assert run.returncode == 0, run.stderr
    repost, original = pair(sample)
    notes = read_notes(ws.data / "archive")
    assert (repost in notes) != (original in notes), "stored once, whichever source came first"
    kept, alias = (repost, original) if repost in notes else (original, repost)
    assert_stored_once(ws, kept, alias)

    # everything else of both sources is there, and nothing twice
    q, i = sample.qutoutiao, sample.ifeng
    qtt_roles = {q.role_of(u) for u in notes} - {None}
    ifeng_roles = {i.role_of(u) for u in notes} - {None}
    assert qtt_roles | {"repost"} == set(q.expected_archived)
    assert ifeng_roles - set(i.same_text_pair) | {"lazyload"} == set(i.expected_archived)
    assert len(ifeng_roles & set(i.same_text_pair)) == 1

    before = len(ws.server.requests)
    again = ws.crawl()
    assert again.returncode == 0, again.stderr
    assert again.stdout.count(" 0 new, 0 updated") == 2, again.stdout
    article_pages = [r for r in ws.server.requests[before:]
                     if r.startswith("html2.qktoutiao.com/detail/") or "ifeng.com/c/" in r]
    assert article_pages == [], "neither URL of the story is fetched again"


@pytest.mark.parametrize("first", ["ifeng-hb", "qutoutiao"])
def test_whichever_source_comes_first_keeps_the_story(cross_source_workspace, sample, first):
    ws = cross_source_workspace
    second = "qutoutiao" if first == "ifeng-hb" else "ifeng-hb"
    for source in (first, second):
        run = ws.crawl("--source", source)
        assert run.returncode == 0, run.stderr
    repost, original = pair(sample)
    kept, alias = (original, repost) if first == "ifeng-hb" else (repost, original)
    assert_stored_once(ws, kept, alias)
    _, _, path = read_notes(ws.data / "archive")[kept]
    assert path.relative_to(ws.data / "archive").parts[0] == first

"""Everything an article's own content determines, computed in one pass (no store, no I/O).

Canonical URL, sanitised body, plain text, images, topics, summary, content hash and the
near-duplicate signature. It is CPU work only, so it can run in a worker process
(crawler.itemwork.pool) while the crawl goes on.
"""

from __future__ import annotations

from dataclasses import replace

from crawler.items import Article, Image
from crawler.text.dates import as_aware, plausible_published, sane_published, utcnow
from crawler.text.htmlclean import clean_body, truncate_html
from crawler.text.strings import clean_line, content_hash, xml_safe
from crawler.text.summary import summarize
from crawler.text.topics import TopicMatcher
from crawler.text.urls import canonical_url, web_url

# The longest body an article keeps (HTML characters, before cleaning): several times the
# longest real news article; a reader is not served more, and text work stays bounded.
MAX_BODY_CHARS = 400_000
_LONE_SURROGATE = ("site_id", "summary", "cover")


class InvalidArticle(ValueError):
    """The page parsed, but holds no article: no title, or no text."""


def normalize(item: Article) -> Article:
    """Canonical URL, aware times, sanitised body, plain text and every image the body shows."""
    item.canonical_url = canonical_url(item.url)
    item.title = clean_line(item.title)
    for name in ("outlet", "author", "editor", "site_name"):
        setattr(item, name, clean_line(getattr(item, name)))
    if not item.title:
        raise InvalidArticle(f"no title: {item.url}")
    if item.published is not None:
        item.published = as_aware(item.published)
        now = utcnow()
        if not plausible_published(item.published, now):
            # 9999-12-31 once froze every feed: the list's time for it, else the fetch time (the
            # store records that when published is None)
            listed = sane_published(None, item.listed, now)
            used = f"the list's time {listed.isoformat()} is used" if listed else "the fetch time is used"
            item.date_note = f"published {item.published.isoformat()} is before 1990 or in the future: " \
                             f"counted as missing, {used}"
            item.published = listed
    # a lone surrogate (a JSON "\ud800" escape) cannot be stored as UTF-8: xml_safe drops it
    for name in _LONE_SURROGATE:
        setattr(item, name, xml_safe(str(getattr(item, name) or "")))
    item.categories = [line for line in (clean_line(str(c)) for c in item.categories) if line]
    item.images = [replace(image, url=xml_safe(image.url), caption=xml_safe(image.caption)) for image in item.images]
    body = clean_body(truncate_html(xml_safe(item.body_html), MAX_BODY_CHARS), item.url, item.image_fallbacks)
    item.body_html, item.text = body.html, body.text
    if not item.text:
        raise InvalidArticle(f"no text: {item.url}")
    item.images = [image for image in item.images if web_url(image.url)]
    known = {image.url for image in item.images}
    item.images += [Image(url) for url in body.image_urls if url not in known]
    item.cover = web_url(item.cover)
    if not item.cover and item.images:
        item.cover = item.images[0].url
    item.keywords = [line for line in (clean_line(k) for k in item.keywords) if line]
    return item


def prepare(item: Article, matcher: TopicMatcher) -> Article:
    """``normalize``, then topics and content hash; summary and signature only for matches."""
    normalize(item)
    item.topics = matcher.match(item.title, item.text)
    item.content_sha256 = content_hash(item.text)
    if item.topics:  # only what reaches a feed needs a summary and a near-duplicate signature
        from crawler.text.minhash import signature  # numpy: not loaded by crawls that match nothing

        item.summary = summarize(item.text)
        item.fingerprint = signature(item.text)
    return item

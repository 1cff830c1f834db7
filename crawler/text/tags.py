"""Tags for an article: the topic keywords it matched, the site's own keywords, then TF-IDF words."""

from __future__ import annotations

from collections.abc import Iterable

from crawler.text.keywords import keywords

MAX_TAGS = 10
MAX_TAG_CHARS = 20


def make_tags(matched_keywords: Iterable[str], site_keywords: Iterable[str], text: str = "") -> list[str]:
    """Deterministic: the same article always gets the same tags in the same order."""
    tags: list[str] = []
    candidates = [*matched_keywords, *site_keywords]
    if text:
        candidates += keywords(text)
    for tag in candidates:
        tag = tag.strip().lstrip("#").strip()
        if tag and tag not in tags and len(tag) <= MAX_TAG_CHARS:
            tags.append(tag)
    return tags[:MAX_TAGS]

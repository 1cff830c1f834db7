"""Tags for an article: the site's own keywords, then the topic keywords it matched."""

from __future__ import annotations

from collections.abc import Iterable

MAX_TAGS = 10


def make_tags(site_keywords: Iterable[str], matched_keywords: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for tag in (*matched_keywords, *site_keywords):
        tag = tag.strip().lstrip("#").strip()
        if tag and tag not in tags and len(tag) <= 20:
            tags.append(tag)
    return tags[:MAX_TAGS]

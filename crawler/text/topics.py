"""Which topics an article belongs to, and by which keywords."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crawler.config import Topic
from crawler.text.strings import fold


@dataclass(frozen=True)
class _FoldedTopic:
    slug: str
    keywords: tuple[tuple[str, str], ...]  # (as configured, folded)
    require: tuple[str, ...]
    exclude: tuple[str, ...]


class TopicMatcher:
    """Keywords match as substrings of title + text after NFKC folding and case folding."""

    def __init__(self, topics: Sequence[Topic]):
        self._topics = tuple(
            _FoldedTopic(
                slug=topic.slug,
                keywords=tuple((kw, fold(kw)) for kw in topic.keywords),
                require=tuple(fold(kw) for kw in topic.require),
                exclude=tuple(fold(kw) for kw in topic.exclude),
            )
            for topic in topics
        )

    def match(self, *texts: str) -> dict[str, list[str]]:
        """Map each matching topic slug to the keywords (as configured) found."""
        haystack = "\n".join(fold(text) for text in texts)
        matches: dict[str, list[str]] = {}
        for topic in self._topics:
            found = [kw for kw, folded in topic.keywords if folded in haystack]
            if not found:
                continue
            if any(kw not in haystack for kw in topic.require):
                continue
            if any(kw in haystack for kw in topic.exclude):
                continue
            matches[topic.slug] = found
        return matches

    def any_keyword_in(self, *texts: str) -> bool:
        """A cheap pre-filter for list pages: does any topic keyword appear at all?"""
        haystack = "\n".join(fold(text) for text in texts)
        return any(folded in haystack for topic in self._topics for _, folded in topic.keywords)

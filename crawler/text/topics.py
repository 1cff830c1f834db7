"""Which topics an article belongs to, and by which keywords."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
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
        return self.match_folded("\n".join(fold(text) for text in texts))

    def match_folded(self, haystack: str) -> dict[str, list[str]]:
        """``match`` on texts already folded and joined with newlines: the same result as
        ``match(*texts)`` for ``fold("\n".join(texts))`` (a newline folds and composes with
        nothing), in one fold instead of one per text."""
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


def topic_definition(topic: Topic) -> dict[str, list[str]]:
    """What decides a topic's matches (its title and slug do not)."""
    return {"keywords": list(topic.keywords), "require": list(topic.require), "exclude": list(topic.exclude)}


def definition_fingerprint(definition: Mapping[str, Sequence[str]]) -> str:
    text = json.dumps({key: list(definition.get(key, ())) for key in ("keywords", "require", "exclude")},
                      ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def only_narrows(old: Mapping[str, Sequence[str]], new: Mapping[str, Sequence[str]]) -> bool:
    """True when every article ``new`` matches was matched by ``old`` too: fewer keywords,
    more required or excluded ones. Then only ``old``'s articles need matching again."""
    def folded(definition: Mapping[str, Sequence[str]], key: str) -> set[str]:
        return {fold(word) for word in definition.get(key, ())}

    return (folded(new, "keywords") <= folded(old, "keywords") and folded(new, "require") >= folded(old, "require")
            and folded(new, "exclude") >= folded(old, "exclude"))

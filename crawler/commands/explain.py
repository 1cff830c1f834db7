"""``topicfeed explain URL``: is this article stored, in which feeds and why, or why not (DESIGN §2)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crawler.config import Config, Source, Topic
from crawler.runtime import replay_clock
from crawler.store import Store
from crawler.store.known import MAX_FAILED_ATTEMPTS
from crawler.store.lookup import ArticleFacts, KnownUrl, RunError, UrlLookup, look_up
from crawler.store.records import PageFailure
from crawler.store.skipped import KEPT, SkippedLink, SkipReason
from crawler.text.dates import shown_time, utcnow
from crawler.text.strings import fold
from crawler.text.urls import absolute, canonical_url, host_of, unwrap_proxy

TOO_OLD_FAILURE = "older than max_age_days"  # the page failure the spiders record for an old page


class Verdict(enum.Enum):
    """The answer's kind; ``--json`` gives its value (stable)."""

    IN_FEEDS = "in_feeds"
    NO_KEYWORD = "no_keyword"  # stored, but no topic keyword in its title or text
    EXCLUDED = "excluded"  # stored; a topic's keyword is in it, but so is an excluded one (or a required one is not)
    SAME_TEXT = "same_text"  # an exact duplicate: the same text is stored under another URL
    NEAR_DUPLICATE = "near_duplicate"  # joined to the story of a nearly identical article
    TOO_OLD = "too_old"
    LISTED_WITHOUT_KEYWORD = "listed_without_keyword"  # its list entry held no keyword: not fetched
    FAILED = "failed"
    NOT_COVERED = "not_covered"  # no configured source fetches articles from there
    NEVER_SEEN = "never_seen"


@dataclass(frozen=True)
class TopicCheck:
    """One topic against one text: the keywords found, required ones missing, excluded ones found."""

    topic: Topic
    found: tuple[str, ...]
    missing: tuple[str, ...]
    excluded_by: tuple[str, ...]

    @classmethod
    def of(cls, topic: Topic, *texts: str) -> TopicCheck:
        haystack = "\n".join(fold(text) for text in texts)  # as crawler.text.topics.TopicMatcher
        return cls(topic, tuple(kw for kw in topic.keywords if fold(kw) in haystack),
                   tuple(kw for kw in topic.require if fold(kw) not in haystack),
                   tuple(kw for kw in topic.exclude if fold(kw) in haystack))

    @property
    def matches(self) -> bool:
        return bool(self.found) and not self.missing and not self.excluded_by

    def why_not(self) -> str:
        name = f"{self.topic.slug} ({self.topic.title})"
        if self.excluded_by:
            return f"{name} finds {_words(self.found)} but excludes {_words(self.excluded_by)}"
        return f"{name} finds {_words(self.found)} but requires {_words(self.missing)}, which it lacks"


@dataclass(frozen=True)
class Explanation:
    url: str  # as given
    canonical_url: str
    verdict: Verdict
    text: str  # one paragraph
    facts: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"url": self.url, "canonical_url": self.canonical_url, "verdict": self.verdict.value,
                "explanation": self.text, **self.facts}


def explain(config: Config, store: Store, url: str) -> Explanation:
    """Everything the store and the config say about ``url`` (any form of an article URL)."""
    return Explainer(config, url).answer(look_up(store, url_forms(url), utcnow() - KEPT))


def url_forms(url: str) -> tuple[str, ...]:
    """The URL the store would key it by first, then the unwrapped URL as given."""
    return tuple(dict.fromkeys([canonical_url(url), unwrap_proxy(absolute(url))]))


class Explainer:
    def __init__(self, config: Config, url: str):
        self.config = config
        self.url = url.strip()
        self.canonical = canonical_url(self.url)
        self.tz = ZoneInfo(config.scheduler.timezone)

    def answer(self, found: UrlLookup) -> Explanation:
        if found.known is not None:
            return self.known(found.known)
        if found.skipped is not None:
            return self.skipped(found.skipped)
        if found.failure is not None:
            return self.failed(found.failure)
        if found.download is not None:
            return self.not_downloaded(found.download)
        return self.unseen()

    # --- stored ------------------------------------------------------------------------------

    def known(self, known: KnownUrl) -> Explanation:
        article = known.article
        facts = {"stored_as": article.canonical_url, "source": article.source, "title": article.title,
                 "published": article.published.isoformat(), "feeds": article.topics}
        if known.kind == "canonical":
            head = f"{self.named()} is stored ({self.article_facts(article)})."
            verdict, rest = self.feeds_of(article, own=True)
            return self.explanation(verdict, f"{head} It{rest}", facts)
        copied = "the same text as" if known.kind == "alias" else "nearly the same text as"
        verdict = Verdict.SAME_TEXT if known.kind == "alias" else Verdict.NEAR_DUPLICATE
        joined = ("an exact duplicate, so it was not stored again" if known.kind == "alias"
                  else "a near-duplicate, so it joined that story (listed as also reported by)")
        head = (f"{self.named()} holds {copied} {article.canonical_url} ({self.article_facts(article)}); "
                f"source {known.source} found it on {self.when(known.first_seen)}: {joined}.")
        _, rest = self.feeds_of(article, own=False)
        return self.explanation(verdict, f"{head} That article{rest}", facts)

    def feeds_of(self, article: ArticleFacts, *, own: bool) -> tuple[Verdict, str]:
        """The feeds the stored article is in and by which keywords, or why it is in none."""
        checks = [TopicCheck.of(topic, article.title, article.text) for topic in self.config.topics]
        pending = self.pending(article, checks)
        if article.topics:
            feeds = "; ".join(f"{slug} ({self.topic_title(slug)}) by {_words(keywords)}, "
                              f"{self.config.feeds_dir / (slug + '.atom')}"
                              for slug, keywords in sorted(article.topics.items()))
            return Verdict.IN_FEEDS, f" is in {_count(len(article.topics), 'feed')}: {feeds}.{pending}"
        near_misses = [check.why_not() for check in checks if check.found and not check.matches]
        kept = self.kept_until(article) if own else ""
        if near_misses:
            return Verdict.EXCLUDED, f" is in no feed: {'; '.join(near_misses)}.{kept}{pending}"
        wanted = "; ".join(f"{t.slug} looks for {_words(t.keywords)}" for t in self.config.topics)
        return (Verdict.NO_KEYWORD,
                f" is in no feed: no topic keyword is in its title or text ({wanted or 'no topics configured'})."
                f"{kept}{pending}")

    def pending(self, article: ArticleFacts, checks: list[TopicCheck]) -> str:
        """The config's topics changed since the stored matches were made."""
        now_matching = {check.topic.slug for check in checks if check.matches}
        if now_matching == set(article.topics):
            return ""
        return (" The config's topics changed since it was matched: the next topicfeed feeds (or crawl) "
                f"puts it in {_words(sorted(now_matching)) if now_matching else 'no feed'}.")

    def kept_until(self, article: ArticleFacts) -> str:
        source = self.source(article.source)
        if source is None:
            return ""
        until = article.published + timedelta(days=source.max_age_days)
        return (f" It is kept until about {self.when(until)} (max_age_days = {source.max_age_days:g}), so a "
                "topic added to the config before then finds it without fetching it again.")

    # --- not stored ----------------------------------------------------------------------------

    def skipped(self, link: SkippedLink) -> Explanation:
        facts: dict[str, Any] = {"source": link.source, "last_seen": link.seen.isoformat(),
                                 "published": link.published.isoformat() if link.published else None}
        listed = f"source {link.source} last saw it on {self.when(link.seen)}"
        if link.reason is SkipReason.NO_KEYWORD:
            words = sorted({kw for topic in self.config.topics for kw in topic.keywords})
            text = (f"{self.named()} is not stored: {listed}, but its list entry (title and introduction) "
                    f"holds no topic keyword ({_words(words)}), so its page was not fetched. To fetch every "
                    "listed article and match its full text, set prefilter = false in the source's args.")
            return self.explanation(Verdict.LISTED_WITHOUT_KEYWORD, text, facts)
        source = self.source(link.source)
        limit = f"max_age_days = {source.max_age_days:g}" if source else "its max_age_days"
        dated = f"dated {self.when(link.published)}" if link.published else "undated"
        took = f" (that crawl took articles published from {self.when(link.cutoff)} on)" if link.cutoff else ""
        facts["cutoff"] = link.cutoff.isoformat() if link.cutoff else None
        replay = ""
        clock = link.cutoff + timedelta(days=source.max_age_days) if link.cutoff and source else None
        if clock is not None and link.seen - clock > timedelta(days=1):
            replay = f" That crawl ran with its clock at {self.when(clock)} (TOPICFEED_NOW)."
        elif link.published is not None:
            replay = (" If that was a replay of an old snapshot, crawl with its clock: --set TOPICFEED_NOW="
                      f"{replay_clock(link.published)}.")
        text = (f"{self.named()} is not stored: too old. {listed.capitalize()}, {dated}: older than {limit} "
                f"allows{took}.{replay}")
        return self.explanation(Verdict.TOO_OLD, text, facts)

    def failed(self, failure: PageFailure) -> Explanation:
        facts: dict[str, Any] = {"reason": failure.reason, "attempts": failure.attempts,
                                 "tries_left": max(0, MAX_FAILED_ATTEMPTS - failure.attempts),
                                 "last_attempt": failure.last_attempt.isoformat()}
        if failure.reason.startswith(TOO_OLD_FAILURE):
            text = (f"{self.named()} is not stored: too old. Its page, fetched on {self.when(failure.last_attempt)}, "
                    "is dated before its source's max_age_days limit.")
            return self.explanation(Verdict.TOO_OLD, text, facts)
        tries = facts["tries_left"]
        if tries:
            revisit = min((s.revisit_hours for s in self.covering()), default=6.0)
            again = (f"{_count(tries, 'try', 'tries')} left: the next crawl that lists it after "
                     f"{self.when(failure.last_attempt + timedelta(hours=revisit))} fetches it again.")
        else:
            again = "no tries left: only topicfeed crawl --revisit fetches it again (when a list still links it)."
        text = (f"{self.named()} is not stored: its page gave no article ({failure.reason}), "
                f"{_count(failure.attempts, 'attempt')}, the last on {self.when(failure.last_attempt)}; {again}")
        return self.explanation(Verdict.FAILED, text, facts)

    def not_downloaded(self, error: RunError) -> Explanation:
        facts = {"reason": error.reason, "source": error.source, "run_started": error.started.isoformat()}
        text = (f"{self.named()} is not stored: its download failed ({error.reason}) in the run of source "
                f"{error.source} started {self.when(error.started)}. A download that failed is tried again "
                "by the next crawl that lists it; topicfeed status shows that run's other errors.")
        return self.explanation(Verdict.FAILED, text, facts)

    def unseen(self) -> Explanation:
        covering = self.covering()
        host = host_of(self.canonical) or self.canonical
        if not covering:
            configured = ", ".join(f"{s.name} ({s.spider})" for s in self.config.sources) or "none"
            text = (f"{self.named()} is not stored: no configured source fetches it as an article (none of "
                    f"{configured} reads such links from {host}). To follow that site, add a [[sources]] "
                    'table for it (spider = "web" reads most news sites; see README).')
            return self.explanation(Verdict.NOT_COVERED, text, {"host": host})
        names = ", ".join(s.name for s in covering)
        text = (f"{self.named()} is not stored, and no crawl has listed it in the last week: never seen. "
                f"Source {names} would fetch it, but none of the list pages, columns or searches it read "
                f"linked it (or only before the last week). topicfeed crawl --source {covering[0].name} looks again.")
        return self.explanation(Verdict.NEVER_SEEN, text, {"sources": [s.name for s in covering]})

    # --- wording --------------------------------------------------------------------------------

    def covering(self) -> list[Source]:
        from spiders.coverage import covers

        forms = url_forms(self.url)
        return [source for source in self.config.sources if source.enabled and covers(source, forms)]

    def named(self) -> str:
        if self.canonical == self.url:
            return self.url
        return f"{self.url} (that is {self.canonical})"

    def article_facts(self, article: ArticleFacts) -> str:
        by = article.outlet or article.site_name
        return (f"「{article.title}」, source {article.source}{', ' + by if by else ''}, "
                f"published {self.when(article.published)}, stored {self.when(article.archived)}")

    def when(self, moment: datetime) -> str:
        return shown_time(moment, self.tz)

    def source(self, name: str) -> Source | None:
        return next((s for s in self.config.sources if s.name == name), None)

    def topic_title(self, slug: str) -> str:
        return next((t.title for t in self.config.topics if t.slug == slug), "no longer configured")

    def explanation(self, verdict: Verdict, text: str, facts: dict[str, Any]) -> Explanation:
        return Explanation(self.url, self.canonical, verdict, text, facts)


def _words(words: Any) -> str:
    return ", ".join(words) or "nothing"


def _count(n: int, singular: str, plural: str = "") -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"

"""The ``web`` spider's arguments (DESIGN §11), declared and checked once: a bad regex is a config error."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from spiders.arguments import ArgumentError, Count, Pattern, Patterns, SpiderArguments, Urls

DEFAULT_MAX_LIST_PAGES = 20


@dataclass(frozen=True)
class WebArgs:
    start_urls: tuple[str, ...]
    article_urls: tuple[re.Pattern[str], ...]
    list_urls: tuple[re.Pattern[str], ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    max_list_pages: int = DEFAULT_MAX_LIST_PAGES
    id_pattern: re.Pattern[str] | None = None

    def is_article(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self.article_urls)

    def is_list(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self.list_urls)


def needs_article_urls(values: Mapping[str, Any]) -> None:
    if not values["article_urls"]:
        raise ArgumentError("missing: the web spider fetches only links that match it",
                            "add article_urls = ['^https?://example\\.cn/\\d{4}/\\d+\\.html$'] (a regex per URL shape)",
                            name="article_urls")


def needs_a_way_in(values: Mapping[str, Any]) -> None:
    if not (values["start_urls"] or values["sitemaps"] or values["feeds"]):
        raise ArgumentError("no start_urls, sitemaps or feeds: nothing to discover articles from",
                            'add start_urls = ["https://example.cn/"] (the home page or a column page)',
                            name="start_urls")


def id_pattern_has_a_group(values: Mapping[str, Any]) -> None:
    if values["id_pattern"] and re.compile(values["id_pattern"]).groups < 1:
        raise ArgumentError("has no group", "put the id in parentheses, e.g. '/(\\d+)\\.html$'", name="id_pattern")


def crawl_plan(values: Mapping[str, Any], keywords: Sequence[str]) -> list[str]:
    """What a source of this spider would crawl (``topicfeed check``)."""
    urls = [*values["start_urls"], *values["sitemaps"], *values["feeds"]]
    lines = [f"hosts: {', '.join(dict.fromkeys(urlsplit(url).netloc for url in urls))}"]
    if values["start_urls"]:
        follow = (f"; then list pages matching list_urls, at most {values['max_list_pages']}"
                  if values["list_urls"] else "")
        lines.append(f"listings: start pages {', '.join(values['start_urls'])}{follow}")
    for key in ("sitemaps", "feeds"):
        if values[key]:
            lines.append(f"{key}: {', '.join(values[key])}")
    lines.append(f"articles: links matching article_urls ({len(values['article_urls'])} pattern(s))")
    return lines


ARGUMENTS = SpiderArguments("web", (
    Urls(name="start_urls"),
    Patterns(name="article_urls"),
    Patterns(name="list_urls"),
    Urls(name="sitemaps"),
    Urls(name="feeds"),
    Count(name="max_list_pages", default=DEFAULT_MAX_LIST_PAGES, minimum=0),
    Pattern(name="id_pattern"),
), rules=(needs_article_urls, needs_a_way_in, id_pattern_has_a_group), plan=crawl_plan)


def web_args(args: Mapping[str, Any], *, where: str = "args", file: Path | str | None = None) -> WebArgs:
    """The checked arguments of one ``web`` source (``where``: its config key, for the errors)."""
    values = ARGUMENTS.check(args, where=where, file=file)
    return WebArgs(
        start_urls=values["start_urls"],
        article_urls=tuple(re.compile(pattern) for pattern in values["article_urls"]),
        list_urls=tuple(re.compile(pattern) for pattern in values["list_urls"]),
        sitemaps=values["sitemaps"],
        feeds=values["feeds"],
        max_list_pages=values["max_list_pages"],
        id_pattern=re.compile(values["id_pattern"]) if values["id_pattern"] else None,
    )

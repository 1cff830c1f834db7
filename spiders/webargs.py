"""The ``web`` spider's arguments (DESIGN §11), checked once: a bad regex is a config error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.config import ConfigError
from spiders.base import as_list

ARGUMENTS = ("start_urls", "article_urls", "list_urls", "sitemaps", "feeds", "max_list_pages", "id_pattern")
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


class ArgsReader:
    """Reads one source's args; every problem names the file, the source's key and the fix."""

    def __init__(self, args: Mapping[str, Any], where: str, file: Path | str | None):
        self.args = args
        self.where = where
        self.file = file

    def error(self, key: str, problem: str, fix: str) -> ConfigError:
        return ConfigError(self.file, f"{self.where}.{key}", problem, fix)

    def urls(self, key: str) -> tuple[str, ...]:
        values = tuple(as_list(self.args.get(key)))
        for value in values:
            if not re.match(r"^https?://[^/\s]+", value):
                raise self.error(key, f"{value!r} is not an http(s) URL", f'write it in full, e.g. "https://{value}"')
        return values

    def patterns(self, key: str) -> tuple[re.Pattern[str], ...]:
        raw = self.args.get(key)
        values = [raw] if isinstance(raw, str) else list(raw or [])  # a regex may hold commas
        return tuple(self.pattern(key, str(value)) for value in values)

    def pattern(self, key: str, value: str) -> re.Pattern[str]:
        try:
            return re.compile(value)
        except re.error as exc:
            raise self.error(key, f"{value!r} is not a regular expression ({exc})",
                             "fix the pattern; in TOML write it in single quotes, e.g. '^https?://x\\.cn/\\d+\\.html$'"
                             ) from None

    def count(self, key: str, default: int) -> int:
        value = self.args.get(key, default)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0 or isinstance(value, bool):
            raise self.error(key, f"{value!r} is not a count", f"give a whole number, e.g. {key} = {default}")
        return number


def web_args(args: Mapping[str, Any], *, where: str = "args", file: Path | str | None = None) -> WebArgs:
    """The checked arguments of one ``web`` source (``where``: its config key, for the errors)."""
    reader = ArgsReader(args, where, file)
    for key in args:
        if key not in ARGUMENTS:
            raise reader.error(key, "unknown argument of spider 'web'", f"use one of {', '.join(ARGUMENTS)}")
    parsed = WebArgs(
        start_urls=reader.urls("start_urls"),
        article_urls=reader.patterns("article_urls"),
        list_urls=reader.patterns("list_urls"),
        sitemaps=reader.urls("sitemaps"),
        feeds=reader.urls("feeds"),
        max_list_pages=reader.count("max_list_pages", DEFAULT_MAX_LIST_PAGES),
        id_pattern=reader.pattern("id_pattern", str(args["id_pattern"])) if args.get("id_pattern") else None,
    )
    if not parsed.article_urls:
        raise reader.error("article_urls", "missing: the web spider fetches only links that match it",
                           "add article_urls = ['^https?://example\\.cn/\\d{4}/\\d+\\.html$'] (a regex per URL shape)")
    if not (parsed.start_urls or parsed.sitemaps or parsed.feeds):
        raise reader.error("start_urls", "no start_urls, sitemaps or feeds: nothing to discover articles from",
                           'add start_urls = ["https://example.cn/"] (the home page or a column page)')
    if parsed.id_pattern is not None and parsed.id_pattern.groups < 1:
        raise reader.error("id_pattern", "has no group", "put the id in parentheses, e.g. '/(\\d+)\\.html$'")
    return parsed

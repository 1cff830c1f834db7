"""``topicfeed check`` (DESIGN §2): the config is valid; what each source would crawl, and when.

By the time this runs the config has been loaded, so every spider argument has been checked
against its spider's declaration (a mistake there is exit 2 before this module is reached).
This adds what only a look around can tell: the sources' plans and next runs, the ``env:NAME``
secrets that are unset, and, for a ``web`` source under ``--mirror``, which links of its start
pages, sitemaps and feeds its regexes match. Pages are fetched through the mirror only.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.gz import gunzip

from crawler.commands.schedule import next_fire_times, source_trigger
from crawler.config import Config, Source
from crawler.extract.charset import decode_page
from crawler.mirror import mirror_url, unmirror_url
from crawler.outcomes import ExitStatus
from crawler.store import Store, StoreMissing
from crawler.store.listings import CompletedPass, completed_passes
from spiders.arguments import SpiderArguments
from spiders.ifeng import home_columns
from spiders.webargs import WebArgs, web_args
from spiders.weblinks import Entry, classify_links, feed_entries, sitemap_entries

NEXT_RUNS = 3
MAX_PASSES_SHOWN = 12
EXAMPLES = 3  # links shown per kind
FETCH_TIMEOUT = 15.0  # seconds per page
MAX_REDIRECTS = 5
MAX_NESTED_SITEMAPS = 5  # of a sitemap index, fetched to test the regexes on


@dataclass
class CheckReport:
    """What ``check`` prints, and the problems that make it exit 2.

    DESIGN §2 gives ``check`` two exits, 0 or 2: an unset secret, a regex that matches no link and
    a page the given mirror does not answer are all things to fix in the config or the command.
    """

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)

    def problem(self, indent: str, line: str) -> None:
        self.problems.append(line)
        self.lines.append(f"{indent}! {line}")

    @property
    def exit_code(self) -> ExitStatus:
        return ExitStatus.USAGE if self.problems else ExitStatus.OK

    def last_line(self) -> str:
        if not self.problems:
            return "check: ok"
        return f"check: {len(self.problems)} problem(s); the first: {self.problems[0]}"


def run_check(config: Config, *, mirror: str = "", now: datetime | None = None) -> CheckReport:
    report = CheckReport()
    try:
        store: Store | None = Store.open_existing(config.store_url, fix="")
    except StoreMissing:
        store = None  # never crawled: check creates no store
    zone = ZoneInfo(config.scheduler.timezone)
    now = now or datetime.now(zone)
    report.say(f"config: {config.path or '(built in)'}")
    report.say(f"data dir: {config.data_dir}")
    report.say(f"topics: {', '.join(f'{t.slug} ({t.title})' for t in config.topics)}")
    declarations = spider_arguments()
    keywords = list(dict.fromkeys(kw for topic in config.topics for kw in topic.keywords))
    report.say("sources:")
    try:
        for source in config.sources:
            check_source(report, config, source, declarations.get(source.spider), keywords, now, mirror)
            passes = completed_passes(store.engine, source.name) if store is not None else []
            say_completed_passes(report, passes, zone)
    finally:
        if store is not None:
            store.close()
    check_secrets(report, config)
    return report


def spider_arguments() -> dict[str, SpiderArguments]:
    loader = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["spiders"]}))
    return {name: loader.load(name).arguments for name in loader.list()}


def zoned(moment: datetime) -> str:
    offset = f"{moment:%z}"
    return f"{moment:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def check_source(report: CheckReport, config: Config, source: Source, declared: SpiderArguments | None,
                 keywords: list[str], now: datetime, mirror: str) -> None:
    timezone = config.scheduler.timezone
    state = "" if source.enabled else "; disabled (enabled = false): only crawl --source runs it"
    report.say(f"  {source.name} (spider {source.spider}, schedule {source.schedule!r} in {timezone}{state})")
    values = declared.check(source.args) if declared is not None else dict(source.args)
    if declared is not None and declared.plan is not None:
        for line in declared.plan(values, keywords):
            report.say(f"    {line}")
    report.say(f"    age limit: {source.max_age_days:g} days; revisits after {source.revisit_hours:g} hours")
    if source.enabled:
        runs = next_fire_times(source_trigger(source, timezone), now, NEXT_RUNS)
        report.say(f"    next runs: {', '.join(zoned(run) for run in runs)}")
    if source.spider == "ifeng":
        if mirror:
            try_ifeng_homes(report, values["regions"], mirror, config.crawl.user_agent)
        else:
            report.say("    (add --mirror URL to fetch each host's home page from a snapshot and list the "
                       "columns it links)")
    if source.spider == "web":
        args = web_args(values)
        if mirror:
            try_web_regexes(report, args, mirror, config.crawl.user_agent)
        else:
            report.say("    (add --mirror URL to fetch the start pages from a snapshot and see which of "
                       "their links match article_urls and list_urls)")


def say_completed_passes(report: CheckReport, passes: list[CompletedPass], zone: ZoneInfo) -> None:
    """The listings an earlier crawl walked to completion: where a later one may stop early (DESIGN §5)."""
    if not passes:
        report.say("    completed listings: none yet (the next crawl pages each listing to its end or the age limit)")
        return
    report.say(f"    completed listings: {len(passes)} (a later crawl may stop paging where these passes reached)")
    for done in passes[:MAX_PASSES_SHOWN]:
        reach = done.reach
        span = (f"entries {day(reach.newest, zone)} back to {day(reach.oldest, zone)}"
                + (" (its end)" if reach.reached_end else ""))
        report.say(f"      {done.listing}: completed {zoned(done.completed.astimezone(zone))}; {span}")
    if len(passes) > MAX_PASSES_SHOWN:
        report.say(f"      … and {len(passes) - MAX_PASSES_SHOWN} more")


def day(moment: datetime | None, zone: ZoneInfo) -> str:
    return zoned(moment.astimezone(zone)) if moment else "-"


# --- an ifeng source's home pages, through the mirror ---------------------------------------


def try_ifeng_homes(report: CheckReport, regions: list[str], mirror: str, user_agent: str) -> None:
    for code in regions:
        host = f"{code}.ifeng.com"
        page = fetch(report, mirror, f"https://{host}/", user_agent)
        if page is None:
            continue
        columns = home_columns(decode_page(page[1], page[2]), host)
        if columns:
            report.say(f"    columns on https://{host}/: {len(columns)} ({', '.join(columns)})")
        else:
            report.say(f"    columns on https://{host}/: none linked (only its home page's articles and "
                       "the searches would be crawled)")


# --- a web source's regexes against its pages, through the mirror ---------------------------


def try_web_regexes(report: CheckReport, args: WebArgs, mirror: str, user_agent: str) -> None:
    for url in args.start_urls:
        page = fetch(report, mirror, url, user_agent)
        if page is None:
            continue
        real_url, body, content_type = page
        links = classify_links(decode_page(body, content_type), real_url, args)
        total = len(links.articles) + len(links.lists) + links.other
        report.say(f"    start page {url}: {total} links")
        report.say(f"      article_urls: {counted(links.articles)}")
        if args.list_urls:
            report.say(f"      list_urls: {counted(links.lists)}")
        report.say(f"      neither: {links.other}")
        if not links.articles and not links.lists:
            report.problem("      ", f"start page {url}: no link matches article_urls or list_urls; "
                                    "compare the regexes with the links above")
    for kind, urls in (("sitemap", args.sitemaps), ("feed", args.feeds)):
        for url in urls:
            page = fetch(report, mirror, url, user_agent)
            nested = try_listed(report, kind, url, gunzip_maybe(page[1]), args) if page else []
            for sitemap in nested:  # one level down: an index's sitemaps hold the articles
                page = fetch(report, mirror, sitemap, user_agent)
                if page is not None:
                    try_listed(report, kind, sitemap, gunzip_maybe(page[1]), args)


def try_listed(report: CheckReport, kind: str, url: str, body: bytes, args: WebArgs) -> list[str]:
    """Which entries of a sitemap or feed match article_urls; returns the sitemaps an index lists."""
    nested: list[Entry] = []
    if kind == "sitemap":
        nested, entries = sitemap_entries(body)
    else:
        entries = feed_entries(body)
    if nested:
        report.say(f"    sitemap index {url}: {counted([entry.url for entry in nested])}")
    if entries or not nested:
        articles = [entry.url for entry in entries if args.is_article(entry.url)]
        report.say(f"    {kind} {url}: {len(entries)} entries")
        report.say(f"      article_urls: {counted(articles)}")
        if entries and not articles:
            report.problem("      ", f"{kind} {url}: no entry matches article_urls")
    return [entry.url for entry in nested[:MAX_NESTED_SITEMAPS]]


def counted(urls: list[str]) -> str:
    if not urls:
        return "0"
    more = ", …" if len(urls) > EXAMPLES else ""
    return f"{len(urls)}, e.g. {', '.join(urls[:EXAMPLES])}{more}"


def gunzip_maybe(body: bytes) -> bytes:
    return gunzip(body) if body[:2] == b"\x1f\x8b" else body


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by ``fetch`` itself, through the mirror: never to another address."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def fetch(report: CheckReport, mirror: str, url: str, user_agent: str) -> tuple[str, bytes, str] | None:
    """(real URL after redirects, body, content type) of ``url`` from the mirror; None: reported."""
    real = url
    for _ in range(MAX_REDIRECTS + 1):
        request = urllib.request.Request(mirror_url(mirror, real), headers={"User-Agent": user_agent})
        try:
            with _OPENER.open(request, timeout=FETCH_TIMEOUT) as answer:
                return real, answer.read(), answer.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location") if 300 <= error.code < 400 else None
            if not location:
                report.problem("    ", f"{url}: HTTP {error.code} from the mirror")
                return None
            real = redirected(mirror, real, location)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            report.problem("    ", f"{url}: the mirror {mirror} did not answer ({reason})")
            return None
    report.problem("    ", f"{url}: more than {MAX_REDIRECTS} redirects")
    return None


def redirected(mirror: str, current: str, location: str) -> str:
    """The real URL a redirect points at (a mirror answer may name the mirror or the real site)."""
    target = urljoin(mirror_url(mirror, current), location)
    scheme = current.split("://", 1)[0]
    return unmirror_url(mirror, target, scheme) if target.startswith(mirror + "/") else target


def check_secrets(report: CheckReport, config: Config) -> None:
    references = []
    for i, target in enumerate(config.notify):
        for key, secret in target.secrets().items():
            references.append((f"notify[{i}].{key} ({target.name})", secret.env))
    if config.summary.api_key.env:
        references.append(("summary.api_key", config.summary.api_key.env))
    if config.sync_feishu.app_secret.env:
        references.append(("sync.feishu.app_secret", config.sync_feishu.app_secret.env))
    if not references:
        report.say("secrets: no env:NAME references")
        return
    report.say(f"secrets: {len(references)} env:NAME reference(s)")
    for key, env in references:
        if secret_unset(env):
            report.problem("  ", f"{key}: env:{env} is not set; export {env}=… where topicfeed runs")


def secret_unset(env: str) -> bool:
    return not os.environ.get(env, "").strip()

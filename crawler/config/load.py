"""Reading the TOML config file into a validated Config."""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.cron import CronTrigger

from crawler.config.delivery import parse_delivery
from crawler.config.model import (
    ArchiveConfig,
    ClusterConfig,
    Config,
    ConfigError,
    CrawlConfig,
    FeedsConfig,
    SchedulerConfig,
    Source,
    Topic,
    choose,
)
from crawler.config.tables import Table
from crawler.text.dates import reference_time

CONFIG_FILENAME = "topicfeed.toml"
STORE_URL_ENV = "TOPICFEED_STORE_URL"
DEFAULT_SCHEDULE = "0 * * * *"
ARCHIVE_FORMATS = ("note", "hexo")



def default_config_path() -> Path:
    return Path(str(resources.files("crawler").joinpath("default.toml")))


def load_config(
    path: Path | None = None, *, known_spiders: Collection[str] | None = None
) -> Config:
    """Load ``path``, else ./topicfeed.toml if present, else the packaged default.

    ``known_spiders``: spider names (their args are then not checked), or names mapped to their
    declared arguments; by default every spider in the ``spiders`` package, with its arguments.
    """
    if path is not None:
        file = Path(path).expanduser().absolute()
        base_dir = file.parent
        if not file.is_file():
            problem = "is a folder, not a file" if file.is_dir() else "no such file"
            fix = "check the path or omit --config to use the packaged default"
            raise ConfigError(file, "--config", problem, fix)
    elif Path(CONFIG_FILENAME).is_file():
        file = Path(CONFIG_FILENAME).absolute()
        base_dir = file.parent
    else:
        # The packaged default keeps its data beside the user, not inside site-packages.
        file = default_config_path()
        base_dir = Path.cwd()
    text = _read_text(file)
    spiders = _discover_spiders() if known_spiders is None else known_spiders
    config = parse_config(text, file=file, base_dir=base_dir, known_spiders=spiders)
    store_override = os.environ.get(STORE_URL_ENV, "").strip()
    if store_override:  # deployment wins over the file (one store for many workers, CI on PostgreSQL)
        config = dataclasses.replace(config, store_url_setting=store_override)
    return config


def parse_config(
    text: str, *, file: Path | None, base_dir: Path, known_spiders: Collection[str]
) -> Config:
    root = Table(_parse_toml(text, file), "", file)
    root.check_keys(_ROOT_KEYS)
    base_dir = Path(base_dir).resolve()
    scheduler = _scheduler(root.table("scheduler"))
    topics = tuple(_topic(table) for table in root.tables("topics"))
    sources = tuple(
        _source(table, known_spiders, scheduler.timezone) for table in root.tables("sources")
    )
    _check_unique(root, "topics", "slug", [topic.slug for topic in topics])
    _check_unique(root, "sources", "name", [source.name for source in sources])
    config = Config(
        path=None if file is None else Path(file).absolute(),
        data_dir=_data_dir(root.table("paths"), base_dir),
        store_url_setting=_store_url(root.table("store"), base_dir),
        feeds=_feeds(root.table("feeds")),
        archive=_archive(root.table("archive")),
        scheduler=scheduler,
        crawl=_crawl(root.table("crawl")),
        cluster=_cluster(root.table("cluster")),
        topics=topics,
        sources=sources,
    )
    return parse_delivery(root, config)


# -- reading ------------------------------------------------------------------------------


def _read_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text ({exc.reason})"
        raise ConfigError(file, "--config", problem, "save the file as UTF-8") from exc
    except OSError as exc:
        fix = "check the path and its permissions, or omit --config to use the packaged default"
        raise ConfigError(file, "--config", f"cannot read it ({exc.strerror})", fix) from exc


def _parse_toml(text: str, file: Path | None) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
        if found:
            line = int(found[1])
            problem = f"{message[: found.start()]} (column {found[2]})"
        else:
            line = text.count("\n") + 1
            problem = message.replace("(at end of document)", "(at the end of the file)")
        raise ConfigError(file, f"line {line}", problem, "fix the TOML syntax") from exc


class SpiderArguments(Protocol):
    """A spider's declared arguments (spiders.arguments): checks a source's ``args`` table."""

    def check(self, args: Mapping[str, Any], *, where: str, file: Path | str | None) -> dict[str, Any]: ...


def _discover_spiders() -> dict[str, SpiderArguments | None]:
    """Every spider in the ``spiders`` package, with the arguments it declares."""
    # Imported here: Scrapy is slow to import and only this fallback needs it.
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    loader = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["spiders"]}))
    return {name: getattr(loader.load(name), "arguments", None) for name in loader.list()}


# -- sections -----------------------------------------------------------------------------

_ROOT_KEYS = (
    "paths", "store", "feeds", "archive", "scheduler", "crawl", "cluster", "topics", "sources",
    "notify", "summary", "sync",
)
_SLUG = re.compile(r"[a-z0-9-]+")
# Source names become folder and lock-file names, so keep them to one safe path segment.
_SOURCE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_SQLITE_URL = re.compile(r"(sqlite(?:\+\w+)?:///)([^?]*)(.*)", re.DOTALL)


def _fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _data_dir(table: Table, base_dir: Path) -> Path:
    table.check_keys(("data_dir",))
    value = table.string("data_dir", "data")
    return (base_dir / Path(value).expanduser()).resolve()


def _store_url(table: Table, base_dir: Path) -> str | None:
    table.check_keys(("url",))
    if "url" not in table.data:
        return None
    url = table.string("url", "")
    if "://" not in url:
        fix = "use e.g. 'sqlite:///data/topicfeed.sqlite3' or 'postgresql://user@host/topicfeed'"
        raise table.error("url", f"{url!r} is not a database URL", fix)
    found = _SQLITE_URL.fullmatch(url)
    if not found:
        return url
    prefix, path, rest = found.groups()
    if not path or path == ":memory:" or path.startswith(("/", "file:")):
        return url
    return f"{prefix}{(base_dir / path).resolve()}{rest}"


def _feeds(table: Table) -> FeedsConfig:
    table.check_keys(_fields(FeedsConfig))
    default = FeedsConfig()
    base_url = table.string("base_url", default.base_url)
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fix = "use the http(s) address the feeds are served at, e.g. 'http://127.0.0.1:8080/'"
        raise table.error("base_url", f"{base_url!r} is not an http(s) URL", fix)
    return FeedsConfig(
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        max_entries=table.integer("max_entries", default.max_entries, minimum=1),
        local_images=table.boolean("local_images", default.local_images),
    )


def _archive(table: Table) -> ArchiveConfig:
    table.check_keys(_fields(ArchiveConfig))
    default = ArchiveConfig()
    formats = table.strings("formats", default.formats)
    for i, name in enumerate(formats):
        if name not in ARCHIVE_FORMATS:
            problem = f"unknown archive format {name!r}"
            raise table.error(f"formats[{i}]", problem, choose(name, ARCHIVE_FORMATS))
    similarity = table.number("near_duplicate_similarity", default.near_duplicate_similarity)
    if not 0.5 <= similarity <= 1.0:
        fix = "use 0.5 to 1.0 (estimated share of common 4-character shingles; 0.8 is a good start)"
        raise table.error("near_duplicate_similarity", f"{similarity} is out of range", fix)
    return ArchiveConfig(
        formats=tuple(dict.fromkeys(formats)),
        git=table.boolean("git", default.git),
        git_remote=table.string("git_remote", default.git_remote, blank_ok=True),
        near_duplicate_similarity=similarity,
        images=table.boolean("images", default.images),
        hexo_local_images=table.boolean("hexo_local_images", default.hexo_local_images),
    )


def _scheduler(table: Table) -> SchedulerConfig:
    table.check_keys(_fields(SchedulerConfig))
    default = SchedulerConfig()
    timezone = table.string("timezone", default.timezone)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(timezone, sorted(available_timezones()), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "use an IANA name"
        fix = f"{hint} (e.g. 'Asia/Shanghai', 'UTC')"
        raise table.error("timezone", f"unknown timezone {timezone!r}", fix) from None
    return SchedulerConfig(
        timezone=timezone,
        timeout_minutes=table.number("timeout_minutes", default.timeout_minutes),
        misfire_grace_seconds=table.integer(
            "misfire_grace_seconds", default.misfire_grace_seconds, minimum=1
        ),
    )


def _crawl(table: Table) -> CrawlConfig:
    table.check_keys(_fields(CrawlConfig))
    default = CrawlConfig()
    settings = table.free_table("settings")
    if settings.get("TOPICFEED_NOW"):
        try:
            reference_time(settings["TOPICFEED_NOW"])
        except ValueError as error:
            fix = "give the time to judge article age against, e.g. 2025-07-26T10:00:00+08:00"
            raise table.error("settings.TOPICFEED_NOW", f"{settings['TOPICFEED_NOW']!r} {error}", fix) from None
    return CrawlConfig(user_agent=table.string("user_agent", default.user_agent), settings=settings)


def _cluster(table: Table) -> ClusterConfig:
    table.check_keys(_fields(ClusterConfig))
    redis_url = table.string("redis_url", "", blank_ok=True)
    if redis_url and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
        fix = "use e.g. 'redis://localhost:6379/0', or leave it empty for one machine"
        raise table.error("redis_url", f"{redis_url!r} is not a Redis URL", fix)
    return ClusterConfig(redis_url=redis_url)


def _topic(table: Table) -> Topic:
    table.check_keys(_fields(Topic))
    slug = table.string("slug", example="my-topic")
    if not _SLUG.fullmatch(slug):
        fix = "use lower-case letters, digits and '-' (it names the feed file), e.g. 'my-topic'"
        raise table.error("slug", f"{slug!r} has characters a slug may not have", fix)
    keywords = table.strings("keywords", example=["服务外包"])
    if not keywords:
        raise table.error("keywords", "empty list", 'give at least one, e.g. keywords = ["服务外包"]')
    return Topic(
        slug=slug,
        title=table.string("title", example="服务外包"),
        keywords=keywords,
        require=table.strings("require", ()),
        exclude=table.strings("exclude", ()),
    )


def _source(table: Table, known_spiders: Collection[str], timezone: str) -> Source:
    table.check_keys(_fields(Source))
    name = table.string("name", example="ifeng-hb")
    if not _SOURCE_NAME.fullmatch(name):
        fix = "use letters, digits, '.', '_' and '-' (it names folders), e.g. 'ifeng-hb'"
        raise table.error("name", f"{name!r} has characters a source name may not have", fix)
    spider = table.string("spider", example="ifeng")
    if spider not in known_spiders:
        if not known_spiders:
            fix = "no spiders were found in the 'spiders' package; check the installation"
        else:
            fix = choose(spider, sorted(known_spiders))
        raise table.error("spider", f"unknown spider {spider!r}", fix)
    schedule = table.string("schedule", DEFAULT_SCHEDULE)
    try:
        CronTrigger.from_crontab(schedule, timezone=timezone)
    except ValueError as exc:
        problem = f"bad crontab expression {schedule!r} ({exc})"
        fix = "use five crontab fields, e.g. '*/30 * * * *'"
        raise table.error("schedule", problem, fix) from None
    args = table.free_table("args")
    declared = known_spiders.get(spider) if isinstance(known_spiders, Mapping) else None
    if declared is not None:
        args = declared.check(args, where=table.where("args"), file=table.file)
    return Source(
        name=name,
        spider=spider,
        schedule=schedule,
        args=args,
        max_age_days=table.number("max_age_days", Source.max_age_days),
        revisit_hours=table.number("revisit_hours", Source.revisit_hours),
        enabled=table.boolean("enabled", Source.enabled),
    )


def _check_unique(root: Table, array: str, key: str, values: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            where = f"{array}[{i}].{key}"
            problem = f"duplicate {key} {value!r} (also {array}[{seen[value]}].{key})"
            raise ConfigError(root.file, where, problem, f"give each of the {array} its own {key}")
        seen[value] = i



"""The TOML config file: topics, sources, paths and feed settings, validated into a Config."""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.cron import CronTrigger

CONFIG_FILENAME = "topicfeed.toml"
STORE_URL_ENV = "TOPICFEED_STORE_URL"
DEFAULT_SCHEDULE = "0 * * * *"
ARCHIVE_FORMATS = ("note", "hexo")


class ConfigError(Exception):
    """A config problem, reported as one line: file, key, what is wrong and how to fix it."""

    def __init__(self, file: Path | str | None, key: str, problem: str, fix: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        self.fix = fix
        shown = "<config>" if file is None else str(file)
        super().__init__(" ".join(f"{shown}: {key}: {problem}; {fix}".split("\n")))


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    keywords: tuple[str, ...]
    require: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    name: str
    spider: str
    schedule: str
    args: Mapping[str, Any] = field(default_factory=dict)
    max_age_days: float = 7.0
    revisit_hours: float = 6.0
    enabled: bool = True


@dataclass(frozen=True)
class FeedsConfig:
    base_url: str = "http://127.0.0.1:8080/"
    max_entries: int = 50
    local_images: bool = False


@dataclass(frozen=True)
class ArchiveConfig:
    formats: tuple[str, ...] = ("note",)
    git: bool = False
    git_remote: str = ""
    near_duplicate_similarity: float = 0.8
    images: bool = True  # download article images into the archive


@dataclass(frozen=True)
class SchedulerConfig:
    timezone: str = "Asia/Shanghai"
    timeout_minutes: float = 30.0
    misfire_grace_seconds: int = 600


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str = "topicfeed/0.1 (+https://github.com/topicfeed/topicfeed)"
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterConfig:
    redis_url: str = ""


@dataclass(frozen=True)
class Config:
    path: Path | None
    data_dir: Path
    store_url_setting: str | None = None
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    topics: tuple[Topic, ...] = ()
    sources: tuple[Source, ...] = ()

    @property
    def store_url(self) -> str:
        if self.store_url_setting is not None:
            return self.store_url_setting
        return f"sqlite:///{self.data_dir / 'topicfeed.sqlite3'}"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def feeds_dir(self) -> Path:
        return self.data_dir / "feeds"

    @property
    def hexo_dir(self) -> Path:
        return self.data_dir / "hexo"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"

    def with_data_dir(self, data_dir: Path) -> Config:
        """The --data-dir override; an explicit [store] url stays where it was."""
        return dataclasses.replace(self, data_dir=Path(data_dir).expanduser().resolve())

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        names = [source.name for source in self.sources]
        raise ConfigError(self.path, "sources", f"no source named {name!r}", _choose(name, names))

    def sources_for_spider(self, spider: str) -> tuple[Source, ...]:
        return tuple(source for source in self.sources if source.spider == spider)


def default_config_path() -> Path:
    return Path(str(resources.files("crawler").joinpath("default.toml")))


def load_config(
    path: Path | None = None, *, known_spiders: Collection[str] | None = None
) -> Config:
    """Load ``path``, else ./topicfeed.toml if present, else the packaged default."""
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
    root = _Table(_parse_toml(text, file), "", file)
    root.check_keys(_ROOT_KEYS)
    base_dir = Path(base_dir).resolve()
    scheduler = _scheduler(root.table("scheduler"))
    topics = tuple(_topic(table) for table in root.tables("topics"))
    sources = tuple(
        _source(table, known_spiders, scheduler.timezone) for table in root.tables("sources")
    )
    _check_unique(root, "topics", "slug", [topic.slug for topic in topics])
    _check_unique(root, "sources", "name", [source.name for source in sources])
    return Config(
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


def _discover_spiders() -> list[str]:
    # Imported here: Scrapy is slow to import and only this fallback needs it.
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    return SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["spiders"]})).list()


# -- sections -----------------------------------------------------------------------------

_ROOT_KEYS = (
    "paths", "store", "feeds", "archive", "scheduler", "crawl", "cluster", "topics", "sources"
)
_SLUG = re.compile(r"[a-z0-9-]+")
# Source names become folder and lock-file names, so keep them to one safe path segment.
_SOURCE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_SQLITE_URL = re.compile(r"(sqlite(?:\+\w+)?:///)([^?]*)(.*)", re.DOTALL)


def _fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _data_dir(table: _Table, base_dir: Path) -> Path:
    table.check_keys(("data_dir",))
    value = table.string("data_dir", "data")
    return (base_dir / Path(value).expanduser()).resolve()


def _store_url(table: _Table, base_dir: Path) -> str | None:
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


def _feeds(table: _Table) -> FeedsConfig:
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


def _archive(table: _Table) -> ArchiveConfig:
    table.check_keys(_fields(ArchiveConfig))
    default = ArchiveConfig()
    formats = table.strings("formats", default.formats)
    for i, name in enumerate(formats):
        if name not in ARCHIVE_FORMATS:
            problem = f"unknown archive format {name!r}"
            raise table.error(f"formats[{i}]", problem, _choose(name, ARCHIVE_FORMATS))
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
    )


def _scheduler(table: _Table) -> SchedulerConfig:
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


def _crawl(table: _Table) -> CrawlConfig:
    table.check_keys(_fields(CrawlConfig))
    default = CrawlConfig()
    return CrawlConfig(
        user_agent=table.string("user_agent", default.user_agent),
        settings=table.free_table("settings"),
    )


def _cluster(table: _Table) -> ClusterConfig:
    table.check_keys(_fields(ClusterConfig))
    redis_url = table.string("redis_url", "", blank_ok=True)
    if redis_url and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
        fix = "use e.g. 'redis://localhost:6379/0', or leave it empty for one machine"
        raise table.error("redis_url", f"{redis_url!r} is not a Redis URL", fix)
    return ClusterConfig(redis_url=redis_url)


def _topic(table: _Table) -> Topic:
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


def _source(table: _Table, known_spiders: Collection[str], timezone: str) -> Source:
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
            fix = _choose(spider, sorted(known_spiders))
        raise table.error("spider", f"unknown spider {spider!r}", fix)
    schedule = table.string("schedule", DEFAULT_SCHEDULE)
    try:
        CronTrigger.from_crontab(schedule, timezone=timezone)
    except ValueError as exc:
        problem = f"bad crontab expression {schedule!r} ({exc})"
        fix = "use five crontab fields, e.g. '*/30 * * * *'"
        raise table.error("schedule", problem, fix) from None
    return Source(
        name=name,
        spider=spider,
        schedule=schedule,
        args=table.free_table("args"),
        max_age_days=table.number("max_age_days", Source.max_age_days),
        revisit_hours=table.number("revisit_hours", Source.revisit_hours),
        enabled=table.boolean("enabled", Source.enabled),
    )


def _check_unique(root: _Table, array: str, key: str, values: list[str]) -> None:
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            where = f"{array}[{i}].{key}"
            problem = f"duplicate {key} {value!r} (also {array}[{seen[value]}].{key})"
            raise ConfigError(root.file, where, problem, f"give each of the {array} its own {key}")
        seen[value] = i


def _choose(value: str, valid: Collection[str]) -> str:
    """The fix for a value that is not one of ``valid``: the closest match, then the list."""
    listed = f"use one of: {', '.join(valid)}" if valid else "none are defined"
    close = difflib.get_close_matches(value, list(valid), n=1)
    return f"did you mean {close[0]!r}? ({listed})" if close else listed


# -- typed access to one TOML table -------------------------------------------------------

_MISSING: Any = object()


def _describe(value: Any) -> str:
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        (bool, "true/false"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (list, "a list"),
        (dict, "a table"),
        ((datetime, date, time), "a date/time"),
    ]
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def _toml(value: Any) -> str:
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class _Table:
    data: Mapping[str, Any]
    key: str
    file: Path | None

    def where(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def error(self, name: str, problem: str, fix: str) -> ConfigError:
        return ConfigError(self.file, self.where(name), problem, fix)

    def check_keys(self, allowed: Collection[str]) -> None:
        for name in self.data:
            if name not in allowed:
                close = difflib.get_close_matches(name, list(allowed), n=1)
                valid = f"valid keys: {', '.join(allowed)}"
                fix = f"did you mean {close[0]!r}?" if close else valid
                raise self.error(name, "unknown key", fix)

    def _get(self, name: str, kinds: tuple[type, ...], default: Any, example: Any) -> Any:
        """The value under ``name`` if it is one of ``kinds``; ``default`` if absent."""
        if name not in self.data:
            if default is _MISSING:
                raise self.error(name, "missing", f"add {name} = {_toml(example)}")
            return default
        value = self.data[name]
        # TOML booleans are Python ints; an integer setting must not accept true.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = _describe(kinds[-1]())  # (int, float) reads as "a number"
            problem = f"expected {expected}, got {_describe(value)}"
            raise self.error(name, problem, f"write it like {name} = {_toml(example)}")
        return value

    def string(
        self, name: str, default: Any = _MISSING, *, example: str = "", blank_ok: bool = False
    ) -> str:
        sample = example or default
        value: str = self._get(name, (str,), default, sample).strip()
        if not value and not blank_ok:
            raise self.error(name, "blank", f"give it a value, e.g. {name} = {_toml(sample)}")
        return value

    def strings(
        self, name: str, default: Any = _MISSING, *, example: Collection[str] = ()
    ) -> tuple[str, ...]:
        values = self._get(name, (list,), default, list(example or default or ["..."]))
        result: list[str] = []
        for i, value in enumerate(values):
            if not isinstance(value, str):
                problem = f"expected a list of strings, item {i} is {_describe(value)}"
                raise self.error(f"{name}[{i}]", problem, "put every item in quotes")
            if not value.strip():
                raise self.error(f"{name}[{i}]", "blank string", "remove it or give it a value")
            result.append(value.strip())
        return tuple(dict.fromkeys(result))

    def integer(self, name: str, default: int, *, minimum: int) -> int:
        value: int = self._get(name, (int,), default, default)
        if value < minimum:
            raise self.error(name, f"{value} is less than {minimum}", f"use {minimum} or more")
        return value

    def number(self, name: str, default: float) -> float:
        value = float(self._get(name, (int, float), default, default))
        if not (math.isfinite(value) and value > 0):
            problem = f"{value} is not a positive number"
            raise self.error(name, problem, f"use e.g. {name} = {default}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value: bool = self._get(name, (bool,), default, default)
        return value

    def free_table(self, name: str) -> dict[str, Any]:
        """A table whose keys are the user's own (spider args, Scrapy settings)."""
        if not isinstance(self.data.get(name, {}), dict):
            raise self._not_a_table(name)
        return dict(self.data.get(name, {}))

    def table(self, name: str) -> _Table:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self._not_a_table(name)
        return _Table(value, self.where(name), self.file)

    def tables(self, name: str) -> list[_Table]:
        values = self.data.get(name, [])
        if not isinstance(values, list):
            problem = f"expected an array of tables, got {_describe(values)}"
            fix = f"write each one as a [[{name}]] table (double brackets)"
            raise self.error(name, problem, fix)
        if not values:
            fix = f"add at least one [[{name}]] table (see the packaged default.toml)"
            raise self.error(name, f"no {name} are configured", fix)
        for i, value in enumerate(values):
            if not isinstance(value, dict):
                problem = f"expected a [[{name}]] table, item {i} is {_describe(value)}"
                raise self.error(f"{name}[{i}]", problem, f"write each one as a [[{name}]] table")
        where = self.where(name)
        return [_Table(value, f"{where}[{i}]", self.file) for i, value in enumerate(values)]

    def _not_a_table(self, name: str) -> ConfigError:
        problem = f"expected a table, got {_describe(self.data[name])}"
        inline = f"an inline table {name} = {{ ... }}"
        fix = f"write it as {inline}"
        if "[" not in self.key:  # a [section] header cannot name an array item
            fix = f"write it as a [{self.where(name)}] section or as {inline}"
        return self.error(name, problem, fix)

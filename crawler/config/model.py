"""What a config file says, as typed values: topics, sources, paths and feed settings."""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler import USER_AGENT

IMAGES_FOLDER = "images"  # under the archive folder; notes and feeds link images/<host>/<file>


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
    hexo_local_images: bool = False  # Hexo posts show copies under <hexo>/source/images/, not the sites'


@dataclass(frozen=True)
class SchedulerConfig:
    timezone: str = "Asia/Shanghai"
    timeout_minutes: float = 30.0
    misfire_grace_seconds: int = 600


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str = USER_AGENT
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterConfig:
    redis_url: str = ""


@dataclass(frozen=True)
class Secret:
    """A value read from the environment (``env:NAME``) or, where allowed, written literally.

    Its repr names the variable only, so a secret never reaches a log line or an error.
    """

    env: str = ""
    literal: str = ""

    def __repr__(self) -> str:
        if self.env:
            return f"Secret(env:{self.env})"
        return "Secret(literal)" if self.literal else "Secret()"

    def __bool__(self) -> bool:
        return bool(self.env or self.literal)

    def value(self) -> str:
        """The value; ``""`` when the variable is unset (``check`` reports those)."""
        return os.environ.get(self.env, "").strip() if self.env else self.literal


NOTIFY_KINDS = ("feishu", "dingtalk", "wecom", "telegram", "email", "webhook")


@dataclass(frozen=True)
class NotifyTarget:
    """A ``[[notify]]`` table (DESIGN §12): where and how new stories are pushed."""

    name: str
    kind: str
    url: Secret = field(default_factory=Secret)  # the webhook (feishu, dingtalk, wecom, webhook)
    secret: Secret = field(default_factory=Secret)  # signing secret (feishu, dingtalk, webhook)
    token: Secret = field(default_factory=Secret)  # telegram bot token
    chat_id: str = ""  # telegram
    smtp_host: str = ""
    smtp_port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str = ""
    password: Secret = field(default_factory=Secret)
    sender: str = ""
    to: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # () = every topic
    mode: str = "instant"  # instant | digest
    digest: str = "0 9 * * *"  # crontab, scheduler timezone
    health: bool = False
    attempts: int = 5  # tries before a message is given up (and shown by status)
    timeout: float = 10.0  # seconds per request
    backoff_seconds: float = 60.0  # first retry delay; doubles per attempt

    def wants(self, topics: Collection[str]) -> bool:
        return not self.topics or any(topic in self.topics for topic in topics)

    def secrets(self) -> dict[str, Secret]:
        return {key: value for key, value in (("url", self.url), ("secret", self.secret), ("token", self.token),
                                              ("password", self.password)) if value.env}


@dataclass(frozen=True)
class SummaryConfig:
    """``[summary]``: an optional LLM summary from an OpenAI-compatible endpoint."""

    llm_url: str = ""  # e.g. http://127.0.0.1:11434 (…/v1/chat/completions is appended)
    model: str = ""
    api_key: Secret = field(default_factory=Secret)
    prompt: str = ""  # "" = the built-in Chinese prompt (crawler.delivery.llm)
    timeout: float = 30.0
    concurrency: int = 2
    max_calls: int = 20  # per crawl

    @property
    def enabled(self) -> bool:
        return bool(self.llm_url and self.model)


@dataclass(frozen=True)
class FeishuSyncConfig:
    """``[sync.feishu]``: archived notes mirrored as Feishu documents."""

    app_id: str = ""
    app_secret: Secret = field(default_factory=Secret)
    folder_token: str = ""
    domain: str = "https://open.feishu.cn"  # or https://open.larksuite.com

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and self.folder_token)


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
    notify: tuple[NotifyTarget, ...] = ()
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    sync_feishu: FeishuSyncConfig = field(default_factory=FeishuSyncConfig)

    @property
    def store_url(self) -> str:
        if self.store_url_setting is not None:
            return self.store_url_setting
        return f"sqlite:///{self.data_dir / 'topicfeed.sqlite3'}"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def images_dir(self) -> Path:
        """Downloaded article images: ``<archive>/images/<host>/…`` (served at /images/)."""
        return self.archive_dir / IMAGES_FOLDER

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
        raise ConfigError(self.path, "sources", f"no source named {name!r}", choose(name, names))

    def target(self, name: str) -> NotifyTarget:
        for target in self.notify:
            if target.name == name:
                return target
        names = [target.name for target in self.notify]
        raise ConfigError(self.path, "notify", f"no [[notify]] target named {name!r}", choose(name, names))

    def sources_for_spider(self, spider: str) -> tuple[Source, ...]:
        return tuple(source for source in self.sources if source.spider == spider)


def choose(value: str, valid: Collection[str]) -> str:
    """The fix for a value that is not one of ``valid``: the closest match, then the list."""
    listed = f"use one of: {', '.join(valid)}" if valid else "none are defined"
    close = difflib.get_close_matches(value, list(valid), n=1)
    return f"did you mean {close[0]!r}? ({listed})" if close else listed

"""The delivery tables of the config file (DESIGN §12): [[notify]], [summary], [sync.feishu].

Secrets are only ever ``env:NAME`` references: a literal token in the file is an error that
names the key, so a config file can be shared, committed or pasted into an issue.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Collection
from urllib.parse import urlsplit

from apscheduler.triggers.cron import CronTrigger

from crawler.config.model import (
    NOTIFY_KINDS,
    Config,
    FeishuSyncConfig,
    NotifyTarget,
    Secret,
    SummaryConfig,
    choose,
)
from crawler.config.tables import Table

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TARGET_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
MODES = ("instant", "digest")
SECURITY = ("starttls", "ssl", "none")
# The keys each kind needs beyond the common ones (name, kind, topics, mode, …).
_KIND_KEYS = {
    "feishu": ("url", "secret"),
    "dingtalk": ("url", "secret"),
    "wecom": ("url",),
    "telegram": ("token", "chat_id"),
    "email": ("smtp_host", "smtp_port", "security", "username", "password", "sender", "to"),
    "webhook": ("url", "secret"),
}
_COMMON_KEYS = ("name", "kind", "topics", "mode", "digest", "health", "attempts", "timeout", "backoff_seconds")
_REQUIRED = {"feishu": ("url",), "dingtalk": ("url",), "wecom": ("url",), "telegram": ("token", "chat_id"),
             "email": ("smtp_host", "sender", "to"), "webhook": ("url",)}


def secret(table: Table, name: str, *, literal_ok: bool = False, required: bool = False) -> Secret:
    """``name = "env:NAME"``; a literal value only where ``literal_ok`` (a plain webhook URL)."""
    if name not in table.data and not required:
        return Secret()
    value = table.string(name, example="env:MY_SECRET")
    if value.startswith("env:"):
        env = value.removeprefix("env:").strip()
        if not _ENV_NAME.fullmatch(env):
            raise table.error(name, f"{env!r} is not an environment variable name",
                              'use letters, digits and "_", e.g. "env:FEISHU_HOOK"')
        return Secret(env=env)
    if literal_ok:
        return Secret(literal=value)
    upper = re.sub(r"\W", "_", f"{table.data.get('name', 'target')}_{name}").upper()
    raise table.error(name, "a secret is written in the file",
                      f'write {name} = "env:{upper}" and set {upper} in the environment')


def parse_delivery(root: Table, config: Config) -> Config:
    """``config`` with its [[notify]], [summary] and [sync] tables, validated against its topics."""
    topics = [topic.slug for topic in config.topics]
    targets = tuple(_target(table, topics, config.scheduler.timezone) for table in _notify_tables(root))
    seen: dict[str, int] = {}
    for i, target in enumerate(targets):
        if target.name in seen:
            raise root.error(f"notify[{i}].name", f"duplicate name {target.name!r} (also notify[{seen[target.name]}])",
                             "give each [[notify]] target its own name")
        seen[target.name] = i
    sync = root.table("sync")
    sync.check_keys(("feishu",))
    return dataclasses.replace(config, notify=targets, summary=_summary(root.table("summary")),
                               sync_feishu=_feishu(sync.table("feishu")))


def _notify_tables(root: Table) -> list[Table]:
    return root.tables("notify") if root.data.get("notify", []) != [] else []


def _target(table: Table, topics: Collection[str], timezone: str) -> NotifyTarget:
    kind = table.string("kind", example="feishu")
    if kind not in NOTIFY_KINDS:
        raise table.error("kind", f"unknown kind {kind!r}", choose(kind, NOTIFY_KINDS))
    table.check_keys((*_COMMON_KEYS, *_KIND_KEYS[kind]))
    name = table.string("name", example="team")
    if not _TARGET_NAME.fullmatch(name):
        raise table.error("name", f"{name!r} has characters a target name may not have",
                          "use letters, digits, '.', '_' and '-', e.g. 'team'")
    for key in _REQUIRED[kind]:
        if key not in table.data:
            example = "env:HOOK" if key in ("url", "token") else "..."
            raise table.error(key, f"missing (a {kind} target needs it)", f'add {key} = "{example}"')
    wanted = table.strings("topics", ())
    for i, slug in enumerate(wanted):
        if slug not in topics:
            raise table.error(f"topics[{i}]", f"no topic {slug!r}", choose(slug, topics))
    mode = table.string("mode", "instant")
    if mode not in MODES:
        raise table.error("mode", f"unknown mode {mode!r}", choose(mode, MODES))
    default = NotifyTarget(name=name, kind=kind)
    digest = table.string("digest", default.digest)
    try:
        CronTrigger.from_crontab(digest, timezone=timezone)
    except ValueError as exc:
        raise table.error("digest", f"bad crontab expression {digest!r} ({exc})",
                          "use five crontab fields, e.g. '0 9 * * *'") from None
    return dataclasses.replace(
        default, topics=wanted, mode=mode, digest=digest,
        health=table.boolean("health", default.health),
        attempts=table.integer("attempts", default.attempts, minimum=1),
        timeout=table.number("timeout", default.timeout),
        backoff_seconds=table.number("backoff_seconds", default.backoff_seconds),
        **_kind_values(table, kind),
    )


def _kind_values(table: Table, kind: str) -> dict[str, object]:
    if kind == "telegram":
        return {"token": secret(table, "token", required=True), "chat_id": table.string("chat_id")}
    if kind == "email":
        security = table.string("security", "starttls")
        if security not in SECURITY:
            raise table.error("security", f"unknown security {security!r}", choose(security, SECURITY))
        return {
            "smtp_host": table.string("smtp_host"), "security": security,
            "smtp_port": table.integer("smtp_port", 465 if security == "ssl" else 587, minimum=1),
            "username": table.string("username", "", blank_ok=True), "password": secret(table, "password"),
            "sender": table.string("sender", example="topicfeed@example.com"),
            "to": table.strings("to", example=["me@example.com"]),
        }
    values: dict[str, object] = {"url": secret(table, "url", literal_ok=kind == "webhook", required=True)}
    if "secret" in _KIND_KEYS[kind]:
        values["secret"] = secret(table, "secret")
    return values


def _summary(table: Table) -> SummaryConfig:
    table.check_keys(tuple(f.name for f in dataclasses.fields(SummaryConfig)))
    default = SummaryConfig()
    llm_url = table.string("llm_url", "", blank_ok=True)
    if llm_url and urlsplit(llm_url).scheme not in ("http", "https"):
        raise table.error("llm_url", f"{llm_url!r} is not an http(s) URL",
                          "use the endpoint's base, e.g. 'http://127.0.0.1:11434' (Ollama)")
    model = table.string("model", "", blank_ok=True)
    if llm_url and not model:
        raise table.error("model", "missing", 'name the model, e.g. model = "qwen2.5:7b"')
    return SummaryConfig(
        llm_url=llm_url.rstrip("/"), model=model, api_key=secret(table, "api_key"),
        prompt=table.string("prompt", "", blank_ok=True), timeout=table.number("timeout", default.timeout),
        concurrency=table.integer("concurrency", default.concurrency, minimum=1),
        max_calls=table.integer("max_calls", default.max_calls, minimum=0),
    )


def _feishu(table: Table) -> FeishuSyncConfig:
    table.check_keys(tuple(f.name for f in dataclasses.fields(FeishuSyncConfig)))
    if not table.data:
        return FeishuSyncConfig()
    return FeishuSyncConfig(
        app_id=table.string("app_id", example="cli_a1b2c3"),
        app_secret=secret(table, "app_secret", required=True),
        folder_token=table.string("folder_token", example="fldcnXXXX"),
        domain=table.string("domain", FeishuSyncConfig.domain).rstrip("/"),
    )


def referenced_env(config: Config) -> list[tuple[str, str]]:
    """Every ``env:NAME`` the config refers to, as (key, NAME)."""
    found = [(f"notify.{t.name}.{key}", value.env) for t in config.notify for key, value in t.secrets().items()]
    if config.summary.api_key.env:
        found.append(("summary.api_key", config.summary.api_key.env))
    if config.sync_feishu.app_secret.env:
        found.append(("sync.feishu.app_secret", config.sync_feishu.app_secret.env))
    return found


def unset_env_lines(config: Config) -> list[str]:
    """For ``topicfeed check``: one line per referenced variable that is unset or blank."""
    return [f"{key}: environment variable {env} is not set" for key, env in referenced_env(config)
            if not os.environ.get(env, "").strip()]

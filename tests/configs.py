"""topicfeed.toml text for tests: the tables many tests share, built from what varies.

Tests about the config file itself (test_config.py, the bad-config cases in test_cli.py)
spell their text out instead: there the exact text is what is under test.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

LOCAL_FEEDS_URL = "http://127.0.0.1:8080/"


def toml_value(value: Any) -> str:
    """One TOML value; tables are written inline, as a source's ``args`` are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items())
        return f"{{ {pairs} }}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return str(value)


def _block(header: str, keys: Mapping[str, Any]) -> str:
    lines = [f"{key} = {toml_value(value)}" for key, value in keys.items() if value is not None]
    return "\n".join([header, *lines]) + "\n"


def table(name: str, **keys: Any) -> str:
    """A ``[name]`` table; keys set to None are left out."""
    return _block(f"[{name}]", keys)


def config_text(*tables: str) -> str:
    """A whole config file: these tables in this order."""
    return "\n".join(tables)


def paths(data_dir: str = "data") -> str:
    return table("paths", data_dir=data_dir)


def feeds(base_url: str = LOCAL_FEEDS_URL, **keys: Any) -> str:
    return table("feeds", base_url=base_url, **keys)


def topic(
    slug: str = "service-outsourcing",
    title: str = "服务外包",
    keywords: Sequence[str] = ("服务外包", "服博会"),
    **keys: Any,
) -> str:
    """A ``[[topics]]`` table; by default the topic the sample snapshot's articles are about."""
    return _block("[[topics]]", {"slug": slug, "title": title, "keywords": keywords, **keys})


def source(name: str, spider: str, **keys: Any) -> str:
    """A ``[[sources]]`` table: schedule, args, enabled... as keyword arguments."""
    return _block("[[sources]]", {"name": name, "spider": spider, **keys})


def ifeng_hb_source(**keys: Any) -> str:
    """The ifeng-hb source on both regional hosts of the sample snapshot, with site search."""
    return source("ifeng-hb", "ifeng", **keys, args={"regions": ["hb", "hn"], "search": True})


def qutoutiao_source(**args: Any) -> str:
    """The qutoutiao source on the sample's three list categories; ``args`` add or override."""
    return source("qutoutiao", "qutoutiao", args={"categories": [255, 1, 10], **args})


def ifeng_config(**feeds_keys: Any) -> str:
    """The ifeng workspace: two topics, one ifeng source; ``feeds_keys`` change ``[feeds]``."""
    return config_text(
        paths(),
        feeds(**{"max_entries": 50, **feeds_keys}),
        topic(),
        topic("expo-video", "博览会视频", ["博览会"], require=["视频"]),
        ifeng_hb_source(schedule="*/30 * * * *"),
    )


def qutoutiao_config(**args: Any) -> str:
    """The qutoutiao workspace, archiving notes and Hexo posts; ``args`` go to the spider."""
    return config_text(
        paths(),
        feeds(),
        table("archive", formats=["note", "hexo"]),
        topic(),
        qutoutiao_source(**args),
    )


def cross_source_config() -> str:
    """Both sources in one crawl: the Qutoutiao repost of an ifeng article meets its original."""
    return config_text(qutoutiao_config(), ifeng_hb_source())


# The web test set (tests/sites/web): every family's article URL shape, list pages, sitemaps and feeds.
WEB_ARTICLE_URLS = (
    r"^https?://hb\.people\.com\.cn/n2/\d{4}/\d{4}/c\d+-\d+\.html$",
    r"^https://www\.news\.cn/local/\d{8}/[0-9a-f]{32}/c\.html$",
    r"^https://www\.thepaper\.cn/newsDetail_forward_\d+$",
    r"^https://www\.chinanews\.com\.cn/(?:cj|sh)/\d{4}/\d{2}-\d{2}/\d+\.shtml$",
    r"^https://news\.sina\.com\.cn/c/\d{4}-\d{2}-\d{2}/doc-\w+\.shtml$",
    r"^http://www\.hubei\.gov\.cn/zwgk/hbyw/hbywqb/\d{6}/t\d{8}_\d+\.shtml$",
)


def web_source(name: str = "web-set", **args: Any) -> str:
    """A ``web`` source over the whole test set; ``args`` add or override (None leaves one out)."""
    defaults: dict[str, Any] = {
        "start_urls": ["http://hb.people.com.cn/GB/192237/index.html", "https://www.news.cn/local/",
                       "http://www.hubei.gov.cn/zwgk/hbyw/hbywqb/"],
        "article_urls": list(WEB_ARTICLE_URLS),
        "list_urls": [r"^http://hb\.people\.com\.cn/GB/192237/index\d*\.html$"],
        "sitemaps": ["https://www.chinanews.com.cn/sitemap/index.xml"],
        "feeds": ["https://www.thepaper.cn/rss/channel_25951.xml", "https://news.sina.com.cn/rss/china.xml"],
        "max_list_pages": 5,
    }
    merged = {key: value for key, value in {**defaults, **args}.items() if value is not None}
    return source(name, "web", schedule="0 * * * *", args=merged)


def web_config(**args: Any) -> str:
    """The web workspace: the test set as one source, a topic two of its articles match, one for a third."""
    return config_text(paths(), feeds(), topic(), topic("rural-delivery", "快递进村", ["快递进村", "共配"]),
                       web_source(**args))


def notify(name: str, kind: str, **keys: Any) -> str:
    """A ``[[notify]]`` target (DESIGN §12); secrets as ``env:NAME`` keyword values."""
    return _block("[[notify]]", {"name": name, "kind": kind, **keys})

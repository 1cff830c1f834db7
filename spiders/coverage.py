"""Which article URLs each spider's sources would fetch: for ``topicfeed explain``."""

from __future__ import annotations

from collections.abc import Callable

from crawler.config import ConfigError, Source
from crawler.text.urls import host_of
from spiders import ifeng, qutoutiao
from spiders.webargs import web_args


def _ifeng(source: Source, url: str) -> bool:
    try:
        regions = ifeng.ARGUMENTS.check(source.args)["regions"]
    except ConfigError:  # crawl and check report a bad argument; here it covers nothing
        return False
    return host_of(url) in {f"{code}.ifeng.com" for code in regions} and ifeng.article_id(url) is not None


def _qutoutiao(source: Source, url: str) -> bool:
    return qutoutiao.article_id(url) is not None


def _web(source: Source, url: str) -> bool:
    try:
        return web_args(source.args).is_article(url)
    except ConfigError:  # crawl and check report a bad argument; here it covers nothing
        return False


COVERS: dict[str, Callable[[Source, str], bool]] = {"ifeng": _ifeng, "qutoutiao": _qutoutiao, "web": _web}


def covers(source: Source, urls: tuple[str, ...]) -> bool:
    """Would ``source`` fetch any of ``urls`` (forms of one article URL) as an article?

    A spider this module does not know is taken to cover every URL: it is never blamed.
    """
    check = COVERS.get(source.spider)
    return check is None or any(check(source, url) for url in urls)

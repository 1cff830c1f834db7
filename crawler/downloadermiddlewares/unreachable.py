"""Downloader middleware: a host that cannot be reached is given up after a few failed connections.

With no network, a refused port or a host that accepts and never answers, every request
would be tried RETRY_TIMES + 1 times at up to DOWNLOAD_TIMEOUT each, one after another (one
request per host at a time): minutes of silence, then a screen of tracebacks. Here the
connection failures of a host that has not answered yet are counted; after
TOPICFEED_HOST_FAILURES_MAX of them the host is given up for the run: one warning line names
it and the cause, and every later request to it fails at once and quietly, as HostUnreachable
(an IgnoreRequest, so robots.txt, the images pipeline and Scrapy log no traceback for it).
A host that answered once this run is reachable: a page of it that times out is retried and
recorded as before, so one slow page never costs the rest of a working site.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
)
from twisted.internet import defer, error
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from crawler.resolver import NonPublicAddress
from crawler.runtime import mirror_from_settings

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

UNREACHABLE_STAT = "topicfeed/unreachable"  # {host: ConnectionFailure} of the hosts given up this run
SKIPPED_STAT = "topicfeed/unreachable_skipped"  # requests not sent to a host given up

# Checked in this order, on every exception in the chain (Scrapy wraps Twisted's errors).
_CAUSES: tuple[tuple[str, tuple[type[BaseException], ...]], ...] = (
    ("TLS", (SSL.Error,)),
    ("DNS", (CannotResolveHostError, error.DNSLookupError)),
    ("refused", (DownloadConnectionRefusedError, error.ConnectionRefusedError, builtins.ConnectionRefusedError)),
    ("timeout", (DownloadTimeoutError, error.TimeoutError, error.TCPTimedOutError, defer.TimeoutError,
                 builtins.TimeoutError)),
    ("no route", (error.NoRouteError,)),
    ("connect failed", (error.ConnectError,)),
    ("no answer", (ResponseNeverReceived,)),  # connected, closed before any answer
)


@dataclass(frozen=True)
class ConnectionFailure:
    """Why a host could not be reached: a short ``cause`` for summaries, the error's words."""

    cause: str
    detail: str


class HostUnreachable(IgnoreRequest):
    """Not sent: its host was given up for this run."""


def _chain(exception: BaseException) -> Iterator[BaseException]:
    """The exception, what caused it, and the reasons of a Twisted response failure."""
    seen: set[int] = set()
    todo = [exception]
    while todo:
        link = todo.pop(0)
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        todo += [e for e in (link.__cause__, link.__context__) if e is not None]
        if isinstance(link, ResponseFailed):
            todo += [reason.value for reason in link.reasons if isinstance(reason.value, BaseException)]


def connection_failure(exception: BaseException) -> ConnectionFailure | None:
    """The cause when ``exception`` says the host could not be reached, else None: an answer
    cut short, a refusal of ours (a non-public address) or an HTTP error is not one."""
    links = list(_chain(exception))
    if any(isinstance(link, NonPublicAddress) for link in links):
        return None
    if any(isinstance(link, ResponseFailed) and not isinstance(link, ResponseNeverReceived) for link in links):
        return None  # the host answered, then the connection broke: it is reachable
    for cause, kinds in _CAUSES:
        found = next((link for link in links if isinstance(link, kinds)), None)
        if found is not None:
            return ConnectionFailure(cause, _words(exception, found))
    return None


def _words(exception: BaseException, found: BaseException) -> str:
    """The error's own words; for the two that hold only a list of Twisted failures, ours."""
    if isinstance(found, SSL.Error):
        reasons = [part[-1] for part in (found.args[0] if found.args else ()) if isinstance(part, tuple) and part[-1]]
        text = "TLS handshake failed" + (f": {', '.join(reasons)}" if reasons else "")
    elif isinstance(found, ResponseNeverReceived):
        text = "the connection was closed before any answer"
    else:
        text = " ".join(str(exception).split()) or type(exception).__name__
    return text[:200].rstrip(".")


@dataclass
class HostState:
    answered: bool = False
    failures: int = 0  # connection failures before its first answer
    given_up: ConnectionFailure | None = None


class UnreachableHostsMiddleware:
    """Gives a host up after ``limit`` connection failures and no answer."""

    def __init__(self, stats: StatsCollector, limit: int, mirror: str = ""):
        self.stats = stats
        self.limit = limit
        self.mirror = mirror
        self.hosts: dict[str, HostState] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        limit = crawler.settings.getint("TOPICFEED_HOST_FAILURES_MAX", 3)
        if limit <= 0:
            raise NotConfigured
        return cls(crawler.stats, limit, mirror_from_settings(crawler.settings))

    def process_request(self, request: Request) -> None:
        state = self.hosts.get(_host(request))
        if state is not None and state.given_up is not None:
            self.stats.inc_value(SKIPPED_STAT)
            raise HostUnreachable(f"{_host(request)} unreachable ({state.given_up.cause}), not tried")

    def process_response(self, request: Request, response: Response) -> Response:
        self.hosts.setdefault(_host(request), HostState()).answered = True
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        failure = connection_failure(exception)
        if failure is None:
            return  # not ours to judge: retried or reported as before
        host = _host(request)
        state = self.hosts.setdefault(host, HostState())
        if state.answered:
            return
        state.failures += 1
        if state.given_up is None and state.failures >= self.limit:
            self.give_up(host, state, failure)
        if state.given_up is not None:  # no retry: the host is not tried again this run
            raise HostUnreachable(f"{host} unreachable ({state.given_up.cause}): {failure.detail}")

    def give_up(self, host: str, state: HostState, failure: ConnectionFailure) -> None:
        state.given_up = failure
        self.stats.set_value(UNREACHABLE_STAT, {**(self.stats.get_value(UNREACHABLE_STAT) or {}), host: failure})
        through = f", through the mirror {self.mirror}" if self.mirror else ""
        logger.warning("%s unreachable (%s%s): giving up on it for this run after %d failed connections; "
                       "last: %s", host, failure.cause, through, state.failures, failure.detail)


def _host(request: Request) -> str:
    return (urlsplit(request.url).hostname or "").lower()

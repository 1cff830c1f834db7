"""What a crawl shows on stderr while it runs: a live line on a terminal, a heartbeat in a log.

On a terminal the progress line is redrawn in place, and a log record (a warning) first
clears it: no warning is ever printed onto it, and the next draw puts it back below. When
stderr is not a terminal (cron, systemd, a pipe) a timestamped heartbeat line is printed
every TOPICFEED_HEARTBEAT seconds instead, so a log never goes silent while a crawl waits
on a slow host. Network errors are logged without their traceback (below DEBUG): the one
line says what failed.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Any, Self, TextIO

from scrapy import signals
from twisted.internet import task

from crawler.downloadermiddlewares.unreachable import connection_failure
from crawler.extensions.runreport import RunReporter
from crawler.outcomes import RunStats
from crawler.text.dates import log_stamp

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

PROGRESS_INTERVAL = 0.5
CLEAR_LINE = "\r\x1b[K"


def queued(crawler: Crawler) -> int:
    """Requests waiting in the scheduler or being downloaded now."""
    stats = crawler.stats
    waiting = (stats.get_value("scheduler/enqueued", 0) or 0) - (stats.get_value("scheduler/dequeued", 0) or 0)
    engine = getattr(crawler, "engine", None)
    downloading = len(getattr(getattr(engine, "downloader", None), "active", ()))
    return max(0, waiting) + downloading


def elapsed(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


class ConsoleReport(logging.Filter):
    """The crawl's stderr while it runs; a filter on the log handlers so records never land
    on the live line (and lose their traceback when they are network errors)."""

    def __init__(self, crawler: Crawler, stream: TextIO, *, live: bool, heartbeat: float, tracebacks: bool):
        super().__init__()
        self.crawler = crawler
        self.stream = stream
        self.live = live
        self.heartbeat = heartbeat
        self.tracebacks = tracebacks
        self.reporter: RunReporter | None = None
        self.line_shown = False
        self._last_draw = 0.0
        self._started = time.monotonic()
        self._beats: task.LoopingCall | None = None
        self._handlers: list[logging.Handler] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        terminal = sys.stderr.isatty()
        console = cls(crawler, sys.stderr, live=terminal and settings.getbool("TOPICFEED_PROGRESS", True),
                      heartbeat=0.0 if terminal else settings.getfloat("TOPICFEED_HEARTBEAT", 30.0),
                      tracebacks=str(settings.get("LOG_LEVEL", "")).upper() == "DEBUG")
        crawler.signals.connect(console.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(console.spider_closed, signal=signals.spider_closed)
        for signal in (signals.response_received, signals.item_scraped, signals.item_dropped):
            crawler.signals.connect(console.draw, signal=signal)
        return console

    @property
    def source(self) -> str:
        return self.reporter.source if self.reporter is not None else ""

    def progress(self) -> str:
        counts = self.reporter.counts.stats() if self.reporter is not None else RunStats()
        return f"{counts.line()}, {queued(self.crawler)} queued"

    def spider_opened(self) -> None:
        self.reporter = self.crawler.get_extension(RunReporter)
        self._started = time.monotonic()
        self._handlers = list(logging.getLogger().handlers)
        for handler in self._handlers:
            handler.addFilter(self)
        if self.heartbeat > 0:
            self._beats = task.LoopingCall(self.beat)
            self._beats.start(self.heartbeat, now=False)

    def spider_closed(self) -> None:
        if self._beats is not None and self._beats.running:
            self._beats.stop()
        self.clear()
        for handler in self._handlers:
            handler.removeFilter(self)

    def draw(self, **_: Any) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if self.line_shown and now - self._last_draw < PROGRESS_INTERVAL:
            return
        self._last_draw = now
        self.stream.write(f"{CLEAR_LINE}{self.source}: {self.progress()}")
        self.stream.flush()
        self.line_shown = True

    def clear(self) -> None:
        if self.line_shown:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self.line_shown = False

    def beat(self) -> None:
        running = elapsed(time.monotonic() - self._started)
        self.stream.write(f"{log_stamp()} {self.source}: crawling for {running}: {self.progress()}\n")
        self.stream.flush()

    def filter(self, record: logging.LogRecord) -> bool:
        """Called by each log handler before it prints ``record``."""
        self.clear()
        if not self.tracebacks and record.exc_info and record.exc_info[1] is not None \
                and connection_failure(record.exc_info[1]) is not None:
            record.exc_info = None
            record.exc_text = None
        return True

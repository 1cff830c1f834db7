"""``topicfeed notify``: send what is due, a digest now (``--digest NAME``), or a test (``--test NAME``)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime

from crawler.config import Config
from crawler.delivery.dispatch import DeliveryReport, deliver, deliver_digest, send_test
from crawler.delivery.http import DeliveryError
from crawler.outcomes import ExitStatus
from crawler.runtime import MIRROR_ENV
from crawler.store import Store

logger = logging.getLogger(__name__)


def deliver_after_crawl(config: Config, sources: Sequence[str]) -> DeliveryReport:
    """After a crawl's item work: never raises, so a crawl's exit status is its sources' alone."""
    try:
        store = Store.open(config.store_url)
        try:
            report = deliver(config, store, sources=sources)
        finally:
            store.close()
    except Exception as error:  # noqa: BLE001 - delivery is best effort; the outbox keeps the rest
        logger.warning("notify: delivery skipped this run: %s", error)
        return DeliveryReport()
    if report.failed:
        logger.warning("%s (topicfeed status shows the errors)", report.line())
    return report


def summarise_after_crawl(config: Config, since: datetime) -> int:
    """The LLM summaries of what the crawl stored; never raises (the extractive summary stays)."""
    from crawler.delivery.llm import summarise_since

    try:
        store = Store.open(config.store_url)
        try:
            return summarise_since(config, store, since)
        finally:
            store.close()
    except Exception as error:  # noqa: BLE001 - summaries are optional; the crawl's outcome is its own
        logger.warning("summary: skipped this run: %s", error)
        return 0


def run_digest(config: Config, name: str) -> DeliveryReport:
    """The scheduler's digest job for target ``name``."""
    store = Store.open(config.store_url)
    try:
        return deliver_digest(config, store, name)
    finally:
        store.close()


def run_notify(config: Config, *, test: str = "", digest: str = "", mirror: str = "") -> int:
    if mirror:
        os.environ[MIRROR_ENV] = mirror
    if test:
        try:
            send_test(config, test)
        except DeliveryError as error:
            print(f"{test}: test message not sent: {error}", file=sys.stderr)
            return ExitStatus.FAILED
        print(f"{test}: test message sent")
        return ExitStatus.OK
    if digest:
        report = run_digest(config, digest)
    else:
        store = Store.open(config.store_url)
        try:
            report = deliver(config, store)
        finally:
            store.close()
    print(report.line(), file=sys.stderr if report.failed else sys.stdout)
    return ExitStatus.FAILED if report.failed else ExitStatus.OK

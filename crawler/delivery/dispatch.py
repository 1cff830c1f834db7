"""The delivery step: queued stories → outbox rows → messages sent, bounded in time.

It runs after a crawl's item work (crawler.commands.crawl), at each digest time (the
scheduler) and on ``topicfeed notify``. Nothing here raises into a crawl: a dead or slow
target costs at most one timeout per run (its first failure ends its turn), the whole step
at most ``budget`` seconds, and what was not sent stays queued for the next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from crawler.config.model import Config, NotifyTarget
from crawler.delivery import channels, compose
from crawler.delivery.health import check_health
from crawler.delivery.http import DeliveryError
from crawler.store import Store
from crawler.store.outbox import Outbox, OutboxRow, Wanted

logger = logging.getLogger(__name__)

BUDGET_SECONDS = 60.0
MAX_BACKOFF = timedelta(hours=6)
SECRET_MIN_CHARS = 6  # shorter URL pieces ("send", "hook") are no tokens


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0

    def line(self) -> str:
        return f"notify: {self.sent} sent, {self.failed} failed"


def wanted(config: Config) -> list[Wanted]:
    return [Wanted(t.name, t.topics, t.mode == "digest") for t in config.notify]


def deliver(config: Config, store: Store, *, sources: Iterable[str] = (), now: datetime | None = None,
            budget: float = BUDGET_SECONDS) -> DeliveryReport:
    """Queue what the last crawl stored (and its sources' health changes), then send what is due."""
    if not config.notify:
        return DeliveryReport()
    now = now or datetime.now(UTC)
    outbox = Outbox(store.engine)
    outbox.expand(wanted(config), now)
    check_health(config, outbox, list(sources), now)
    return send_due(config, store, outbox, now, config.notify, budget)


def deliver_digest(config: Config, store: Store, name: str, *, now: datetime | None = None,
                   budget: float = BUDGET_SECONDS) -> DeliveryReport:
    """At a digest target's time: every story it holds becomes one message, sent now."""
    now = now or datetime.now(UTC)
    target = config.target(name)
    outbox = Outbox(store.engine)
    outbox.expand(wanted(config), now)
    listed = outbox.close_digest(target.name, now)
    logger.info("digest %s: %d stories", target.name, listed)
    return send_due(config, store, outbox, now, [target], budget)


def send_test(config: Config, name: str, now: datetime | None = None) -> None:
    """One test message to ``name``, outside the outbox; raises DeliveryError."""
    target = config.target(name)
    try:
        channels.send(target, compose.test_message(target.name, now or datetime.now(UTC)))
    except DeliveryError as error:
        raise DeliveryError(redact(str(error), target)) from None


def send_due(config: Config, store: Store, outbox: Outbox, now: datetime, targets: Iterable[NotifyTarget],
             budget: float) -> DeliveryReport:
    report = DeliveryReport()
    deadline = time.monotonic() + budget
    for target in targets:
        for row in outbox.due(target.name, now):
            if time.monotonic() > deadline:
                logger.warning("notify: out of time; the rest is sent on the next run")
                return report
            if not _send_row(config, store, outbox, target, row, now):
                report.failed += 1
                break  # one failure per target and run: a dead target must not hold the crawl
            report.sent += 1
    return report


def _send_row(config: Config, store: Store, outbox: Outbox, target: NotifyTarget, row: OutboxRow,
              now: datetime) -> bool:
    try:
        message = build_message(config, store, row, now)
        if message is None:
            outbox.mark_failed(row.id, "the article is no longer stored", now, give_up=True)
            return True
        channels.send(target, message)
    except Exception as error:  # noqa: BLE001 - any failure of a target is its own, never the crawl's
        detail = str(error) if isinstance(error, DeliveryError) else f"{type(error).__name__}: {error}"
        detail = redact(detail, target)
        attempts = row.attempts + 1
        give_up = attempts >= target.attempts
        retry = now + min(timedelta(seconds=target.backoff_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)
        outbox.mark_failed(row.id, detail, retry, give_up=give_up)
        then = "given up" if give_up else f"retry after {retry:%H:%M:%S} UTC"
        logger.warning("notify %s: %s failed (attempt %d of %d, %s): %s", target.name, row.key, attempts,
                       target.attempts, then, detail)
        return False
    outbox.mark_sent(row.id, now)
    logger.info("notify %s: sent %s", target.name, row.key)
    return True


def build_message(config: Config, store: Store, row: OutboxRow, now: datetime) -> compose.Message | None:
    titles = {topic.slug: topic.title for topic in config.topics}
    zone = config.scheduler.timezone
    if row.kind == "story":
        article = store.get(row.article_id) if row.article_id is not None else None
        return compose.story_message(compose.story(article, titles, zone)) if article else None
    if row.kind == "digest":
        articles = [store.get(article_id) for article_id in row.payload.get("articles", [])]
        items = [compose.story(article, titles, zone) for article in articles if article is not None]
        return compose.digest_message(row.key, items, now.astimezone(compose.ZoneInfo(zone))) if items else None
    payload = row.payload
    when = datetime.fromisoformat(payload["time"]).astimezone(compose.ZoneInfo(zone))
    return compose.health_message(row.key, payload["source"], payload["state"], payload["outcome"], when)


def redact(text: str, target: NotifyTarget) -> str:
    """``text`` with every secret of ``target`` blanked out, the tokens inside its URL too."""
    for secret in (target.url, target.secret, target.token, target.password):
        value = secret.value() if secret.env else ""
        parts = urlsplit(value)
        pieces = [value, *parts.path.split("/"), *(v for _, v in parse_qsl(parts.query))] if parts.netloc else [value]
        for piece in sorted(pieces, key=len, reverse=True):
            if len(piece) >= SECRET_MIN_CHARS:
                text = text.replace(piece, "***")
    return text

"""``topicfeed status``'s delivery lines: per target what was sent, what waits, the last error."""

from __future__ import annotations

from crawler.config.model import Config
from crawler.store import Store
from crawler.store.outbox import Outbox, TargetCounts
from crawler.text.dates import SITE_TZ


def status_lines(config: Config, store: Store) -> list[str]:
    if not config.notify:
        return []
    counts = Outbox(store.engine).counts()
    lines = ["notify:"]
    for target in config.notify:
        c = counts.get(target.name, TargetCounts())
        line = f"  {target.name} ({target.kind}, {target.mode}): {c.sent} sent, {c.pending} pending"
        if target.mode == "digest":
            line += f", {c.held} for the next digest ({target.digest})"
        if c.failed:
            line += f", {c.failed} given up"
        if c.last_sent:
            line += f"; last sent {c.last_sent.astimezone(SITE_TZ):%Y-%m-%d %H:%M}"
        if c.last_error:
            line += f"; last error: {c.last_error}"
        lines.append(line)
    return lines

"""``topicfeed status``'s delivery part: per target what was sent, what waits, the last error;
as a JSON-ready report (``status --json``'s "delivery") and as lines for people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crawler.config.model import Config
from crawler.store import Store
from crawler.store.docsync import DocSync
from crawler.store.outbox import Outbox, TargetCounts
from crawler.text.dates import SITE_TZ


def delivery_report(config: Config, store: Store) -> dict[str, Any]:
    """Each notify target's counts (times in the site's zone, +08:00) and Feishu sync's, or
    null where that delivery is not configured."""
    counts = Outbox(store.engine).counts() if config.notify else {}
    targets = []
    for target in config.notify:
        c = counts.get(target.name, TargetCounts())
        targets.append({
            "name": target.name, "kind": target.kind, "mode": target.mode,
            "digest": target.digest if target.mode == "digest" else None,
            "sent": c.sent, "pending": c.pending, "held_for_digest": c.held, "given_up": c.failed,
            "last_sent": c.last_sent.astimezone(SITE_TZ).isoformat() if c.last_sent else None,
            "last_error": c.last_error or None,
        })
    feishu = None
    if config.sync_feishu.enabled:
        sync = DocSync(store.engine).counts()
        feishu = {"synced": sync.synced, "failing": sync.failing, "last_error": sync.last_error or None}
    return {"notify": targets, "feishu_sync": feishu}


def status_lines(config: Config, store: Store) -> list[str]:
    return report_lines(delivery_report(config, store))


def report_lines(report: dict[str, Any]) -> list[str]:
    lines = ["notify:"] if report["notify"] else []
    for target in report["notify"]:
        line = f"  {target['name']} ({target['kind']}, {target['mode']}): {target['sent']} sent, " \
               f"{target['pending']} pending"
        if target["digest"]:
            line += f", {target['held_for_digest']} for the next digest ({target['digest']})"
        if target["given_up"]:
            line += f", {target['given_up']} given up"
        if target["last_sent"]:
            line += f"; last sent {datetime.fromisoformat(target['last_sent']):%Y-%m-%d %H:%M}"
        if target["last_error"]:
            line += f"; last error: {target['last_error']}"
        lines.append(line)
    if sync := report["feishu_sync"]:
        line = f"feishu sync: {sync['synced']} documents, {sync['failing']} failing"
        lines.append(line + (f"; last error: {sync['last_error']}" if sync["last_error"] else ""))
    return lines

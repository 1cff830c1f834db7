"""Source-health alarms: one when a source turns unhealthy or keeps failing, one when it recovers.

A source is bad when its last run was ``unhealthy (...)`` (it answered, but what it gave no
longer parses) or its last ``FAILED_RUNS`` runs all failed (one failed run is often the
network). The state lives in the store, so an alarm is sent on the change, not every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from crawler.config.model import Config
from crawler.store.outbox import Outbox

FAILED_RUNS = 3


def health_of(outcomes: Sequence[str]) -> str:
    """``bad``, ``ok`` or ``""`` (no change to make) from the newest-first run outcomes."""
    if not outcomes:
        return ""
    if outcomes[0].startswith("unhealthy") or (
            len(outcomes) >= FAILED_RUNS and all(o.startswith("failed") for o in outcomes[:FAILED_RUNS])):
        return "bad"
    return "ok" if outcomes[0] == "ok" else ""


def check_health(config: Config, outbox: Outbox, sources: Sequence[str], now: datetime) -> int:
    """Queue an alarm for each of ``sources`` whose health changed; returns how many changed."""
    targets = [target.name for target in config.notify if target.health]
    if not targets:
        return 0
    changed = 0
    for source in sources:
        recent = outbox.recent_outcomes(source, FAILED_RUNS)
        state = health_of([outcome for _, outcome in recent])
        if not state:
            continue
        run_id, outcome = recent[0]
        payload = {"source": source, "state": state, "outcome": outcome, "time": now.isoformat()}
        changed += outbox.change_health(source, state, run_id, now, [(name, payload) for name in targets])
    return changed

"""The typed seams between commands, crawls and the scheduler: exit statuses and outcomes.

A run's outcome is a RunOutcome (state and reason), its counts one RunStats with the one
formatter of the "N pages, N new, …" line; the store keeps both (crawler.store.runs).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self


class ExitStatus(enum.IntEnum):
    """What every ``topicfeed`` command exits with (DESIGN §2)."""

    OK = 0
    FAILED = 1  # a source failed (its run record says why)
    USAGE = 2  # bad usage or bad config: one line on stderr
    BUSY = 75  # the source is being crawled by another process (EX_TEMPFAIL)
    INTERRUPTED = 130  # Ctrl-C


class SaveOutcome(enum.Enum):
    """What saving one article did to the store (set on the item by StorePipeline)."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ALIAS = "alias"  # same text already stored under another URL
    NEAR_DUPLICATE = "near_duplicate"  # nearly the same text: joins that article's cluster

    @property
    def is_duplicate(self) -> bool:
        """Counted as a duplicate in the run's stats: nothing new was stored."""
        return self in (SaveOutcome.ALIAS, SaveOutcome.NEAR_DUPLICATE, SaveOutcome.UNCHANGED)


class RunState(enum.Enum):
    RUNNING = "running"  # started, not (yet) finished: a crawl in progress, or one killed
    OK = "ok"
    UNHEALTHY = "unhealthy"  # finished, but the site looks changed under the spider
    FAILED = "failed"
    BUSY = "busy"  # not run: another process holds the source's lock


@dataclass(frozen=True)
class RunOutcome:
    """How one source's run ended; ``str()`` is the text users see, e.g. ``failed (shutdown)``."""

    state: RunState
    reason: str = ""

    @classmethod
    def ok(cls) -> Self:
        return cls(RunState.OK)

    @classmethod
    def failed(cls, reason: str) -> Self:
        return cls(RunState.FAILED, reason)

    @classmethod
    def parse(cls, text: str) -> Self:
        """The outcome as ``str()`` wrote it (the store keeps that text)."""
        head, _, rest = text.partition(" (")
        try:
            state = RunState(head)
        except ValueError:  # not written by this version: keep its words as the reason
            return cls(RunState.FAILED, text)
        return cls(state, rest[:-1] if rest.endswith(")") else rest)

    @property
    def succeeded(self) -> bool:
        return self.state is RunState.OK

    def __str__(self) -> str:
        return f"{self.state.value} ({self.reason})" if self.reason else self.state.value


RUNNING = RunOutcome(RunState.RUNNING)


@dataclass(frozen=True)
class RunStats:
    """A run's counts: the one place the "N pages, N new, …" line is formatted."""

    pages: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    errors: int = 0
    unreachable: tuple[str, ...] = ()  # "host (cause)" of each host given up, e.g. "hb.ifeng.com (DNS)"

    @classmethod
    def from_mapping(cls, stats: Mapping[str, Any]) -> Self:
        """From a run record's stats (which also hold other keys)."""
        counts = {name: int(stats.get(name, 0) or 0) for name in cls.__dataclass_fields__ if name != "unreachable"}
        return cls(**counts, unreachable=tuple(str(host) for host in stats.get("unreachable") or ()))

    def line(self) -> str:
        counts = (f"{self.pages} pages, {self.new} new, {self.updated} updated, "
                  f"{self.duplicates} duplicates, {self.errors} errors")
        return f"{counts}; unreachable: {', '.join(self.unreachable)}" if self.unreachable else counts

"""The typed seams between commands, crawls and the scheduler: exit statuses and run outcomes."""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    """What every ``topicfeed`` command exits with (DESIGN §2)."""

    OK = 0
    FAILED = 1  # a source failed (its run record says why)
    USAGE = 2  # bad usage or bad config: one line on stderr
    BUSY = 75  # the source is being crawled by another process (EX_TEMPFAIL)
    INTERRUPTED = 130  # Ctrl-C

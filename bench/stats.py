"""A stats collector that also writes the crawl's stats to a JSON file (``BENCH_STATS_FILE``).

Set with ``STATS_CLASS=bench.stats.JsonFileStatsCollector`` in both benchmark children, so
the bare spider and the topicfeed crawl are measured the same way. It adds wall-clock
``bench/opened_at`` and ``bench/closed_at`` (time.time()) so the parent can split a child's
life into startup, crawl and what follows the crawl (feeds, teardown), and the crawl
process's own CPU time at both moments (``bench/cpu_at_open``, ``bench/cpu_at_close``;
item worker processes not included), the figure that limits how fast Scrapy's one thread
can go.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.statscollectors import MemoryStatsCollector

if TYPE_CHECKING:
    from scrapy import Spider

STATS_FILE_ENV = "BENCH_STATS_FILE"


class JsonFileStatsCollector(MemoryStatsCollector):
    def open_spider(self, spider: Spider | None = None) -> None:
        self.set_value("bench/opened_at", time.time())
        self.set_value("bench/cpu_at_open", time.process_time())
        super().open_spider(spider)

    def _persist_stats(self, stats: dict[str, Any]) -> None:
        super()._persist_stats(stats)
        stats["bench/closed_at"] = time.time()
        stats["bench/cpu_at_close"] = time.process_time()
        path = os.environ.get(STATS_FILE_ENV)
        if path:
            with Path(path).open("w", encoding="utf-8") as out:
                json.dump(stats, out, default=str, indent=1)

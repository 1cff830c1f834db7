"""What the crawl benchmarks share: the machine, the config, and measured child processes."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scrapy

from bench.site import BenchSite
from bench.stats import STATS_FILE_ENV

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SOURCE = "ifeng-bench"
STATS_CLASS = "bench.stats.JsonFileStatsCollector"


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "topicfeed": source_revision(),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "scrapy": scrapy.__version__,
        "kernel": platform.release(),
    }


def source_revision() -> str:
    """The commit measured: an at-commit.sh export, or the work tree (``-dirty`` if edited)."""
    pinned = REPO / "COMMIT"
    if pinned.is_file():
        return f"{pinned.read_text().strip()} (clean export at {REPO})"
    done = subprocess.run(
        ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return f"{done.stdout.strip() or '?'} (work tree {REPO})"


def print_machine() -> None:
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))


def fast_settings(concurrency: int) -> dict[str, str]:
    """Politeness off, the same for the bare spider and topicfeed."""
    return {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "ROBOTSTXT_OBEY": "False",
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        # topicfeed's default (Scrapy's is 100): tasks started per response, for both
        "CONCURRENT_ITEMS": "16",
        # topicfeed's default: no source re-parse of the callback per response, for both
        "WARN_ON_GENERATOR_RETURN_VALUE": "False",
        "STATS_CLASS": STATS_CLASS,
    }


def write_config(workdir: Path, site: BenchSite, *, images: bool = True) -> Path:
    """A topicfeed config that crawls the whole synthetic site (search off: the site has none);
    ``images``: the archive downloads the matched articles' images."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "topicfeed.toml"
    paging = (
        f"max_column_pages = {site.params.pages_per_column}, page_size = {site.params.page_size}"
    )
    path.write_text(
        textwrap.dedent(f"""\
        [paths]
        data_dir = "data"

        [feeds]
        base_url = "http://127.0.0.1:8080/"
        max_entries = 50

        [archive]
        images = {"true" if images else "false"}

        [[topics]]
        slug = "service-outsourcing"
        title = "服务外包"
        keywords = ["服务外包", "服博会"]

        [[sources]]
        name = "{SOURCE}"
        spider = "ifeng"
        args = {{ regions = ["hb", "hn"], search = false, {paging} }}
        """),
        encoding="utf-8",
    )
    return path


def reset_data(workdir: Path) -> None:
    shutil.rmtree(workdir / "data", ignore_errors=True)


def topicfeed_argv(
    config: Path, mirror: str, settings: Mapping[str, str], extra: Sequence[str] = ()
) -> list[str]:
    """``topicfeed crawl`` as a user runs it (``python -m crawler`` is the same entry point)."""
    argv = [PYTHON, "-m", "crawler", "crawl", "--config", str(config), "--mirror", mirror]
    for key, value in settings.items():
        argv += ["--set", f"{key}={value}"]
    return argv + list(extra)


def bare_argv(mirror: str, settings: Mapping[str, str], files_store: Path | None = None) -> list[str]:
    argv = [PYTHON, "-m", "bench.bare", "--mirror", mirror]
    if files_store is not None:
        argv += ["--files-store", str(files_store)]
    for key, value in settings.items():
        argv += ["--set", f"{key}={value}"]
    return argv


@dataclass
class ChildRun:
    """One measured child process."""

    label: str
    argv: list[str]
    returncode: int
    wall: float  # spawn to exit, seconds
    max_rss_mb: float
    cpu: float  # user + system seconds of the child
    server_cpu: float  # CPU seconds this (parent) process spent meanwhile: the snapshot server
    stdout: str
    stderr: str
    stats: dict[str, Any] = field(default_factory=dict)
    started_at: float = 0.0
    site_pages: int = 0  # the site's HTML/JSONP pages, set once the run is checked
    load: float = 0.0  # 1-minute load average at exit: other work on the machine skews wall times

    @property
    def responses(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def pages(self) -> int:
        """Pages counted for pages/s: the site's pages (images excluded), else every response."""
        return self.site_pages or self.responses

    @property
    def crawl_seconds(self) -> float:
        """Spider open to close (what Scrapy calls elapsed time)."""
        return float(self.stats.get("elapsed_time_seconds", 0.0))

    @property
    def startup_seconds(self) -> float:
        return float(self.stats.get("bench/opened_at", self.started_at)) - self.started_at

    @property
    def after_seconds(self) -> float:
        """Spider closed to process exit: the feed rebuild and teardown."""
        closed = float(self.stats.get("bench/closed_at", self.started_at + self.wall))
        return self.started_at + self.wall - closed

    @property
    def crawl_process_cpu(self) -> float:
        """CPU seconds of the crawl process itself from spider open to close (no workers)."""
        return float(self.stats.get("bench/cpu_at_close", 0.0)) - float(
            self.stats.get("bench/cpu_at_open", 0.0))

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    @property
    def crawl_pages_per_second(self) -> float:
        return self.pages / self.crawl_seconds if self.crawl_seconds else 0.0

    def check(self) -> None:
        if self.returncode != 0:
            raise SystemExit(f"{self.label} exited {self.returncode}:\n{self.stderr[-3000:]}")


def run_child(
    label: str,
    argv: list[str],
    *,
    cwd: Path,
    stats_file: Path,
    env: Mapping[str, str] | None = None,
) -> ChildRun:
    """Run ``argv`` to completion; its own peak RSS and CPU come from wait4(), not RUSAGE_CHILDREN
    (which is the maximum over every child so far)."""
    # PYTHONDONTWRITEBYTECODE (set in some sandboxes) would compile every topicfeed module from
    # source on every run: ~0.1 s of start-up that no installed topicfeed pays.
    child_env = {k: v for k, v in os.environ.items()
                 if k not in ("TOPICFEED_MIRROR", "PYTHONDONTWRITEBYTECODE")}
    child_env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO), child_env.get("PYTHONPATH")])
    )
    child_env[STATS_FILE_ENV] = str(stats_file)
    child_env.update(env or {})
    stats_file.unlink(missing_ok=True)
    out_path, err_path = stats_file.with_suffix(".out"), stats_file.with_suffix(".err")
    cpu_before = time.process_time()
    started = time.time()
    begin = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(argv, cwd=cwd, env=child_env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - begin
    proc.returncode = os.waitstatus_to_exitcode(status)
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    return ChildRun(
        label=label,
        argv=argv,
        returncode=proc.returncode,
        wall=wall,
        max_rss_mb=usage.ru_maxrss / 1024,
        cpu=usage.ru_utime + usage.ru_stime,
        server_cpu=time.process_time() - cpu_before,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
        stats=stats,
        started_at=started,
        load=os.getloadavg()[0],
    )


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2

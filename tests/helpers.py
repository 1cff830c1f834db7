"""Helpers for tests: run topicfeed in a child process, write configs, read its outputs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import yaml
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
# Copies kept in the repository (tests/data/README.md says where they come from): the suite
# reads nothing outside it.
DATA = REPO / "tests" / "data"
ATOM_RNG = DATA / "schema" / "atom.rng"
SEEDS = DATA / "seeds"

# Replaying a local snapshot: politeness off, logs quiet.
FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


# The time at the start of crawl's summary lines (crawler.text.dates.log_stamp).
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4}"


def summary_lines(output: str) -> list[str]:
    """crawl's output lines without the time they start with."""
    return [re.sub(rf"^{STAMP} ", "", line) for line in output.splitlines()]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without its mirror, plus ``env``."""
    return {**{k: v for k, v in os.environ.items() if k != "TOPICFEED_MIRROR"}, **(env or {})}


def run_topicfeed(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """Run ``python -m crawler ARGS`` in a child process (each crawl needs a fresh reactor)."""
    done = subprocess.run([sys.executable, "-m", "crawler", *args], cwd=cwd, env=child_env(env),
                          capture_output=True, text=True, timeout=timeout, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


def run_into_closed_pipe(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> int:
    """Run ``python -m crawler ARGS`` with stdout and stderr into a pipe nobody reads any more,
    as ``topicfeed ARGS 2>&1 | head -0`` would; its exit status."""
    process = subprocess.Popen([sys.executable, "-m", "crawler", *args], cwd=cwd, env=child_env(env),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    process.stdout.close()
    return process.wait(timeout=timeout)


def write_config(folder: Path, body: str) -> Path:
    path = folder / "topicfeed.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path




def store_url(data_dir: Path) -> str:
    """The store a crawl in this test used (PostgreSQL when the suite runs in that mode)."""
    return os.environ.get("TOPICFEED_STORE_URL") or f"sqlite:///{data_dir / 'topicfeed.sqlite3'}"


def read_notes(archive_dir: Path) -> dict[str, tuple[dict[str, Any], str, Path]]:
    """Archive notes keyed by their front-matter url: (front matter, body, path)."""
    notes = {}
    for path in sorted(archive_dir.rglob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        notes[meta["url"]] = (meta, body, path)
    return notes


def check_atom(path: Path) -> feedparser.FeedParserDict:
    """Validate against the RFC 4287 RELAX NG schema and parse with feedparser (no bozo)."""
    schema = etree.RelaxNG(etree.parse(str(ATOM_RNG)))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed

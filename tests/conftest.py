"""Shared fixtures: the sample snapshot, its server, configs in tmp_path, a topicfeed runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.snapshot import SnapshotServer

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ATOM_RNG = SHARED / "schema" / "atom.rng"

# Replaying a local snapshot: politeness off, logs quiet.
FAST = ["--set", "DOWNLOAD_DELAY=0", "--set", "AUTOTHROTTLE_ENABLED=False",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_topicfeed(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """Run ``python -m crawler ARGS`` in a child process (each crawl needs a fresh reactor)."""
    child_env = {k: v for k, v in os.environ.items() if k != "TOPICFEED_MIRROR"}
    child_env.update(env or {})
    done = subprocess.run([sys.executable, "-m", "crawler", *args], cwd=cwd, env=child_env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


def write_config(folder: Path, body: str) -> Path:
    path = folder / "topicfeed.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


IFENG_CONFIG = """
[paths]
data_dir = "data"

[feeds]
base_url = "http://127.0.0.1:8080/"
max_entries = 50

[[topics]]
slug = "service-outsourcing"
title = "服务外包"
keywords = ["服务外包", "服博会"]

[[topics]]
slug = "expo-video"
title = "博览会视频"
keywords = ["博览会"]
require = ["视频"]

[[sources]]
name = "ifeng-hb"
spider = "ifeng"
schedule = "*/30 * * * *"
args = { regions = ["hb", "hn"], search = true }
"""


@pytest.fixture(scope="session")
def sample_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from crawler.samples import build_sample_snapshot

    return build_sample_snapshot(tmp_path_factory.mktemp("snapshot"))


@dataclass
class Workspace:
    """A config folder, a snapshot copy and its server: one user's topicfeed setup."""

    root: Path
    config: Path
    server: SnapshotServer
    recorded_at: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    def crawl(self, *extra: str) -> Run:
        return run_topicfeed("crawl", "--config", str(self.config), "--mirror", self.server.url,
                             "--set", f"TOPICFEED_NOW={self.recorded_at}", *FAST, *extra, cwd=self.root)

    def run(self, *args: str) -> Run:
        return run_topicfeed(*args, "--config", str(self.config), cwd=self.root)


@pytest.fixture
def ifeng_workspace(tmp_path: Path, sample_snapshot: Path) -> Iterator[Workspace]:
    import shutil

    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample_snapshot, snapshot)
    config = write_config(tmp_path, IFENG_CONFIG)
    recorded_at = json.loads((snapshot / "index.json").read_text(encoding="utf-8"))["recorded_at"]
    with SnapshotServer(snapshot) as server:
        yield Workspace(tmp_path, config, server, recorded_at)

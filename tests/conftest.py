"""Shared fixtures: the sample snapshot, its server, configs in tmp_path, a topicfeed runner."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from hypothesis import settings

from crawler.config import parse_config
from crawler.snapshot.server import SnapshotServer
from spiders.web import WebSpider
from tests.components import close_crawl, component_crawler, open_crawl
from tests.configs import config_text, cross_source_config, ifeng_config, paths, qutoutiao_config, topic, web_source
from tests.helpers import FAST, Run, run_topicfeed, write_config
from tests.sites import Sample, build_sample
from tests.sites.qutoutiao import rotate_list_keys
from tests.sites.web import RECORDED_AT as WEB_RECORDED_AT

# No wall-clock limit per example (Hypothesis's default is 200 ms): on a loaded machine a
# property test failed for being slow, not wrong.
settings.register_profile("topicfeed", deadline=None)
settings.load_profile("topicfeed")

# TOPICFEED_TEST_STORE=postgres runs the suite with every crawl's store on PostgreSQL
# (TOPICFEED_TEST_POSTGRES_URL), one fresh schema per test.
POSTGRES_MODE = os.environ.get("TOPICFEED_TEST_STORE") == "postgres"


@pytest.fixture(autouse=True)
def postgres_store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if not POSTGRES_MODE:
        yield
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("this test depends on the SQLite store file in the data dir")
    base = os.environ.get("TOPICFEED_TEST_POSTGRES_URL")
    if not base:
        pytest.fail("TOPICFEED_TEST_STORE=postgres needs TOPICFEED_TEST_POSTGRES_URL")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    engine = sqlalchemy.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    monkeypatch.setenv("TOPICFEED_STORE_URL", f"{base}?options=-csearch_path%3D{schema}")
    yield
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(tmp_path_factory.mktemp("snapshot"))


@dataclass
class Workspace:
    """A config folder, a snapshot copy and its server: one user's topicfeed setup."""

    root: Path
    config: Path
    server: SnapshotServer
    recorded_at: str
    snapshot: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    def crawl(self, *extra: str) -> Run:
        return run_topicfeed("crawl", "--config", str(self.config), "--mirror", self.server.url,
                             "--set", f"TOPICFEED_NOW={self.recorded_at}", *FAST, *extra, cwd=self.root)

    def run(self, *args: str) -> Run:
        return run_topicfeed(*args, "--config", str(self.config), cwd=self.root)


@pytest.fixture
def ifeng_workspace(tmp_path: Path, sample: Sample) -> Iterator[Workspace]:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample.root, snapshot)
    config = write_config(tmp_path, ifeng_config())
    with SnapshotServer(snapshot) as server:
        yield Workspace(tmp_path, config, server, sample.recorded_at.isoformat(), snapshot)


def _workspace(tmp_path: Path, sample: Sample, config_text: str) -> Iterator[Workspace]:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample.root, snapshot)
    config = write_config(tmp_path, config_text)
    # The list API hands out a fresh per-request key in every article URL, as the real one does.
    with SnapshotServer(snapshot, transform=rotate_list_keys) as server:
        yield Workspace(tmp_path, config, server, sample.recorded_at.isoformat(), snapshot)


@pytest.fixture
def qutoutiao_workspace(tmp_path: Path, sample: Sample) -> Iterator[Workspace]:
    yield from _workspace(tmp_path, sample, qutoutiao_config())


@pytest.fixture
def cross_source_workspace(tmp_path: Path, sample: Sample) -> Iterator[Workspace]:
    yield from _workspace(tmp_path, sample, cross_source_config())


@pytest.fixture
def make_web_spider(tmp_path: Path):
    """``make(**args)``: an opened WebSpider of a ``web`` source with these args (closed after the test)."""
    made = []

    def make(**args: Any) -> WebSpider:
        text = config_text(paths(), topic(), web_source(**args))
        config = parse_config(text, file=None, base_dir=tmp_path, known_spiders=["web"])
        crawler = component_crawler(config, WebSpider, TOPICFEED_NOW=WEB_RECORDED_AT.isoformat())
        made.append(crawler)
        open_crawl(crawler)
        return crawler.spider

    yield make
    for crawler in made:
        close_crawl(crawler)

"""The version is written once (crawler.__version__); the package, User-Agent and feeds read it."""

from __future__ import annotations

import importlib.metadata
import tomllib

from crawler import USER_AGENT, __version__
from crawler.config.model import CrawlConfig
from crawler.settings import USER_AGENT as SETTINGS_USER_AGENT
from tests.helpers import REPO


def test_the_version_has_one_source():
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert importlib.metadata.version("topicfeed") == __version__
    assert USER_AGENT == SETTINGS_USER_AGENT == CrawlConfig().user_agent
    assert USER_AGENT.startswith(f"topicfeed/{'.'.join(__version__.split('.')[:2])} (")

"""``topicfeed demo`` explains itself: the broken pages before their warnings, the errors, the next commands."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.cli import build_parser, subcommand_parsers
from tests.helpers import Run, read_notes, run_topicfeed
from tests.sites import WEB_REMOVED, Sample

BROKEN_NOTE = re.compile(r"^the sample holds (\d+) deliberately broken pages; the warnings about them are expected:$")
JARGON = ("mirror convention", "snapshot index", "snapshot server")


@dataclass(frozen=True)
class Demo:
    root: Path
    run: Run

    @property
    def lines(self) -> list[str]:
        return self.run.stdout.splitlines()

    def broken_listed(self) -> tuple[int, list[str]]:
        """The count the note gives, and the URLs listed under it."""
        start = next(n for n, line in enumerate(self.lines) if BROKEN_NOTE.match(line))
        urls = []
        for line in self.lines[start + 1:]:
            if not line.strip():
                break
            if line.startswith("    "):
                urls.append(line.strip())
        return int(BROKEN_NOTE.match(self.lines[start])[1]), urls

    def commands(self) -> list[list[str]]:
        """The printed ``topicfeed …`` command lines (the program by name or by path), split."""
        lines = [shlex.split(line) for line in self.lines if line.startswith("  ") and "topicfeed " in line]
        return [argv for argv in lines if Path(argv[0]).name == "topicfeed"]

    def suggested(self, command: str) -> list[str]:
        """The printed command line for ``topicfeed COMMAND``, as arguments after ``topicfeed``."""
        return next(argv[1:] for argv in self.commands() if argv[1] == command)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("demo")
    run = run_topicfeed("demo", "--no-serve", cwd=root)
    assert run.returncode == 0, run.stdout + run.stderr
    return Demo(root, run)


def test_the_broken_pages_are_announced_before_the_warnings_about_them(demo, sample: Sample):
    count, listed = demo.broken_listed()
    assert count == len(listed) == len(set(listed))
    assert {sample.ifeng.docs["broken"].url, sample.qutoutiao.docs[sample.qutoutiao.deleted].url,
            *WEB_REMOVED} <= set(listed)
    note = next(n for n, line in enumerate(demo.lines) if BROKEN_NOTE.match(line))
    crawling = next(n for n, line in enumerate(demo.lines) if line.startswith("crawling:"))
    assert note < crawling
    warnings = [line for line in demo.run.stderr.splitlines() if " WARNING: " in line or " ERROR: " in line]
    assert warnings, "the sample's broken pages should draw warnings"
    for line in warnings:
        assert any(url in line for url in listed), f"a warning the demo does not explain: {line}"


def test_every_error_in_the_summary_is_a_listed_broken_page(demo, monkeypatch):
    # the demo ran once for the module, on its own SQLite store: its commands read that one,
    # not the PostgreSQL schema TOPICFEED_TEST_STORE=postgres gives each test
    monkeypatch.delenv("TOPICFEED_STORE_URL", raising=False)
    _, listed = demo.broken_listed()
    assert any(line.startswith('"errors" counts the pages of a source that failed') for line in demo.lines)
    status = run_topicfeed(*demo.suggested("status"), cwd=demo.root)
    assert status.returncode == 0, status.stderr
    failed = [line.strip().removeprefix("! ") for line in status.stdout.splitlines() if line.strip().startswith("!")]
    assert len(failed) == sum(int(n) for n in re.findall(r"(\d+) errors?\b", demo.run.stdout)) > 0
    for line in failed:
        assert line.split(": ", 1)[0] in listed, f"an error the demo does not explain: {line}"


def test_it_crawls_every_source_of_its_config_including_a_web_source(demo):
    config = demo.root / "topicfeed-demo" / "topicfeed.toml"
    assert 'spider = "web"' in config.read_text(encoding="utf-8")
    notes = read_notes(demo.root / "topicfeed-demo" / "archive")
    assert {meta["source"] for meta, _, _ in notes.values()} == {"ifeng-hb", "qutoutiao", "news-sites"}
    web_notes = [meta for meta, _, _ in notes.values() if meta["source"] == "news-sites"]
    assert {meta["site_name"] for meta in web_notes} == {"人民网", "中新网"}  # the two 服务外包 articles


def test_it_ends_with_working_command_lines_for_the_demos_data(demo, monkeypatch):
    monkeypatch.delenv("TOPICFEED_STORE_URL", raising=False)  # the demo's own SQLite store, as above
    commands = subcommand_parsers(build_parser())
    suggested = [argv[1] for argv in demo.commands()]
    ours = Path(sys.executable).with_name("topicfeed").absolute()
    for argv in demo.commands():  # this environment's topicfeed, by name where PATH finds it, else by path
        assert Path(shutil.which(argv[0], path=os.environ.get("PATH")) or argv[0]).absolute() == ours, argv[0]
    assert {"status", "feeds", "serve", "schedule", "crawl"} <= set(suggested)
    assert {"explain", "check"} & commands.keys() <= set(suggested)  # named once this version has them
    assert set(suggested) <= commands.keys()
    for command in suggested:
        assert "--config topicfeed-demo/topicfeed.toml" in " ".join(demo.suggested(command))
    crawl = demo.suggested("crawl")
    assert "--mirror" in crawl and any(arg.startswith("TOPICFEED_NOW=") for arg in crawl)
    rebuilt = run_topicfeed(*demo.suggested("feeds"), cwd=demo.root)
    assert rebuilt.returncode == 0 and "0 file(s) changed" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr
    if "explain" in commands:
        explained = run_topicfeed(*demo.suggested("explain"), cwd=demo.root)
        assert explained.returncode == 0 and "service-outsourcing" in explained.stdout, explained.stdout


def test_it_prints_no_jargon(demo):
    printed = demo.run.stdout.lower()
    for word in JARGON:
        assert word not in printed


def test_a_topicfeed_toml_in_the_current_folder_is_the_demos_config(tmp_path, monkeypatch):
    """DESIGN §2: every command's --config defaults to ./topicfeed.toml when it exists, demo included."""
    from crawler.commands.demo import demo_setup
    from tests.configs import config_text, ifeng_hb_source, paths, topic

    (tmp_path / "topicfeed.toml").write_text(
        config_text(paths(), topic("my-topic", "我的专题", ["服博会"]), ifeng_hb_source()), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    setup = demo_setup(None, None)
    assert [t.slug for t in setup.config.topics] == ["my-topic"]
    assert [s.name for s in setup.config.sources] == ["ifeng-hb"]
    assert not (tmp_path / "topicfeed-demo" / "topicfeed.toml").exists(), "the user's config is not overwritten"

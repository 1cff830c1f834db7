"""`topicfeed status` says what it read and when each source runs next; read-only commands never make
a store; output piped into `head` ends quietly; serve and crawl say when their setup looks wrong."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from crawler.cli import main
from crawler.commands.crawl import AgeCounts, CrawlReport, SourceResult
from crawler.commands.serve import base_url_mismatch
from crawler.commands.status import status_report
from crawler.config import load_config
from crawler.outcomes import RunOutcome, RunStats
from crawler.store import Store
from tests.configs import ifeng_config
from tests.helpers import FAST, run_topicfeed, write_config

STARTED = datetime(2025, 7, 26, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai


@pytest.fixture
def crawled_once(tmp_path):
    """A config (ifeng-hb every 30 minutes) and a store holding one finished run of it."""
    config_file = write_config(tmp_path, ifeng_config())
    config = load_config(config_file)
    store = Store.open(config.store_url)
    run_id = store.start_run("ifeng-hb", STARTED)
    store.finish_run(run_id, STARTED.replace(minute=3), RunOutcome.ok(), {"pages": 12, "new": 3},
                     ["https://hb.ifeng.com/c/x: HTTP 500"])
    store.close()
    return config_file


def status(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["status", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_status_names_what_it_read_with_zones_and_next_runs(capsys, crawled_once, tmp_path):
    code, out, _ = status(capsys, "--config", str(crawled_once))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"config: {crawled_once}; data: {tmp_path / 'data'}; store: ")
    at = next(n for n, line in enumerate(lines) if line.startswith("  ifeng-hb: "))
    assert lines[at].startswith("  ifeng-hb: 2025-07-26 10:00 +08:00 ok; 12 pages, 3 new, 0 updated")
    assert re.fullmatch(r"    next run \d{4}-\d\d-\d\d \d\d:[03]0 \+08:00 \(\*/30 \* \* \* \*\)", lines[at + 1])
    assert "    ! https://hb.ifeng.com/c/x: HTTP 500" in lines
    assert "  service-outsourcing (服务外包): 0 articles, newest -" in lines


def test_status_json_is_one_stable_object(capsys, crawled_once, tmp_path):
    code, out, _ = status(capsys, "--config", str(crawled_once), "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"config", "packaged_default", "data_dir", "store", "timezone", "sources", "topics",
                           "delivery"}
    assert report["delivery"] == {"notify": [], "feishu_sync": None}  # this config delivers nothing
    assert report["config"] == str(crawled_once) and report["packaged_default"] is False
    assert report["data_dir"] == str(tmp_path / "data") and report["timezone"] == "Asia/Shanghai"
    source = report["sources"][0]
    assert set(source) == {"name", "spider", "enabled", "schedule", "next_run", "last_run"}
    assert source["last_run"]["started"] == "2025-07-26T10:00:00+08:00"
    assert source["last_run"]["outcome"] == "ok" and source["last_run"]["new"] == 3
    assert source["last_run"]["error_lines"] == ["https://hb.ifeng.com/c/x: HTTP 500"]
    assert report["topics"][0]["articles"] == 0 and report["topics"][0]["feed"].endswith("service-outsourcing.atom")


def test_next_run_follows_the_cron_schedule_in_its_timezone(crawled_once):
    config = load_config(crawled_once)
    store = Store.open(config.store_url)
    try:
        report = status_report(config, store, now=datetime(2025, 7, 26, 2, 7, tzinfo=UTC))
    finally:
        store.close()
    assert report["sources"][0]["next_run"] == "2025-07-26T10:30:00+08:00"


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", ["status", "feeds"])
def test_read_only_commands_elsewhere_say_where_they_looked_and_create_nothing(tmp_path, capsys, monkeypatch,
                                                                              command):
    monkeypatch.chdir(tmp_path)
    assert main([command]) == 2
    out, err = capsys.readouterr()
    assert not out
    line = err.strip()
    assert len(line.splitlines()) == 1
    assert f"no store at {tmp_path / 'data' / 'topicfeed.sqlite3'}" in line
    assert "packaged default config" in line and "--config FILE" in line
    assert not (tmp_path / "data").exists()


def test_status_into_head_ends_quietly(crawled_once, tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "crawler", "status", "--config", str(crawled_once)],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first line, as `| head -0` would be
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert "Broken pipe" not in err and "Traceback" not in err and not err


def test_a_write_to_a_closed_pipe_is_not_an_error(crawled_once, capsys, monkeypatch):
    class GoneReader:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", GoneReader())
    assert main(["status", "--config", str(crawled_once)]) == 0
    assert capsys.readouterr().err == ""


# --- serve: links that point elsewhere ---------------------------------------------------------


def test_serve_elsewhere_than_base_url_warns_once(tmp_path):
    config = write_config(tmp_path, ifeng_config())  # base_url http://127.0.0.1:8080/
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--config", str(config), "--port", "0"],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)
    rest = process.stderr.read()
    assert first.startswith("warning: the OPML and feed links point at [feeds] base_url = http://127.0.0.1:8080/, "
                            "not at this server (127.0.0.1:")
    assert f"set base_url in {config}" in first
    assert "warning:" not in rest


@pytest.mark.parametrize(("base_url", "host", "port", "warned"), [
    ("http://127.0.0.1:8080/", "127.0.0.1", 8080, False),
    ("http://localhost:8080/", "0.0.0.0", 8080, False),
    ("http://127.0.0.1:8080/", "127.0.0.1", 9000, True),
    ("https://feeds.example.org/", "127.0.0.1", 8080, False),  # behind a reverse proxy
    ("http://feeds.example.org/", "0.0.0.0", 8080, True),
    ("http://feeds.example.org:8080/", "0.0.0.0", 8080, False),
])
def test_base_url_mismatch(tmp_path, base_url, host, port, warned):
    config = load_config(write_config(tmp_path, ifeng_config(base_url=base_url)))
    assert bool(base_url_mismatch(config, host, port)) is warned


# --- crawl: a replay where everything is too old -------------------------------------------------


def test_a_replay_with_the_wrong_clock_says_everything_was_too_old(ifeng_workspace):
    ws = ifeng_workspace
    run = run_topicfeed("crawl", "--config", str(ws.config), "--mirror", ws.server.url,
                        "--set", "TOPICFEED_NOW=2025-12-01T10:00:00+08:00", *FAST, cwd=ws.root)
    assert run.returncode == 0, run.stderr
    hint = next(line for line in run.stderr.splitlines() if line.startswith("hint: "))
    assert "every article this crawl saw was older than max_age_days" in hint
    assert "the newest published 2025-07-25 16:20 +08:00" in hint
    assert hint.endswith("--set TOPICFEED_NOW=2025-07-25T17:00:00+08:00")


def test_no_hint_when_some_article_was_young():
    results = (SourceResult("ifeng-hb", RunOutcome.ok(), RunStats()),)
    assert CrawlReport(results, (), AgeCounts(too_old=5, others=1)).hints() == []
    assert CrawlReport(results, (), AgeCounts()).hints() == []
    assert CrawlReport(results, (), AgeCounts(too_old=5)).hints()

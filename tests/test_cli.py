"""The command line as a user meets it: one-line errors, exit codes, progress, status."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest

from tests.helpers import STAMP, run_topicfeed, write_config

GOOD_TOPIC = '[[topics]]\nslug = "so"\ntitle = "服务外包"\nkeywords = ["服务外包"]\n'
GOOD_SOURCE = '[[sources]]\nname = "ifeng-hb"\nspider = "ifeng"\nschedule = "*/30 * * * *"\n'

BAD_CONFIGS = {
    "toml syntax": ('[paths\ndata_dir = "data"\n' + GOOD_TOPIC + GOOD_SOURCE, "line 1"),
    "unknown spider": (GOOD_TOPIC + GOOD_SOURCE.replace('"ifeng"', '"ifneg"'), "did you mean 'ifeng'"),
    "duplicate slug": (GOOD_TOPIC * 2 + GOOD_SOURCE, "topics[1].slug"),
    "duplicate source": (GOOD_TOPIC + GOOD_SOURCE * 2, "sources[1].name"),
    "bad slug": (GOOD_TOPIC.replace('"so"', '"服务 Outsourcing"') + GOOD_SOURCE, "topics[0].slug"),
    "empty keywords": (GOOD_TOPIC.replace('["服务外包"]', "[]") + GOOD_SOURCE, "topics[0].keywords"),
    "bad crontab": (GOOD_TOPIC + GOOD_SOURCE.replace("*/30 * * * *", "every hour"), "sources[0].schedule"),
    "unknown key": (GOOD_TOPIC + GOOD_SOURCE.replace("schedule", "shedule"), "did you mean 'schedule'"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_one_line_exit_2(tmp_path, case):
    body, expected = BAD_CONFIGS[case]
    config = write_config(tmp_path, body)
    run = run_topicfeed("crawl", "--config", str(config), cwd=tmp_path)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert str(config) in lines[0] and expected in lines[0]
    assert "Traceback" not in run.stderr


def test_missing_config_file(tmp_path):
    run = run_topicfeed("status", "--config", str(tmp_path / "nope.toml"), cwd=tmp_path)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "nope.toml" in run.stderr and "--config" in run.stderr


def test_bad_set_option(tmp_path):
    config = write_config(tmp_path, GOOD_TOPIC + GOOD_SOURCE)
    run = run_topicfeed("crawl", "--config", str(config), "--set", "NOEQUALS", cwd=tmp_path)
    assert run.returncode == 2 and "KEY=VALUE" in run.stderr


def test_crawl_records_run_and_status_shows_it(ifeng_workspace):
    before = ifeng_workspace.run("status")
    if "TOPICFEED_STORE_URL" not in os.environ:  # a store file in the data dir (not a PostgreSQL server's)
        assert before.returncode == 2
        assert "no store at " in before.stderr and "run topicfeed crawl first" in before.stderr
    run = ifeng_workspace.crawl()
    assert run.returncode == 0, run.stderr
    assert "ifeng-hb: ok;" in run.stdout and "8 new" in run.stdout
    status = ifeng_workspace.run("status")
    assert status.returncode == 0
    assert "ifeng-hb:" in status.stdout and " ok; " in status.stdout and "8 new" in status.stdout
    assert "service-outsourcing (服务外包): 8 articles" in status.stdout


def test_feeds_command_rebuilds_deleted_feed(ifeng_workspace):
    assert ifeng_workspace.crawl().returncode == 0
    atom = ifeng_workspace.data / "feeds" / "service-outsourcing.atom"
    original = atom.read_bytes()
    atom.unlink()
    run = ifeng_workspace.run("feeds")
    assert run.returncode == 0 and atom.read_bytes() == original


def test_progress_line_on_a_terminal(ifeng_workspace):
    primary, secondary = pty.openpty()
    ws = ifeng_workspace
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", "--config", str(ws.config), "--mirror", ws.server.url,
         "--set", f"TOPICFEED_NOW={ws.recorded_at}", "--set", "DOWNLOAD_DELAY=0.02",
         "--set", "AUTOTHROTTLE_ENABLED=False"],
        cwd=ws.root, stdout=subprocess.DEVNULL, stderr=secondary, env={**os.environ})
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=60) == 0
    text = output.decode("utf-8", "replace")
    assert "\r\x1b[Kifeng-hb: " in text and " pages, " in text and " errors" in text
    # the sample's broken article page is logged while the line is shown: never onto it
    segments = re.split(r"\r\x1b\[K|\r?\n", text)
    warnings = [segment for segment in segments if " WARNING: " in segment]
    assert warnings and all(re.match(STAMP, segment) for segment in warnings), warnings


def test_scrapy_crawl_from_a_project_folder(ifeng_workspace):
    """`scrapy crawl ifeng` works too: scrapy.cfg → crawler.settings, ./topicfeed.toml as config."""
    import shutil
    from pathlib import Path

    ws = ifeng_workspace
    shutil.copy(Path(__file__).resolve().parents[1] / "scrapy.cfg", ws.root / "scrapy.cfg")
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "ifeng", "-a", "regions=hb",
         "-s", f"TOPICFEED_MIRROR={ws.server.url}", "-s", f"TOPICFEED_NOW={ws.recorded_at}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"],
        cwd=ws.root, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    notes = list((ws.data / "archive" / "ifeng-hb").rglob("*.md"))
    assert notes and all("hn.ifeng.com" not in n.read_text(encoding="utf-8").split("---")[1] for n in notes)

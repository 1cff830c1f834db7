"""Delivery around real crawls of the sample snapshot: once per story, across crawls and a kill."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from crawler.store import Store
from tests.configs import config_text, notify, qutoutiao_config, table
from tests.delivery_fakes import Answer, ServiceServer
from tests.feishu_fake import FeishuOpenApi
from tests.helpers import FAST, check_atom, read_notes, run_topicfeed, store_url, write_config
from tests.sites.qutoutiao import rotate_list_keys

HOOK = "https://hooks.example.org/topicfeed"
HOST = "hooks.example.org"


@pytest.fixture
def workspace(tmp_path, sample):
    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample.root, snapshot)
    with ServiceServer(snapshot, transform=rotate_list_keys) as server:
        yield tmp_path, server, sample.recorded_at.isoformat()


def setup(tmp_path, *targets):
    return write_config(tmp_path, config_text(qutoutiao_config(), *targets))


def crawl_args(config, server, now):
    return ["crawl", "--config", str(config), "--mirror", server.url, "--set", f"TOPICFEED_NOW={now}", *FAST]


def matched_urls(tmp_path) -> set[str]:
    store = Store.open(store_url(tmp_path / "data"))
    try:
        return {a.url for a in store.all_articles() if a.topics}
    finally:
        store.close()


def delivered(server) -> Counter[str]:
    return Counter(p.json["story"]["url"] for p in server.to(HOST) if p.json["type"] == "story")


def test_each_story_is_sent_once_across_two_crawls(workspace):
    tmp_path, server, now = workspace
    config = setup(tmp_path, notify("hook", "webhook", url=HOOK))
    first = run_topicfeed(*crawl_args(config, server, now), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    stories = matched_urls(tmp_path)
    assert len(stories) >= 3
    assert delivered(server) == Counter(stories)
    second = run_topicfeed(*crawl_args(config, server, now), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert delivered(server) == Counter(stories), "the second crawl sends nothing again"
    status = run_topicfeed("status", "--config", str(config), cwd=tmp_path)
    assert f"  hook (webhook, instant): {len(stories)} sent, 0 pending" in status.stdout


def test_a_dead_target_never_fails_the_crawl_and_status_says_why(workspace):
    tmp_path, server, now = workspace
    config = setup(tmp_path, notify("hook", "webhook", url=HOOK, timeout=1))
    server.plan(HOST, Answer(status=500, body={"error": "down"}))
    run = run_topicfeed(*crawl_args(config, server, now), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "qutoutiao: ok" in run.stdout
    assert len(server.to(HOST, answered=False)) == 1, "one try per run for a failing target"
    status = run_topicfeed("status", "--config", str(config), cwd=tmp_path).stdout
    assert f"0 sent, {len(matched_urls(tmp_path))} pending" in status and "last error: HTTP 500" in status


def test_a_kill_while_sending_loses_no_message(workspace):
    tmp_path, server, now = workspace
    config = setup(tmp_path, notify("hook", "webhook", url=HOOK, timeout=30))
    server.plan(HOST, Answer(hang=20.0, times=1))  # the crawl sits in delivery, then is killed
    env = {k: v for k, v in os.environ.items() if k != "TOPICFEED_MIRROR"}
    child = subprocess.Popen([sys.executable, "-m", "crawler", *crawl_args(config, server, now)], cwd=tmp_path,
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not server.to(HOST, answered=False) and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert server.to(HOST, answered=False), "the crawl reached delivery"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert delivered(server) == Counter()
    run = run_topicfeed("notify", "--config", str(config), "--mirror", server.url, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert delivered(server) == Counter(matched_urls(tmp_path)), "every story once, none lost"


@pytest.mark.parametrize("works", [True, False], ids=["endpoint-ok", "endpoint-down"])
def test_a_crawl_with_an_llm_summary_or_without_one(workspace, works):
    tmp_path, server, now = workspace
    # a generous timeout: the first slow call ends the run's calls, and a loaded CI machine can be slow
    summary = table("summary", llm_url="http://llm.example.org:11434", model="qwen2.5:7b", timeout=30)
    config = setup(tmp_path, summary, notify("hook", "webhook", url=HOOK))
    content = "### 归档笔记：测试\n\n#### 核心内容\n1. **要点**"
    answer = {"choices": [{"message": {"role": "assistant", "content": content}}]}
    server.plan("llm.example.org:11434", Answer(body=answer) if works else Answer(status=503))
    run = run_topicfeed(*crawl_args(config, server, now), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    notes = read_notes(tmp_path / "data" / "archive")
    stories = matched_urls(tmp_path)
    assert set(notes) == stories
    with_ai = {url for url, (_, body, _) in notes.items() if "## AI总结\n\n### 归档笔记：测试" in body}
    assert with_ai == (stories if works else set())
    feed = check_atom(tmp_path / "data" / "feeds" / "service-outsourcing.atom")
    summaries = {entry.summary for entry in feed.entries}
    messages = {p.json["story"]["summary"] for p in server.to(HOST)}
    if works:
        assert summaries == messages == {"归档笔记：测试 核心内容 1. 要点"}
    else:
        assert "归档笔记：测试 核心内容 1. 要点" not in summaries | messages and len(delivered(server)) == len(stories)


def test_a_crawl_syncs_each_archived_note_to_one_feishu_document(tmp_path, sample):
    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample.root, snapshot)
    api = FeishuOpenApi()
    sync = table("sync.feishu", app_id="cli_fake0001", app_secret="env:FEISHU_APP_SECRET", folder_token="fldcnFake")
    config = setup(tmp_path, sync)
    env = {"FEISHU_APP_SECRET": "fake-app-secret-0042"}
    with ServiceServer(snapshot, transform=rotate_list_keys, feishu=api) as server:
        now = sample.recorded_at.isoformat()
        for _ in range(2):
            run = run_topicfeed(*crawl_args(config, server, now), cwd=tmp_path, env=env)
            assert run.returncode == 0, run.stderr
    titles = sorted(doc.title for doc in api.documents.values())
    notes = read_notes(tmp_path / "data" / "archive")
    assert titles == sorted(meta["title"] for meta, _, _ in notes.values()), "one document per note, once"
    status = run_topicfeed("status", "--config", str(config), cwd=tmp_path).stdout
    assert f"feishu sync: {len(notes)} documents, 0 failing" in status

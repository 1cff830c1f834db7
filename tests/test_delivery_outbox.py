"""The outbox: each story once per target, digests, retries with backoff, bounds, health alarms."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crawler.cli import main
from crawler.config import load_config
from crawler.delivery.dispatch import deliver, deliver_digest
from crawler.delivery.status import status_lines
from crawler.runtime import MIRROR_ENV
from crawler.store import SaveOutcome, Store
from crawler.store.schema import outbox_stories
from tests.configs import notify
from tests.delivery_fakes import Answer, ServiceServer
from tests.delivery_setup import (
    NEAR_TEXT,
    OTHER_TEXT,
    STORY_TEXT,
    T0,
    article,
    delivery_config,
    delivery_config_text,
    empty_snapshot,
    save,
)
from tests.helpers import write_config

HOOK = "https://hooks.example.org/topicfeed"
HOST = "hooks.example.org"
WECOM_HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-wecom-key-42"
STORY_URL = "https://html2.qktoutiao.com/detail/2026/12/01/1001.html"
NEAR_URL = "https://hb.ifeng.com/c/8near0001"
THIRD_TEXT = "为期四天的服博会今日闭幕，组委会统计累计入场观众超过十二万人次，线上直播观看量突破三千万。"
OTHER_URL = "https://html2.qktoutiao.com/detail/2026/12/01/1002.html"


@pytest.fixture
def services(tmp_path, monkeypatch):
    with ServiceServer(empty_snapshot(tmp_path / "snapshot")) as server:
        monkeypatch.setenv(MIRROR_ENV, server.url)
        yield server


@pytest.fixture
def store(tmp_path):
    opened = Store.open(f"sqlite:///{tmp_path}/store.sqlite3")
    yield opened
    opened.close()


def story_ids(posts):
    return [p.json["story"]["url"] for p in posts]


def test_a_new_story_is_queued_in_the_transaction_that_stores_it(tmp_path, store):
    assert save(store, article(STORY_URL, STORY_TEXT)) is SaveOutcome.NEW
    assert save(store, article(NEAR_URL, NEAR_TEXT)) is SaveOutcome.NEAR_DUPLICATE
    assert save(store, article(OTHER_URL, OTHER_TEXT, topics={})) is SaveOutcome.NEW  # matches no topic
    with store.engine.connect() as conn:
        queued = list(conn.execute(sa.select(outbox_stories.c.article_id)).scalars())
    assert queued == [store.get_by_url(STORY_URL).id]


def test_each_story_is_sent_once_and_a_near_duplicate_is_no_new_message(tmp_path, services, store):
    config = delivery_config(tmp_path, notify("hook", "webhook", url=HOOK))
    save(store, article(STORY_URL, STORY_TEXT))
    assert deliver(config, store, now=T0).sent == 1
    save(store, article(NEAR_URL, NEAR_TEXT, outlet="凤凰网湖北"))  # joins the story already sent
    assert deliver(config, store, now=T0 + timedelta(minutes=5)).sent == 0
    save(store, article(OTHER_URL, OTHER_TEXT, title="湖北服务外包执行额增长"))
    assert deliver(config, store, now=T0 + timedelta(minutes=10)).sent == 1
    assert deliver(config, store, now=T0 + timedelta(minutes=15)).sent == 0
    assert story_ids(services.to(HOST)) == [STORY_URL, OTHER_URL]


def test_topics_filter_the_stories_a_target_gets(tmp_path, services, store):
    config = delivery_config(tmp_path, notify("hubei", "webhook", url=HOOK, topics=["hubei"]))
    save(store, article(STORY_URL, STORY_TEXT))
    save(store, article(OTHER_URL, OTHER_TEXT, topics={"hubei": ["湖北"]}))
    deliver(config, store, now=T0)
    assert story_ids(services.to(HOST)) == [OTHER_URL]


def test_a_digest_lists_each_story_since_the_last_digest_once(tmp_path, services, store):
    config = delivery_config(tmp_path, notify("daily", "webhook", url=HOOK, mode="digest", digest="0 9 * * *"))
    save(store, article(STORY_URL, STORY_TEXT))
    deliver(config, store, now=T0)  # after a crawl: nothing is sent to a digest target
    save(store, article(NEAR_URL, NEAR_TEXT, outlet="凤凰网湖北"))
    save(store, article(OTHER_URL, OTHER_TEXT, title="湖北服务外包执行额增长"))
    deliver(config, store, now=T0 + timedelta(minutes=30))
    assert services.to(HOST) == []
    assert "0 sent, 0 pending, 2 for the next digest" in status_lines(config, store)[1]

    assert deliver_digest(config, store, "daily", now=T0 + timedelta(hours=1)).sent == 1
    [digest] = services.to(HOST)
    assert digest.json["type"] == "digest"
    stories = digest.json["stories"]
    assert [s["url"] for s in stories] == [STORY_URL, OTHER_URL]
    assert stories[0]["also_reported_by"] == [{"outlet": "凤凰网湖北", "url": NEAR_URL}]
    assert "同时报道：凤凰网湖北" in digest.json["text"]

    assert deliver_digest(config, store, "daily", now=T0 + timedelta(days=1)).sent == 0  # nothing new: no message
    save(store, article("https://html2.qktoutiao.com/detail/2026/12/02/1003.html", THIRD_TEXT, title="服博会闭幕"))
    deliver_digest(config, store, "daily", now=T0 + timedelta(days=2))
    assert [len(p.json["stories"]) for p in services.to(HOST)] == [2, 1]


def test_a_failing_target_is_retried_with_backoff_then_given_up(tmp_path, services, store):
    config = delivery_config(tmp_path, notify("hook", "webhook", url=HOOK, attempts=3, backoff_seconds=60))
    services.plan(HOST, Answer(status=500, body={"error": "服务暂时不可用"}))
    save(store, article(STORY_URL, STORY_TEXT))
    assert deliver(config, store, now=T0).failed == 1
    line = status_lines(config, store)[1]
    assert "0 sent, 1 pending" in line and "last error: HTTP 500" in line
    assert deliver(config, store, now=T0 + timedelta(seconds=30)).failed == 0  # backing off: not tried
    assert len(services.to(HOST, answered=False)) == 1
    assert deliver(config, store, now=T0 + timedelta(seconds=61)).failed == 1  # second attempt
    assert deliver(config, store, now=T0 + timedelta(seconds=61 + 119)).failed == 0  # 120 s after it
    assert deliver(config, store, now=T0 + timedelta(seconds=61 + 121)).failed == 1  # third: given up
    assert deliver(config, store, now=T0 + timedelta(days=1)).failed == 0
    assert len(services.to(HOST, answered=False)) == 3
    assert "1 given up" in status_lines(config, store)[1]


def test_status_json_says_what_each_target_sent_and_what_waits(tmp_path, services, capsys):
    path = write_config(tmp_path, delivery_config_text(notify("hook", "webhook", url=HOOK, backoff_seconds=60)))
    config = load_config(path)
    services.plan(HOST, Answer(status=500, body={"error": "服务暂时不可用"}))
    opened = Store.open(config.store_url)
    try:
        save(opened, article(STORY_URL, STORY_TEXT))
        deliver(config, opened, now=T0)
    finally:
        opened.close()
    assert main(["status", "--json", "--config", str(path)]) == 0
    delivery = json.loads(capsys.readouterr().out)["delivery"]
    [target] = delivery["notify"]
    assert target["name"] == "hook" and target["kind"] == "webhook" and target["mode"] == "instant"
    assert (target["sent"], target["pending"], target["given_up"]) == (0, 1, 0)
    assert "HTTP 500" in target["last_error"] and target["last_sent"] is None
    assert delivery["feishu_sync"] is None  # not configured


def test_a_target_recovers_and_gets_what_waited(tmp_path, services, store):
    config = delivery_config(tmp_path, notify("hook", "webhook", url=HOOK, backoff_seconds=60))
    services.plan(HOST, Answer(status=502, times=1))
    save(store, article(STORY_URL, STORY_TEXT))
    save(store, article(OTHER_URL, OTHER_TEXT, title="湖北服务外包执行额增长"))
    report = deliver(config, store, now=T0)
    assert (report.sent, report.failed) == (0, 1)  # its first failure ends the target's turn
    assert deliver(config, store, now=T0 + timedelta(minutes=2)).sent == 2
    assert story_ids(services.to(HOST)) == [STORY_URL, OTHER_URL]


def test_a_hanging_target_costs_one_timeout(tmp_path, services, store):
    config = delivery_config(tmp_path, notify("hook", "webhook", url=HOOK, timeout=0.5))
    services.plan(HOST, Answer(hang=30.0))
    for i in range(3):
        save(store, article(f"https://html2.qktoutiao.com/detail/2026/12/01/20{i}.html", OTHER_TEXT + "。" * i * 9,
                            title=f"第{i}条"))
    report = deliver(config, store, now=T0)
    # "timed out": the 0.5 s timeout ended the wait, not the fake hanging up 30 s later
    assert report.failed == 1 and "timed out" in status_lines(config, store)[1]
    assert len(services.to(HOST, answered=False)) == 1, "one timeout, then the target is left for the next run"


def test_secrets_never_reach_logs_or_status(tmp_path, services, store, monkeypatch, caplog):
    monkeypatch.setenv("WECOM_HOOK", WECOM_HOOK)
    config = delivery_config(tmp_path, notify("wx", "wecom", url="env:WECOM_HOOK"))
    # The service echoes the key back in its error, as some do.
    services.plan("qyapi.weixin.qq.com", Answer(body={"errcode": 93000, "errmsg": "invalid key secret-wecom-key-42"}))
    save(store, article(STORY_URL, STORY_TEXT))
    with caplog.at_level(logging.DEBUG):
        deliver(config, store, now=T0)
    assert "errcode 93000" in caplog.text
    lines = "\n".join(status_lines(config, store))
    assert "errcode 93000" in lines
    assert "secret-wecom-key-42" not in caplog.text and "secret-wecom-key-42" not in lines
    assert "secret-wecom-key-42" not in repr(config)


def finish_run(store, source, outcome, minutes):
    run_id = store.start_run(source, T0 + timedelta(minutes=minutes))
    store.finish_run(run_id, T0 + timedelta(minutes=minutes + 1), outcome, {}, [])


def test_health_alarms_once_when_a_source_breaks_and_once_when_it_recovers(tmp_path, services, store):
    config = delivery_config(tmp_path, notify("ops", "webhook", url=HOOK, health=True),
                             notify("news", "webhook", url="https://news.example.org/hook"))
    outcomes = ["ok", "unhealthy (0 articles from 3 list pages)", "unhealthy (0 articles from 3 list pages)",
                "ok", "ok", "failed (HTTP 503)", "failed (HTTP 503)", "failed (HTTP 503)", "failed (HTTP 503)", "ok"]
    for minute, outcome in enumerate(outcomes):
        finish_run(store, "qutoutiao", outcome, minute * 10)
        deliver(config, store, sources=["qutoutiao"], now=T0 + timedelta(minutes=minute * 10 + 2))
    alarms = [(p.json["details"]["state"], p.json["details"]["outcome"]) for p in services.to(HOST)]
    assert alarms == [("bad", "unhealthy (0 articles from 3 list pages)"), ("ok", "ok"),
                      ("bad", "failed (HTTP 503)"), ("ok", "ok")]
    assert services.to("news.example.org") == []  # health = false
    assert services.to(HOST)[0].json["title"] == "来源异常：qutoutiao"

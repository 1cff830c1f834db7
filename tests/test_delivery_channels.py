"""Each channel sends the payload its service documents, signatures included, to a local fake."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest

from crawler.config import ConfigError
from crawler.config.delivery import unset_env_lines
from crawler.delivery import compose
from crawler.delivery.dispatch import deliver, send_test
from crawler.runtime import MIRROR_ENV
from crawler.store import Store
from tests.configs import notify
from tests.delivery_fakes import ServiceServer, SmtpSink
from tests.delivery_setup import NEAR_TEXT, STORY_TEXT, T0, article, delivery_config, empty_snapshot, save

FEISHU_HOOK = "https://open.feishu.cn/open-apis/bot/v2/hook/2f1c8e0a-feishu-token"
DINGTALK_HOOK = "https://oapi.dingtalk.com/robot/send?access_token=dd1ce5ab0token"
WECOM_HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-wecom-key"
SECRET = "SEC0123456789abcdef"
BOT_TOKEN = "123456:ABC-telegram-token"


@pytest.fixture
def services(tmp_path, monkeypatch):
    with ServiceServer(empty_snapshot(tmp_path / "snapshot")) as server:
        monkeypatch.setenv(MIRROR_ENV, server.url)
        yield server


@pytest.fixture
def env(monkeypatch):
    values = {"FEISHU_HOOK": FEISHU_HOOK, "DINGTALK_HOOK": DINGTALK_HOOK, "WECOM_HOOK": WECOM_HOOK,
              "BOT_SECRET": SECRET, "TG_TOKEN": BOT_TOKEN, "HOOK_SECRET": SECRET}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def one_story(tmp_path, *tables):
    """A config with ``tables``, a store holding one story with a near copy, the story delivered."""
    config = delivery_config(tmp_path, *tables)
    store = Store.open(f"sqlite:///{tmp_path}/store.sqlite3")
    save(store, article("https://html2.qktoutiao.com/detail/2026/12/01/1001.html", STORY_TEXT))
    save(store, article("https://hb.ifeng.com/c/8near0001", NEAR_TEXT, outlet="凤凰网湖北"))
    report = deliver(config, store, now=T0)
    store.close()
    return report


def test_a_literal_secret_is_a_config_error_naming_the_key(tmp_path):
    with pytest.raises(ConfigError) as raised:
        delivery_config(tmp_path, notify("team", "feishu", url=FEISHU_HOOK))
    assert "notify[0].url" in str(raised.value) and "env:" in str(raised.value)
    assert "feishu-token" not in str(raised.value)
    with pytest.raises(ConfigError, match=r"notify\[0\]\.secret"):
        delivery_config(tmp_path, notify("team", "dingtalk", url="env:DINGTALK_HOOK", secret=SECRET))


def test_check_names_the_unset_variables(tmp_path, monkeypatch):
    monkeypatch.delenv("NOT_SET_HOOK", raising=False)
    monkeypatch.setenv("SET_HOOK", "https://example.invalid/hook")
    config = delivery_config(tmp_path, notify("a", "wecom", url="env:NOT_SET_HOOK"),
                             notify("b", "wecom", url="env:SET_HOOK"))
    assert unset_env_lines(config) == ["notify.a.url: environment variable NOT_SET_HOOK is not set"]


def test_feishu_post_is_signed_with_timestamp_and_secret(tmp_path, services, env):
    assert one_story(tmp_path, notify("team", "feishu", url="env:FEISHU_HOOK", secret="env:BOT_SECRET")).sent == 1
    [posted] = services.to("open.feishu.cn")
    assert posted.path == "/open-apis/bot/v2/hook/2f1c8e0a-feishu-token"
    body = posted.json
    key = f"{body['timestamp']}\n{SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "第二十届服博会在杭州开幕"
    lines = post["content"]
    assert lines[0] == [{"tag": "text", "text": "来源：新华社　发布时间：2026-12-01 09:30"}]
    assert lines[1] == [{"tag": "text", "text": "专题：服务外包"}]
    assert lines[2][0]["text"].startswith("第二十届中国国际服务外包交易博览会在杭州开幕")
    assert lines[3] == [{"tag": "text", "text": "同时报道："},
                        {"tag": "a", "text": "凤凰网湖北", "href": "https://hb.ifeng.com/c/8near0001"}]
    assert lines[4] == [{"tag": "a", "text": "阅读原文",
                         "href": "https://html2.qktoutiao.com/detail/2026/12/01/1001.html"}]


def test_dingtalk_markdown_signed_in_the_query(tmp_path, services, env):
    one_story(tmp_path, notify("ding", "dingtalk", url="env:DINGTALK_HOOK", secret="env:BOT_SECRET"))
    [posted] = services.to("oapi.dingtalk.com")
    assert posted.path == "/robot/send" and posted.query["access_token"] == ["dd1ce5ab0token"]
    [timestamp], [sign] = posted.query["timestamp"], posted.query["sign"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    assert sign == base64.b64encode(expected).decode()  # parse_qs undid the URL encoding
    assert posted.json["msgtype"] == "markdown"
    text = posted.json["markdown"]["text"]
    assert posted.json["markdown"]["title"] == "第二十届服博会在杭州开幕"
    assert text.startswith("**第二十届服博会在杭州开幕**\n来源：新华社")
    assert "同时报道：[凤凰网湖北](https://hb.ifeng.com/c/8near0001)" in text
    assert "[阅读原文](https://html2.qktoutiao.com/detail/2026/12/01/1001.html)" in text


def test_wecom_markdown_message(tmp_path, services, env):
    one_story(tmp_path, notify("wx", "wecom", url="env:WECOM_HOOK"))
    [posted] = services.to("qyapi.weixin.qq.com")
    assert posted.path == "/cgi-bin/webhook/send" and posted.query == {"key": ["693a91f6-wecom-key"]}
    assert set(posted.json) == {"msgtype", "markdown"} and posted.json["msgtype"] == "markdown"
    content = posted.json["markdown"]["content"]
    head = "**第二十届服博会在杭州开幕**\n来源：新华社　发布时间：2026-12-01 09:30\n专题：服务外包\n"
    assert content.startswith(head)
    assert len(content.encode()) <= 4096


def test_telegram_send_message_in_html(tmp_path, services, env):
    one_story(tmp_path, notify("tg", "telegram", token="env:TG_TOKEN", chat_id="-1001234567890"))
    [posted] = services.to("api.telegram.org")
    assert posted.path == f"/bot{BOT_TOKEN}/sendMessage"
    body = posted.json
    assert body["chat_id"] == "-1001234567890" and body["parse_mode"] == "HTML"
    assert body["text"].startswith("<b>第二十届服博会在杭州开幕</b>\n来源：新华社")
    assert '<a href="https://hb.ifeng.com/c/8near0001">凤凰网湖北</a>' in body["text"]


def test_webhook_json_carries_a_stable_idempotency_key_and_signature(tmp_path, services, env):
    one_story(tmp_path, notify("hook", "webhook", url="https://hooks.example.org/topicfeed",
                               secret="env:HOOK_SECRET"))
    [posted] = services.to("hooks.example.org")
    story = posted.json["story"]
    expected_id = compose.story_id("https://html2.qktoutiao.com/detail/2026/12/01/1001.html")
    assert story["id"] == expected_id and posted.json["id"] == f"story:{expected_id}"
    assert posted.headers["Idempotency-Key"] == f"story:{expected_id}"
    signature = hmac.new(SECRET.encode(), posted.body, hashlib.sha256).hexdigest()
    assert posted.headers["X-Topicfeed-Signature"] == f"sha256={signature}"
    assert story["title"] == "第二十届服博会在杭州开幕" and story["outlet"] == "新华社"
    assert story["published"] == "2026-12-01T09:30:00+08:00" and story["topics"] == ["服务外包"]
    assert story["also_reported_by"] == [{"outlet": "凤凰网湖北", "url": "https://hb.ifeng.com/c/8near0001"}]


def test_email_has_a_text_and_an_html_part(tmp_path, monkeypatch):
    monkeypatch.delenv(MIRROR_ENV, raising=False)
    with SmtpSink() as sink:
        one_story(tmp_path, notify("mail", "email", smtp_host="127.0.0.1", smtp_port=sink.port, security="none",
                                   sender="topicfeed@example.org", to=["editor@example.org"]))
    [mail] = sink.messages
    assert sink.envelopes == [("topicfeed@example.org", ["editor@example.org"])]
    assert mail["Subject"] == "第二十届服博会在杭州开幕"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "同时报道：凤凰网湖北 <https://hb.ifeng.com/c/8near0001>" in text
    assert '<a href="https://html2.qktoutiao.com/detail/2026/12/01/1001.html">阅读原文</a>' in html


def test_email_under_a_mirror_never_leaves_the_machine(tmp_path, services):
    config = delivery_config(tmp_path, notify("mail", "email", smtp_host="smtp.example.org", security="none",
                                              sender="a@example.org", to=["b@example.org"]))
    with pytest.raises(Exception, match="not local"):
        send_test(config, "mail", T0)


def test_notify_test_sends_one_message(tmp_path, services, env):
    config = delivery_config(tmp_path, notify("team", "feishu", url="env:FEISHU_HOOK"))
    send_test(config, "team", T0 + timedelta(minutes=1))
    [posted] = services.to("open.feishu.cn")
    assert posted.json["content"]["post"]["zh_cn"]["title"] == "topicfeed 测试消息"
    assert "sign" not in posted.json  # no secret, no signature

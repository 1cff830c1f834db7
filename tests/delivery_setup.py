"""Builders shared by the delivery tests: configs with [[notify]] targets, stored stories."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawler.config import Config, parse_config
from crawler.items import Article
from crawler.snapshot.server import SnapshotWriter
from crawler.store import SaveOutcome, Store
from crawler.text.minhash import signature
from tests.configs import config_text, feeds, paths, qutoutiao_source, topic

T0 = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
SPIDERS = ("ifeng", "qutoutiao")

# Two reports of one story (the second a light rewrite: a near-duplicate) and another story.
STORY_TEXT = ("第二十届中国国际服务外包交易博览会在杭州开幕，本届服博会以数智赋能服务外包为主题，"
              "吸引了来自三十多个国家和地区的一千余家企业参展，现场签约项目金额超过两百亿元。"
              "商务部有关负责人表示，服务外包产业已成为稳外贸稳外资的重要力量。")
NEAR_TEXT = STORY_TEXT.replace("一千余家企业参展", "一千多家企业参展")
OTHER_TEXT = ("湖北省商务厅发布数据显示，前三季度全省服务外包执行额同比增长百分之十八，"
              "其中离岸服务外包增长明显，武汉、宜昌等地的软件和信息技术服务企业订单饱满。")


def empty_snapshot(root: Path) -> Path:
    return SnapshotWriter(root, T0).save()


def delivery_config_text(*notify_tables: str) -> str:
    return config_text(paths(), feeds(), topic(), topic("hubei", "湖北", ["湖北"]), qutoutiao_source(),
                       *notify_tables)


def delivery_config(tmp_path: Path, *notify_tables: str) -> Config:
    text = delivery_config_text(*notify_tables)
    return parse_config(text, file=tmp_path / "topicfeed.toml", base_dir=tmp_path, known_spiders=SPIDERS)


def article(url: str, text: str, *, title: str = "第二十届服博会在杭州开幕", outlet: str = "新华社",
            topics: dict[str, list[str]] | None = None) -> Article:
    item = Article(url=url, source="qutoutiao", spider="qutoutiao", site_name="趣头条", site_id=url.rsplit("/", 1)[-1],
                   title=title, body_html=f"<p>{text}</p>", published=T0, outlet=outlet)
    item.canonical_url = url
    item.text = text
    item.topics = topics if topics is not None else {"service-outsourcing": ["服博会"]}
    item.fingerprint = signature(text)
    return item


def save(store: Store, item: Article) -> SaveOutcome:
    from crawler.text.strings import content_hash

    return store.save(item, content_hash(item.text), T0, fingerprint=item.fingerprint).outcome

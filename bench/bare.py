"""The baseline: a bare Scrapy spider over the same synthetic ifeng pages, no topicfeed code.

It requests the mirror URLs directly, walks home → columns → getColumnInfo → articles like
the ifeng spider, decodes each article's ``allData`` with ``json.JSONDecoder.raw_decode``
and yields a dict; no item pipeline, no store, no archive, no feeds.

With ``--files-store DIR`` the articles that mention a topic keyword (the benchmark config's)
also name their images in ``file_urls``, and Scrapy's own FilesPipeline downloads them into
DIR: what the full crawl's image downloads are measured against.

    python -m bench.bare --mirror http://127.0.0.1:PORT [--files-store DIR] [--set KEY=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

ALL_DATA = "var allData ="
ARTICLE_LINK = re.compile(r"//(?P<host>[a-z0-9]+\.ifeng\.com)/c/(?P<id>[A-Za-z0-9_-]+)")
COLUMN_LINK = re.compile(r"""href=["']/shanklist/(?P<column>[A-Za-z0-9_-]+)/["']""")
COLUMN_INFO = (
    "shankapi.ifeng.com/shanklist/_/getColumnInfo/_/dynamicFragment/"
    "{last_id}/{last_ms}/{size}/{column}/getColumnInfoCallback?callback=getColumnInfoCallback"
)
_DECODER = json.JSONDecoder()
LAZY_IMAGE = re.compile(r'data-lazyload="(?:https?:)?//(?P<rest>[^"]+)"')
KEYWORDS = ("服务外包", "服博会")  # bench.common.write_config's topic


def decode_after(text: str, marker: str) -> Any:
    start = text.index(marker) + len(marker)
    while text[start].isspace():
        start += 1
    return _DECODER.raw_decode(text, start)[0]


BEIJING = timezone(timedelta(hours=8))


def news_time_ms(news_time: str) -> int:
    moment = datetime.strptime(news_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    return int(moment.timestamp() * 1000)


class BareIfengSpider(scrapy.Spider):
    name = "bare-ifeng"

    def __init__(
        self,
        mirror: str,
        hosts: Sequence[str] = ("hb.ifeng.com", "hn.ifeng.com"),
        max_column_pages: int = 10,
        page_size: int = 20,
        images: bool = False,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.mirror = mirror.rstrip("/")
        self.images = images
        self.hosts = tuple(hosts)
        self.max_column_pages = max_column_pages
        self.page_size = page_size

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for host in self.hosts:
            yield scrapy.Request(
                f"{self.mirror}/{host}/", self.parse_home, cb_kwargs={"host": host}
            )

    def article(self, host: str, doc_id: str) -> scrapy.Request:
        return scrapy.Request(f"{self.mirror}/{host}/c/{doc_id}", self.parse_article)

    def parse_home(self, response: Response, host: str) -> Iterator[scrapy.Request]:
        for match in ARTICLE_LINK.finditer(response.text):
            if match["host"] == host:
                yield self.article(host, match["id"])
        for match in COLUMN_LINK.finditer(response.text):
            yield scrapy.Request(
                f"{self.mirror}/{host}/shanklist/{match['column']}/",
                self.parse_column,
                cb_kwargs={"host": host, "column": match["column"]},
            )

    def parse_column(self, response: Response, host: str, column: str) -> Iterator[scrapy.Request]:
        stream = decode_after(response.text, ALL_DATA)["newsstream"]
        yield from self.follow(stream, host, column, page=0, is_end=False)

    def parse_column_info(
        self, response: Response, host: str, column: str, page: int
    ) -> Iterator[scrapy.Request]:
        data = _DECODER.raw_decode(response.text, response.text.index("(") + 1)[0]["data"]
        yield from self.follow(data["newsstream"], host, column, page=page, is_end=data["isEnd"])

    def follow(
        self, stream: list[dict[str, Any]], host: str, column: str, *, page: int, is_end: bool
    ) -> Iterator[scrapy.Request]:
        for entry in stream:
            match = ARTICLE_LINK.search(entry["url"])
            if match and match["host"] == host:
                yield self.article(host, match["id"])
        if is_end or not stream or page >= self.max_column_pages:
            return
        last = stream[-1]
        url = COLUMN_INFO.format(
            last_id=last["id"],
            last_ms=news_time_ms(last["newsTime"]),
            size=self.page_size,
            column=column,
        )
        yield scrapy.Request(
            f"{self.mirror}/{url}",
            self.parse_column_info,
            cb_kwargs={"host": host, "column": column, "page": page + 1},
        )

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        doc = decode_after(response.text, ALL_DATA)["docData"]
        body_html = "\n".join(
            b["data"] for b in doc["contentData"]["contentList"] if b.get("type") == "text"
        )
        item = {"url": response.url, "title": doc["title"], "published": doc["newsTime"],
                "body_html": body_html}
        if self.images and any(word in doc["title"] or word in body_html for word in KEYWORDS):
            item["file_urls"] = [f"{self.mirror}/{m['rest']}" for m in LAZY_IMAGE.finditer(body_html)]
        yield item


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bare", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--mirror", required=True)
    parser.add_argument("--files-store", help="download the matching articles' images here")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    settings: dict[str, Any] = {"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
                                "COOKIES_ENABLED": False}
    if args.files_store:
        settings |= {"ITEM_PIPELINES": {"scrapy.pipelines.files.FilesPipeline": 1},
                     "FILES_STORE": args.files_store}
    settings.update(pair.split("=", 1) for pair in args.set)
    process = CrawlerProcess(settings)
    process.crawl(BareIfengSpider, mirror=args.mirror, images=bool(args.files_store))
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

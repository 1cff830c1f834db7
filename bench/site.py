"""A synthetic ifeng site for the benchmarks: N articles, their columns and getColumnInfo pages.

Pages come from the sample builders (``tests.sites.ifeng``), so they have the real shape:
navigation junk, ``var allData = {...}`` with the article text, lazy images. Two regional hosts
(hb, hn); each column lists ``page_size`` articles on its ``/shanklist/`` page and as many on
each getColumnInfo continuation, newest first, the last one ``isEnd``. Every article is
reachable that way (the spider's default ``max_column_pages`` is respected); search is off.

    python -m bench.site --articles 2000 --out /tmp/topicfeed-bench/site-2000 [--serve]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bench.text import TOPIC_KEYWORDS, paragraphs_text, title
from crawler.snapshot.index import INDEX_NAME
from crawler.snapshot.server import SnapshotServer
from crawler.snapshot.writer import SnapshotWriter
from tests.sites.ifeng import (
    BEIJING,
    JSONP_TYPE,
    TIME_FORMAT,
    IfengDoc,
    article_page,
    column_info_jsonp,
    column_info_url,
    column_page,
    column_url,
    home_page,
    ifeng_image,
    lazy_img,
    paragraphs,
)

RECORDED_AT = datetime(2025, 7, 26, 10, 0, tzinfo=BEIJING)
HOSTS = ("hb.ifeng.com", "hn.ifeng.com")
META_NAME = "bench-site.json"
DEFAULT_ROOT = Path("/tmp/topicfeed-bench")
SPAN = timedelta(
    days=5
)  # article times spread over this much before RECORDED_AT (max_age is 7 days)
HEADLINES = 5  # article links on each home page


@dataclass(frozen=True)
class SiteParams:
    articles: int = 2000
    text_bytes: int = 20_000  # UTF-8 bytes of article text
    match_every: int = 10  # every n-th article mentions a topic keyword
    page_size: int = 20  # the spider's getColumnInfo size
    pages_per_column: int = 10  # column page + continuations; the spider follows 1 + 10 at most
    seed: int = 7
    image_bytes: int = 120_000  # each article has one image (the URL says size120)


@dataclass(frozen=True)
class BenchSite:
    root: Path
    params: SiteParams
    recorded_at: datetime
    article_urls: tuple[str, ...]
    matching_urls: tuple[str, ...]
    list_urls: tuple[str, ...]  # homes, columns, getColumnInfo
    image_urls: tuple[str, ...]
    bytes_total: int
    build_seconds: float

    @property
    def pages(self) -> int:
        """HTML and JSONP pages (what both crawls fetch; images are extra)."""
        return len(self.article_urls) + len(self.list_urls)


def image_bytes(url: str, size: int) -> bytes:
    """Deterministic stand-in for a JPEG: the markers, then pseudo-random bytes."""
    return b"\xff\xd8\xff\xe0" + hashlib.shake_256(url.encode()).digest(size - 6) + b"\xff\xd9"


def make_doc(index: int, params: SiteParams, host: str, column_id: str) -> IfengDoc:
    """Article ``index``: newest at 0, deterministic from (seed, index)."""
    rng = random.Random(params.seed * 1_000_003 + index)
    on_topic = index % params.match_every == 0
    published = RECORDED_AT - SPAN * (index + 1) / (params.articles + 1)
    image = ifeng_image(f"bench:{index}", 1280, 720, caption="资料图")
    texts = paragraphs_text(rng, params.text_bytes, on_topic=on_topic)
    middle = len(texts) // 2
    body = paragraphs(*texts[:middle]) + lazy_img(image) + paragraphs(*texts[middle:])
    headline = title(rng, on_topic=on_topic)
    return IfengDoc(
        doc_id=f"bn{index:09d}",
        host=host,
        title=headline,
        news_time=published.strftime(TIME_FORMAT),
        source=rng.choice(("湖北日报", "长江日报", "河南日报", "大河报", "新华社")),
        editor=rng.choice(("王敏", "李娜", "陈晨", "孙悦", "赵磊")),
        content_html=body,
        images=(image,),
        keywords=(headline[:2], "本地新闻"),
        summary=texts[0][:60],
        column_id=column_id,
    )


def _columns(params: SiteParams) -> list[tuple[str, str]]:
    """(host, column id) for every column, alternating hosts."""
    per_column = params.page_size * params.pages_per_column
    count = max(1, math.ceil(params.articles / per_column))
    return [(HOSTS[c % 2], f"200-{214 + c % 2}-{216300 + c}-") for c in range(count)]


def build_site(root: Path, params: SiteParams = SiteParams()) -> BenchSite:
    """Write the site as a snapshot folder under ``root`` (replacing its index)."""
    started = time.perf_counter()
    root = Path(root)
    index_file = root / INDEX_NAME
    if index_file.exists():
        index_file.unlink()  # SnapshotWriter would keep old entries
    writer = SnapshotWriter(root, RECORDED_AT)
    columns = _columns(params)
    # article i goes to column i % len(columns): every column is newest first
    per_column: dict[str, list[IfengDoc]] = {column: [] for _, column in columns}
    docs: list[IfengDoc] = []
    for index in range(params.articles):
        host, column = columns[index % len(columns)]
        doc = make_doc(index, params, host, column)
        on_topic = index % params.match_every == 0
        if not on_topic and any(k in doc.title or k in doc.content_html for k in TOPIC_KEYWORDS):
            raise AssertionError(f"off-topic article {index} mentions a topic keyword")
        writer.add(doc.url, article_page(doc))
        for image in doc.images:
            writer.add(
                image.url, image_bytes(image.url, params.image_bytes), content_type="image/jpeg"
            )
        per_column[column].append(doc)
        docs.append(doc)
    list_urls = [
        *_write_homes(writer, docs, columns),
        *_write_columns(writer, columns, per_column, params),
    ]
    writer.save()
    site = BenchSite(
        root=root,
        params=params,
        recorded_at=RECORDED_AT,
        article_urls=tuple(d.url for d in docs),
        matching_urls=tuple(d.url for i, d in enumerate(docs) if i % params.match_every == 0),
        list_urls=tuple(list_urls),
        image_urls=tuple(image.url for doc in docs for image in doc.images),
        bytes_total=sum(
            p.stat().st_size for p in root.rglob("*") if p.is_file() and p.name != META_NAME
        ),
        build_seconds=time.perf_counter() - started,
    )
    _save_meta(site)
    return site


def _write_homes(
    writer: SnapshotWriter, docs: Sequence[IfengDoc], columns: Sequence[tuple[str, str]]
) -> list[str]:
    urls = []
    for host in HOSTS:
        links = [(column, f"栏目{n}") for n, (h, column) in enumerate(columns) if h == host]
        headlines = [d for d in docs if d.host == host][:HEADLINES]
        urls.append(f"https://{host}/")
        writer.add(urls[-1], home_page(host, headlines, links))
    return urls


def _write_columns(
    writer: SnapshotWriter,
    columns: Sequence[tuple[str, str]],
    per_column: dict[str, list[IfengDoc]],
    params: SiteParams,
) -> list[str]:
    urls = []
    size = params.page_size
    for n, (host, column) in enumerate(columns):
        docs = per_column[column]
        pages = [docs[i : i + size] for i in range(0, len(docs), size)] or [[]]
        urls.append(column_url(host, column))
        writer.add(urls[-1], column_page(host, column, f"栏目{n}", pages[0]))
        last = pages[0][-1] if pages[0] else None
        for number, items in enumerate(pages[1:], start=2):
            if last is None:
                break
            urls.append(column_info_url(last, column, size))
            body = column_info_jsonp(items, is_end=number == len(pages))
            writer.add(urls[-1], body, content_type=JSONP_TYPE)
            last = items[-1]
    return urls


def _save_meta(site: BenchSite) -> None:
    data = {
        "params": asdict(site.params),
        "recorded_at": site.recorded_at.isoformat(),
        "article_urls": list(site.article_urls),
        "matching_urls": list(site.matching_urls),
        "list_urls": list(site.list_urls),
        "image_urls": list(site.image_urls),
        "bytes_total": site.bytes_total,
        "build_seconds": site.build_seconds,
    }
    (site.root / META_NAME).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def load_site(root: Path) -> BenchSite | None:
    meta = Path(root) / META_NAME
    if not meta.is_file() or not (Path(root) / INDEX_NAME).is_file():
        return None
    data = json.loads(meta.read_text(encoding="utf-8"))
    return BenchSite(
        root=Path(root),
        params=SiteParams(**data["params"]),
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        article_urls=tuple(data["article_urls"]),
        matching_urls=tuple(data["matching_urls"]),
        list_urls=tuple(data["list_urls"]),
        image_urls=tuple(data.get("image_urls", ())),
        bytes_total=data["bytes_total"],
        build_seconds=data["build_seconds"],
    )


def ensure_site(params: SiteParams, root: Path | None = None) -> BenchSite:
    """The site for ``params``, built once and reused from ``root`` while the params match."""
    root = Path(root) if root else DEFAULT_ROOT / f"site-{params.articles}"
    site = load_site(root)
    if site is not None and site.params == params:
        return site
    return build_site(root, params)


def describe(site: BenchSite) -> str:
    return (
        f"site: {len(site.article_urls)} articles ({len(site.matching_urls)} on topic), "
        f"{len(site.list_urls)} list pages, {len(site.image_urls)} images, "
        f"{site.bytes_total / 1e6:.1f} MB, "
        f"built in {site.build_seconds:.1f} s at {site.root}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.site", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=SiteParams.articles)
    parser.add_argument(
        "--out", type=Path, default=None, help="default /tmp/topicfeed-bench/site-N"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild even if a matching site exists"
    )
    parser.add_argument("--serve", action="store_true", help="serve it until Ctrl-C")
    args = parser.parse_args(argv)
    params = SiteParams(articles=args.articles)
    root = args.out or DEFAULT_ROOT / f"site-{params.articles}"
    site = build_site(root, params) if args.rebuild else ensure_site(params, root)
    print(describe(site))
    if args.serve:
        with SnapshotServer(site.root) as server:
            print(f"mirror: {server.url}", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Realistic ifeng (凤凰网) regional pages built from data: the one maker of ifeng fixture HTML.

Page shapes follow shared/sites/README.md §2: server-rendered 2024-style article pages with
navigation junk and base64 image placeholders, the real content in ``var allData = {...};``,
``/shanklist/<column>/`` list pages, ``getColumnInfo`` and ``getSoFengData`` JSONP. Tests, the
demo and the benchmarks all build their ifeng pages here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any
from urllib.parse import quote, urljoin

from crawler.snapshot.writer import SnapshotWriter
from tests.sites.media import placeholder_png

BEIJING = timezone(timedelta(hours=8))  # China has had no DST since 1991
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PLACEHOLDER_SRC = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42m"
    "NkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
HTML_TYPE = "text/html; charset=utf-8"
JSONP_TYPE = "application/javascript; charset=utf-8"

# Page titles only; the spider owns the real host → region table.
_REGIONS = {"hb.ifeng.com": "湖北", "hn.ifeng.com": "河南"}
_SUB_COLUMNS = {"200-214-216353-": "凤眼观楚", "200-214-216354-": "武汉", "200-215-216400-": "要闻"}


@dataclass(frozen=True)
class IfengImage:
    url: str
    width: int
    height: int
    caption: str = ""


@dataclass(frozen=True)
class IfengVideo:
    play_url: str
    poster_url: str
    guid: str
    duration: int
    title: str


@dataclass(frozen=True)
class IfengDoc:
    doc_id: str
    host: str
    title: str
    news_time: str  # Beijing time, "YYYY-MM-DD HH:MM:SS"
    source: str
    editor: str
    content_html: str
    images: tuple[IfengImage, ...] = ()
    video: IfengVideo | None = None
    keywords: tuple[str, ...] = ()
    summary: str = ""
    column_id: str = "200-214-216353-"
    newsstream_id: str = ""  # derived from doc_id when empty

    def __post_init__(self) -> None:
        if not self.newsstream_id:
            digest = int(_sha1(self.doc_id)[:16], 16)
            object.__setattr__(self, "newsstream_id", str(7 * 10**18 + digest % 10**18))

    @property
    def url(self) -> str:
        return f"https://{self.host}/c/{self.doc_id}"

    @property
    def protocol_relative_url(self) -> str:
        return f"//{self.host}/c/{self.doc_id}"

    @property
    def skey(self) -> str:
        return _sha1("skey:" + self.doc_id)[:6]

    @property
    def published(self) -> datetime:
        return datetime.strptime(self.news_time, TIME_FORMAT).replace(tzinfo=BEIJING)

    @property
    def news_time_ms(self) -> int:
        return int(self.published.timestamp() * 1000)


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str  # with the <em>…</em> highlight, as the API sends it
    url: str  # protocol-relative, as the API sends it
    news_time: str
    source: str
    thumbnail: str = ""

    @classmethod
    def of(cls, doc: IfengDoc, keyword: str) -> SearchHit:
        return cls(
            id=doc.doc_id,
            title=highlight(doc.title, keyword),
            url=doc.protocol_relative_url,
            news_time=doc.news_time,
            source=doc.source,
            thumbnail=_thumbnail(doc).url,
        )


@dataclass(frozen=True)
class IfengSample:
    """What ``build_ifeng_snapshot`` recorded, so tests can assert without re-parsing.

    ``expected_archived`` assumes a crawl of regions hb and hn with search on, topic
    keywords 服务外包/服博会 and ``max_age_days`` 7 before ``recorded_at``. Exactly one of
    ``same_text_pair`` is archived too (which one depends on crawl order).
    """

    docs: Mapping[str, IfengDoc]
    expected_archived: frozenset[str]
    same_text_pair: tuple[str, str]
    home_urls: tuple[str, ...]
    column_urls: tuple[str, ...]
    column_info_urls: tuple[str, ...]
    search_urls: Mapping[str, str]
    recorded_at: datetime
    brace_trap_tail: str  # a sentence only found after the `};` traps of "brace_trap"
    ignored_urls: tuple[str, ...] = field(default=())  # linked or hit, never to be requested

    def role_of(self, url: str) -> str | None:
        return next((role for role, doc in self.docs.items() if doc.url == url), None)


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def highlight(title: str, keyword: str) -> str:
    return title.replace(keyword, f"<em>{keyword}</em>")


def ifeng_image(
    seed: str, width: int, height: int, *, size_kb: int = 120, caption: str = ""
) -> IfengImage:
    """An x0.ifengimg.com URL in the 2020+ ucms shape, deterministic from ``seed``."""
    name = f"{_sha1(seed).upper()}_size{size_kb}_w{width}_h{height}.jpg"
    return IfengImage(f"https://x0.ifengimg.com/ucms/2025_30/{name}", width, height, caption)


def lazy_img(image: IfengImage) -> str:
    """The server HTML of an in-article image: real URL in data-lazyload, placeholder src."""
    shown = round(640 * image.height / image.width)
    return (
        f'<p><img data-lazyload="{image.url}" src="{PLACEHOLDER_SRC}" '
        f'style="width:640px;height:{shown}px"></p>'
        + (f"<p>{image.caption}</p>" if image.caption else "")
    )


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def _thumbnail(doc: IfengDoc) -> IfengImage:
    if doc.images:
        return doc.images[0]
    return ifeng_image("thumb:" + doc.doc_id, 640, 360, size_kb=46)


def _region(host: str) -> str:
    return _REGIONS.get(host, "资讯")


def _display_time(news_time: str) -> str:
    day, clock = news_time.split(" ")
    year, month, date = day.split("-")
    return f"{year}年{month}月{date}日 {clock}"


# ---------------------------------------------------------------- shared page furniture

_NAV_ITEMS = (
    ("首页", "//www.ifeng.com/"),
    ("资讯", "//news.ifeng.com/"),
    ("视频", "//v.ifeng.com/"),
    ("直播", "//v.ifeng.com/live/"),
    ("凤凰卫视", "//phtv.ifeng.com/"),
    ("财经", "//finance.ifeng.com/"),
    ("娱乐", "//ent.ifeng.com/"),
    ("体育", "//sports.ifeng.com/"),
    ("时尚", "//fashion.ifeng.com/"),
    ("汽车", "//auto.ifeng.com/"),
    ("房产", "//house.ifeng.com/"),
    ("科技", "//tech.ifeng.com/"),
    ("读书", "//book.ifeng.com/"),
    ("文化", "//culture.ifeng.com/"),
    ("历史", "//history.ifeng.com/"),
    ("军事", "//mil.ifeng.com/"),
    ("旅游", "//travel.ifeng.com/"),
    ("佛教", "//fo.ifeng.com/"),
)
_NAV = [{"title": t, "url": u} for t, u in _NAV_ITEMS]
_SEARCH = [
    {"url": "//so.ifeng.com/?q=", "title": "资讯"},
    {"url": "//so.v.ifeng.com/?q=", "title": "视频"},
]
_AD_MAP = {"topAd": {"id": "10001", "type": "code"}, "rightAd": {"id": "10002", "type": "code"}}
_AD_DATA = {
    "adHead": "%0D%0A%3C!--%20ifeng%20ad%20head%20--%3E%0D%0A",
    "adBody": "%3Cscript%20src%3D%22%2F%2Fx0.ifengimg.com%2Ffe%2Fadsdk.js%22%3E%3C%2Fscript%3E",
}
# "频道推荐" and "图片新闻" as on the seed page: national headlines on news.ifeng.com.
_CHANNEL_PICKS = (
    ("政策逐步显效 房地产进入转型发展新阶段", "8l2WgXh3n1Q"),
    ("历史第二高产年！今年全国夏粮产量2994.8亿斤", "8l3Rb7ZpV9d"),
    ("创历史新高！上半年全国铁路发送旅客22.4亿人次", "8l4Tq0YcM2e"),
    ("中国经济“半年报”凸显四大亮点", "8l5Ux1WdN3f"),
    ("西安一环卫工用绳牵智力障碍儿子扫街 知情人回应", "8l6Vy2XeP4g"),
    ("一双卖到上千元 “学步鞋”真能让孩子赢在起跑线？", "8l7Wz3YfQ5h"),
    ("江西将启动新一轮户籍制度改革", "8l8Xa4ZgR6i"),
    ("10名教师拟被解聘并注销事业编 高校回应", "8l9Yb5AhS7j"),
    ("本科可三年毕业？专家谈完全学分制：推进存很多挑战", "8lAZc6BiT8k"),
    ("郑州一五星级酒店摆地摊日入3万 出摊37分钟售罄", "8lBAd7CjU9m"),
)
_PICTURE_NEWS = (
    ("西北小城如何靠“小苹果”撬动大市场？", "8lCBe8DkV0n"),
    ("2025“让世界爱上南昌”网络主题传播活动正式启动", "8lDCf9ElW1o"),
    ("尼山脚下论文明：70余国嘉宾共话“和合共生”", "8lEDg0FmX2p"),
    ("巨头接连进场 东中部枢纽之争再起？", "8lFEh1GnY3q"),
)
_FOOTER = (
    '<div class="index_footer_2Lr0A"><p>'
    '<a href="//www.ifeng.com/corp/about/intro/">凤凰新媒体介绍</a>'
    '<a href="//ir.ifeng.com/">投资者关系 Investor Relations</a>'
    '<a href="//biz.ifeng.com/">广告服务</a><a href="//career.ifeng.com/">诚征英才</a>'
    '<a href="//www.ifeng.com/corp/privacy/">保护隐私权</a>'
    '<a href="//www.ifeng.com/corp/exemption/">免责条款</a>'
    '<a href="//comment.ifeng.com/feedback/">意见反馈</a>'
    '<a href="//phtv.ifeng.com/">凤凰卫视</a>'
    '<a href="https://beian.miit.gov.cn/">京ICP证030609号</a></p>'
    "<p>凤凰新媒体版权所有Copyright © 2024 Phoenix New Media Limited All Rights Reserved.</p></div>"
)


def _header(host: str) -> str:
    items = "".join(f'<li><a href="{u}" target="_blank">{t}</a></li>' for t, u in _NAV_ITEMS)
    return (
        '<div class="index_header_3nbHf"><ul class="index_nav_2P0bR">'
        f'{items}<li class="index_more_1lmJq">更多</li></ul>'
        '<div class="index_login_1Tq7m"><a href="https://id.ifeng.com/user/register/">注册</a>'
        '<a href="https://id.ifeng.com/user/login">登录</a></div>'
        f'<a class="index_logo_2qzRM" href="//{host}/">凤凰网{_region(host)}</a></div>'
    )


def _headline_list(items: Sequence[tuple[str, str]], *, with_meta: bool) -> str:
    rows = []
    for n, (title, doc_id) in enumerate(items):
        meta = (
            '<span class="index_comment_3iQDy">0</span>条评论<time>2025-07-18 08:07:52</time>'
            if with_meta and n == 0
            else ""
        )
        rows.append(
            f'<li><a href="//news.ifeng.com/c/{doc_id}" target="_blank">{title}</a>{meta}</li>'
        )
    return "<ul>" + "".join(rows) + "</ul>"


def _script(all_data: Mapping[str, Any], ad_data: Mapping[str, Any]) -> str:
    return (
        "<script>\n"
        f"        var allData = {_json(all_data)};\n"
        f"        var adData = {_json(ad_data)};\n"
        "        var staticData = {};\n"
        "    </script>\n"
    )


# ---------------------------------------------------------------- article pages


def _breadcrumb(doc: IfengDoc) -> list[dict[str, str]]:
    channel = "-".join(doc.column_id.split("-")[:2]) + "-"
    return [
        {"url": f"//{doc.host}/", "title": _region(doc.host)},
        {"url": f"//{doc.host}/shanklist/{channel}/", "title": "资讯"},
        {
            "url": f"//{doc.host}/shanklist/{doc.column_id}/",
            "title": _SUB_COLUMNS.get(doc.column_id, "资讯"),
        },
    ]


def _content_list(doc: IfengDoc) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{"type": "text", "data": doc.content_html}]
    if doc.video is not None:
        v = doc.video
        items.append(
            {
                "type": "video",
                "data": {
                    "playUrl": v.play_url,
                    "bigPosterUrl": v.poster_url,
                    "guid": v.guid,
                    "duration": v.duration,
                    "title": v.title,
                },
            }
        )
    return items


def article_all_data(doc: IfengDoc) -> dict[str, Any]:
    """The ``allData`` object of an article page."""
    doc_data = {
        "title": doc.title,
        "newsTime": doc.news_time,
        "source": doc.source,
        "sourceUrl": "",
        "editorName": doc.editor,
        "pcUrl": doc.url,
        "url": doc.protocol_relative_url,
        "commentUrl": "ucms_" + doc.doc_id,
        "skey": doc.skey,
        "domain": doc.host,
        "breadCrumbdata": _breadcrumb(doc),
        "searchPath": doc.column_id,
        "isOriginal": "0",
        "keywords": ",".join(doc.keywords),
        "summary": doc.summary,
        "imagesInContent": [
            {"url": i.url, "width": i.width, "height": i.height} for i in doc.images
        ],
        "contentData": {"contentList": _content_list(doc), "currentPage": 0, "pageSize": 1},
    }
    return {
        "nav": _NAV,
        "search": _SEARCH,
        "hostname": doc.host,
        "keywords": ",".join(doc.keywords),
        "adMap": _AD_MAP,
        "docData": doc_data,
    }


def _video_box(video: IfengVideo | None) -> str:
    if video is None:
        return ""
    return (
        f'<div class="index_videoBox_2bEhI"><img src="{PLACEHOLDER_SRC}" '
        f'data-lazyload="{video.poster_url}" alt="{escape(video.title)}">'
        '<span class="index_play_3xQ9t"></span></div>'
    )


def _disclaimer(host: str) -> str:
    if host != "hb.ifeng.com":
        return ""
    return (
        '<p class="index_notice_1Qm2T">（注：图片及素材来源于网络，版权归原作者所有。'
        "如有侵权请联系删除，电话：027-85721622 。）</p>"
    )


def article_page(doc: IfengDoc) -> str:
    region = _region(doc.host)
    crumbs = _breadcrumb(doc)
    crumb_html = " &gt; ".join(f'<a href="{c["url"]}">{c["title"]}</a>' for c in crumbs)
    cover = doc.images[0].url if doc.images else (doc.video.poster_url if doc.video else "")
    likes = 1000 + int(_sha1("likes:" + doc.doc_id)[:6], 16) % 90000
    title = escape(doc.title)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta charset="utf-8">\n<meta content="always" name="referrer">\n'
        f"<title>{title}_凤凰网{region}</title>\n"
        f'<meta name="keywords" content="{escape(" ".join(doc.keywords))}">\n'
        f'<meta name="description" content="{escape(doc.summary)}">\n'
        f'<meta property="og:url" content="{doc.url}">\n'
        f'<meta property="og:title" content="{title}">\n'
        f'<meta name="og:time " content="{doc.news_time}">\n'
        f'<meta name="og:category " content="凤凰网{region}">\n'
        f'<meta property="og:image" content="{cover}">\n'
        f'<meta name="og: img_video" content="{doc.video.play_url if doc.video else ""}">\n'
        '<link rel="stylesheet" href="//x0.ifengimg.com/fe/shank/content/content.7b3e1d2a.css">\n'
        "</head>\n<body>\n"
        f"{_header(doc.host)}\n"
        f'<div class="index_breadcrumbs_1mBKk">{crumb_html} &gt; <span>正文</span></div>\n'
        '<div class="index_search_3ZGrp"><span>站内</span><input type="text" value=""></div>\n'
        '<div class="index_artical_2Pw7n">\n'
        f'<h1 class="index_topic_3HsRr">{title}</h1>\n'
        '<div class="index_info_7Cb8F">'
        f'<span class="index_source_3Ph0d"><a href="">{escape(doc.source)}</a></span>'
        f'<span class="index_date_1mIoF">{_display_time(doc.news_time)}</span></div>\n'
        f'<div class="index_main_content_3yfjA"><div class="index_text_D0U1y">'
        f"{doc.content_html}{_video_box(doc.video)}</div></div>\n"
        f"{_disclaimer(doc.host)}\n"
        f'<div class="index_like_2rD5c"><span>推荐</span><span>{likes}</span></div>\n'
        "</div>\n"
        '<div class="index_channelRec_1sSLo"><h3>频道推荐</h3>'
        f"{_headline_list(_CHANNEL_PICKS, with_meta=True)}</div>\n"
        '<div class="index_picNews_3bN7a"><h3>图片新闻</h3>'
        f"{_headline_list(_PICTURE_NEWS, with_meta=False)}</div>\n"
        f"{_FOOTER}\n"
        f"{_script(article_all_data(doc), _AD_DATA)}"
        '<script src="//x0.ifengimg.com/fe/shank/content/content.7b3e1d2a.js"></script>\n'
        "</body>\n</html>\n"
    )


def truncated_article_page(doc: IfengDoc) -> str:
    """An article page cut off two thirds into ``allData`` (a dropped upstream connection)."""
    page = article_page(doc)
    start = page.index("var allData = ") + len("var allData = ")
    end = page.index(";\n", start)
    return page[: start + (end - start) * 2 // 3]


# ---------------------------------------------------------------- lists and APIs


def newsstream_item(doc: IfengDoc, *, protocol_relative: bool = False) -> dict[str, Any]:
    thumb = _thumbnail(doc)
    # the real API mixes int and string sizes; protocol-relative items get strings
    size: Any = str if protocol_relative else int
    return {
        "id": doc.newsstream_id,
        "title": doc.title,
        "url": doc.protocol_relative_url if protocol_relative else doc.url,
        "commentUrl": "ucms_" + doc.doc_id,
        "skey": doc.skey,
        "newsTime": doc.news_time,
        "source": doc.source,
        "type": "video" if doc.video else "article",
        "thumbnails": {
            "image": [{"url": thumb.url, "width": size(thumb.width), "height": size(thumb.height)}]
        },
    }


def _newsstream(items: Sequence[IfengDoc]) -> list[dict[str, Any]]:
    return [newsstream_item(d, protocol_relative=n % 3 == 1) for n, d in enumerate(items)]


def _list_item(doc: IfengDoc) -> str:
    href = doc.protocol_relative_url
    thumb = _thumbnail(doc).url.removeprefix("https://")
    title = escape(doc.title)
    return (
        '<li class="news_item">'
        f'<a href="{href}" class="news-stream-newsStream-image-link" target="_blank">'
        f'<img src="//d.ifengimg.com/w144_h80_q90/{thumb}" alt=""></a>'
        '<div class="news-stream-newsStream-news-item-infor">'
        f'<h2><a href="{href}" title="{title}" target="_blank">{title}</a></h2>'
        '<p class="news-stream-newsStream-news-item-detail">'
        f'<span class="news-stream-newsStream-mr10">{escape(doc.source)}</span>'
        f"<time>{doc.news_time}</time></p></div></li>"
    )


def column_url(host: str, column_id: str) -> str:
    return f"https://{host}/shanklist/{column_id}/"


def column_page(host: str, column_id: str, column_title: str, items: Sequence[IfengDoc]) -> str:
    region = _region(host)
    all_data = {
        "nav": _NAV,
        "search": _SEARCH,
        "newsstream": _newsstream(items),
        "cooperation": [],
        "columnData": {
            "title": column_title,
            "description": f"凤凰网{region}{column_title}频道",
            "logo": "",
        },
        "hostname": host,
        "adMap": _AD_MAP,
    }
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta charset="utf-8">\n<meta content="always" name="referrer">\n'
        f"<title>{escape(column_title)}_凤凰网{region}</title>\n"
        f'<meta name="keywords" content="{region} {escape(column_title)} 凤凰网">\n'
        "</head>\n<body>\n"
        f"{_header(host)}\n"
        f'<div class="index_breadcrumbs_1mBKk"><a href="//{host}/">{region}</a> &gt; '
        f"<span>{escape(column_title)}</span></div>\n"
        '<div class="news-stream-newsStream-news-stream">'
        '<ul class="news-stream-basic-news-list">'
        + "".join(_list_item(d) for d in items)
        + '</ul><a class="news-stream-basic-more">加载更多</a></div>\n'
        f"{_FOOTER}\n"
        f"{_script(all_data, _AD_DATA)}"
        "</body>\n</html>\n"
    )


def column_info_url(last: IfengDoc, column_id: str, size: int = 20) -> str:
    return (
        "https://shankapi.ifeng.com/shanklist/_/getColumnInfo/_/dynamicFragment/"
        f"{last.newsstream_id}/{last.news_time_ms}/{size}/{column_id}/"
        "getColumnInfoCallback?callback=getColumnInfoCallback"
    )


def column_info_jsonp(items: Sequence[IfengDoc], *, is_end: bool) -> str:
    data = {"data": {"newsstream": _newsstream(items), "isEnd": is_end}}
    return f"getColumnInfoCallback({_json(data)})"


def search_url(keyword: str, page: int = 1) -> str:
    return (
        f"https://d.shankapi.ifeng.com/api/getSoFengData/all/{quote(keyword)}/{page}/"
        "getSoFengDataCallback?callback=getSoFengDataCallback"
    )


def search_jsonp(results: Sequence[SearchHit], *, total_page: int = 1) -> str:
    items = [
        {
            "id": hit.id,
            "title": hit.title,
            "url": hit.url,
            "newsTime": hit.news_time,
            "source": hit.source,
            "thumbnails": {"image": [{"url": hit.thumbnail}] if hit.thumbnail else []},
        }
        for hit in results
    ]
    return f"getSoFengDataCallback({_json({'data': {'items': items, 'totalPage': total_page}})})"


def home_page(
    host: str,
    docs: Sequence[IfengDoc],
    column_links: Sequence[tuple[str, str]],
    extra_links: Sequence[str] = (),
) -> str:
    """A regional home page ``https://<host>/``: column links, headline links, and decoys."""
    region = _region(host)
    columns = "".join(
        f'<li><a href="/shanklist/{c}/">{escape(t)}</a></li>' for c, t in column_links
    )
    headlines = "".join(
        f'<li><a href="{d.protocol_relative_url}" target="_blank">{escape(d.title)}</a></li>'
        for d in docs
    )
    extras = "".join(
        f'<li><a href="{escape(u)}" target="_blank">相关链接{n + 1}</a></li>'
        for n, u in enumerate(extra_links)
    )
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta charset="utf-8">\n<meta content="always" name="referrer">\n'
        f"<title>{region}频道_凤凰网</title>\n"
        f'<meta name="keywords" content="{region} 凤凰网{region} {region}新闻">\n'
        "</head>\n<body>\n"
        f"{_header(host)}\n"
        f'<div class="index_subNav_2Kq8R"><ul>{columns}</ul></div>\n'
        f'<div class="index_headline_3Tz7v"><h2>{region}要闻</h2><ul>{headlines}</ul></div>\n'
        f'<div class="index_more_1Xc5e"><h2>推荐</h2><ul>{extras}</ul></div>\n'
        f"{_FOOTER}\n"
        f"{_script({'nav': _NAV, 'search': _SEARCH, 'hostname': host, 'adMap': _AD_MAP}, _AD_DATA)}"
        "</body>\n</html>\n"
    )


# ---------------------------------------------------------------- the sample's articles

HB = "hb.ifeng.com"
HN = "hn.ifeng.com"
COL_NEWS = "200-214-216353-"  # hb 资讯
COL_WUHAN = "200-214-216354-"  # hb 武汉
COL_HN = "200-215-216400-"  # hn 要闻

BRACE_TRAP_TAIL = "晚上七点，陈宇提交了当天最后一次代码合并，窗外的光谷广场已经亮起了灯。"

_SEED_IMAGE = ifeng_image(
    "seed:8lE1OVQRmEX",
    1330,
    1080,
    caption="第十四届中国国际服务外包交易博览会开幕式现场。主办方供图",
)
_LAZY_IMAGES = (
    ifeng_image(
        "lazyload:1",
        1280,
        853,
        size_kb=210,
        caption="服博会人才对接专区，求职者排队投递简历。记者 李想 摄",
    ),
    ifeng_image(
        "lazyload:2",
        1080,
        720,
        size_kb=96,
        caption="一家服务外包企业展台前，工作人员演示智能客服系统。记者 李想 摄",
    ),
)
_VIDEO = IfengVideo(
    play_url="https://video19.ifeng.com/video09/2025/07/25/p7354081927364715520-102-8-110532.mp4",
    poster_url=ifeng_image("video:poster", 1280, 720, size_kb=95).url,
    guid="0f6a2c4e-3b1d-4c7a-9e58-2d71b6a4c903",
    duration=146,
    title="直击服博会：机器人“同事”走进展区",
)


def _seed() -> IfengDoc:
    return IfengDoc(
        doc_id="8lE1OVQRmEX",
        host=HB,
        title="这场博览会在武汉举行：数智技术赋能我国服务外包提质转型",
        news_time="2025-07-24 07:55:17",
        source="新华社",
        editor="张丽",
        content_html=(
            "<p>原标题：数智技术赋能我国服务外包提质转型</p>"
            "<p>7月23日至25日，以“数智赋能 开创未来”为主题的第十四届中国国际服务外包交易博览会"
            "在湖北武汉举行。"
            "23日开幕当天举行了国际服务外包发展论坛，与会专家表示，随着人工智能、大数据、云计算等数智技术不断创新，"
            "我国服务外包产业正加速向数字化、智能化转型，发展前景广阔。</p>"
            + lazy_img(_SEED_IMAGE)
            + "<p>近年来，服务外包与数字经济的融合日益深化，成为推动服务贸易增长的重要力量。"
            "数据显示，2024年，"
            "中国企业承接服务外包执行额22197亿元人民币，同比增长13.3%。其中，信息技术研发服务、设计服务等高附加值、"
            "高技术含量业务执行额分别为3891亿元、3446亿元，同比增长17.3%、19.1%。</p>"
            "<p>“当前，服务外包产业以数字化技术应用为基石，以产业数字化转型为方向，广泛深入国民经济各环节，"
            "支撑并推动人工智能、智能制造等新业态、新模式发展，对形成新质生产力发挥了越来越大的作用。”"
            "中国国际投资促进会会长房爱卿在开幕式致辞中说。</p>"
            "<p>中国国际服务外包交易博览会是服务外包领域唯一的全国性专业展会。本届服博会邀请美国、欧洲、日本等"
            "服务外包传统离岸市场以及“一带一路”沿线特别是东盟、中东地区等新兴离岸市场的相关机构和企业参会，"
            "现场发布《2025中国数字服务暨服务外包发展报告及优秀案例推介》《2025中日IT服务业务合作发展报告》等"
            "研究成果，提升“中国服务”品牌的国际影响力。（记者龚联康）</p>"
        ),
        images=(_SEED_IMAGE,),
        keywords=("服务外包", "服博会", "数智技术", "武汉"),
        summary="第十四届中国国际服务外包交易博览会在武汉举行，数智技术推动我国服务外包产业加速向数字化、智能化转型。",
    )


def _lazyload() -> IfengDoc:
    first, second = _LAZY_IMAGES
    return IfengDoc(
        doc_id="8lEb3ZQk2Tn",
        host=HB,
        title="武汉服务外包企业抢人才 数字技能岗位需求同比增三成",
        news_time="2025-07-25 16:20:00",
        source="湖北日报",
        editor="王敏",
        content_html=(
            paragraphs(
                "7月25日，第十四届中国国际服务外包交易博览会进入最后一天，设在武汉国际博览中心的人才对接专区依旧"
                "人头攒动。记者现场看到，数十家服务外包企业打出“急聘”招牌，数据标注师、软件测试工程师、"
                "跨境电商运营等岗位前排起了长队。",
            )
            + lazy_img(first)
            + paragraphs(
                "据武汉市商务局介绍，今年上半年，全市服务外包企业发布数字技能类岗位超过1.2万个，同比增长约三成。"
                "其中，人工智能训练师、云计算运维等新兴岗位占比明显提升，部分企业为应届毕业生开出的月薪已超过8000元。",
                "“过去服务外包给人的印象是‘接电话、做录入’，现在完全不一样了。”武汉一家软件外包公司人力资源负责人"
                "王女士说，公司今年承接的日本、新加坡客户订单中，七成以上涉及智能客服和数据分析，"
                "“我们最缺的是既懂技术又懂外语的复合型人才。”",
            )
            + lazy_img(second)
            + paragraphs(
                "为缓解企业用工压力，武汉东湖高新区联合在汉高校推出“订单式”培养计划，由企业提出课程需求、"
                "高校组织教学，学员结业后可直接进入企业实习。目前已有20余家服务外包企业参与，首批学员约600人。",
                "业内人士认为，随着数智技术加速渗透，服务外包正在从劳动密集型向知识密集型转变，人才结构的升级"
                "将直接决定企业能否接到更高附加值的订单。",
            )
        ),
        images=_LAZY_IMAGES,
        keywords=("服务外包", "人才", "武汉", "就业"),
        summary="服博会人才对接专区人气旺，武汉服务外包企业数字技能岗位需求同比增长约三成。",
    )


def _video() -> IfengDoc:
    return IfengDoc(
        doc_id="8lEWq7rJ5aC",
        host=HB,
        title="视频｜直击服博会：机器人“同事”走进展区 AI数字人当起讲解员",
        news_time="2025-07-25 11:05:32",
        source="凤凰网湖北",
        editor="周航",
        content_html=paragraphs(
            "正在武汉举行的第十四届中国国际服务外包交易博览会上，一批“会说话、能干活”的智能机器人成为展馆里的"
            "明星。凤凰网湖北记者来到现场，带你直击服博会上的新科技。",
            "在数字服务展区，一台AI数字人“讲解员”正在用中、英、日三种语言介绍参展企业的业务。工作人员告诉记者，"
            "这套系统由武汉本地一家服务外包企业开发，已在多家银行和政务大厅上岗，可以同时回答上百位用户的提问。",
            "不远处，几台协作机器人正在演示仓储分拣和质检流程。参展企业负责人介绍，过去需要人工逐件比对的质检"
            "工作，如今由视觉算法完成，效率提升了四倍以上，企业也因此接到了来自东南亚的长期订单。",
            "记者注意到，不少观众在机器人展台前驻足拍照，还有中学生在家长陪同下排队体验与数字人对话。一位参观者说，"
            "没想到这些过去只在电影里看到的场景，如今已经走进了银行网点和办事大厅。",
            "本届服博会以“数智赋能 开创未来”为主题，设置综合展、数字服务展、人才对接等多个专区，"
            "吸引了来自"
            "30多个国家和地区的机构与企业参展。（视频拍摄：凤凰网湖北 周航；剪辑：刘畅）",
        ),
        video=_VIDEO,
        keywords=("服博会", "机器人", "AI数字人", "武汉"),
        summary="服博会现场，AI数字人讲解员和协作机器人成为展馆明星。",
        column_id=COL_WUHAN,
    )


def _brace_trap() -> IfengDoc:
    return IfengDoc(
        doc_id="8lCyU4fXpLd",
        host=HB,
        title="服务外包工程师的一天：在光谷为海外客户“写代码”",
        news_time="2025-07-23 18:40:00",
        source="长江日报",
        editor="刘洋",
        content_html=(
            paragraphs(
                "早上九点，28岁的软件工程师陈宇准时打开电脑，开始和远在新加坡的客户开视频会议。他所在的公司位于"
                "武汉光谷软件园，是一家承接海外软件开发业务的服务外包企业，员工中超过八成是本地高校毕业生。",
                "“客户上周反馈，移动端页面在弱网环境下加载太慢，今天要把配置加载逻辑改掉。”陈宇一边说，"
                "一边把一段代码投到会议室的大屏上：",
            )
            + "<pre><code>var cfg = {};\nif (!cfg.retry) { cfg.retry = 3; };\n"
            "loadConfig(cfg, function () { render(); });</code></pre>"
            + paragraphs(
                "他解释说，第一行先声明一个空的配置对象 var cfg = {}; "
                "如果服务器没有返回重试次数，就默认重试三次。"
                "“这种改动看起来很小，但客户的用户遍布东南亚，网络条件差异很大，细节决定了产品口碑。”",
                "中午，团队在园区食堂简单吃过午饭，下午又和日本客户对接了一个数据标注项目。陈宇说，近两年公司的"
                "订单结构变化明显，单纯的人力外包越来越少，涉及人工智能、大数据的项目越来越多，对工程师的要求也越来越高。",
                "据统计，2024年武汉市服务外包执行额同比增长超过15%，离岸业务覆盖100多个国家和地区。东湖高新区有关"
                "负责人表示，将继续完善人才公寓、跨境数据流动等配套政策，让更多像陈宇这样的年轻人留在武汉。",
                BRACE_TRAP_TAIL,
            )
        ),
        keywords=("服务外包", "光谷", "软件工程师"),
        summary="一位服务外包软件工程师在光谷为海外客户开发软件的一天。",
    )


def _xss_trap() -> IfengDoc:
    return IfengDoc(
        doc_id="8lDmK9sRw2E",
        host=HB,
        title="服博会观察：武汉服务外包企业“组团出海”",
        news_time="2025-07-24 20:10:00",
        source="湖北日报",
        editor="陈晨",
        content_html=(
            "<p>在第十四届中国国际服务外包交易博览会上，“出海”成为武汉参展企业口中的高频词。记者在湖北展区看到，"
            "十余家本地服务外包企业联合推出“数字服务出海联盟”，集中展示面向东盟和中东市场的解决方案。</p>"
            "<script>alert(1)</script>"
            '<p style="color:red;font-size:40px">联盟发起单位之一、'
            "武汉某信息技术公司总经理介绍，过去企业单打独斗，"
            "很难拿到海外大客户的长期合同；如今几家企业按研发、测试、运维分工协作，可以为客户提供“一站式”服务，"
            "报价和交付周期都更有竞争力。</p>"
            "<p><img src=x onerror=alert(1)></p>"
            "<p>数据显示，今年上半年，湖北省承接离岸服务外包执行额同比增长超过两成，其中面向“一带一路”沿线国家的"
            "业务增速最快。不少企业表示，本届服博会期间已与多家海外机构达成合作意向。</p>"
            '<p>更多展会信息，<a href="javascript:alert(1)">点击</a>查看。</p>'
            '<iframe src="https://evil.example/track.html" width="1" height="1"></iframe>'
            "<p>记者了解到，联盟成员企业今年以来已累计接洽海外项目40余个，业务覆盖软件开发、数据处理、工程设计等"
            "多个方向。联盟还计划在新加坡、迪拜设立联络处，为成员企业提供市场调研、法律咨询等公共服务。</p>"
            "<p>业内人士提醒，企业“出海”还需重视数据合规、知识产权保护和本地化运营等问题。湖北省商务厅表示，"
            "将继续搭建海外推介平台，帮助更多服务外包企业走向国际市场。</p>"
        ),
        keywords=("服博会", "服务外包", "出海"),
        summary="服博会上，武汉十余家服务外包企业联合推出“数字服务出海联盟”。",
        column_id=COL_WUHAN,
    )


def _too_old(recorded_at: datetime) -> IfengDoc:
    published = (recorded_at - timedelta(days=20)).astimezone(BEIJING)
    return IfengDoc(
        doc_id="8k6QvN3hTzB",
        host=HB,
        title="湖北出台十条措施 推动服务外包产业高质量发展",
        news_time=published.strftime(TIME_FORMAT),
        source="湖北日报",
        editor="李娜",
        content_html=paragraphs(
            "近日，湖北省商务厅等部门联合印发《关于推动服务外包产业高质量发展的若干措施》，从市场主体培育、人才培养、"
            "数字化转型、国际市场开拓等方面提出十条具体举措。",
            "《措施》提出，到2027年，全省服务外包执行额力争突破千亿元，培育年执行额超亿元的龙头企业50家以上，"
            "建设一批特色鲜明的服务外包产业园区。",
            "在人才方面，《措施》鼓励高校开设服务外包相关专业和课程，支持企业与院校共建实训基地，对吸纳高校毕业生"
            "就业的服务外包企业给予培训补贴。",
            "在数字化转型方面，湖北将支持企业运用人工智能、云计算等技术改造传统业务流程，发展数据标注、智能客服、"
            "工业软件等新业态，推动服务外包向价值链高端攀升。",
            "业内人士分析，湖北拥有130所高校、百万在校大学生，人才储备在中部地区首屈一指，为相关企业提供了充足的"
            "人力资源。此次政策出台，有望进一步吸引龙头企业来鄂布局区域交付中心。",
            "省商务厅有关负责人表示，湖北科教资源丰富，发展服务外包具有独特优势，下一步将加强政策落实和跟踪评估，"
            "持续优化产业发展环境。",
        ),
        keywords=("服务外包", "湖北", "政策"),
        summary="湖北出台十条措施推动服务外包产业高质量发展。",
    )


_COPY_TITLE = "商务部：上半年我国服务外包业务规模保持较快增长"
_COPY_HTML = paragraphs(
    "商务部新闻发言人在近日举行的例行新闻发布会上介绍，今年上半年，我国企业承接服务外包合同额和执行额保持较快增长，"
    "数字化、智能化特征更加明显。",
    "数据显示，上半年我国企业承接服务外包执行额同比增长约一成，其中承接离岸服务外包执行额增速高于整体水平。"
    "从业务结构看，信息技术外包、业务流程外包和知识流程外包协同发展，知识流程外包占比稳步提升。",
    "发言人表示，服务外包是服务贸易的重要组成部分，对稳外贸、稳就业具有重要作用。商务部将会同有关部门，进一步"
    "完善支持政策，推动服务外包示范城市高质量发展，培育一批具有国际竞争力的龙头企业。",
    "业内专家认为，当前全球数字化转型持续推进，跨国企业对研发设计、数据分析等高端服务的外包需求不断增长，"
    "我国服务外包企业应抓住机遇，加快提升技术能力和国际化经营水平。",
    "发言人还提到，第十四届中国国际服务外包交易博览会于7月下旬在湖北武汉举办，展会期间将发布行业发展报告和"
    "优秀案例，为企业开拓国际市场搭建交流合作平台。",
)


def _copy(doc_id: str, host: str, column_id: str, editor: str) -> IfengDoc:
    return IfengDoc(
        doc_id=doc_id,
        host=host,
        title=_COPY_TITLE,
        news_time="2025-07-24 15:00:00",
        source="央视新闻",
        editor=editor,
        content_html=_COPY_HTML,
        keywords=("服务外包", "商务部", "服务贸易"),
        summary="上半年我国服务外包业务规模保持较快增长。",
        column_id=column_id,
    )


def _weather() -> IfengDoc:
    return IfengDoc(
        doc_id="8lEZ4nLq8Vw",
        host=HB,
        title="湖北今明两天持续高温 局地最高气温超40℃",
        news_time="2025-07-25 08:30:00",
        source="湖北日报",
        editor="王敏",
        content_html=paragraphs(
            "记者从湖北省气象台获悉，受副热带高压控制，25日至26日全省大部地区以晴热天气为主，江汉平原、鄂东北等地"
            "最高气温普遍在37℃至39℃之间，局地可达40℃以上。省气象台已连续发布高温橙色预警。",
            "气象专家提醒，高温时段应尽量减少户外活动，户外作业人员要做好防暑降温措施，合理安排作息时间；老人、"
            "儿童和慢性病患者要特别注意防范中暑。",
            "持续高温也导致用电负荷快速攀升。国网湖北省电力公司介绍，24日全省最大用电负荷再创历史新高，电力部门"
            "已启动迎峰度夏应急预案，加强设备巡视和运维保障，全力确保居民用电需求。",
            "交通部门也提醒广大驾驶员，高温天气下要注意检查车辆轮胎、水箱等部件，长途行车避免疲劳驾驶；城市公交、"
            "地铁等公共交通已加强车厢空调巡检，部分线路在客流高峰时段加密了班次。",
            "农业部门提醒，当前正值中稻孕穗抽穗关键期，持续高温对水稻结实不利，各地要及时灌深水调温，做好病虫害防治。"
            "据预测，27日起省内将有一次降雨过程，高温天气将有所缓解。",
        ),
        keywords=("湖北", "高温", "天气"),
        summary="湖北持续晴热高温，局地最高气温超40℃。",
    )


def _traffic() -> IfengDoc:
    return IfengDoc(
        doc_id="8lBfT6jHs3Y",
        host=HB,
        title="武汉地铁12号线全线贯通在即 “环线”将串起三镇",
        news_time="2025-07-22 10:15:00",
        source="长江日报",
        editor="刘洋",
        content_html=paragraphs(
            "7月21日，随着最后一段区间隧道顺利贯通，武汉地铁12号线建设迎来关键节点。该线路是武汉首条地铁环线，"
            "全长约59.9公里，设站37座，串联起汉口、武昌、汉阳三镇，建成后将与多条既有线路换乘。",
            "据建设单位介绍，12号线沿线地质条件复杂，需两次下穿长江、一次下穿汉江，施工团队采用大直径盾构等工艺，"
            "攻克了高水压、强透水等多项技术难题。",
            "记者在江北段一处施工现场看到，盾构机刚刚完成接收，工人们正在清理隧道内的渣土。项目负责人说，为抢抓工期，"
            "施工队伍实行“三班倒”，高温时段则调整为早晚作业，确保工人安全。",
            "目前，12号线已完成大部分车站主体结构施工，正在进行铺轨和机电设备安装。按计划，线路将于年内具备试运行条件。",
            "为减少施工对市民出行的影响，建设单位在沿线多个路口设置了临时交通导改措施，并通过公众号及时发布施工信息。"
            "不少沿线居民表示，虽然这几年出行有些不便，但一想到家门口就要通地铁，心里还是很期待。",
            "交通专家表示，环线建成后，将有效缓解中心城区换乘压力，市民跨江出行时间有望缩短20分钟以上。沿线的商圈、"
            "高校和医院也将因此更加便捷可达，三镇之间的通勤将迎来新变化。",
        ),
        keywords=("武汉地铁", "12号线", "交通"),
        summary="武汉首条地铁环线12号线全线贯通在即。",
    )


def _culture() -> IfengDoc:
    return IfengDoc(
        doc_id="8lDc2WmUa9F",
        host=HN,
        title="河南博物院暑期夜场开放 “文物活化”圈粉年轻观众",
        news_time="2025-07-24 12:00:00",
        source="河南日报",
        editor="赵磊",
        content_html=paragraphs(
            "入夜，郑州农业路上的河南博物院依旧灯火通明。今年暑期，河南博物院推出夜场开放活动，每周五、周六延长开放至"
            "晚上九点，首个周末就吸引了上万名观众入馆参观。",
            "与白天相比，夜场增加了不少互动项目：观众可以在华夏古乐团的演奏中欣赏贾湖骨笛的复原乐音，也可以参与"
            "“考古盲盒”体验，亲手“发掘”青铜器、陶俑等文物复制品。",
            "在青铜器展厅，讲解员结合灯光和多媒体投影，为观众讲述莲鹤方壶背后的故事，不少家长带着孩子边听边记。"
            "博物院还在院内广场设置了非遗市集，朱仙镇木版年画、汴绣等传统技艺现场展示，吸引市民驻足体验。",
            "“以前觉得博物馆离自己很远，现在发现文物也可以很‘潮’。”来自洛阳的大学生小李说，她特意和同学一起坐高铁"
            "来郑州打卡，还买了几件文创雪糕和冰箱贴作为纪念。",
            "据统计，今年上半年河南博物院接待观众超过120万人次，其中35岁以下观众占比超过六成。“考古盲盒”等文创产品"
            "线上销量也持续走高，成为不少游客来郑州必买的“伴手礼”。",
            "河南博物院相关负责人介绍，夜场开放是推动文物活化利用的一次尝试，下一步将结合馆藏特色，推出更多沉浸式展览"
            "和研学课程，让更多年轻人走进博物馆、爱上传统文化。",
        ),
        keywords=("河南博物院", "夜场", "文物"),
        summary="河南博物院暑期推出夜场开放，互动项目吸引年轻观众。",
        column_id=COL_HN,
    )


def _sports() -> IfengDoc:
    return IfengDoc(
        doc_id="8lCtH8kPo4Q",
        host=HN,
        title="2025郑州马拉松报名启动 今年首设“家庭跑”项目",
        news_time="2025-07-23 09:00:00",
        source="大河报",
        editor="赵磊",
        content_html=paragraphs(
            "7月22日，2025郑州马拉松正式开启报名通道。本届赛事将于10月下旬鸣枪开跑，设全程马拉松、半程马拉松和健康跑"
            "三个项目，总规模3万人。",
            "与往年不同的是，今年赛事首次增设“家庭跑”组别，家长可携带6至12岁儿童共同参加，全程约3公里。组委会表示，"
            "此举旨在推动全民健身走进家庭，让更多孩子感受运动的乐趣。",
            "组委会还对补给和医疗保障进行了升级，全程设置补给站15个、医疗点20个，并招募500名志愿者提供服务。"
            "赛事期间，郑州地铁将提前开通运营，方便跑者和观众前往起点。",
            "在赛道设计上，本届郑马起点设在郑州市体育中心，途经中原福塔、如意湖、龙湖等城市地标，终点位于郑东新区。"
            "组委会将在沿途设置20余个文艺表演点，展示中原文化特色。",
            "作为国内知名的城市马拉松赛事，郑州马拉松已连续多年获得中国田径协会金牌赛事称号。去年赛事吸引了来自全国"
            "各地的2.6万名跑者参赛，带动住宿、餐饮等相关消费超过亿元。",
            "据悉，报名将于8月15日截止，全程和半程项目名额超出后将采取抽签方式确定参赛资格。组委会提醒，跑者应量力而行，"
            "赛前做好体检和科学训练。",
        ),
        keywords=("郑州马拉松", "家庭跑", "体育"),
        summary="2025郑州马拉松开启报名，首设家庭跑项目。",
        column_id=COL_HN,
    )


def _deep() -> IfengDoc:
    return IfengDoc(
        doc_id="8lAx7VbNd5R",
        host=HB,
        title="服务外包人才培训基地在汉揭牌 首批学员来自12所高校",
        news_time="2025-07-20 15:30:00",
        source="湖北日报",
        editor="李娜",
        content_html=paragraphs(
            "7月19日，湖北省服务外包人才培训基地在武汉东湖高新区揭牌。来自武汉大学、华中科技大学等12所高校的"
            "首批200名学员将在这里接受为期三个月的实训。",
            "基地由地方政府、高校和龙头企业共建，课程涵盖软件开发、数据分析、跨境电商运营和商务外语等方向，"
            "学员结业后可优先进入合作企业实习和就业。",
            "揭牌仪式后，基地与首批15家合作企业签订了人才培养协议。企业代表表示，将拿出真实的项目任务供学员练手，"
            "表现优秀的学员可提前获得录用通知。",
            "基地负责人介绍，培训采用“真项目、真团队”的模式，由企业工程师担任导师，学员直接参与国际客户的实际项目。"
            "“我们希望学员在毕业前就能熟悉国际交付流程，缩短从校园到岗位的适应期。”",
            "开班仪式上，不少学员表示对即将开始的实训充满期待。华中科技大学计算机专业的大四学生小王说：“在学校里学的"
            "多是理论知识，能在毕业前参与真实的国际项目，对找工作很有帮助。”",
            "据了解，湖北现有服务外包企业近两千家，从业人员超过30万人。随着数字经济快速发展，企业对高层次、复合型"
            "人才的需求持续旺盛，此类培训基地将在全省逐步推广。",
        ),
        keywords=("服务外包", "人才培训", "东湖高新区"),
        summary="湖北省服务外包人才培训基地揭牌，首批学员来自12所高校。",
    )


def _search_only() -> IfengDoc:
    return IfengDoc(
        doc_id="8lEQ3gJy6Ds",
        host=HN,
        title="郑州航空港区服务外包产业园新签约项目23个",
        news_time="2025-07-25 09:12:40",
        source="河南日报",
        editor="孙悦",
        content_html=paragraphs(
            "7月24日，郑州航空港经济综合实验区举行服务外包产业园项目集中签约仪式，23个项目现场签约，总投资额约46亿元，"
            "涵盖软件研发、数字内容、供应链管理和跨境电商服务等领域。",
            "航空港区有关负责人介绍，产业园依托郑州“空中丝绸之路”的国际物流优势，重点发展面向欧洲和东盟市场的离岸"
            "服务外包业务。目前园区已入驻企业120余家，从业人员超过1.5万人。",
            "本次签约项目中，超过一半为数字化服务类项目，既有国内头部互联网企业设立的区域交付中心，也有来自新加坡、"
            "德国的外资企业设立的共享服务中心。",
            "签约企业之一、一家跨境供应链服务公司负责人表示，选择落户航空港区，看中的是这里的航线网络和通关便利，"
            "公司计划三年内在园区招聘500名数字化运营人才。",
            "签约仪式现场，多家企业负责人表示，郑州作为国家中心城市，区位优势和人才资源日益凸显，营商环境持续优化，"
            "是企业布局中西部市场的理想之地。",
            "据悉，河南省正在加快建设服务外包示范城市，今年上半年全省服务外包执行额同比增长12.6%。下一步，航空港区"
            "将完善人才引进和研发补贴政策，推动更多项目尽快落地投产。",
        ),
        keywords=("服务外包", "郑州航空港", "签约"),
        summary="郑州航空港区服务外包产业园集中签约23个项目。",
        column_id=COL_HN,
    )


def _broken() -> IfengDoc:
    return IfengDoc(
        doc_id="8lEc9FuMr0X",
        host=HB,
        title="服博会闭幕在即 签约项目金额创历届新高",
        news_time="2025-07-25 14:02:00",
        source="湖北日报",
        editor="王敏",
        content_html=paragraphs(
            "记者从第十四届中国国际服务外包交易博览会组委会获悉，截至7月25日上午，本届服博会已促成签约项目86个，"
            "签约金额创历届新高，涉及数字服务、医药研发、工业设计等多个领域。",
            "组委会介绍，本届展会共吸引境内外参展企业近千家，专业观众超过3万人次。展会期间举办的20余场专题活动，"
            "为供需双方搭建了高效的对接平台。",
            "从签约项目来源看，境外企业和机构参与的项目数量明显增加，来自东盟、中东地区的项目占比超过三成，"
            "显示出我国服务外包产业在新兴市场的吸引力持续提升。",
            "多家参展企业表示，通过服博会结识了不少海外客户，部分合作意向有望在年内转化为正式订单。",
            "据了解，本届服博会首次设立“数字服务出海”专区，集中展示我国企业在跨境电商、云服务、智能制造等领域的"
            "最新成果，吸引了大批海外采购商驻足洽谈。闭幕式将于25日下午举行。",
            "湖北省商务厅负责人表示，将以此次展会为契机，进一步加大招商引资力度，推动更多优质服务外包项目落户湖北。",
        ),
        keywords=("服博会", "签约", "服务外包"),
        summary="服博会签约项目金额创历届新高。",
    )


def sample_docs(recorded_at: datetime) -> dict[str, IfengDoc]:
    """Every article of the sample, keyed by role."""
    return {
        "seed": _seed(),
        "lazyload": _lazyload(),
        "video": _video(),
        "brace_trap": _brace_trap(),
        "xss_trap": _xss_trap(),
        "too_old": _too_old(recorded_at),
        "hb_copy": _copy("8lDaP2xYc7M", HB, COL_WUHAN, "陈晨"),
        "hn_copy": _copy("8lDaR5tGe1K", HN, COL_HN, "孙悦"),
        "weather": _weather(),
        "traffic": _traffic(),
        "culture": _culture(),
        "sports": _sports(),
        "deep": _deep(),
        "search_only": _search_only(),
        "broken": _broken(),
    }


# Links and hits the spider must leave alone: another host, a special topic, legacy and ad URLs.
_OTHER_HOST_URL = "//news.ifeng.com/c/8lE0KzWv3Qa"
_SPECIAL_URL = "//hb.ifeng.com/c/special/8lD7fsbh2Ub"
_HB_DECOYS = (
    _SPECIAL_URL,
    _OTHER_HOST_URL,
    "//v.ifeng.com/c/8lE5xQw1rTb",
    "//hb.ifeng.com/a/20180317/6439724_0.shtml",
    "https://sc.ifeng.com/event.ng/Type=click&FlightID=1028&AdID=1&TargetID=1&Values=1",
)
_HN_DECOYS = (
    "//news.ifeng.com/c/special/8lC2pLq9xWe",
    "//news.ifeng.com/c/8lD3rTy7uIo",
    "https://sc.ifeng.com/event.ng/Type=click&FlightID=2051&AdID=7&TargetID=3&Values=1",
)


def _decoy_hits(keyword: str) -> list[SearchHit]:
    thumb = ifeng_image("decoy:" + keyword, 640, 360, size_kb=40).url
    return [
        SearchHit(
            "8lE0KzWv3Qa",
            highlight("服博会上的“AI+服务外包”新场景", keyword),
            _OTHER_HOST_URL,
            "2025-07-24 21:30:00",
            "凤凰网资讯",
            thumb,
        ),
        SearchHit(
            "8lD7fsbh2Ub",
            highlight("专题｜第十四届服博会·服务外包看湖北", keyword),
            _SPECIAL_URL,
            "2025-07-23 08:00:00",
            "凤凰网湖北",
            thumb,
        ),
    ]


def _add(writer: SnapshotWriter, url: str, body: str, content_type: str = HTML_TYPE) -> None:
    writer.add(url, body, content_type=content_type)


def _record_homes(writer: SnapshotWriter, d: Mapping[str, IfengDoc]) -> tuple[str, ...]:
    hb = home_page(
        HB,
        [d["seed"], d["lazyload"], d["video"], d["weather"]],
        [(COL_NEWS, "资讯"), (COL_WUHAN, "武汉")],
        _HB_DECOYS,
    )
    hn = home_page(HN, [d["sports"], d["culture"]], [(COL_HN, "要闻")], _HN_DECOYS)
    urls = (f"https://{HB}/", f"https://{HN}/")
    _add(writer, urls[0], hb)
    _add(writer, urls[1], hn)
    return urls


def _record_columns(
    writer: SnapshotWriter, d: Mapping[str, IfengDoc]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Column pages and their getColumnInfo continuations, each built from the page before.

    The first continuation of hb 资讯 holds only articles linked nowhere else, so a crawl
    that already stored everything else still finds it fresh and pages on to "deep".
    """
    columns = (  # newest first, as the site lists them
        (HB, COL_NEWS, "资讯", [d["lazyload"], d["broken"], d["weather"]]),
        (HB, COL_WUHAN, "武汉", [d["video"], d["xss_trap"], d["hb_copy"]]),
        (HN, COL_HN, "要闻", [d["hn_copy"], d["culture"], d["sports"]]),
    )
    continuations = {
        COL_NEWS: [([d["brace_trap"], d["traffic"]], False), ([d["deep"], d["too_old"]], True)],
    }
    column_urls: list[str] = []
    info_urls: list[str] = []
    for host, column_id, title, items in columns:
        column_urls.append(column_url(host, column_id))
        _add(writer, column_urls[-1], column_page(host, column_id, title, items))
        last = items[-1]
        for page_items, is_end in continuations.get(column_id, [([], True)]):
            info_urls.append(column_info_url(last, column_id))
            _add(writer, info_urls[-1], column_info_jsonp(page_items, is_end=is_end), JSONP_TYPE)
            last = page_items[-1] if page_items else last
    return tuple(column_urls), tuple(info_urls)


# 博览会 is not a sample topic keyword, but the test suite's config searches it too.
_SEARCH_HITS = {
    "服务外包": ("seed", "lazyload", "search_only", "too_old", "hb_copy"),
    "服博会": ("video", "xss_trap", "broken"),
    "博览会": ("seed",),
}


def _record_searches(writer: SnapshotWriter, d: Mapping[str, IfengDoc]) -> dict[str, str]:
    search_urls = {}
    for keyword, roles in _SEARCH_HITS.items():
        search_urls[keyword] = search_url(keyword)
        results = [SearchHit.of(d[r], keyword) for r in roles]
        if keyword in ("服务外包", "服博会"):
            results += _decoy_hits(keyword)
        _add(writer, search_urls[keyword], search_jsonp(results), JSONP_TYPE)
    return search_urls


def build_ifeng_snapshot(writer: SnapshotWriter) -> IfengSample:
    """Record the ifeng part of the bundled sample into ``writer`` (not saved).

    Article times are fixed around 2025-07-26; build with ``recorded_at`` 2025-07-26 10:00+08:00.
    """
    docs = sample_docs(writer.recorded_at)
    for role, doc in docs.items():
        page = truncated_article_page(doc) if role == "broken" else article_page(doc)
        _add(writer, doc.url, page)
        if role == "broken":
            writer.mark_broken(doc.url, "the article's data is cut off mid-way, so the page cannot be read")
        if role == "xss_trap":  # <img src=x onerror=…>: the script is removed, the image is not there
            writer.mark_broken(urljoin(doc.url, "x"), "an image tag hiding a script (<img src=x onerror=…>): "
                               "the script is dropped, the image leads nowhere (HTTP 404)")
        for image_url in [i.url for i in doc.images] + ([doc.video.poster_url] if doc.video else []):
            writer.add(image_url, placeholder_png(image_url), content_type="image/png")
    home_urls = _record_homes(writer, docs)
    column_urls, info_urls = _record_columns(writer, docs)
    search_urls = _record_searches(writer, docs)
    # article pages also link the channel level of their breadcrumb; no spider should follow it
    channels = tuple(_breadcrumb(docs[role])[1]["url"] for role in ("seed", "culture"))
    links = _HB_DECOYS + _HN_DECOYS + channels
    ignored = tuple(dict.fromkeys("https:" + u if u.startswith("//") else u for u in links))
    return IfengSample(
        docs=docs,
        expected_archived=frozenset(
            {"seed", "lazyload", "video", "brace_trap", "xss_trap", "deep", "search_only"}
        ),
        same_text_pair=("hb_copy", "hn_copy"),
        home_urls=home_urls,
        column_urls=column_urls,
        column_info_urls=info_urls,
        search_urls=search_urls,
        recorded_at=writer.recorded_at,
        brace_trap_tail=BRACE_TRAP_TAIL,
        ignored_urls=ignored,
    )

"""What is not article text: boilerplate lines and the page parts that hold them."""

from __future__ import annotations

import re

# A whole line that is boilerplate: editor and copyright lines, share widgets, comment counts,
# list headings, paging and page tools. Matched against a block's stripped text.
JUNK_LINE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|责编|编辑|审核|审校|校对|监制|主编|值班编辑|实习编辑)\s*[:：]"
    r"|版权所有|Copyright|©|ICP\s*备|ICP证|公网安备|All Rights Reserved|未经.{0,12}授权|禁止转载|违者.{0,6}追究"
    r"|^分享到|^分享$|扫.{0,4}二维码|扫一扫|用手机看|关注.{0,8}公众号|公众号$"
    r"|^(?:上一篇|下一篇|上一页|下一页|首页|尾页|返回顶部|打印本页|打印|关闭窗口|【?纠错】?|大字体|小字体)"
    r"|我要评论|网友评论|已有\d+人参与|^\d+\s*条评论|^评论$|发表评论"
    r"|^(?:相关新闻|相关阅读|相关文章|相关链接|热门推荐|热点推荐|推荐阅读|延伸阅读|热门排行|猜你喜欢|更多精彩)"
    r"|^【?字体[:：]|^(?:来源|稿源)[:：].{0,40}$|^(?:发布时间|发布日期|时间)[:：].{0,60}$"
    r"|^20\d{2}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}日?\s*\d{1,2}:\d{2}(?::\d{2})?[^，。！？]{0,40}$",
    re.I,
)
# class/id tokens (split at - and _) of page parts that never hold the article body.
JUNK_PARTS = frozenset({
    "comment", "comments", "cmt", "share", "sharebox", "related", "relevant", "recommend", "footer",
    "foot", "nav", "navbar", "menu", "breadcrumb", "crumbs", "position", "route", "hot", "hotnews",
    "rank", "ranking", "keywords", "copyright", "toolbar", "login", "sidebar", "edit",
    "adeditor", "bottom", "xgwz", "xgxw", "ad", "ads", "banner", "qrcode", "print", "page", "pages",
    "paging", "pagination", "tags", "author", "pl", "reply",
})
_TOKEN_SPLIT = re.compile(r"[\s_-]+")


def is_junk_line(line: str) -> bool:
    return bool(JUNK_LINE.search(line.strip()))


def is_junk_part(class_and_id: str) -> bool:
    """A page part named like navigation, comments, sharing, related lists, paging or the footer."""
    return any(token in JUNK_PARTS for token in _TOKEN_SPLIT.split(class_and_id.lower()) if token)

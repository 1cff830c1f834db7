"""Articles split over pages: the link to the next page (``_2.html``, 下一页)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html

NEXT_TEXTS = frozenset({"下一页", "下页", "下一頁", "下一页>", "下一页>>", "下一页 >", ">", "›", "»"})
# …/10454120.shtml, …/10454120_2.shtml, …/c192237-41286531-2.html: the page number ends the stem.
PAGE_SUFFIX = re.compile(r"^(?P<stem>.+?)(?:[_-](?P<page>\d{1,2}))?(?P<ext>\.[A-Za-z]{2,6})?$")


def _split(url: str) -> tuple[str, str, int, str] | None:
    parts = urlsplit(url)
    folder, _, name = parts.path.rpartition("/")
    match = PAGE_SUFFIX.match(name)
    if not match:
        return None
    return f"{parts.netloc}{folder}", match.group("stem"), int(match.group("page") or 1), match.group("ext") or ""


def page_of(url: str, first_url: str) -> int | None:
    """``url``'s page number when it is a page of the article at ``first_url``, else None."""
    this, first = _split(url), _split(first_url)
    if this is None or first is None:
        return None
    same = this[0] == first[0] and this[1] == first[1] and this[3] == first[3]
    return this[2] if same else None


def next_page(tree: lxml.html.HtmlElement, url: str, first_url: str) -> str | None:
    """The next page of the article: a 下一页 link, else the pager's link to the page after this one."""
    current = page_of(url, first_url) or 1
    numbered = None
    for link in tree.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        target = urljoin(url, href).split("#", 1)[0]
        number = page_of(target, first_url)
        if number is None or number <= current:
            continue
        text = " ".join(link.text_content().split())
        if text in NEXT_TEXTS:
            return target
        if number == current + 1 and text == str(number) and numbered is None:
            numbered = target  # a pager's "2" (a related article's link is no page number)
    return numbered

"""One Message in each channel's markup: Markdown, HTML, plain text, Feishu ``post`` lines."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from crawler.delivery.compose import Message, Paragraph

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _md_paragraph(paragraph: Paragraph) -> str:
    return "".join(f"[{_md(span.text)}]({span.href})" if span.href else _md(span.text) for span in paragraph)


def markdown(message: Message, *, limit: int = 0) -> str:
    """``**title**`` then one paragraph a line; cut to ``limit`` UTF-8 bytes by whole paragraphs."""
    return _fit([f"**{_md(message.title)}**"], [_md_paragraph(p) for p in message.paragraphs], "\n", limit)


def html_text(message: Message, *, limit: int = 0) -> str:
    """Telegram's HTML subset: ``<b>``, ``<a href>``; newlines between paragraphs."""
    parts = [html_text_paragraph(p) for p in message.paragraphs]
    return _fit([f"<b>{html.escape(message.title)}</b>"], parts, "\n", limit, len)


def html_document(message: Message) -> str:
    """An email's HTML part."""
    body = "\n".join(f"<p>{html_text_paragraph(p)}</p>" for p in message.paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(message.title)}'
            f"</title></head>\n<body>\n<h2>{html.escape(message.title)}</h2>\n{body}\n</body></html>\n")


def html_text_paragraph(paragraph: Paragraph) -> str:
    return "".join(f'<a href="{html.escape(s.href)}">{html.escape(s.text)}</a>' if s.href
                   else html.escape(s.text) for s in paragraph)


def plain(message: Message) -> str:
    def paragraph(p: Paragraph) -> str:
        return "".join(f"{s.text} <{s.href}>" if s.href else s.text for s in p)
    return "\n".join([message.title, "", *(paragraph(p) for p in message.paragraphs)]) + "\n"


def feishu_post(message: Message) -> list[list[dict[str, Any]]]:
    """The ``content`` lines of a Feishu ``post`` message: text and ``a`` elements."""
    return [[{"tag": "a", "text": s.text, "href": s.href} if s.href else {"tag": "text", "text": s.text}
             for s in paragraph] for paragraph in message.paragraphs]


def _fit(head: list[str], parts: list[str], joiner: str, limit: int,
         size: Callable[[str], int] = lambda text: len(text.encode("utf-8"))) -> str:
    text = joiner.join([*head, *parts])
    if not limit or size(text) <= limit:
        return text
    kept = list(parts)
    while kept:
        kept.pop()
        cut = joiner.join([*head, *kept, f"…（另有 {len(parts) - len(kept)} 段未显示）"])
        if size(cut) <= limit:
            return cut
    return joiner.join(head)[:limit]

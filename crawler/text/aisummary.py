"""An LLM's Markdown summary made safe to keep, and read back as plain text for feeds and messages."""

from __future__ import annotations

import re

MAX_CHARS = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^>\n]*>")
_FENCE = re.compile(r"^```[^\n]*\n|\n```\s*$")
_MARKUP = re.compile(r"^\s*(#{1,6}\s*|[-*+]\s+|>\s*)|\*\*|__|`")


def clean_ai_summary(text: str) -> str:
    """No HTML (it is untrusted text), no control characters, no code fence around it, bounded."""
    text = _FENCE.sub("", _CONTROL.sub("", text).strip())
    text = _TAG.sub("", text).replace("<", "＜").strip()
    return text[:MAX_CHARS].rstrip()


def ai_summary_plain(markdown: str) -> str:
    """The summary as one paragraph of plain text: headings, bullets and emphasis dropped."""
    lines = (_MARKUP.sub("", line).strip() for line in markdown.splitlines())
    return " ".join(line for line in lines if line)

"""The text of a page whatever its bytes: header charset, then the meta tag, then the bytes."""

from __future__ import annotations

import codecs
import re

# GB2312 and GBK pages routinely hold characters only their superset has (镕, 喆, 玥 …):
# every declaration of the family decodes as GB18030, which loses nothing.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
              "cp936": "gb18030", "big5": "big5hkscs", "iso-8859-1": "cp1252", "ascii": "cp1252"}
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_SNIFF_BYTES = 4096


def _codec(label: str) -> str | None:
    name = label.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(body: bytes, content_type: str = "") -> str | None:
    """The codec the page declares: HTTP header first, then a <meta> in its first 4 KB."""
    match = _HEADER_CHARSET.search(content_type or "")
    if match and (codec := _codec(match.group(1))):
        return codec
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    if match:
        return _codec(match.group(1).decode("ascii", "ignore"))
    return None


def sniffed_charset(body: bytes) -> str:
    """No declaration: UTF-8 if the bytes are valid UTF-8, else GB18030 (what such Chinese pages are)."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def decode_page(body: bytes, content_type: str = "") -> str:
    """The page as text. A declared UTF-8 that is not (a mislabelled GBK page) falls back to the bytes."""
    codec = declared_charset(body, content_type) or sniffed_charset(body)
    if codec == "utf-8":
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            codec = sniffed_charset(body)
    return body.decode(codec, errors="replace")

"""Plain-text helpers: XML-safe strings, matching folds and the content hash."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

# Everything XML 1.0 forbids, including unpaired surrogates.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")


def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry."""
    if not _XML_ILLEGAL.search(value):  # nearly always (a feed build asks ~100,000 times)
        return value
    # A surrogate pair that arrived as two code points is a real character: join it first.
    joined = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _XML_ILLEGAL.sub("", joined)


# Full-width ASCII and the ideographic space: what keeps Chinese text from being NFKC already.
_FULL_WIDTH = re.compile("([\uff01-\uff5e\u3000])")
_NARROW = {chr(code): unicodedata.normalize("NFKC", chr(code)) for code in (*range(0xFF01, 0xFF5F), 0x3000)}


def _narrowed(value: str) -> str:
    # A regex split, not str.translate: translate looks every character up in the table
    # (a KeyError for each miss), three times slower on Chinese text.
    parts = _FULL_WIDTH.split(value)
    parts[1::2] = [_NARROW[char] for char in parts[1::2]]
    return "".join(parts)


@functools.lru_cache(maxsize=8)
def nfkc(value: str) -> str:
    """NFKC, remembered: topic matching and the content hash both need it for the same text.

    The full-width characters are mapped first (each to its one-character NFKC form, which
    changes no result); the rest of a Chinese text is then usually NFKC already, which the
    quick check confirms for a fraction of a full normalisation's cost.
    """
    narrowed = _narrowed(value)
    if unicodedata.is_normalized("NFKC", narrowed):
        return narrowed
    return unicodedata.normalize("NFKC", narrowed)


def fold(value: str) -> str:
    """The form keywords are matched in: NFKC (full/half width) and case-folded."""
    return nfkc(value).casefold()


def clean_line(value: str) -> str:
    """One-line text: XML-safe, whitespace collapsed."""
    return _WHITESPACE.sub(" ", xml_safe(value)).strip()


# After xml_safe, the line breaks str.splitlines() knows besides "\n".
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")


def clean_paragraphs(value: str) -> str:
    """Every line as ``clean_line`` makes it, at most one blank line in a row, no blank ends.

    (str.split does the per-line work: a regex scans Chinese text at ~25 ns a character,
    and a body goes through several; the regexes below run only when there is work.)
    """
    text = xml_safe(value)
    if any(char in text for char in "\r\x85\u2028\u2029"):
        text = _LINE_BREAKS.sub("\n", text)
    # str.split() splits on exactly the characters \s matches in clean_line.
    text = "\n".join([" ".join(line.split()) for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def content_hash(text: str) -> str:
    """SHA-256 of the NFKC-normalised text with all whitespace removed."""
    normalised = "".join(nfkc(text).split())  # the same characters as \s, without a regex scan
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()

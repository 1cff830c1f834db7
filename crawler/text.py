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
    # A surrogate pair that arrived as two code points is a real character: join it first.
    joined = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _XML_ILLEGAL.sub("", joined)


# Full-width ASCII and the ideographic space: what keeps Chinese text from being NFKC already.
_FULL_WIDTH = str.maketrans(
    {code: unicodedata.normalize("NFKC", chr(code)) for code in (*range(0xFF01, 0xFF5F), 0x3000)})


@functools.lru_cache(maxsize=8)
def nfkc(value: str) -> str:
    """NFKC, remembered: topic matching and the content hash both need it for the same text.

    The full-width characters are mapped first (each to its one-character NFKC form, which
    changes no result); the rest of a Chinese text is then usually NFKC already, which the
    quick check confirms for a fraction of a full normalisation's cost.
    """
    narrowed = value.translate(_FULL_WIDTH)
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
_INLINE_WHITESPACE = re.compile(r"[^\S\n]+")
_SPACE_AT_LINE_EDGE = re.compile(" ?\n ?")


def clean_paragraphs(value: str) -> str:
    """Every line as ``clean_line`` makes it, at most one blank line in a row, no blank ends.

    (Whole-text regexes rather than a loop over lines: bodies have hundreds of lines.)
    """
    text = _LINE_BREAKS.sub("\n", xml_safe(value))
    text = _SPACE_AT_LINE_EDGE.sub("\n", _INLINE_WHITESPACE.sub(" ", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def content_hash(text: str) -> str:
    """SHA-256 of the NFKC-normalised text with all whitespace removed."""
    normalised = _WHITESPACE.sub("", nfkc(text))
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()

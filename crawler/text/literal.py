"""The part of a keyword that an unfolded text must hold as it is, for its fold to hold the keyword.

``fold`` (NFKC, then case folding) maps some characters onto others: full-width Ａ onto a, the
Kangxi radical ⼤ onto 大, ㍻ onto 平成, e + U+0301 onto é. A character that nothing else folds
or composes into is in a folded text only where the text itself has it. So a keyword's longest
run of such characters is a literal every matching text contains: a prefilter the database can
run (``LIKE``) before the exact match, which never drops a match.
"""

from __future__ import annotations

import functools
import unicodedata

# Where characters whose fold differs from them (or that composition can produce) lie: the
# large blocks left out hold only CJK ideographs, Hangul syllables (added below) and private use.
SCANNED = ((0x0000, 0x3400), (0xA000, 0xD800), (0xE000, 0x20000), (0x2F800, 0x2FA20))
HANGUL_SYLLABLES = range(0xAC00, 0xD7A4)  # composed from jamo by NFKC


@functools.cache
def produced() -> frozenset[str]:
    """Every character that folding or composing other characters can yield."""
    found: set[str] = set(map(chr, HANGUL_SYLLABLES))
    for low, high in SCANNED:
        for code in range(low, high):
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char).casefold()
            if folded != char:
                found.update(folded)
            if unicodedata.decomposition(char):
                found.add(char)  # a composite: a sequence of other characters may compose into it
    return frozenset(found)


def literal_run(folded_keyword: str) -> str:
    """The keyword's longest run of characters only the text itself can put in its fold ('' if none)."""
    others = produced()
    best = run = ""
    for char in folded_keyword:
        fixed = char not in others and unicodedata.normalize("NFKC", char).casefold() == char
        run = run + char if fixed else ""
        best = max(best, run, key=len)
    return best

"""64-bit SimHash of a text's character shingles, and the band keys that index it.

Near-duplicates (the same story with a sentence added, another byline) differ in a few bits.
With a Hamming threshold of d, splitting the 64 bits into d + 1 bands guarantees (pigeonhole)
that a near-duplicate shares at least one band exactly, so a lookup is d + 1 equality queries
instead of a scan (Manku, Jain, Das Sarma, WWW 2007).
"""

from __future__ import annotations

import numpy as np

SHINGLE = 4  # characters; Chinese has no spaces to split words on
# Code point ranges that carry no content: ASCII punctuation and space, general and CJK
# punctuation, the rest of the full-width forms.
_NOISE_RANGES = ((0, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0xBF), (0x2000, 0x206F),
                 (0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV prime, for a rolling polynomial over code points


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads polynomial hashes over all 64 bits."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def simhash(text: str) -> int:
    """Unsigned 64-bit fingerprint of the text (width- and case-folded, punctuation and space removed)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    # The folds NFKC and casefold make on news text, vectorised (NFKC itself costs ~2 ms a page).
    wide = (points >= 0xFF01) & (points <= 0xFF5E)
    points[wide] -= 0xFEE0
    upper = (points >= 0x41) & (points <= 0x5A)
    points[upper] += 0x20
    noise = np.zeros(len(points), dtype=bool)
    for low, high in _NOISE_RANGES:
        noise |= (points >= low) & (points <= high)
    codes = points[~noise].astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.pad(codes, (0, SHINGLE - len(codes)))
    with np.errstate(over="ignore"):
        count = len(codes) - SHINGLE + 1
        hashes = np.zeros(count, dtype=np.uint64)
        for offset in range(SHINGLE):
            hashes = hashes * _MULTIPLIER + codes[offset : offset + count]
        hashes = _mix(np.unique(hashes))
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    majority = bits.sum(axis=0, dtype=np.int32) * 2 > len(hashes)
    return int.from_bytes(np.packbits(majority, bitorder="little").tobytes(), "little")


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def band_keys(fingerprint: int, distance: int) -> list[int]:
    """One key per band (distance + 1 bands); the band number is folded into the key."""
    bands = distance + 1
    edges = [round(i * 64 / bands) for i in range(bands + 1)]
    keys = []
    for band, (low, high) in enumerate(zip(edges, edges[1:], strict=False)):
        value = (fingerprint >> low) & ((1 << (high - low)) - 1)
        keys.append((band << 56) | value)  # bands are < 56 bits wide unless distance is 0
    return keys


def to_signed(value: int) -> int:
    """SQL integers are signed 64-bit."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value

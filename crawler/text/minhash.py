"""Near-duplicate detection: MinHash signatures of character shingles, banded for LSH lookups.

The same story reported twice (a sentence added, another byline) shares most of its 4-character
shingles; a story on the same topic shares words but few shingles. MinHash estimates the
Jaccard similarity of shingle sets; splitting the signature into bands (16 bands of 8 rows)
makes every pair above ~0.8 share a whole band with high probability, so a lookup is 16
equality queries on an index instead of a scan. (A 64-bit SimHash with a 3-bit threshold,
the usual choice for web pages, misses a one-sentence change on a 600-character article.)
"""

from __future__ import annotations

import hashlib

import numpy as np

from crawler.text.arrays import sorted_distinct

SHINGLE = 4  # characters: Chinese has no spaces to split words on
PERMUTATIONS = 128
BANDS = 16
ROWS = PERMUTATIONS // BANDS
SIGNATURE_BYTES = PERMUTATIONS * 4

# Code point ranges that carry no content: ASCII punctuation and space, general and CJK
# punctuation, the rest of the full-width forms.
_NOISE_RANGES = ((0, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0xBF), (0x2000, 0x206F),
                 (0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
_POLY = np.uint64(0x100000001B3)
_RANDOM = np.random.default_rng(0x70F1CFEED)  # fixed: signatures must be stable forever
# (a * h + b) mod 2^32 with odd a: a permutation of 32-bit hashes, cheap to vectorise.
_A = _RANDOM.integers(0, 2**32, PERMUTATIONS, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
_B = _RANDOM.integers(0, 2**32, PERMUTATIONS, dtype=np.uint64).astype(np.uint32)


def _shingle_hashes(text: str) -> np.ndarray:
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
    count = len(codes) - SHINGLE + 1
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(SHINGLE):
            hashes = hashes * _POLY + codes[offset : offset + count]
    hashes = sorted_distinct(hashes)
    return (hashes ^ (hashes >> np.uint64(32))).astype(np.uint32)


def signature(text: str) -> bytes:
    """128 32-bit minimums of permuted shingle hashes."""
    hashes = _shingle_hashes(text)
    with np.errstate(over="ignore"):
        mins = (_A[:, None] * hashes[None, :] + _B[:, None]).min(axis=1)
    return mins.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    return float(np.mean(np.frombuffer(a, dtype="<u4") == np.frombuffer(b, dtype="<u4")))


def band_keys(sig: bytes) -> list[int]:
    """One signed 64-bit key per band; equal keys mean the band's rows are all equal."""
    step = ROWS * 4
    return [
        int.from_bytes(hashlib.blake2b(bytes([band]) + sig[band * step : (band + 1) * step],
                                       digest_size=8).digest(), "little", signed=True)
        for band in range(BANDS)
    ]

"""TF-IDF keywords of a Chinese text: rjieba (Rust) segments, jieba's IDF table weighs.

jieba itself is only a data dependency here: its word-segmenting Python code is ~10x
slower than rjieba, but its IDF table (270k words) is the standard one.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from importlib import resources

# Parts of speech worth a tag: nouns, names, places, organisations, other proper nouns, verbal nouns.
TAG_POS = frozenset({"n", "nr", "ns", "nt", "nz", "nrt", "vn", "eng"})
MIN_WORD_CHARS = 2
GENERIC_WORDS = frozenset({"记者", "报道", "表示", "介绍", "记者龚", "原标题", "编辑", "责任编辑", "来源",
                           "图片", "视频", "新闻", "消息", "日电", "作者", "时间", "目前", "方面"})


@functools.cache
def _idf() -> tuple[dict[str, float], float]:
    table: dict[str, float] = {}
    with resources.files("jieba").joinpath("analyse/idf.txt").open(encoding="utf-8") as lines:
        for line in lines:
            word, _, weight = line.rstrip().partition(" ")
            if weight:
                table[word] = float(weight)
    median = sorted(table.values())[len(table) // 2]
    return table, median


def keywords(text: str, top_k: int = 8) -> list[str]:
    """The text's most characteristic words, best first; ties broken by first occurrence."""
    import rjieba  # loads its dictionary (~0.2 s): only when an article is archived

    idf, unknown_weight = _idf()
    nouns = [word.strip() for word, pos in rjieba.tag(text) if pos in TAG_POS]  # most words are not
    # A Counter keeps its words in the order first seen, and sorted() is stable: ties stay in it.
    counts = Counter([word for word in nouns
                      if len(word) >= MIN_WORD_CHARS and word not in GENERIC_WORDS and not word.isdigit()])
    if not counts:
        return []
    total = sum(counts.values())
    scored = sorted(counts, key=lambda w: -counts[w] / total * idf.get(w, unknown_weight) * _length_boost(w))
    return scored[:top_k]


def _length_boost(word: str) -> float:
    # Longer compounds (服务外包, 博览会) say more than their parts.
    return 1.0 + math.log(len(word)) / 4

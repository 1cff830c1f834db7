"""Extractive summary: the most representative whole sentences, in their original order."""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain

MAX_SUMMARY_CHARS = 200
MIN_RELATIVE_SCORE = 0.35  # sentences far less salient than the best one are not worth the space
REDUNDANT_OVERLAP = 0.6  # share of bigrams already in the summary that makes a sentence a repeat
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n+")
_NOT_CJK_OR_WORD = re.compile(r"[^\w\u4e00-\u9fff]+")
_BOILERPLATE = re.compile(r"^(原标题|责任编辑|编辑|来源|（注：|\(注：|注：|图片来源|本文来源)")


def split_sentences(text: str) -> list[str]:
    sentences = (part.strip() for part in _SENTENCE_END.split(text))
    return [s for s in sentences if len(s) >= 4 and not _BOILERPLATE.match(s)]


def _bigrams(sentence: str) -> set[str]:
    chars = _NOT_CJK_OR_WORD.sub("", sentence)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def summarize(text: str, max_chars: int = MAX_SUMMARY_CHARS) -> str:
    """Pick sentences by character-bigram salience, lead sentences favoured; deterministic."""
    sentences = split_sentences(text)
    if not sentences:
        return ""
    grams_of = [_bigrams(sentence) for sentence in sentences]
    frequencies = Counter(chain.from_iterable(grams_of))
    scores = []
    for index, grams in enumerate(grams_of):
        salience = sum(map(frequencies.__getitem__, grams)) / (len(grams) ** 0.5) if grams else 0.0
        scores.append(salience * (1.5 if index == 0 else 1.0 / (1 + index * 0.05)))

    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    floor = scores[ranked[0]] * MIN_RELATIVE_SCORE
    chosen: list[int] = []
    chosen_grams: set[str] = set()
    length = 0
    for index in ranked:
        size = len(sentences[index])
        grams = grams_of[index]
        redundant = grams and len(grams & chosen_grams) > REDUNDANT_OVERLAP * len(grams)
        if scores[index] >= floor and not redundant and length + size <= max_chars:
            chosen.append(index)
            chosen_grams |= grams
            length += size
    if not chosen:  # even the best sentence is too long: cut it at a clause boundary
        first = sentences[ranked[0]]
        cut = max(first.rfind(mark, 0, max_chars - 1) for mark in "，,、")
        return first[: cut if cut > 20 else max_chars - 1] + "…"
    return "".join(sentences[i] for i in sorted(chosen))

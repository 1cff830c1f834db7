"""Extractive summary: the most representative whole sentences, in their original order."""

from __future__ import annotations

import re

MAX_SUMMARY_CHARS = 200
MIN_RELATIVE_SCORE = 0.35  # sentences far less salient than the best one are not worth the space
REDUNDANT_OVERLAP = 0.6  # share of bigrams already in the summary that makes a sentence a repeat
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n+")
_NOT_CJK_OR_WORD = re.compile(r"[^\w\u4e00-\u9fff]+")
_NOT_CJK_OR_WORD_OR_SEPARATOR = re.compile(r"[^\w\u4e00-\u9fff\x00]+")
_BOILERPLATE = re.compile(r"^(原标题|责任编辑|编辑|来源|（注：|\(注：|注：|图片来源|本文来源)")
# Photo captions and credit lines, as Chinese news pages print them under pictures and at the end:
# "▲新闻发布会现场", "图为…", "图/视觉中国", "（图片来源：视觉中国）", "记者 李想 摄", "…。主办方供图",
# "摄影：王五", "资料图", "（视频拍摄：凤凰网湖北 周航；剪辑：刘畅）". A whole line of them is no
# sentence of the story; the same credit in brackets inside a paragraph is cut out of it.
_PHOTO_AGENCIES = r"视觉中国|东方IC|IC\s*photo|图虫创意|人民视觉|新华社发|中新社发|CFP|Getty\s*Images|VCG"
_CAPTION_LINE = re.compile(
    r"^\s*(?:"
    r"[▲△▼▽↑↓●■◆☆★▶►]"  # the arrow or bullet a caption (or a video title) starts with
    r"|(?:图为|上图|下图|左图|右图|题图|配图|资料图|图片|图源|图注|图文|图|摄影|摄像|照片|视频|文图|文/图)\s*[：:/／|｜]"
    r"|图为|资料图片?|网络图片|受访者供图|图片由|图片来自|图片来源|图源"
    rf"|(?:{_PHOTO_AGENCIES})\s*$"
    r")"
    # a credit at the end, with no full stop after it: "记者 李想 摄" (but "剧组正在拍摄。" is a sentence)
    r"|(?:摄|摄影|供图|供稿|制图|资料图片?|网络图片|" + _PHOTO_AGENCIES + r")\s*[）)]?\s*$",
    re.IGNORECASE,
)
_BRACKETED_CREDIT = re.compile(
    r"[（(][^（）()\n]{0,40}?(?:摄|拍摄|摄影|摄像|剪辑|制图|供图|图片来源|图源|图片|资料图|记者|通讯员|"
    + _PHOTO_AGENCIES + r")[^（）()\n]{0,40}?[）)]",
    re.IGNORECASE,
)


# A short line that ends in no sentence mark is a heading, a caption or a byline ("编辑 官莉",
# "红星新闻记者 杨雨奇 王田 北京报道", "将设置中国服务外包发展成就综合展"), not a sentence.
MAX_UNENDED_LINE = 40
_SENTENCE_MARKS = "。！？!?；;…."
_CLOSING = "”’」』）)》】\"' "


def story_lines(text: str) -> list[str]:
    """The text's lines without photo captions and credit lines, bracketed credits cut out."""
    lines = []
    for line in text.split("\n"):
        if _CAPTION_LINE.search(line):
            continue
        line = _BRACKETED_CREDIT.sub("", line).strip()
        if line:
            lines.append(line)
    ended = [line for line in lines if not _unended(line)]
    return ended or lines  # a text with no sentence marks at all keeps its lines


def _unended(line: str) -> bool:
    return len(line) <= MAX_UNENDED_LINE and not line.rstrip(_CLOSING).endswith(tuple(_SENTENCE_MARKS))


def split_sentences(text: str) -> list[str]:
    sentences = (part.strip() for part in _SENTENCE_END.split("\n".join(story_lines(text))))
    return [s for s in sentences if len(s) >= 4 and not _BOILERPLATE.match(s)]


def _bigrams(sentence: str) -> set[str]:
    chars = _NOT_CJK_OR_WORD.sub("", sentence)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def _gram_weights(sentences: list[str]) -> list[tuple[int, int]]:
    """Per sentence: (how many distinct bigrams, and the sum over them of how many sentences
    share each one): ``_bigrams`` and a Counter over the sets, vectorised (a body has
    hundreds of sentences, and Python sets of two-character strings cost ~3 ms a page).
    """
    import numpy as np  # lazily: only articles that match a topic get a summary

    from crawler.text.arrays import first_of_runs, sorted_distinct

    # "\x00" separates sentences; the regex would remove it from a sentence anyway.
    joined = _NOT_CJK_OR_WORD_OR_SEPARATOR.sub(
        "", "\x00".join(sentence.replace("\x00", "") for sentence in sentences))
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    separator = codes == 0
    # the sentence of each bigram's first character
    sentence_of = np.cumsum(separator, dtype=np.uint64)[:-1]
    inside = ~(separator[:-1] | separator[1:])
    grams = (codes[:-1] << np.uint64(21)) | codes[1:]  # code points have 21 bits
    pairs = sorted_distinct((sentence_of[inside] << np.uint64(42)) | grams[inside])
    pair_sentence = (pairs >> np.uint64(42)).astype(np.int64)
    by_gram = np.argsort(pairs & np.uint64((1 << 42) - 1), kind="stable")
    sorted_grams = (pairs & np.uint64((1 << 42) - 1))[by_gram]
    group = np.cumsum(first_of_runs(sorted_grams)) - 1
    sharing = np.empty(len(pairs), dtype=np.int64)
    sharing[by_gram] = np.bincount(group)[group]  # sentences that have this pair's bigram
    count = np.bincount(pair_sentence, minlength=len(sentences))
    total = np.bincount(pair_sentence, weights=sharing, minlength=len(sentences))
    return list(zip(count.tolist(), (int(t) for t in total.tolist()), strict=True))


def summarize(text: str, max_chars: int = MAX_SUMMARY_CHARS) -> str:
    """Pick sentences by character-bigram salience, lead sentences favoured; deterministic."""
    sentences = split_sentences(text)
    if not sentences:
        return ""
    scores = []
    for index, (count, total) in enumerate(_gram_weights(sentences)):
        salience = total / (count ** 0.5) if count else 0.0
        scores.append(salience * (1.5 if index == 0 else 1.0 / (1 + index * 0.05)))

    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    floor = scores[ranked[0]] * MIN_RELATIVE_SCORE
    chosen: list[int] = []
    chosen_grams: set[str] = set()
    length = 0
    for index in ranked:
        size = len(sentences[index])
        if scores[index] < floor or length + size > max_chars:
            continue
        grams = _bigrams(sentences[index])
        if grams and len(grams & chosen_grams) > REDUNDANT_OVERLAP * len(grams):
            continue  # says again what the summary already says
        chosen.append(index)
        chosen_grams |= grams
        length += size
    if not chosen:  # even the best sentence is too long: cut it at a clause boundary
        first = sentences[ranked[0]]
        cut = max(first.rfind(mark, 0, max_chars - 1) for mark in "，,、")
        return first[: cut if cut > 20 else max_chars - 1] + "…"
    return "".join(sentences[i] for i in sorted(chosen))

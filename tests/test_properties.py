"""Property-based tests for the functions every article passes through."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from pathlib import Path

import lxml.html
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.archive.frontmatter import dump_yaml, safe_file_id
from crawler.archive.note import note_path
from crawler.config import Topic
from crawler.text.dates import parse_site_time
from crawler.text.htmlclean import clean_body, sanitize
from crawler.text.strings import clean_line, clean_paragraphs, content_hash, fold, nfkc, xml_safe
from crawler.text.summary import summarize
from crawler.text.topics import TopicMatcher
from crawler.text.urls import canonical_url, canonicalize
from tests.test_hostile_content import executable_parts

HOSTS = st.sampled_from(["hb.ifeng.com", "HB.IFENG.COM", "html2.qktoutiao.com", "example.com"])
SEGMENT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=12)
QUERY_PARAMS = st.dictionaries(st.sampled_from(["key", "pv_id", "utm_source", "id", "page", "a"]),
                               st.text(alphabet="abc123", max_size=5), max_size=4)


@st.composite
def urls(draw):
    from urllib.parse import quote, urlencode

    scheme = draw(st.sampled_from(["http", "https", ""]))
    path = "/".join(quote(s) for s in draw(st.lists(SEGMENT, max_size=3)))
    query = urlencode(draw(QUERY_PARAMS))
    fragment = draw(st.sampled_from(["", "#top"]))
    prefix = f"{scheme}://" if scheme else "//"
    return f"{prefix}{draw(HOSTS)}/{path}" + (f"?{query}" if query else "") + fragment


@given(urls())
def test_canonical_url_is_idempotent_https_lowercase_without_tracking(url):
    canonical = canonical_url(url)
    assert canonical_url(canonical) == canonical
    assert canonical.startswith("https://")
    host = canonical.split("/")[2]
    assert host == host.lower()
    assert "#" not in canonical
    assert "key=" not in canonical and "pv_id=" not in canonical and "utm_" not in canonical


@given(urls())
def test_canonical_url_sees_through_a_proxy_prefix(url):
    assert canonical_url(f"https://cors.example.dev/?{canonical_url(url)}") == canonical_url(url)


RAW_PATH = st.text(alphabet=st.one_of(st.sampled_from("/:%?#@.\\ \t\nAh-_~;=&+"),
                                      st.characters(blacklist_categories=("Cs",))), max_size=20)


@given(st.sampled_from(["https://", "http://", "//", "HTTPS://", " https://"]),
       st.sampled_from(["hb.ifeng.com", "HB.ifeng.com", "example.com", "example.com.", "a:8080",
                        "a..b", "x-y.org", "cors.example.dev"]),
       RAW_PATH, st.sampled_from(["", "https://hb.ifeng.com/c/x", "http%3A%2F%2Fexample.com%2Fy"]))
@settings(max_examples=400)
def test_canonical_url_shortcut_gives_what_the_rules_give(prefix, host, path, embedded):
    """Links already canonical skip the rules (most of a crawl's lookups): never another answer."""
    url = f"{prefix}{host}/{path}{embedded}"
    assert canonical_url(url) == canonicalize(url)


@given(urls())
def test_canonical_url_of_a_canonical_url_is_itself_by_either_path(url):
    canonical = canonicalize(url)
    assert canonical_url(canonical) == canonical


@given(st.one_of(st.text(max_size=40), st.integers(min_value=-10**15, max_value=10**15),
                 st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S"))))
def test_parse_site_time_never_raises_and_is_aware(value):
    parsed = parse_site_time(value)
    assert parsed is None or (isinstance(parsed, datetime) and parsed.tzinfo is not None)


@given(st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(2090, 1, 1)))  # China had DST until 1991
def test_parse_site_time_reads_beijing_time(moment):
    parsed = parse_site_time(moment.strftime("%Y-%m-%d %H:%M:%S"))
    assert parsed.replace(tzinfo=None) == moment.replace(microsecond=0)
    assert parsed.utcoffset().total_seconds() == 8 * 3600


@settings(max_examples=300)
@given(st.text(max_size=1200))
def test_file_ids_are_safe_names_inside_the_archive(site_id):
    name = safe_file_id(site_id)
    assert 0 < len(name) <= 80
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    assert safe_file_id(site_id) == name


@given(st.text(max_size=200), st.text(min_size=1, max_size=20).filter(lambda s: s.strip()))
def test_note_path_stays_inside_archive(site_id, source):
    from crawler.store import StoredArticle

    archive = Path("/archive")
    article = StoredArticle.__new__(StoredArticle)
    article.site_id, article.source = site_id, source
    article.published = datetime(2025, 7, 24).astimezone()
    path = note_path(archive, article)
    assert path.resolve().is_relative_to(archive) and path.suffix == ".md"


TAGS = st.sampled_from(["p", "a", "img", "script", "svg", "iframe", "style", "div", "b", "object"])
ATTRS = st.sampled_from(["href", "src", "onerror", "onclick", "style", "srcdoc", "data", "title"])
VALUES = st.sampled_from(["javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x", "alert(1)",
                          "https://ok.example/a.jpg", " javascript:x", "expression(x)", "文本"])


@st.composite
def html_fragments(draw):
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        tag = draw(TAGS)
        attrs = " ".join(f'{draw(ATTRS)}="{draw(VALUES)}"' for _ in range(draw(st.integers(0, 3))))
        parts.append(f"<{tag} {attrs}>{draw(st.text(max_size=10))}</{tag}>")
    return "".join(parts)


@given(html_fragments())
def test_sanitizer_output_is_never_executable_and_stable(html):
    clean = sanitize(html)
    assert executable_parts(clean) == []
    assert sanitize(clean) == clean
    lxml.html.fragments_fromstring(f"<div>{clean}</div>")


LAZY_ATTRS = st.sampled_from(["data-src", "data-original", "data-lazyload", "data-actualsrc", "data-url",
                              "data-size", "src", "href", "onerror", "style"])
LAZY_VALUES = st.sampled_from([*VALUES.elements, "//x0.ifengimg.com/a.jpg", "/relative/b.png", "",
                               "https://cors.example.dev/?javascript:alert(1)", "data:image/png;base64,AAAA",
                               "https://cors.example.dev/?https://ok.example/c.jpg", "640,480"])


@st.composite
def bodies_with_lazy_images(draw):
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        tag = draw(st.sampled_from(["img", "a", "p", "script", "svg"]))
        attrs = " ".join(f'{draw(LAZY_ATTRS)}="{draw(LAZY_VALUES)}"' for _ in range(draw(st.integers(0, 3))))
        parts.append(f"<{tag} {attrs}>{draw(st.text(max_size=10))}</{tag}>")
    return "".join(parts)


@given(bodies_with_lazy_images(), st.lists(st.sampled_from(VALUES.elements), max_size=3))
def test_a_cleaned_body_is_never_executable_and_shows_only_web_images(html, fallbacks):
    body = clean_body(html, "https://hb.ifeng.com/c/x", fallbacks)
    assert executable_parts(body.html) == []
    shown = [img.get("src") for img in lxml.html.fragments_fromstring(f"<div>{body.html}</div>")[0].iter("img")]
    assert shown == body.image_urls
    assert all(url.startswith(("http://", "https://")) for url in shown)
    assert not any(attr in body.html for attr in ("data-src", "data-lazyload", "data-size", "data-original"))


def reference_clean_paragraphs(value: str) -> str:
    """The definition: clean_line on each line, blank runs collapsed, ends stripped."""
    lines = [clean_line(line) for line in xml_safe(value).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


LINE_MIX = st.text(alphabet=st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x1f\x85\u2028\u2029\u3000\xa0ab中，")),
                   max_size=40)


@given(st.one_of(LINE_MIX, st.text(max_size=60)))
@settings(max_examples=400)
def test_clean_paragraphs_is_clean_line_per_line(value):
    assert clean_paragraphs(value) == reference_clean_paragraphs(value)


FOLD_MIX = st.text(alphabet=st.one_of(
    st.sampled_from(list("ＡＢａｂ１２！，：（）\u3000\u0301\u0308ｶﾞ가\u1100\u1161ﬁ①㍻Å")),
    st.characters(codec="utf-8")), max_size=30)


@given(FOLD_MIX)
@settings(max_examples=400)
def test_nfkc_shortcut_equals_unicodedata(value):
    assert nfkc(value) == unicodedata.normalize("NFKC", value)


KEYWORD_MIX = st.text(alphabet=st.sampled_from(list("第1１2２ａAｶﾞ가\u1100\u1161\u0301eé")), min_size=1, max_size=3)


@given(FOLD_MIX, FOLD_MIX, st.lists(KEYWORD_MIX, min_size=1, max_size=3), st.lists(KEYWORD_MIX, max_size=2))
@settings(max_examples=400)
def test_matching_title_and_text_folded_together_is_matching_them_apart(title, text, keywords, exclude):
    # The topic re-match folds title and text in one string (crawler.store.topicsync).
    matcher = TopicMatcher([Topic(slug="t", title="t", keywords=tuple(keywords), exclude=tuple(exclude))])
    assert matcher.match_folded(fold(f"{title}\n{text}")) == matcher.match(title, text)


@given(st.one_of(LINE_MIX, FOLD_MIX))
@settings(max_examples=300)
def test_content_hash_is_sha256_of_nfkc_without_whitespace(value):
    reference = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    assert content_hash(value) == hashlib.sha256(reference.encode("utf-8")).hexdigest()


def reference_summarize(text: str, max_chars: int = 200) -> str:
    """The summary's definition: bigram sets per sentence, counted with a Counter."""
    from collections import Counter
    from itertools import chain

    from crawler.text.summary import _bigrams, split_sentences

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
    floor = scores[ranked[0]] * 0.35
    chosen, chosen_grams, length = [], set(), 0
    for index in ranked:
        size, grams = len(sentences[index]), grams_of[index]
        redundant = grams and len(grams & chosen_grams) > 0.6 * len(grams)
        if scores[index] >= floor and not redundant and length + size <= max_chars:
            chosen.append(index)
            chosen_grams |= grams
            length += size
    if not chosen:
        first = sentences[ranked[0]]
        cut = max(first.rfind(mark, 0, max_chars - 1) for mark in "，,、")
        return first[: cut if cut > 20 else max_chars - 1] + "…"
    return "".join(sentences[i] for i in sorted(chosen))


SENTENCE = st.text(alphabet=st.sampled_from(list("服务外包博览会武汉湖北开幕企业数字化ab1 \x00，、。！？\n")),
                   min_size=0, max_size=60)


@given(st.lists(SENTENCE, max_size=40).map("".join), st.sampled_from([30, 200]))
@settings(max_examples=300)
def test_summary_equals_its_set_based_definition(text, max_chars):
    assert summarize(text, max_chars) == reference_summarize(text, max_chars)


FRONT_MATTER_VALUE = st.one_of(
    st.text(), st.integers(), st.lists(st.text(), max_size=3),
    st.lists(st.fixed_dictionaries({"outlet": st.text(), "url": st.text()}), max_size=2))


@given(st.dictionaries(st.sampled_from(["title", "url", "tags", "also_reported_by", "revision"]),
                       FRONT_MATTER_VALUE),
       st.sampled_from([False, None]))
@settings(max_examples=500)
def test_front_matter_yaml_is_what_pyyaml_writes(data, flow_style):
    # Notes written before libyaml was used must not all change on the next re-render.
    expected = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000,
                              default_flow_style=flow_style)
    assert dump_yaml(data, flow_style=flow_style) == expected


XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@given(st.text(alphabet=st.characters(codec=None), max_size=40),
       st.sampled_from(["", "\ud83d\ude00", "\ud83d", "\x00", "\ufffe"]))
def test_xml_safe_keeps_every_carriable_character_and_joins_split_pairs(text, extra):
    value = text + extra + text
    safe = xml_safe(value)
    assert not XML_ILLEGAL.search(safe)
    if not XML_ILLEGAL.search(value):
        assert safe == value
    if extra == "\ud83d\ude00":
        assert "😀" in safe

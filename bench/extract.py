"""Body and field extraction on the Chinese test set (tests/sites/web), per extractor.

For each article page and extractor: precision and recall of body lines (a line counts when
it equals, whitespace aside, a line of the expected body), the share of the five fields
right (title, published, outlet, editor, site_name) and the time per page. ``combined`` is
what the web spider uses; ``density``, ``readability`` and ``trafilatura`` alone are the
alternatives it was chosen against. trafilatura's own metadata gives its fields.

    python -m bench.extract [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.common import print_machine
from crawler.extract import extract_page
from crawler.extract.body import body_lines
from tests.sites.web import ARTICLES, Expected

METHODS = ("combined", "density", "readability", "trafilatura")
FIELDS = ("title", "published", "outlet", "editor", "site_name")


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    fields_right: float
    ms: float


def _key(line: str) -> str:
    return "".join(line.split())


def line_scores(got: Sequence[str], expected: Sequence[str]) -> tuple[float, float]:
    wanted = {_key(line) for line in expected}
    found = {_key(line) for line in got}
    precision = sum(_key(line) in wanted for line in got) / len(got) if got else 0.0
    recall = sum(_key(line) in found for line in expected) / len(expected) if expected else 1.0
    return precision, recall


def trafilatura_fields(expected: Expected) -> dict[str, str]:
    import trafilatura

    from crawler.extract.charset import decode_page

    page = decode_page(expected.page.body, expected.page.content_type)
    meta = trafilatura.extract_metadata(page, default_url=expected.page.url)
    if meta is None:
        return {}
    return {"title": meta.title or "", "published": meta.date or "", "outlet": "", "editor": "",
            "site_name": meta.sitename or ""}


def run_once(expected: Expected, method: str) -> tuple[list[str], dict[str, str]]:
    page = extract_page(expected.page.body, expected.page.url, expected.page.content_type, method=method)
    html = page.body_html
    for more in expected.more_pages:
        html += extract_page(more.body, more.url, more.content_type, method=method,
                             first_url=expected.page.url).body_html
    fields = {"title": page.title, "published": page.published.isoformat() if page.published else "",
              "outlet": page.outlet, "editor": page.editor, "site_name": page.site_name}
    if method == "trafilatura":
        fields = trafilatura_fields(expected)
    elif method == "readability":
        from readability import Document

        from crawler.extract.charset import decode_page

        title = Document(decode_page(expected.page.body, expected.page.content_type)).short_title()
        fields = {"title": title}
    return body_lines(html), fields


def timed(function: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def score(expected: Expected, method: str, rounds: int) -> Score:
    lines, fields = run_once(expected, method)
    precision, recall = line_scores(lines, expected.body)
    right = sum(fields.get(name, "") == value for name, value in expected.fields.items()) / len(FIELDS)
    return Score(precision, recall, right, timed(lambda: run_once(expected, method), rounds))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per page and extractor (median)")
    args = parser.parse_args(argv)
    print_machine()
    for method in METHODS:  # imports and first-call set-up out of the timings
        run_once(ARTICLES[0], method)
    totals: dict[str, list[Score]] = {method: [] for method in METHODS}
    print(f"{'page':32} {'extractor':12} {'precision':>9} {'recall':>7} {'fields':>7} {'ms/page':>8}")
    for expected in ARTICLES:
        name = f"{expected.family}/{expected.site_id}"[:32]
        for method in METHODS:
            result = score(expected, method, args.rounds)
            totals[method].append(result)
            print(f"{name:32} {method:12} {result.precision:9.2f} {result.recall:7.2f} "
                  f"{result.fields_right:7.0%} {result.ms:8.2f}")
    print(f"\noverall ({len(ARTICLES)} articles, {sum(len(e.body) for e in ARTICLES)} body lines)")
    for method, scores in totals.items():
        print(f"{'':32} {method:12} {statistics.mean(s.precision for s in scores):9.2f} "
              f"{statistics.mean(s.recall for s in scores):7.2f} "
              f"{statistics.mean(s.fields_right for s in scores):7.0%} "
              f"{statistics.mean(s.ms for s in scores):8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

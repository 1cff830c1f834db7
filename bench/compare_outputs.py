"""Prove the contracts did not move: run ``topicfeed demo`` with two versions and diff the outputs.

    python -m bench.compare_outputs OLD_REV [--new REV] [--out DIR]

Each version is a clean ``git archive`` export of its commit (``--new`` defaults to the work
tree itself), run with this venv's Python and PYTHONPATH pointing at it. Every case (``CASES``)
runs ``topicfeed demo --no-serve`` a few times on one data dir: with the packaged config, and
with the configs the test suite crawls its sites with (tests/configs.py). Both versions crawl
the same pages: an old demo that builds its snapshot from the builders of its day is checked
to build exactly the recorded copy the new one serves.

Compared byte for byte, after masking what depends on when the crawl ran (``MASKS``): the
archive's notes (``archive/**/*.md``), saved images, the Hexo posts (``hexo/``),
``feeds/*.atom``, ``feeds/index.opml``, ``feeds/index.html`` (and whatever else the two write
under those folders), the exit status and the printed summary lines.
Exit status 0 when nothing differs, 1 otherwise (each difference printed as a unified diff).
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crawler.snapshot import DEMO_SNAPSHOT
from tests.configs import (
    config_text,
    cross_source_config,
    feeds,
    ifeng_config,
    ifeng_hb_source,
    paths,
    qutoutiao_config,
    table,
    topic,
)

REPO = Path(__file__).resolve().parents[1]
# Each case: the configs of successive demo runs on one data dir (None: the packaged config).
# A second run takes the revisit path. One crawl of both sources is left out: which of a story's
# two copies is kept depends on which spider reaches it first (tests/test_cross_source.py
# accepts either), so it differs from run to run of the same code. Running one source first and
# then both pins each order.
IFENG_BESIDE_QUTOUTIAO = config_text(paths(), feeds(), table("archive", formats=["note", "hexo"]), topic(),
                                     ifeng_hb_source())
CASES: dict[str, list[str | None]] = {
    "packaged-config": [None, None],
    "ifeng": [ifeng_config()] * 2,
    "ifeng-local-images": [ifeng_config(local_images=True)] * 2,
    "qutoutiao": [qutoutiao_config()] * 2,
    "qutoutiao-then-both": [qutoutiao_config(), cross_source_config()],
    "ifeng-then-both": [IFENG_BESIDE_QUTOUTIAO, cross_source_config()],
}
# (file suffix, pattern, replacement): only what a crawl stamps from the clock. Everything else,
# the feeds' <updated> included, comes from the recorded pages and TOPICFEED_NOW.
MASKS: list[tuple[str, re.Pattern[str], str]] = [
    # when the article was archived: in the front matter and in the note's metadata list
    (".md", re.compile(r"^archived: .*$", re.M), "archived: <time>"),
    (".md", re.compile(r"^- \*\*归档时间\*\*: .*$", re.M), "- **归档时间**: <time>"),
]
OUTPUTS = ("archive", "hexo", "feeds")


@dataclass(frozen=True)
class Version:
    label: str
    tree: Path


def export(rev: str, into: Path) -> Path:
    """A clean copy of the product at ``rev`` (no tests, no bench: only what a user installs)."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "crawler", "spiders", "feeds", "scrapy.cfg"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run_demos(version: Version, configs: Sequence[str | None], work: Path) -> tuple[Path, str]:
    """Demo runs of ``version`` on one data dir, one per config: (data dir, exit statuses and summaries)."""
    work.mkdir(parents=True)
    data = work / "data"
    env = {k: v for k, v in os.environ.items() if k != "TOPICFEED_MIRROR"}
    env["PYTHONPATH"] = str(version.tree)
    printed = []
    for run, config in enumerate(configs, 1):
        args = [sys.executable, "-m", "crawler", "demo", "--no-serve", "--data-dir", str(data)]
        if config is not None:
            (work / "topicfeed.toml").write_text(config, encoding="utf-8")
            args += ["--config", str(work / "topicfeed.toml")]
        done = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False)
        printed.append(f"run {run}: exit {done.returncode}")
        printed += [line for line in done.stdout.splitlines() if SUMMARY_LINE.match(line)]
    return data, "\n".join(printed) + "\n"


# What was crawled: each source's summary line (the demo's other lines name paths, ports and next steps).
SUMMARY_LINE = re.compile(r"^[\w.-]+: (?:ok|unhealthy|failed|busy)\b")


def masked(path: Path) -> bytes:
    data = path.read_bytes()
    rules = [(pattern, repl) for suffix, pattern, repl in MASKS if path.name.endswith(suffix)]
    if not rules:
        return data
    text = data.decode("utf-8")
    for pattern, repl in rules:
        text = pattern.sub(repl, text)
    return text.encode("utf-8")


def outputs(data: Path) -> dict[str, bytes]:
    found = {}
    for top in OUTPUTS:
        for path in sorted((data / top).rglob("*")):
            if path.is_file() and ".git" not in path.relative_to(data).parts:
                found[path.relative_to(data).as_posix()] = masked(path)
    return found


def tree_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def same_snapshot(built: Path, recorded: Path) -> list[str]:
    old, new = tree_files(built), tree_files(recorded)
    found = differences("snapshot", old, new)
    print(f"snapshot: the old demo's {len(old)} files vs the {len(new)} recorded, {len(found)} differences", flush=True)
    return found


def differences(name: str, old: dict[str, bytes], new: dict[str, bytes]) -> list[str]:
    found = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if a is None or b is None:
            found.append(f"{name}: {key} only in {'new' if a is None else 'old'}")
            continue
        try:
            diff = difflib.unified_diff(a.decode().splitlines(), b.decode().splitlines(),
                                        f"old/{key}", f"new/{key}", lineterm="", n=1)
            found.append(f"{name}: {key}\n" + "\n".join(diff))
        except UnicodeDecodeError:
            found.append(f"{name}: {key} (binary) differs")
    return found


def compare(old: Version, new: Version, out: Path) -> list[str]:
    found = []
    for case, configs in CASES.items():
        results = {}
        for version in (old, new):
            data, printed = run_demos(version, configs, out / case / version.label)
            results[version.label] = (outputs(data), {"printed": printed.encode()}, data)
        (old_files, old_printed, old_data), (new_files, new_printed, _) = results["old"], results["new"]
        found += differences(case, old_files, new_files) + differences(case, old_printed, new_printed)
        print(f"{case}: {len(old_files)} files compared, "
              f"{sum(1 for k in old_files if old_files[k] == new_files.get(k))} identical", flush=True)
        if case == "packaged-config" and (old_data / "snapshot").is_dir():  # the old demo built its own
            found += same_snapshot(old_data / "snapshot", new.tree / DEMO_SNAPSHOT.relative_to(REPO))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare_outputs", description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the commit before the change, e.g. 418b07e")
    parser.add_argument("--new", help="the commit after it (default: the work tree)")
    parser.add_argument("--out", type=Path, help="keep the exports and data dirs here (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="topicfeed-compare-") as scratch:
        out = args.out or Path(scratch)
        old = Version("old", export(args.old, out / "tree-old"))
        new = Version("new", export(args.new, out / "tree-new") if args.new else REPO)
        found = compare(old, new, out)
    for difference in found:
        print(difference)
    print(f"{len(found)} differences between {args.old} and {args.new or 'the work tree'}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())

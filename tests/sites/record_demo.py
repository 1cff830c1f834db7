"""Record the demo snapshot shipped as package data from the test site builders.

    python -m tests.sites.record_demo [DIR]

DIR defaults to ``crawler/snapshot/demo``; commit what it writes there. The test suite
checks the committed snapshot against a fresh recording (tests/test_demo_snapshot.py).
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from pathlib import Path

from crawler.snapshot import DEMO_SNAPSHOT
from tests.sites import build_sample_snapshot


def record_demo(root: Path) -> Path:
    """Write the demo snapshot to ``root``, replacing whatever was there."""
    if root.exists():
        shutil.rmtree(root)
    return build_sample_snapshot(root)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.sites.record_demo", description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEMO_SNAPSHOT, help="default: %(default)s")
    args = parser.parse_args(argv)
    print(record_demo(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

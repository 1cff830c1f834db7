"""Recorded site snapshots, served in the mirror convention (DESIGN §4, §9)."""

from pathlib import Path

# The snapshot ``topicfeed demo`` serves, shipped as package data. It is recorded from the
# test site builders (tests/sites) by ``python -m tests.sites.record_demo``; never edit it by hand.
DEMO_SNAPSHOT = Path(__file__).resolve().parent / "demo"

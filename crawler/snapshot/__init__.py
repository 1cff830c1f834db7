"""Recorded site snapshots, served in the mirror convention (DESIGN §4, §9).

A snapshot is a folder holding ``index.json`` plus one body file per response::

    {"recorded_at": "2025-07-26T10:00:00+08:00",
     "responses": [{"url": "https://hb.ifeng.com/c/8lE1OVQRmEX",
                    "file": "hb.ifeng.com/c/8lE1OVQRmEX.html", "status": 200,
                    "headers": {"Content-Type": "text/html; charset=utf-8", "ETag": "\\"…\\""}}],
     "broken": [{"url": "https://hb.ifeng.com/c/8lEc9FuMr0X", "why": "…"}]}

``broken`` (optional) lists what is broken on purpose, for ``topicfeed demo`` to say so.

``writer.SnapshotWriter`` builds one, ``index`` reads it back and matches requests to entries,
``server.SnapshotServer`` answers ``GET MIRROR/<host>/<path>?<query>`` from it on 127.0.0.1;
``python -m crawler.snapshot DIR`` serves a folder by hand.
"""

from pathlib import Path

# The snapshot ``topicfeed demo`` serves, shipped as package data. It is recorded from the
# test site builders (tests/sites) by ``python -m tests.sites.record_demo``; never edit it by hand.
DEMO_SNAPSHOT = Path(__file__).resolve().parent / "demo"

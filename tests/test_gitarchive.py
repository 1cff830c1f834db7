"""archive.git: one commit per crawl that changed the archive, with a message saying what."""

from __future__ import annotations

import subprocess
from dataclasses import replace

from crawler.snapshot.writer import SnapshotWriter
from tests.sites.ifeng import article_page


def commits(archive) -> list[str]:
    done = subprocess.run(["git", "-C", str(archive), "log", "--format=%s"], capture_output=True, text=True)
    return done.stdout.splitlines() if done.returncode == 0 else []


def test_two_changing_crawls_two_commits_unchanged_crawl_none(ifeng_workspace, sample):
    ws = ifeng_workspace
    ws.config.write_text(ws.config.read_text(encoding="utf-8") + "\n[archive]\ngit = true\n", encoding="utf-8")
    assert ws.crawl().returncode == 0
    archive = ws.data / "archive"
    first = commits(archive)
    assert len(first) == 1 and first[0].startswith("8 new, 0 updated: ")
    archived = sample.ifeng.expected_archived | set(sample.ifeng.same_text_pair)
    assert any(sample.ifeng.docs[r].title in first[0] for r in archived)

    doc = sample.ifeng.docs["seed"]
    writer = SnapshotWriter(ws.snapshot, sample.recorded_at)
    writer.add(doc.url, article_page(replace(doc, content_html=doc.content_html + "<p>（更正）数据已更新。</p>")))
    writer.save()
    ws.server.reload()
    assert ws.crawl("--revisit").returncode == 0
    second = commits(archive)
    assert len(second) == 2 and second[0] == f"0 new, 1 updated: {doc.title}"

    assert ws.crawl().returncode == 0
    assert commits(archive) == second
    status = subprocess.run(["git", "-C", str(archive), "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == ""

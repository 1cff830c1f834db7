"""Bad input on every command: one clear line, a non-zero exit, nothing stored damaged."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import replace

import pytest

from crawler.snapshot.writer import SnapshotWriter
from tests.helpers import read_notes
from tests.sites.ifeng import article_page

COMMANDS = (["crawl"], ["feeds"], ["status"])


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# status only reads the store: with the store elsewhere (PostgreSQL) the data dir does not matter
@pytest.mark.parametrize("command", [["crawl"], ["feeds"], pytest.param(["status"], marks=pytest.mark.sqlite_only)],
                         ids=lambda c: c[0])
def test_data_dir_that_is_a_file(ifeng_workspace, command):
    not_a_folder = ifeng_workspace.root / "data-file"
    not_a_folder.write_text("oops", encoding="utf-8")
    run = ifeng_workspace.run(*command, "--data-dir", str(not_a_folder))
    assert run.returncode != 0
    assert "data-file" in one_line(run.stderr)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_store_that_is_not_sqlite(ifeng_workspace, command):
    store = ifeng_workspace.data / "topicfeed.sqlite3"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"PK\x03\x04 definitely a zip file, not a database" * 50)
    before = store.read_bytes()
    run = ifeng_workspace.run(*command)
    assert run.returncode == 2
    line = one_line(run.stderr)
    assert "not a usable topicfeed store" in line and "--data-dir" in line
    assert store.read_bytes() == before


@pytest.fixture
def tiny_disk(tmp_path):
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.sqlite_only
def test_full_disk_stops_cleanly_and_damages_nothing(ifeng_workspace, sample, tiny_disk):
    ws = ifeng_workspace
    assert ws.crawl().returncode == 0
    data = tiny_disk / "data"
    shutil.copytree(ws.data, data)
    notes_before = read_notes(data / "archive")
    with sqlite3.connect(data / "topicfeed.sqlite3") as conn:
        texts_before = dict(conn.execute("SELECT canonical_url, text FROM articles"))

    writer = SnapshotWriter(ws.snapshot, sample.recorded_at)
    for doc in sample.ifeng.docs.values():
        if doc.url in notes_before:
            padding = "".join(f"<p>补充报道第{i}段：{doc.title}。</p>" for i in range(200))
            writer.add(doc.url, article_page(replace(doc, content_html=doc.content_html + padding)))
    writer.save()
    ws.server.reload()
    free = shutil.disk_usage(tiny_disk).free
    (tiny_disk / "filler").write_bytes(b"\0" * max(0, free - 48 * 1024))

    run = ws.crawl("--revisit", "--data-dir", str(data))
    assert run.returncode == 1
    assert "free some space" in run.stderr
    assert "Traceback" not in run.stderr
    with sqlite3.connect(data / "topicfeed.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        texts_after = dict(conn.execute("SELECT canonical_url, text FROM articles"))
        hashes = dict(conn.execute("SELECT canonical_url, content_sha256 FROM articles"))
    assert texts_before.keys() == texts_after.keys()
    notes_after = read_notes(data / "archive")  # every note still whole
    assert notes_after.keys() == notes_before.keys()
    behind = [url for url, (meta, _, _) in notes_after.items() if meta["content_sha256"] != hashes[url]]
    assert all(texts_after[url] != texts_before[url] for url in behind), "only updated articles may lag"

    (tiny_disk / "filler").unlink()
    again = ws.crawl("--revisit", "--data-dir", str(data))
    assert again.returncode == 0, again.stderr
    for url in notes_before:
        assert "补充报道第199段" in read_notes(data / "archive")[url][1]

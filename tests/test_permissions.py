"""Files others can read: everything topicfeed writes gets the mode the umask gives a new file."""

from __future__ import annotations

import os
import stat
from io import BytesIO
from pathlib import Path

import pytest

from crawler.commands.crawl import rebuild_feeds
from crawler.config import Config
from crawler.config.load import parse_config
from crawler.pipelines.images import AtomicFilesStore, image_path
from crawler.store import Store
from tests.configs import config_text, ifeng_hb_source, paths, table, topic
from tests.test_store import T0, make_article


@pytest.fixture(params=[0o022, 0o077, 0o002], ids=lambda mask: f"umask-{mask:03o}")
def umask(request: pytest.FixtureRequest):
    before = os.umask(request.param)  # set after every import: the mode is read when writing
    yield request.param
    os.umask(before)


def config_in(folder: Path) -> Config:
    text = config_text(paths(), table("archive", formats=["note", "hexo"]), topic(), ifeng_hb_source())
    return parse_config(text, file=None, base_dir=folder, known_spiders=["ifeng"])


def modes(root: Path, kind: str) -> dict[str, int]:
    wanted = Path.is_file if kind == "file" else Path.is_dir
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*") if wanted(p)}


def test_every_output_file_gets_the_umask_mode(tmp_path, umask):
    config = config_in(tmp_path)
    store = Store.open(config.store_url)
    try:
        store.save(make_article(), "ab" * 32, T0)  # stored, its note and post not yet written
    finally:
        store.close()
    rebuild_feeds(config)  # writes the notes and posts behind the store, then every feed file
    image = image_path("https://x0.ifengimg.com/a.jpg")
    AtomicFilesStore(str(config.archive_dir)).persist_file(image, BytesIO(b"\xff\xd8\xff jpeg"), info=None)

    files = {**modes(config.archive_dir, "file"), **modes(config.hexo_dir, "file"), **modes(config.feeds_dir, "file")}
    kinds = {Path(name).suffix for name in files}
    assert {".atom", ".opml", ".html", ".md", ".jpg"} <= kinds, files
    assert any(name.startswith("source/_posts/") for name in files), "no Hexo post was written"
    assert files == dict.fromkeys(files, 0o666 & ~umask)
    folders = {**modes(config.archive_dir, "dir"), **modes(config.feeds_dir, "dir")}
    assert folders and folders == dict.fromkeys(folders, 0o777 & ~umask)

"""[sync.feishu]: one Feishu document per archived note, created once, updated in place, images uploaded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crawler.delivery.feishu_sync import sync_documents
from crawler.delivery.status import status_lines
from crawler.items import Image
from crawler.runtime import MIRROR_ENV
from crawler.store import SaveOutcome, Store
from crawler.store.docsync import DocSync
from tests.configs import table
from tests.delivery_fakes import ServiceServer
from tests.delivery_setup import OTHER_TEXT, STORY_TEXT, T0, article, delivery_config, empty_snapshot, save
from tests.feishu_fake import FeishuOpenApi

APP_SECRET = "fake-app-secret-0042"
STORY_URL = "https://html2.qktoutiao.com/detail/2026/12/01/1001.html"
IMAGE_URL = "https://static.1sapp.com/image/sp/2026/12/01/fair.jpg"


@pytest.fixture
def feishu(tmp_path, monkeypatch):
    monkeypatch.setenv("FEISHU_APP_SECRET", APP_SECRET)
    api = FeishuOpenApi()
    with ServiceServer(empty_snapshot(tmp_path / "snapshot"), feishu=api) as server:
        monkeypatch.setenv(MIRROR_ENV, server.url)
        yield api


@pytest.fixture
def store(tmp_path):
    opened = Store.open(f"sqlite:///{tmp_path}/store.sqlite3")
    yield opened
    opened.close()


def sync_config(tmp_path, domain=None):
    return delivery_config(tmp_path, table("sync.feishu", app_id="cli_fake0001", app_secret="env:FEISHU_APP_SECRET",
                                           folder_token="fldcnFakeFolder", domain=domain))


def archived(store, item):
    outcome = save(store, item)
    stored = store.get_by_url(item.canonical_url)
    store.mark_archived(stored.id, stored.version)
    return outcome


def test_a_note_becomes_one_document_updated_in_place(tmp_path, feishu, store):
    config = sync_config(tmp_path)
    archived(store, article(STORY_URL, STORY_TEXT))
    assert sync_documents(config, store, T0) == 1
    [(document_id, doc)] = feishu.documents.items()
    assert doc.title == "第二十届服博会在杭州开幕" and doc.folder == "fldcnFakeFolder"
    assert "第二十届中国国际服务外包交易博览会在杭州开幕" in doc.text() and "摘要" in doc.text()
    assert DocSync(store.engine).document_id(store.get_by_url(STORY_URL).id) == document_id
    assert sync_documents(config, store, T0 + timedelta(minutes=1)) == 0, "unchanged: nothing to do"

    changed = article(STORY_URL, STORY_TEXT + "闭幕式上公布了下一届举办城市。")
    assert archived(store, changed) is SaveOutcome.UPDATED
    before = len(doc.children)
    assert sync_documents(config, store, T0 + timedelta(minutes=2)) == 1
    assert list(feishu.documents) == [document_id], "the same document, not a second one"
    assert "闭幕式上公布了下一届举办城市" in doc.text() and len(doc.children) == before
    assert sum(1 for method, path in feishu.calls if path.endswith("/docx/v1/documents") and method == "POST") == 1


def test_blocks_go_in_at_most_50_a_call(tmp_path, feishu, store):
    config = sync_config(tmp_path)
    long_body = "".join(f"<p>第{i}段：{OTHER_TEXT}</p>" for i in range(120))
    item = article(STORY_URL, STORY_TEXT)
    item.body_html = long_body
    archived(store, item)
    sync_documents(config, store, T0)
    [doc] = feishu.documents.values()
    assert len(doc.children) > 120
    assert max(feishu.insert_sizes) <= 50 and len(feishu.insert_sizes) >= 3
    assert "第119段" in doc.text().splitlines()[-1]


def test_images_are_uploaded_into_their_blocks(tmp_path, feishu, store):
    config = sync_config(tmp_path)
    image_file = config.archive_dir / "images" / "static.1sapp.com" / "fair.jpg"
    image_file.parent.mkdir(parents=True)
    image_file.write_bytes(b"\xff\xd8\xff\xe0 fake jpeg")
    item = article(STORY_URL, STORY_TEXT)
    item.body_html = f'<p>{STORY_TEXT}</p><p><img src="{IMAGE_URL}"></p>'
    item.images = [Image(url=IMAGE_URL, local="images/static.1sapp.com/fair.jpg")]
    archived(store, item)
    stored = store.get_by_url(STORY_URL)
    store.set_local_images(stored.id, {IMAGE_URL: "images/static.1sapp.com/fair.jpg"})
    store.mark_archived(stored.id, store.version(stored.id))
    assert sync_documents(config, store, T0) == 1
    [upload] = feishu.uploads
    [doc] = feishu.documents.values()
    [image_block] = [b for b in doc.children if b["block_type"] == 27]
    assert upload["parent_type"] == "docx_image" and upload["parent_node"] == image_block["block_id"]
    assert image_block["image"] == {"token": upload["token"]}


def test_a_failure_is_kept_and_retried_with_backoff(tmp_path, feishu, store, caplog):
    config = sync_config(tmp_path)
    feishu.fail["create"] = 1
    archived(store, article(STORY_URL, STORY_TEXT))
    assert sync_documents(config, store, T0) == 0
    assert "fake failure of create" in DocSync(store.engine).counts().last_error
    assert status_lines(config, store) == [
        "feishu sync: 0 documents, 1 failing; last error: feishu create document: code 1770001: fake failure of create"]
    assert sync_documents(config, store, T0 + timedelta(minutes=1)) == 0  # backing off
    assert feishu.documents == {}
    assert sync_documents(config, store, T0 + timedelta(minutes=6)) == 1
    assert len(feishu.documents) == 1
    assert APP_SECRET not in caplog.text


def test_a_failure_after_creating_keeps_the_document(tmp_path, feishu, store):
    config = sync_config(tmp_path)
    feishu.fail["insert"] = 1
    archived(store, article(STORY_URL, STORY_TEXT))
    assert sync_documents(config, store, T0) == 0
    assert sync_documents(config, store, T0 + timedelta(minutes=6)) == 1
    assert len(feishu.documents) == 1, "the retry fills the document it created, never a second one"


@pytest.mark.parametrize("domain", [None, "https://open.larksuite.com"])
def test_every_call_follows_the_mirror_convention(tmp_path, feishu, store, domain):
    config = sync_config(tmp_path, domain)
    item = article(STORY_URL, STORY_TEXT)
    item.body_html = f'<p>{STORY_TEXT}</p><p><img src="{IMAGE_URL}"></p>'
    item.images = [Image(url=IMAGE_URL, local="images/fair.jpg")]
    (config.archive_dir / "images").mkdir(parents=True)
    (config.archive_dir / "images" / "fair.jpg").write_bytes(b"\xff\xd8\xff\xe0 fake jpeg")
    archived(store, item)
    stored = store.get_by_url(STORY_URL)
    store.set_local_images(stored.id, {IMAGE_URL: "images/fair.jpg"})
    store.mark_archived(stored.id, store.version(stored.id))
    assert sync_documents(config, store, T0) == 1
    # create, read, convert, insert, upload, set image (and the token, unless the SDK has it cached): each
    # under MIRROR/<the API host>/
    assert {path.split("/")[-1] for _, path in feishu.calls} >= {"documents", "convert", "upload_all"}
    assert set(feishu.hosts) == {"open.larksuite.com" if domain else "open.feishu.cn"}

"""Feishu/Lark document sync ([sync.feishu]): each archived note becomes one Feishu document.

Through the official SDK (lark-oapi): the document is created once in ``folder_token`` (its id
kept in the store), and when the article changes its content is replaced in place: the old
blocks deleted, the Markdown converted to blocks by Feishu's own converter, inserted at most
50 blocks a call, and each image the archive holds a copy of uploaded into its image block.

Under a mirror its requests follow the convention like every other channel (DESIGN §4, §12):
``https://open.feishu.cn/open-apis/...`` goes to ``MIRROR/open.feishu.cn/open-apis/...``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crawler.config.model import Config, FeishuSyncConfig
from crawler.delivery.http import DeliveryError
from crawler.mirror import mirror_url
from crawler.runtime import MIRROR_ENV
from crawler.store import Store, StoredArticle
from crawler.store.docsync import DocSync
from crawler.text.credits import NEAR_COPY_LABEL, SAME_TEXT_LABEL, credited
from crawler.text.dates import SITE_TZ
from crawler.text.htmlclean import html_to_markdown_text

logger = logging.getLogger(__name__)

MAX_BLOCKS_PER_CALL = 50
MAX_DOCUMENTS_PER_RUN = 20
MAX_ATTEMPTS = 5
BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
TIMEOUT_SECONDS = 20.0
IMAGE_BLOCK = 27


def api_base(config: FeishuSyncConfig) -> str:
    """Where the Open API calls go: the configured domain, or under a mirror ``MIRROR/HOST``."""
    mirror = os.environ.get(MIRROR_ENV, "").rstrip("/")
    return mirror_url(mirror, config.domain) if mirror else config.domain


def document_markdown(article: StoredArticle) -> str:
    published = article.published.astimezone(SITE_TZ)
    lines = [f"- 来源：{' / '.join(x for x in (article.site_name, article.outlet) if x)}",
             f"- 发布时间：{published:%Y-%m-%d %H:%M}", f"- 原文：{article.url}"]
    for label, pairs in ((SAME_TEXT_LABEL, article.same_text), (NEAR_COPY_LABEL, article.reported_by)):
        lines += [f"- {label}：{outlet} {url}" for outlet, url in credited(pairs)]  # as the note has them
    parts = ["\n".join(lines), "## 摘要", article.summary or article.text[:200]]
    if article.ai_summary:
        parts += ["## AI总结", article.ai_summary]
    parts += ["## 原文", html_to_markdown_text(article.body_html)]
    return "\n\n".join(parts) + "\n"


class FeishuDocs:
    """The few Open API calls the sync needs, each raising DeliveryError on a non-zero code."""

    def __init__(self, config: FeishuSyncConfig):
        import lark_oapi as lark  # optional: only a [sync.feishu] config needs it

        self.lark = lark
        self.folder_token = config.folder_token
        self.client = (lark.Client.builder().app_id(config.app_id).app_secret(config.app_secret.value())
                       .domain(config.domain).timeout(TIMEOUT_SECONDS).log_level(lark.LogLevel.ERROR).build())
        # The builder takes an origin only (no path), but the SDK joins every call as domain + uri:
        # the mirror's base with its host segment is set on the config the built services share.
        self.client.config.domain = api_base(config)

    @staticmethod
    def _check(response: Any, what: str) -> Any:
        if not response.success():
            raise DeliveryError(f"feishu {what}: code {response.code}: {response.msg}")
        return response.data

    def create(self, title: str) -> str:
        from lark_oapi.api.docx.v1 import CreateDocumentRequest, CreateDocumentRequestBody

        body = CreateDocumentRequestBody.builder().folder_token(self.folder_token).title(title[:800]).build()
        data = self._check(self.client.docx.v1.document.create(CreateDocumentRequest.builder().request_body(body)
                                                                .build()), "create document")
        return data.document.document_id

    def clear(self, document_id: str) -> None:
        from lark_oapi.api.docx.v1 import (
            BatchDeleteDocumentBlockChildrenRequest,
            BatchDeleteDocumentBlockChildrenRequestBody,
            GetDocumentBlockRequest,
        )

        root = self._check(self.client.docx.v1.document_block.get(
            GetDocumentBlockRequest.builder().document_id(document_id).block_id(document_id).build()), "read document")
        count = len(root.block.children or [])
        if count:
            body = BatchDeleteDocumentBlockChildrenRequestBody.builder().start_index(0).end_index(count).build()
            self._check(self.client.docx.v1.document_block_children.batch_delete(
                BatchDeleteDocumentBlockChildrenRequest.builder().document_id(document_id).block_id(document_id)
                .document_revision_id(-1).request_body(body).build()), "clear document")

    def convert(self, markdown: str) -> Any:
        from lark_oapi.api.docx.v1 import ConvertDocumentRequest, ConvertDocumentRequestBody

        body = ConvertDocumentRequestBody.builder().content_type("markdown").content(markdown).build()
        return self._check(self.client.docx.v1.document.convert(
            ConvertDocumentRequest.builder().request_body(body).build()), "convert markdown")

    def insert(self, document_id: str, index: int, children: list[str], blocks: list[Any]) -> dict[str, str]:
        """``blocks`` (with their descendants) under the root at ``index``; temporary id → real id."""
        from lark_oapi.api.docx.v1 import (
            CreateDocumentBlockDescendantRequest,
            CreateDocumentBlockDescendantRequestBody,
        )

        body = (CreateDocumentBlockDescendantRequestBody.builder().children_id(children).index(index)
                .descendants(blocks).build())
        data = self._check(self.client.docx.v1.document_block_descendant.create(
            CreateDocumentBlockDescendantRequest.builder().document_id(document_id).block_id(document_id)
            .document_revision_id(-1).request_body(body).build()), "insert blocks")
        return {r.temporary_block_id: r.block_id for r in (data.block_id_relations or [])}

    def set_image(self, document_id: str, block_id: str, image: Path) -> None:
        from lark_oapi.api.docx.v1 import PatchDocumentBlockRequest, ReplaceImageRequest, UpdateBlockRequest
        from lark_oapi.api.drive.v1 import UploadAllMediaRequest, UploadAllMediaRequestBody

        with image.open("rb") as file:
            body = (UploadAllMediaRequestBody.builder().file_name(image.name).parent_type("docx_image")
                    .parent_node(block_id).size(image.stat().st_size)
                    .extra(json.dumps({"drive_route_token": document_id})).file(file).build())
            data = self._check(self.client.drive.v1.media.upload_all(
                UploadAllMediaRequest.builder().request_body(body).build()), "upload image")
        update = UpdateBlockRequest.builder().replace_image(ReplaceImageRequest.builder().token(data.file_token)
                                                             .build()).build()
        self._check(self.client.docx.v1.document_block.patch(
            PatchDocumentBlockRequest.builder().document_id(document_id).block_id(block_id)
            .document_revision_id(-1).request_body(update).build()), "set image")


def chunks(first_level: list[str], blocks: dict[str, Any]) -> Iterator[tuple[list[str], list[Any]]]:
    """First-level blocks with their descendants, at most MAX_BLOCKS_PER_CALL blocks a chunk."""
    children: list[str] = []
    descendants: list[Any] = []
    for block_id in first_level:
        tree = list(_subtree(block_id, blocks))
        if descendants and len(descendants) + len(tree) > MAX_BLOCKS_PER_CALL:
            yield children, descendants
            children, descendants = [], []
        children.append(block_id)
        descendants += tree
    if children:
        yield children, descendants


def _subtree(block_id: str, blocks: dict[str, Any]) -> Iterator[Any]:
    block = blocks.get(block_id)
    if block is None:
        return
    table = getattr(block, "table", None)
    if table is not None and getattr(table, "property", None) is not None:
        table.property.merge_info = None  # read-only: the insert call refuses it
    yield block
    for child in block.children or []:
        yield from _subtree(child, blocks)


def write_document(docs: FeishuDocs, document_id: str, article: StoredArticle, archive_dir: Path) -> None:
    docs.clear(document_id)
    converted = docs.convert(document_markdown(article))
    blocks = {block.block_id: block for block in converted.blocks or []}
    local = {image.url: archive_dir / image.local for image in article.images if image.local}
    images = {item.block_id: local.get(item.image_url) for item in converted.block_id_to_image_urls or []}
    index = 0
    for children, descendants in chunks(list(converted.first_level_block_ids or []), blocks):
        kept = [b for b in descendants if b.block_type != IMAGE_BLOCK or images.get(b.block_id)]
        ids = {b.block_id for b in kept}
        children = [c for c in children if c in ids]
        if not children:
            continue
        real = docs.insert(document_id, index, children, kept)
        index += len(children)
        for block in kept:
            image = images.get(block.block_id)
            if block.block_type == IMAGE_BLOCK and image is not None and image.is_file():
                docs.set_image(document_id, real.get(block.block_id, block.block_id), image)


def sync_documents(config: Config, store: Store, now: datetime | None = None) -> int:
    """Create or update the documents that are due; returns how many were written."""
    if not config.sync_feishu.enabled:
        return 0
    now = now or datetime.now(UTC)
    state = DocSync(store.engine)
    due = state.due(now, MAX_ATTEMPTS, MAX_DOCUMENTS_PER_RUN)
    if not due:
        return 0
    docs = FeishuDocs(config.sync_feishu)
    written = 0
    for item in due:
        article = store.get(item.article_id)
        if article is None:
            continue
        try:
            document_id = item.document_id
            if not document_id:
                document_id = docs.create(article.title)
                state.created(article.id, document_id, now)
            write_document(docs, document_id, article, config.archive_dir)
        except Exception as error:  # noqa: BLE001 - the sync's failure is its own, never the crawl's
            attempts = item.attempts + 1
            retry = now + min(BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
            state.failed(article.id, attempts, str(error), retry, now)
            logger.warning("feishu sync: %s (attempt %d of %d): %s", article.canonical_url, attempts,
                           MAX_ATTEMPTS, error)
            break  # one failure per run: a dead service must not hold the crawl
        state.synced(article.id, item.version, now)
        written += 1
    return written

"""A fake of the Feishu Open API calls the document sync uses, kept in memory.

It answers in the mirror convention (DESIGN §4), under ``/open.feishu.cn/open-apis/`` (or
the Lark host): ``hosts`` keeps the host segment every call came with.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

MAX_BLOCKS = 50
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)[^)]*\)")


@dataclass
class FakeDocument:
    title: str
    folder: str
    children: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(_content(block) for block in self.children)


def _content(block: dict[str, Any]) -> str:
    for key in ("text", "heading2", "heading3"):
        if key in block:
            return "".join(e["text_run"]["content"] for e in block[key]["elements"])
    return f"[image {block.get('image', {}).get('token', '')}]"


def _text_block(block_id: str, paragraph: str) -> dict[str, Any]:
    level = len(paragraph) - len(paragraph.lstrip("#"))
    kind, key = {2: (4, "heading2"), 3: (5, "heading3")}.get(level, (2, "text"))
    content = paragraph.lstrip("#").strip() if level else paragraph
    elements = [{"text_run": {"content": content}}]
    return {"block_id": block_id, "block_type": kind, "children": [], key: {"elements": elements}}


class FeishuOpenApi:
    def __init__(self) -> None:
        self.documents: dict[str, FakeDocument] = {}
        self.calls: list[tuple[str, str]] = []
        self.hosts: list[str] = []
        self.insert_sizes: list[int] = []
        self.uploads: list[dict[str, Any]] = []
        self.fail: dict[str, int] = {}  # call name → how many times to answer an error
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes,
               host: str = "open.feishu.cn") -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.calls.append((method, path))
            self.hosts.append(host)
            if path == "/open-apis/auth/v3/tenant_access_token/internal":
                return 200, {"code": 0, "msg": "ok", "tenant_access_token": "t-fake-tenant-token", "expire": 7200}
            if headers.get("Authorization") != "Bearer t-fake-tenant-token":
                return 401, {"code": 99991661, "msg": "missing access token"}
            name, answer = self._route(method, path, headers, body)
            if self.fail.get(name, 0) > 0:
                self.fail[name] -= 1
                return 200, {"code": 1770001, "msg": f"fake failure of {name}"}
            return 200, {"code": 0, "msg": "success", "data": answer()}

    def _route(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[str, Any]:
        parts = path.split("?")[0].strip("/").split("/")[2:]  # after open-apis/<service>
        data = json.loads(body) if body and "json" in headers.get("Content-Type", "") else {}
        if parts == ["v1", "documents"] and method == "POST":
            return "create", lambda: self._create(data)
        if parts == ["v1", "documents", "blocks", "convert"]:
            return "convert", lambda: self._convert(data["content"])
        if parts[:2] == ["v1", "medias"]:
            return "upload", lambda: self._upload(body)
        document_id, block_id = parts[2], parts[4]
        if parts[5:] == ["descendant"]:
            return "insert", lambda: self._insert(document_id, data)
        if parts[5:] == ["children", "batch_delete"]:
            return "delete", lambda: self._delete(document_id, data)
        if method == "PATCH":
            return "patch", lambda: self._patch(document_id, block_id, data)
        return "get", lambda: {"block": {"block_id": document_id, "block_type": 1,
                                         "children": [b["block_id"] for b in self.documents[document_id].children]}}

    def _create(self, data: dict[str, Any]) -> dict[str, Any]:
        document_id = f"doxcnFake{next(self._ids)}"
        self.documents[document_id] = FakeDocument(data.get("title", ""), data.get("folder_token", ""))
        return {"document": {"document_id": document_id, "revision_id": 1, "title": data.get("title", "")}}

    def _convert(self, markdown: str) -> dict[str, Any]:
        blocks, images = [], []
        for paragraph in (p.strip() for p in markdown.split("\n\n")):
            if not paragraph:
                continue
            block_id = f"tmp{next(self._ids)}"
            found = _IMAGE.fullmatch(paragraph)
            if found:
                blocks.append({"block_id": block_id, "block_type": 27, "children": [], "image": {}})
                images.append({"block_id": block_id, "image_url": found[1]})
            else:
                blocks.append(_text_block(block_id, paragraph))
        return {"first_level_block_ids": [b["block_id"] for b in blocks], "blocks": blocks,
                "block_id_to_image_urls": images}

    def _insert(self, document_id: str, data: dict[str, Any]) -> dict[str, Any]:
        self.insert_sizes.append(len(data["descendants"]))
        assert len(data["descendants"]) <= MAX_BLOCKS, "Feishu takes at most 50 blocks a call here"
        relations, added = [], []
        for block in data["descendants"]:
            real = f"blk{next(self._ids)}"
            relations.append({"temporary_block_id": block["block_id"], "block_id": real})
            added.append({**block, "block_id": real})
        doc = self.documents[document_id]
        doc.children[data["index"]:data["index"]] = added
        return {"children": added, "block_id_relations": relations, "document_revision_id": 2}

    def _delete(self, document_id: str, data: dict[str, Any]) -> dict[str, Any]:
        del self.documents[document_id].children[data["start_index"]:data["end_index"]]
        return {"document_revision_id": 3}

    def _upload(self, body: bytes) -> dict[str, Any]:
        fields = dict(re.findall(rb'name="(\w+)"\r\n\r\n([^\r]*)\r\n', body))
        token = f"boxcnImage{next(self._ids)}"
        self.uploads.append({"parent_node": fields.get(b"parent_node", b"").decode(),
                             "parent_type": fields.get(b"parent_type", b"").decode(), "token": token})
        return {"file_token": token}

    def _patch(self, document_id: str, block_id: str, data: dict[str, Any]) -> dict[str, Any]:
        for block in self.documents[document_id].children:
            if block["block_id"] == block_id:
                block["image"] = {"token": data["replace_image"]["token"]}
        return {"block": {"block_id": block_id}}

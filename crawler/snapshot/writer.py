"""Build a snapshot folder: one body file per recorded response plus ``index.json``.

The folder's format is documented in :mod:`crawler.snapshot`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.snapshot.index import INDEX_NAME

_EXTENSIONS = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/json": ".json",
    "application/javascript": ".js",
    "text/javascript": ".js",
    "application/x-javascript": ".js",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/atom+xml": ".xml",
    "application/rss+xml": ".xml",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
}
_UNSAFE = re.compile(r"[^\w.-]")  # \w: CJK names stay readable
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_MAX_SEGMENT = 120


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest() + '"'


def _safe_segment(segment: str) -> str:
    safe = _UNSAFE.sub("_", segment).lstrip(".") or "_"
    return safe[:_MAX_SEGMENT]


def body_filename(url: str, content_type: str) -> str:
    """A relative, filesystem-safe path for the body of ``url``.

    Host and path become folders and a file; a hash is appended when the query is not empty
    or when making the path safe changed it (so two URLs never share a file by accident).
    """
    parts = urlsplit(url)
    raw_path = unquote(parts.path) or "/"
    segments = [s for s in raw_path.split("/") if s]
    if raw_path.endswith("/"):
        segments.append("index")
    if not segments:
        segments = ["index"]
    safe = [_safe_segment(s) for s in segments]
    changed = safe != segments
    name = safe[-1]
    if changed or parts.query:
        name += "-" + _short_hash(parts.query + ("#" + raw_path if changed else ""))
    if not _SUFFIX.search(segments[-1]):
        mime = content_type.split(";", 1)[0].strip().lower()
        name += _EXTENSIONS.get(mime, ".bin")
    host = _safe_segment(parts.netloc.lower())
    return str(PurePosixPath(host, *safe[:-1], name))


def _has_header(headers: Mapping[str, str], name: str) -> bool:
    return any(key.lower() == name.lower() for key in headers)


class SnapshotWriter:
    """Build a snapshot folder: ``add()`` responses, then ``save()`` the index.

    Opening a folder that already holds an index keeps its entries, so a test can change a
    few responses of a built snapshot (a revised article, a removed page) between crawls.
    """

    def __init__(self, root: Path, recorded_at: datetime):
        self.root = Path(root)
        self.recorded_at = recorded_at
        self._entries: dict[str, dict[str, Any]] = {}
        self._broken: dict[str, str] = {}
        index = self.root / INDEX_NAME
        if index.exists():
            saved = json.loads(index.read_text("utf-8"))
            for entry in saved["responses"]:
                self._entries[entry["url"]] = entry
            self._broken = {item["url"]: item["why"] for item in saved.get("broken", [])}

    def add(
        self,
        url: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
        encoding: str = "utf-8",
    ) -> None:
        data = body.encode(encoding) if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if not _has_header(all_headers, "ETag"):
            all_headers["ETag"] = etag_for(data)
        file = self._filename(url, content_type) if data else None
        if file is not None:
            path = self.root / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self._entries[url] = {"url": url, "file": file, "status": status, "headers": all_headers}

    def remove(self, url: str) -> None:
        """Forget ``url`` (the server will answer 404 for it). Its body file stays."""
        self._entries.pop(url, None)

    def mark_broken(self, url: str, why: str) -> None:
        """Note that ``url`` is broken on purpose (a demo says so before its warnings appear)."""
        self._broken[url] = why

    def save(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        index: dict[str, Any] = {
            "recorded_at": self.recorded_at.isoformat(),
            "responses": [self._entries[url] for url in sorted(self._entries)],
        }
        if self._broken:
            index["broken"] = [{"url": url, "why": why} for url, why in self._broken.items()]
        text = json.dumps(index, indent=1, ensure_ascii=False)
        (self.root / INDEX_NAME).write_text(text + "\n", encoding="utf-8")
        return self.root

    def _filename(self, url: str, content_type: str) -> str:
        file = body_filename(url, content_type)
        taken = {e["file"]: u for u, e in self._entries.items() if e["file"]}
        if taken.get(file, url) != url:
            stem, dot, ext = file.rpartition(".")
            file = f"{stem}-{_short_hash(url)}{dot}{ext}" if dot else f"{file}-{_short_hash(url)}"
        return file



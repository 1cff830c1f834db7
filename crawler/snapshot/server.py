"""Recorded HTTP responses on disk, served back in the mirror convention (DESIGN §4).

A snapshot is a folder holding ``index.json`` plus one body file per response::

    {"recorded_at": "2025-07-26T10:00:00+08:00",
     "responses": [{"url": "https://hb.ifeng.com/c/8lE1OVQRmEX",
                    "file": "hb.ifeng.com/c/8lE1OVQRmEX.html", "status": 200,
                    "headers": {"Content-Type": "text/html; charset=utf-8", "ETag": "\\"…\\""}}]}

``SnapshotWriter`` builds one, ``SnapshotServer`` answers ``GET MIRROR/<host>/<path>?<query>``
from it on 127.0.0.1; ``python -m crawler.snapshot DIR`` serves a folder by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

logger = logging.getLogger(__name__)

INDEX_NAME = "index.json"

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
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# The server computes these itself; replaying recorded ones would lie about the body.
_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


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
        index = self.root / INDEX_NAME
        if index.exists():
            for entry in json.loads(index.read_text("utf-8"))["responses"]:
                self._entries[entry["url"]] = entry

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

    def save(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        index = {
            "recorded_at": self.recorded_at.isoformat(),
            "responses": [self._entries[url] for url in sorted(self._entries)],
        }
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


@dataclass(frozen=True)
class SnapshotEntry:
    """One recorded response, as the server matches requests against it."""

    url: str
    host: str
    path: str  # percent-decoded
    params: tuple[tuple[str, str], ...]
    file: str | None
    status: int
    headers: tuple[tuple[str, str], ...]

    @property
    def etag(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "etag"), None)


def _split_target(host: str, path: str) -> tuple[str, str]:
    return host.lower(), unquote(path or "/")


def load_index(root: Path) -> list[SnapshotEntry]:
    data = json.loads((root / INDEX_NAME).read_text("utf-8"))
    entries = []
    for item in data["responses"]:
        parts = urlsplit(item["url"])
        host, path = _split_target(parts.netloc, parts.path)
        entries.append(
            SnapshotEntry(
                url=item["url"],
                host=host,
                path=path,
                params=tuple(parse_qsl(parts.query, keep_blank_values=True)),
                file=item.get("file"),
                status=int(item.get("status", 200)),
                headers=tuple(item.get("headers", {}).items()),
            )
        )
    return entries


def index_entries(entries: Sequence[SnapshotEntry]) -> dict[tuple[str, str], list[SnapshotEntry]]:
    """Entries by (host, path): a request only ever looks at those of its own target."""
    by_target: dict[tuple[str, str], list[SnapshotEntry]] = {}
    for entry in entries:
        by_target.setdefault((entry.host, entry.path), []).append(entry)
    return by_target


def find_entry(
    by_target: Mapping[tuple[str, str], Sequence[SnapshotEntry]], host: str, path: str, query: str
) -> SnapshotEntry | None:
    """The most specific entry whose query parameters all appear in the request's.

    Extra request parameters (cache busters, per-request tokens) do not prevent a match.
    """
    requested = set(parse_qsl(query, keep_blank_values=True))
    candidates = [e for e in by_target.get(_split_target(host, path), ())
                  if all(p in requested for p in e.params)]
    return max(candidates, key=lambda e: len(e.params), default=None)


def _etag_matches(header: str, etag: str | None) -> bool:
    if etag is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


class SnapshotHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections must not pin threads for ever
    # Headers and body go out in two writes: with Nagle on, the body's last segment can wait
    # for the client's delayed ACK (40 ms on Linux), which made crawl times bimodal.
    disable_nagle_algorithm = True

    def parse_request(self) -> bool:
        # Raw UTF-8 paths (中文) would be split on b"\x85" by str.split() in http.server:
        # percent-encode non-ASCII bytes first, matching decodes them again.
        self.raw_requestline = _NON_ASCII.sub(lambda m: b"%%%02X" % m[0][0], self.raw_requestline)
        return super().parse_request()

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _answer(self, *, with_body: bool) -> None:
        owner = self.server.owner
        target = self.path.lstrip("/")
        owner._record(target)
        if owner.delay:
            time.sleep(owner.delay)
        raw_path, _, query = target.partition("?")
        host, _, path = raw_path.partition("/")
        path = "/" + path
        if not host or ".." in unquote(path).split("/"):
            self._send_text(HTTPStatus.NOT_FOUND, f"not in snapshot: {target}", with_body)
            return
        entry = find_entry(owner.entries_by_target(), host, path, query)
        if entry is None:
            self._send_text(HTTPStatus.NOT_FOUND, f"not in snapshot: {target}", with_body)
            return
        self._send_entry(entry, with_body)

    def _send_entry(self, entry: SnapshotEntry, with_body: bool) -> None:
        owner = self.server.owner
        if _etag_matches(self.headers.get("If-None-Match", ""), entry.etag):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", entry.etag or "")
            self.end_headers()
            return
        body = (owner.root / entry.file).read_bytes() if entry.file else b""
        if owner.transform is not None:
            body = owner.transform(entry.url, body)
        self.send_response(entry.status)
        for name, value in entry.headers:
            if name.lower() not in _HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _send_text(self, status: HTTPStatus, text: str, with_body: bool) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a crawl opening 16 connections at once lost
    # SYNs, and each lost one cost the client TCP's 1 s retransmission timeout.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], owner: SnapshotServer):
        self.owner = owner
        super().__init__(address, owner.handler_class)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that time out or cancel hang up mid-answer: normal here, not worth a traceback
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        logger.exception("snapshot server failed to answer %s", client_address)


class SnapshotServer:
    """Serve a snapshot folder on 127.0.0.1 in the mirror convention.

    ``url`` is the mirror base (``http://127.0.0.1:<port>``, no trailing slash).
    ``requests`` lists every request received, in order, as the original URL it maps to
    *without* the scheme (``hb.ifeng.com/c/8lE1OVQRmEX?_=1``, path and query as sent,
    raw non-ASCII bytes percent-encoded) —
    the mirror convention drops the scheme, so the server cannot know it.
    ``transform(url, body)`` rewrites bodies on the way out (``url`` is the recorded URL);
    ``delay`` seconds are slept before each answer (for timeout tests).
    """

    def __init__(
        self,
        root: Path,
        *,
        port: int = 0,
        transform: Callable[[str, bytes], bytes] | None = None,
        delay: float = 0.0,
    ):
        self.root = Path(root)
        self.port = port
        self.handler_class: type[BaseHTTPRequestHandler] = SnapshotHandler
        self.transform = transform
        self.delay = delay
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._entries = index_entries(load_index(self.root))
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("SnapshotServer is not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def reload(self) -> None:
        entries = index_entries(load_index(self.root))
        with self._lock:
            self._entries = entries

    def entries_by_target(self) -> dict[tuple[str, str], list[SnapshotEntry]]:
        with self._lock:
            return self._entries

    def _record(self, target: str) -> None:
        with self._lock:
            self.requests.append(target)

    def start(self) -> Self:
        if self._httpd is None:
            self._httpd = _Server(("127.0.0.1", self.port), self)
            # a short poll keeps stop() fast; tests start many servers
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="snapshot-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler.snapshot",
        description="Serve a recorded snapshot folder on 127.0.0.1 in the mirror convention.",
    )
    parser.add_argument("snapshot_dir", type=Path)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if not (args.snapshot_dir / INDEX_NAME).is_file():
        parser.error(f"{args.snapshot_dir / INDEX_NAME} not found: not a snapshot folder")
    with SnapshotServer(args.snapshot_dir, port=args.port) as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

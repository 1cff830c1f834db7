"""Serve a snapshot folder (format: :mod:`crawler.snapshot`) on 127.0.0.1 in the mirror convention.

``SnapshotServer`` answers ``GET MIRROR/<host>/<path>?<query>`` from the recorded responses;
``python -m crawler.snapshot DIR`` (``main``) serves a folder by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote

from crawler.snapshot.index import INDEX_NAME, SnapshotEntry, find_entry, index_entries, load_index

# Still importable from here: branches in flight import the writer from this module.
from crawler.snapshot.writer import SnapshotWriter as SnapshotWriter

logger = logging.getLogger(__name__)

_NON_ASCII = re.compile(rb"[\x80-\xff]")
# The server computes these itself; replaying recorded ones would lie about the body.
_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


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
    # Ctrl-C stops it even when started by a process that ignores SIGINT (pytest-xdist workers,
    # nohup): an ignored SIGINT is inherited, and Python then installs no KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # Ctrl-C right after the address is printed (before the wait) ends it quietly too.
    with SnapshotServer(args.snapshot_dir, port=args.port) as server, contextlib.suppress(KeyboardInterrupt):
        print(server.url, flush=True)
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

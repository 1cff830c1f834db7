"""``topicfeed serve``: the feeds folder over HTTP, with the caching headers feed readers use.

Only files inside the feeds folder are reachable, and under ``/images/`` only the archive's
images that a stored article references and whose bytes are a raster image (an SVG or an HTML
page saved by an older version is never handed out). Every answer carries an ETag (SHA-256 of
the content), Last-Modified (the file's mtime) and ``Cache-Control: max-age`` (how often the
feeds can change at most), and conditional requests get 304 without a body. Every answer,
404s included, forbids content sniffing and any script, plugin or frame (SECURITY_HEADERS).
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import logging
import mimetypes
import os
import re
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import unquote, urlsplit

from crawler.config.model import IMAGES_FOLDER
from crawler.rasters import raster_type

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

INDEX = "index.html"
SERVED_KEPT = 1000  # answers kept in FeedServer.served (for tests and debugging)
CONTENT_TYPES = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
_COMPRESSIBLE = re.compile(r"^(text/|application/(atom\+xml|xml|json|javascript))")
# Encoded separators and NUL never name a file here; refuse them before decoding.
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c|00)", re.IGNORECASE)
_QUALITY = re.compile(r"\bq\s*=\s*([0-9.]+)")
# Feeds, OPML and the index page need no script, no plugin, no frame; the index has its own
# stylesheet and inline style, and may show images. A sandboxed document has no origin to attack either.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": ("default-src 'none'; img-src 'self' https: http: data:; "
                                "style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
                                "frame-ancestors 'none'; sandbox"),
    "Referrer-Policy": "no-referrer",
}
MAX_REQUEST_PATH = 2048  # longer paths name no file of ours
MAX_RECORDED_PATH = 300  # what ``served`` keeps of a path: a stream of 60 KB paths must not pile up


@dataclass(frozen=True)
class Served:
    """One request as answered, for logs and tests."""

    method: str
    path: str
    status: int


def resolve(root: Path, request_path: str) -> Path | None:
    """The file under ``root`` that ``request_path`` names, or None (answered with 404)."""
    path = urlsplit(request_path).path
    if _ENCODED_SEPARATOR.search(path):
        return None
    decoded = unquote(path)
    if not decoded.startswith("/") or "\\" in decoded or "\x00" in decoded:
        return None
    parts = decoded[1:].split("/") if decoded != "/" else [INDEX]
    # "" (a doubled or trailing slash), "." and ".." never reach the filesystem; dot files
    # (half-written temporary files among them) are not published.
    if any(not part or part.startswith(".") for part in parts):
        return None
    try:
        real_root = root.resolve(strict=True)
        target = real_root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(real_root) or not target.is_file():
        return None  # a symlink that leads out of the folder, or a folder
    return target


def content_type(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def accepts_gzip(header: str) -> bool:
    for item in header.split(","):
        coding, _, params = item.partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip"):
            continue
        quality = _QUALITY.search(params)
        try:
            return quality is None or float(quality[1]) > 0
        except ValueError:
            return False
    return False


def etag_matches(header: str, etags: tuple[str, ...]) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2)."""
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or any(etag in tags for etag in etags)


def not_modified_since(header: str, mtime: float) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    return since.tzinfo is not None and int(mtime) <= since.timestamp()


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections must not pin threads for ever

    def version_string(self) -> str:
        return "topicfeed"

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():  # here, so stdlib error answers carry them too
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        logger.info("%s %s", self.address_string(), format % args)

    def _answer(self, *, with_body: bool) -> None:
        owner = self.server.owner
        image = self.path.startswith(IMAGES_PREFIX) and owner.images_root is not None
        if len(self.path) > MAX_REQUEST_PATH:
            target = None
        elif image:
            target = resolve(owner.images_root, self.path[len(IMAGES_PREFIX) - 1 :])  # type: ignore[arg-type]
            if target is not None and not owner.image_referenced(self._archive_path(target)):
                target = None
        else:
            target = resolve(owner.root, self.path)
        if target is None:
            self._send_not_found(with_body)
            return
        try:
            with target.open("rb") as file:  # mtime and bytes from the same file, even mid-rename
                mtime = os.fstat(file.fileno()).st_mtime
                data = file.read()
        except OSError:
            self._send_not_found(with_body)
            return
        kind = raster_type(data) if image else content_type(target)
        if kind is None:  # an image file that is not a raster image
            self._send_not_found(with_body)
            return
        digest = hashlib.sha256(data).hexdigest()
        etags = (f'"{digest}"', f'"{digest}-gzip"')  # one per representation
        compress = bool(_COMPRESSIBLE.match(kind)) and accepts_gzip(self.headers.get("Accept-Encoding", ""))
        headers = {"ETag": etags[1] if compress else etags[0],
                   "Last-Modified": formatdate(mtime, usegmt=True),
                   "Cache-Control": f"max-age={owner.max_age}"}
        if _COMPRESSIBLE.match(kind):
            headers["Vary"] = "Accept-Encoding"
        if self._not_modified(etags, mtime):
            self._send(HTTPStatus.NOT_MODIFIED, headers, b"", with_body=False)
            return
        body = gzip.compress(data, mtime=0) if compress else data
        headers |= {"Content-Type": kind, "Content-Length": str(len(body))}
        if compress:
            headers["Content-Encoding"] = "gzip"
        self._send(HTTPStatus.OK, headers, body, with_body=with_body)

    def _archive_path(self, target: Path) -> str:
        """``images/<host>/<file>``: the path an article's image records its local copy under."""
        root = self.server.owner.images_root.resolve()  # type: ignore[union-attr]
        return f"{IMAGES_FOLDER}/{target.relative_to(root).as_posix()}"

    def _not_modified(self, etags: tuple[str, ...], mtime: float) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # when both are sent, If-None-Match decides (RFC 9110 §13.2.2)
            return etag_matches(if_none_match, etags)
        if_modified_since = self.headers.get("If-Modified-Since")
        return if_modified_since is not None and not_modified_since(if_modified_since, mtime)

    def _send_not_found(self, with_body: bool) -> None:
        body = b"not found\n"
        headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(body))}
        self._send(HTTPStatus.NOT_FOUND, headers, body, with_body=with_body)

    def _send(self, status: HTTPStatus, headers: dict[str, str], body: bytes, *, with_body: bool) -> None:
        # recorded before the client can see the answer
        self.server.owner.record(Served(self.command, self.path[:MAX_RECORDED_PATH], status))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body and body:
            self.wfile.write(body)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: FeedServer):
        self.owner = owner
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a reader that hung up mid-answer
        logger.exception("feed server failed to answer %s", client_address)


IMAGES_PREFIX = f"/{IMAGES_FOLDER}/"


class FeedServer:
    """Serve ``root`` (the feeds folder) on ``host``:``port``; port 0 picks a free one.

    The socket is bound when the object is made, so ``url`` is known before ``start()``.
    ``served`` holds the last SERVED_KEPT answers (method, path, status), in order: a server
    running for months must not keep every answer it gave.
    """

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 0, max_age: int = 3600,
                 images_root: Path | None = None, image_referenced: Callable[[str], bool] | None = None):
        self.root = Path(root)
        # /images/… answers from the archive's images (feeds with [feeds] local_images = true),
        # only those ``image_referenced(images/<host>/<file>)`` says a stored article shows
        self.images_root = Path(images_root) if images_root is not None else None
        self.image_referenced = image_referenced or (lambda path: False)
        self.max_age = max_age
        self.served: collections.deque[Served] = collections.deque(maxlen=SERVED_KEPT)
        self._lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), self)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    def record(self, served: Served) -> None:
        with self._lock:
            self.served.append(served)

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                            name="feed-server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve_until_stopped(server: FeedServer) -> None:
    """Serve until Ctrl-C or SIGTERM (call from the main thread), saying where to subscribe."""
    stop = threading.Event()
    # Both set here: a crawl earlier in this process (the demo) leaves Scrapy's handlers behind.
    previous = {sig: signal.signal(sig, lambda signum, frame: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with server:
            print(f"serving {server.root} at {server.url}", flush=True)
            print(f"subscribe: {server.url}index.opml  (Ctrl-C to stop)", flush=True)
            stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

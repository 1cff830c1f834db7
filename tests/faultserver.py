"""A snapshot server that misbehaves on purpose, on 127.0.0.1 only, with bounded faults."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from crawler.snapshot.server import SnapshotHandler, SnapshotServer

MAX_HANG_SECONDS = 5.0
HUGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Fault:
    kind: str  # status | hang | reset | truncate | body | huge | redirect_loop
    status: int = 500
    times: int | None = None  # how many requests misbehave (None: all)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 3.0


class FaultHandler(SnapshotHandler):
    server: object

    def _answer(self, *, with_body: bool) -> None:
        owner: FaultServer = self.server.owner  # type: ignore[attr-defined]
        full = self.path.lstrip("/")
        target = full if full in owner.faults else full.split("?", 1)[0]
        fault = owner.faults.get(target)
        if fault is None or not owner.take(target, fault):
            super()._answer(with_body=with_body)
            return
        owner._record(self.path.lstrip("/"))
        getattr(self, f"_fault_{fault.kind}")(fault, target)

    def _fault_status(self, fault: Fault, target: str) -> None:
        body = fault.body or f"fault: HTTP {fault.status}".encode()
        self.send_response(fault.status)
        for name, value in fault.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _fault_body(self, fault: Fault, target: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", fault.headers.get("Content-Type", "text/html; charset=utf-8"))
        self.send_header("Content-Length", str(len(fault.body)))
        self.end_headers()
        self.wfile.write(fault.body)

    def _fault_hang(self, fault: Fault, target: str) -> None:
        time.sleep(min(fault.seconds, MAX_HANG_SECONDS))
        self.close_connection = True

    def _fault_reset(self, fault: Fault, target: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"<html><head><script>var allData = {" + b" " * 500)
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True

    def _fault_truncate(self, fault: Fault, target: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "50000")
        self.end_headers()
        self.wfile.write(b"<html><head><title>cut</title>" + b"x" * 1000)
        self.close_connection = True

    def _fault_huge(self, fault: Fault, target: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        chunk = b"x" * 65536
        try:
            for _ in range(HUGE_BYTES // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            pass  # the client hung up, as it should
        self.close_connection = True

    def _fault_redirect_loop(self, fault: Fault, target: str) -> None:
        self.send_response(302)
        self.send_header("Location", f"https://{target}")
        self.send_header("Content-Length", "0")
        self.end_headers()


class FaultServer(SnapshotServer):
    """``faults`` maps ``host/path`` (no scheme, no query: any query) or ``host/path?query`` (only
    that one) to the fault it answers with."""

    def __init__(self, root: Path, faults: dict[str, Fault], **kwargs: object):
        super().__init__(root, **kwargs)  # type: ignore[arg-type]
        self.handler_class = FaultHandler
        self.faults = faults
        self.hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()

    def take(self, target: str, fault: Fault) -> bool:
        with self._hits_lock:
            if fault.times is not None and self.hits[target] >= fault.times:
                return False
            self.hits[target] += 1
            return True


class Canary:
    """A plain HTTP server on 127.0.0.1 that only records who reached it: nothing ever should."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"\x89PNG")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class SilentServer:
    """Accepts every connection on 127.0.0.1 and never answers: a host that hangs."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed: the test is over
                return
            self.accepted.append(connection)  # held open, never read from or written to

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def refusing_url() -> str:
    """An http URL on a 127.0.0.1 port nothing listens on: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"

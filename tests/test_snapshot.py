from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest

from crawler.snapshot.server import SnapshotServer, main
from crawler.snapshot.writer import SnapshotWriter, body_filename, etag_for

RECORDED_AT = datetime(2025, 7, 26, 10, 0, tzinfo=timezone(timedelta(hours=8)))
ARTICLE = "https://hb.ifeng.com/c/8lE1OVQRmEX"
LIST = "http://api.1sapp.com/content/outList?cid=255&tn=1&page=1&limit=10"
LIST_NEXT = LIST + "&min_time=1753400000000"
SEARCH_QUOTED = (
    "https://d.shankapi.ifeng.com/api/getSoFengData/all/" + quote("服务外包") + "/1/cb?callback=cb"
)
SEARCH_RAW = "https://d.shankapi.ifeng.com/api/getSoFengData/all/服博会/1/cb?callback=cb"


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    writer = SnapshotWriter(tmp_path / "snap", RECORDED_AT)
    writer.add(ARTICLE, "<html>seed 文章</html>")
    writer.add(LIST, b'{"data": "first"}', content_type="application/json")
    writer.add(LIST_NEXT, b'{"data": "next"}', content_type="application/json")
    writer.add(SEARCH_QUOTED, "cb(1)", content_type="application/javascript")
    writer.add(SEARCH_RAW, "cb(2)", content_type="application/javascript")
    writer.add("https://hb.ifeng.com/gone", b"", status=410)
    return writer.save()


@pytest.fixture
def server(snapshot: Path) -> Iterator[SnapshotServer]:
    with SnapshotServer(snapshot) as srv:
        yield srv


def fetch(
    url: str, *, method: str = "GET", headers: dict[str, str] | None = None, timeout: float = 5
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def mirrored(server: SnapshotServer, url: str) -> str:
    return server.url + "/" + url.split("://", 1)[1]


# ---------------------------------------------------------------- writer


def test_writer_index_is_sorted_and_has_etags(snapshot: Path) -> None:
    index = json.loads((snapshot / "index.json").read_text("utf-8"))
    assert index["recorded_at"] == "2025-07-26T10:00:00+08:00"
    urls = [r["url"] for r in index["responses"]]
    assert urls == sorted(urls)
    entry = next(r for r in index["responses"] if r["url"] == ARTICLE)
    assert entry["file"] == "hb.ifeng.com/c/8lE1OVQRmEX.html"
    assert entry["headers"]["ETag"] == etag_for("<html>seed 文章</html>".encode())
    assert (snapshot / entry["file"]).read_text("utf-8") == "<html>seed 文章</html>"
    assert next(r for r in index["responses"] if r["url"].endswith("/gone"))["file"] is None


def test_body_filename_hashes_queries_and_keeps_paths_safe() -> None:
    first = body_filename(LIST, "application/json")
    assert first.startswith("api.1sapp.com/content/outList-") and first.endswith(".json")
    assert body_filename(LIST_NEXT, "application/json") != first
    assert body_filename("https://hb.ifeng.com/", "text/html") == "hb.ifeng.com/index.html"
    assert (
        body_filename("https://hb.ifeng.com/robots.txt", "text/plain") == "hb.ifeng.com/robots.txt"
    )
    assert ".." not in body_filename("https://evil.example/a/../../x", "text/html").split("/")


def test_writer_replaces_entry_and_keeps_given_etag(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path, RECORDED_AT)
    writer.add(ARTICLE, "v1")
    writer.add(ARTICLE, "v2", headers={"ETag": '"custom"'})
    writer.save()
    responses = json.loads((tmp_path / "index.json").read_text("utf-8"))["responses"]
    assert len(responses) == 1
    assert responses[0]["headers"]["ETag"] == '"custom"'
    assert (tmp_path / responses[0]["file"]).read_text() == "v2"


# ---------------------------------------------------------------- server


def test_exact_match(server: SnapshotServer) -> None:
    status, headers, body = fetch(mirrored(server, ARTICLE))
    assert status == 200
    assert body.decode() == "<html>seed 文章</html>"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))
    assert server.url.startswith("http://127.0.0.1:") and not server.url.endswith("/")


def test_query_subset_match_ignores_cache_buster(server: SnapshotServer) -> None:
    status, _, body = fetch(mirrored(server, LIST) + "&_=1753500000123")
    assert (status, body) == (200, b'{"data": "first"}')


def test_most_specific_match_wins(server: SnapshotServer) -> None:
    assert fetch(mirrored(server, LIST_NEXT) + "&_=9")[2] == b'{"data": "next"}'
    # parameter order does not matter
    reordered = (
        "http://api.1sapp.com/content/outList?limit=10&min_time=1753400000000&page=1&tn=1&cid=255"
    )
    assert fetch(mirrored(server, reordered))[2] == b'{"data": "next"}'


def test_missing_required_param_is_404(server: SnapshotServer) -> None:
    status, headers, body = fetch(server.url + "/api.1sapp.com/content/outList?cid=255")
    assert status == 404
    assert headers["Content-Type"].startswith("text/plain")
    assert body.decode().startswith("not in snapshot: api.1sapp.com/content/outList?cid=255")


def test_percent_encoded_and_raw_paths_match(server: SnapshotServer) -> None:
    # recorded percent-encoded, requested percent-encoded
    assert fetch(mirrored(server, SEARCH_QUOTED))[2] == b"cb(1)"
    # recorded raw, requested percent-encoded
    encoded = (
        "https://d.shankapi.ifeng.com/api/getSoFengData/all/"
        + quote("服博会")
        + "/1/cb?callback=cb"
    )
    assert fetch(mirrored(server, encoded))[2] == b"cb(2)"
    # recorded percent-encoded, requested as raw UTF-8 bytes on the wire
    port = int(server.url.rsplit(":", 1)[1])
    target = "/d.shankapi.ifeng.com/api/getSoFengData/all/服务外包/1/cb?callback=cb"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        raw = b"".join(iter(lambda: sock.recv(65536), b""))
    assert raw.startswith(b"HTTP/1.1 200")
    assert raw.endswith(b"cb(1)")


def test_unknown_url_and_robots_are_404(server: SnapshotServer) -> None:
    assert fetch(server.url + "/hb.ifeng.com/c/unknown")[0] == 404
    assert fetch(server.url + "/shankapi.ifeng.com/robots.txt")[0] == 404
    assert fetch(server.url + "/")[0] == 404


def test_recorded_status_and_empty_body(server: SnapshotServer) -> None:
    status, headers, body = fetch(server.url + "/hb.ifeng.com/gone")
    assert (status, body, headers["Content-Length"]) == (410, b"", "0")


def test_if_none_match_gives_304(server: SnapshotServer) -> None:
    _, headers, _ = fetch(mirrored(server, ARTICLE))
    status, _, body = fetch(mirrored(server, ARTICLE), headers={"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert fetch(mirrored(server, ARTICLE), headers={"If-None-Match": '"other"'})[0] == 200


def test_head_has_headers_but_no_body(server: SnapshotServer) -> None:
    status, headers, body = fetch(mirrored(server, ARTICLE), method="HEAD")
    assert status == 200
    assert body == b""
    assert headers["Content-Length"] == str(len("<html>seed 文章</html>".encode()))


@pytest.mark.parametrize(
    "path", ["/hb.ifeng.com/c/../c/8lE1OVQRmEX", "/hb.ifeng.com/%2e%2e/etc/passwd"]
)
def test_dot_dot_segments_are_404(server: SnapshotServer, path: str) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        raw = b"".join(iter(lambda: sock.recv(65536), b""))
    assert raw.startswith(b"HTTP/1.1 404")


def test_requests_are_logged_without_scheme(server: SnapshotServer) -> None:
    fetch(mirrored(server, ARTICLE) + "?_=1")
    fetch(server.url + "/hb.ifeng.com/nothing")
    assert server.requests == ["hb.ifeng.com/c/8lE1OVQRmEX?_=1", "hb.ifeng.com/nothing"]


def test_reload_picks_up_a_changed_index(server: SnapshotServer, snapshot: Path) -> None:
    assert fetch(server.url + "/hb.ifeng.com/c/8lNEWARTICL")[0] == 404
    writer = SnapshotWriter(snapshot, RECORDED_AT)  # keeps the existing entries
    writer.add("https://hb.ifeng.com/c/8lNEWARTICL", "new")
    writer.add(ARTICLE, "revised")
    writer.save()
    server.reload()
    assert fetch(server.url + "/hb.ifeng.com/c/8lNEWARTICL")[2] == b"new"
    assert fetch(mirrored(server, ARTICLE))[2] == b"revised"
    assert fetch(mirrored(server, LIST))[0] == 200


def test_transform_is_applied(snapshot: Path) -> None:
    seen: list[str] = []

    def shout(url: str, body: bytes) -> bytes:
        seen.append(url)
        return body.upper()

    with SnapshotServer(snapshot, transform=shout) as server:
        status, headers, body = fetch(mirrored(server, LIST))
    assert body == b'{"DATA": "FIRST"}'
    assert headers["Content-Length"] == str(len(body))
    assert seen == [LIST]


def test_delay_makes_clients_time_out(snapshot: Path) -> None:
    with (
        SnapshotServer(snapshot, delay=0.5) as server,
        pytest.raises((TimeoutError, urllib.error.URLError)),
    ):
        fetch(mirrored(server, ARTICLE), timeout=0.1)


def test_cli_rejects_a_folder_without_index(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path)])
    assert exit_info.value.code == 2


def test_python_m_crawler_snapshot_serves_a_folder(snapshot: Path) -> None:
    child = subprocess.Popen([sys.executable, "-m", "crawler.snapshot", str(snapshot)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = child.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:"), base + child.stderr.read()
        status, _, body = fetch(base + "/hb.ifeng.com/c/8lE1OVQRmEX")
        assert status == 200 and body.decode() == "<html>seed 文章</html>"
    finally:
        child.send_signal(signal.SIGINT)
        try:
            assert child.wait(timeout=10) == 0  # Ctrl-C ends it quietly
        finally:
            child.kill()

"""The feed server as a reader meets it: types, caching headers, 304, gzip, HEAD, and nothing else."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import re
import signal
import subprocess
import sys
from email.utils import formatdate
from pathlib import Path

import pytest

from feeds.server import SERVED_KEPT, FeedServer, Served
from tests.configs import config_text, paths, source, topic
from tests.helpers import write_config

ATOM = b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">' + b" " * 600 + b"</feed>\n"
OPML = b'<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><body/></opml>\n'
HTML = "<!doctype html><title>订阅</title>\n".encode()
SECRET = b"not for the web\n"


@pytest.fixture
def feeds_dir(tmp_path: Path) -> Path:
    feeds = tmp_path / "data" / "feeds"
    (feeds / "images").mkdir(parents=True)
    (feeds / "topic.atom").write_bytes(ATOM)
    (feeds / "index.opml").write_bytes(OPML)
    (feeds / "index.html").write_bytes(HTML)
    (feeds / "images" / "a.png").write_bytes(b"\x89PNG fake")
    (feeds / ".tmp-topicfeed-half").write_bytes(b"half-written")
    (tmp_path / "data" / "secret.txt").write_bytes(SECRET)
    (feeds / "out.atom").symlink_to(tmp_path / "data" / "secret.txt")
    (feeds / "outdir").symlink_to(tmp_path / "data", target_is_directory=True)
    (feeds / "same.atom").symlink_to(feeds / "topic.atom")
    return feeds


@pytest.fixture
def server(feeds_dir: Path):
    with FeedServer(feeds_dir, port=0, max_age=1800) as running:
        yield running


def request(server: FeedServer, path: str, method: str = "GET", **headers: str) -> http.client.HTTPResponse:
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name.replace("_", "-"), value)
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def quoted_sha256(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest() + '"'


@pytest.mark.parametrize(("path", "body", "kind"), [
    ("/topic.atom", ATOM, "application/atom+xml; charset=utf-8"),
    ("/index.opml", OPML, "text/x-opml; charset=utf-8"),
    ("/index.html", HTML, "text/html; charset=utf-8"),
    ("/", HTML, "text/html; charset=utf-8"),
    ("/images/a.png", b"\x89PNG fake", "image/png"),
    ("/same.atom", ATOM, "application/atom+xml; charset=utf-8"),  # a symlink inside the folder
])
def test_files_with_type_etag_last_modified_and_max_age(server, feeds_dir, path, body, kind):
    response = request(server, path)
    assert response.status == 200
    assert response.body == body
    assert response.getheader("Content-Type") == kind
    assert response.getheader("Content-Length") == str(len(body))
    assert response.getheader("ETag") == quoted_sha256(body)
    name = {"/": "index.html", "/same.atom": "topic.atom"}.get(path, path.lstrip("/"))
    mtime = (feeds_dir / name).stat().st_mtime
    assert response.getheader("Last-Modified") == formatdate(mtime, usegmt=True)
    assert response.getheader("Cache-Control") == "max-age=1800"


def test_same_etag_gets_304_without_a_body(server):
    first = request(server, "/topic.atom")
    etag = first.getheader("ETag")
    again = request(server, "/topic.atom", If_None_Match=etag)
    assert again.status == 304 and again.body == b""
    assert again.getheader("ETag") == etag
    assert again.getheader("Cache-Control") == "max-age=1800"
    assert request(server, "/topic.atom", If_None_Match=f'"other", W/{etag}').status == 304
    assert request(server, "/topic.atom", If_None_Match="*").status == 304
    assert request(server, "/topic.atom", If_None_Match='"other"').status == 200


def test_changed_file_gets_a_new_etag(server, feeds_dir):
    etag = request(server, "/topic.atom").getheader("ETag")
    changed = ATOM.replace(b"</feed>", b"<title>new</title></feed>")
    (feeds_dir / "topic.atom").write_bytes(changed)
    response = request(server, "/topic.atom", If_None_Match=etag)
    assert response.status == 200 and response.body == changed
    assert response.getheader("ETag") == quoted_sha256(changed)


def test_if_modified_since(server, feeds_dir):
    mtime = (feeds_dir / "topic.atom").stat().st_mtime
    assert request(server, "/topic.atom", If_Modified_Since=formatdate(mtime, usegmt=True)).status == 304
    assert request(server, "/topic.atom", If_Modified_Since=formatdate(mtime + 60, usegmt=True)).status == 304
    older = request(server, "/topic.atom", If_Modified_Since=formatdate(mtime - 60, usegmt=True))
    assert older.status == 200 and older.body == ATOM
    assert request(server, "/topic.atom", If_Modified_Since="not a date").status == 200
    # If-None-Match decides when both are sent
    both = request(server, "/topic.atom", If_None_Match='"other"',
                   If_Modified_Since=formatdate(mtime + 60, usegmt=True))
    assert both.status == 200


def test_head_has_the_headers_and_no_body(server):
    get = request(server, "/topic.atom")
    head = request(server, "/topic.atom", "HEAD")
    assert head.status == 200 and head.body == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control"):
        assert head.getheader(name) == get.getheader(name)
    assert request(server, "/missing.atom", "HEAD").status == 404


def test_gzip_when_asked(server):
    response = request(server, "/topic.atom", Accept_Encoding="br, gzip;q=0.8")
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Vary") == "Accept-Encoding"
    assert gzip.decompress(response.body) == ATOM
    assert int(response.getheader("Content-Length")) == len(response.body) < len(ATOM)
    etag = response.getheader("ETag")
    assert etag != quoted_sha256(ATOM)  # another representation, another strong ETag
    assert request(server, "/topic.atom", Accept_Encoding="gzip", If_None_Match=etag).status == 304
    assert request(server, "/topic.atom", Accept_Encoding="gzip").body == response.body  # stable bytes

    plain = request(server, "/topic.atom", Accept_Encoding="gzip;q=0, identity")
    assert plain.getheader("Content-Encoding") is None and plain.body == ATOM
    assert plain.getheader("Vary") == "Accept-Encoding"
    assert request(server, "/topic.atom").getheader("Content-Encoding") is None


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%5csecret.txt",
    "/images/../../secret.txt",
    "/images/%2e%2e/%2e%2e/secret.txt",
    "/%252e%252e/secret.txt",
    "//etc/passwd",
    "/etc/passwd",
    "/out.atom",  # a symlink that leads out of the folder
    "/outdir/secret.txt",
    "/.tmp-topicfeed-half",
    "/images",
    "/images/",
    "/topic.atom%00.html",
    "/missing.atom",
    "http://127.0.0.1/../secret.txt",
])
def test_nothing_outside_the_feeds_folder(server, feeds_dir, path):
    response = request(server, path)
    assert response.status == 404
    assert SECRET not in response.body
    absolute = request(server, "/" + str(feeds_dir.parent / "secret.txt"))
    assert absolute.status == 404


def test_answers_are_recorded(server):
    request(server, "/topic.atom")
    request(server, "/nope")
    assert [(s.method, s.path, s.status) for s in server.served] == [
        ("GET", "/topic.atom", 200), ("GET", "/nope", 404)]


def test_a_long_running_server_keeps_only_its_latest_answers(server):
    for n in range(SERVED_KEPT + 5):
        server.record(Served("GET", f"/{n}.atom", 404))
    assert len(server.served) == SERVED_KEPT
    assert server.served[0].path == "/5.atom" and server.served[-1].path == f"/{SERVED_KEPT + 4}.atom"


SERVE_CONFIG = config_text(
    paths(),
    topic(keywords=["服务外包"]),
    source("ifeng-hb", "ifeng", schedule="*/15 * * * *"),
    source("ifeng-hn", "ifeng", schedule="0 * * * *"),
)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_command_until_a_signal(tmp_path, feeds_dir, stop):
    config = write_config(tmp_path, SERVE_CONFIG)
    env = {k: v for k, v in os.environ.items() if k != "TOPICFEED_MIRROR"}
    child = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--config", str(config), "--port", "0"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = child.stdout.readline()
        found = re.search(r" at (http://127\.0\.0\.1:(\d+)/)", first)
        assert found, first + child.stderr.read()
        assert child.stdout.readline().strip().startswith(f"subscribe: {found[1]}index.opml")
        connection = http.client.HTTPConnection("127.0.0.1", int(found[2]), timeout=10)
        connection.request("GET", "/index.opml")
        response = connection.getresponse()
        assert response.status == 200 and response.read() == OPML
        # every 15 minutes is the most frequent schedule
        assert response.getheader("Cache-Control") == "max-age=900"
        connection.close()
        child.send_signal(stop)
        # It stops at once; 10 s is only a generous bound for a loaded machine, not a measure.
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert "Traceback" not in child.stderr.read()


def test_serve_on_a_taken_port_is_a_one_line_error(tmp_path, server):
    config = write_config(tmp_path, SERVE_CONFIG)
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    done = subprocess.run([sys.executable, "-m", "crawler", "serve", "--config", str(config), "--port", port],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and f"127.0.0.1:{port}" in done.stderr


def test_demo_serves_the_feeds_it_built_on_the_actual_port(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TOPICFEED_MIRROR"}
    child = subprocess.Popen([sys.executable, "-m", "crawler", "demo", "--port", "0", "--data-dir", "demo"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        printed = []
        for line in child.stdout:
            printed.append(line)
            if line.startswith("subscribe: "):
                break
        found = re.match(r"subscribe: (http://127\.0\.0\.1:(\d+)/)index\.opml", printed[-1])
        assert found, "".join(printed) + child.stderr.read()
        base, port = found[1], int(found[2])
        assert port != 0 and not any(": failed" in line for line in printed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/index.opml")
        opml = connection.getresponse()
        assert opml.status == 200 and opml.getheader("Content-Type") == "text/x-opml; charset=utf-8"
        feed_urls = re.findall(r'xmlUrl="([^"]+)"', opml.read().decode())
        assert feed_urls and all(url.startswith(base) for url in feed_urls)
        connection.request("GET", feed_urls[0].removeprefix(base[:-1]))
        feed = connection.getresponse()
        assert feed.status == 200 and feed.getheader("Content-Type") == "application/atom+xml; charset=utf-8"
        assert f'href="{feed_urls[0]}"'.encode() in feed.read()  # the self link names where it is served
        connection.close()
        child.send_signal(signal.SIGINT)  # Ctrl-C
        assert child.wait(timeout=10) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    # stderr carries the crawl's own log (a spider's warnings); the serving part ends quietly
    assert "KeyboardInterrupt" not in child.stderr.read()

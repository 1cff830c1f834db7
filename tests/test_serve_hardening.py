"""``topicfeed serve`` facing hostile requests and a hostile archive: only referenced raster images,
no sniffing, no script, bounded memory."""

from __future__ import annotations

import http.client
import socket
from pathlib import Path

import pytest

from feeds.server import SECURITY_HEADERS, FeedServer
from tests.sites.media import placeholder_png
from tests.test_hostile_sites import SVG_WITH_SCRIPT


def get(server: FeedServer, path: str, **headers: str) -> http.client.HTTPResponse:
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, Path]:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "topic.atom").write_bytes(b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>')
    images = tmp_path / "archive" / "images"
    for host, name, data in [("x0.ifengimg.com", "a" * 40 + ".png", placeholder_png("a")),
                             ("x0.ifengimg.com", "b" * 40 + ".png", placeholder_png("b")),
                             ("x0.ifengimg.com", "c" * 40 + ".jpg", SVG_WITH_SCRIPT),
                             ("169.254.169.254", "d" * 40 + ".img", b"\x89PNG\r\n\x1a\nAKIA-credentials")]:
        (images / host).mkdir(parents=True, exist_ok=True)
        (images / host / name).write_bytes(data)
    return feeds, images


REFERENCED = {f"images/x0.ifengimg.com/{'a' * 40}.png", f"images/x0.ifengimg.com/{'c' * 40}.jpg"}


@pytest.fixture
def server(archive):
    feeds, images = archive
    with FeedServer(feeds, images_root=images, image_referenced=REFERENCED.__contains__) as running:
        yield running


def test_only_referenced_raster_images_are_served(server):
    assert get(server, f"/images/x0.ifengimg.com/{'a' * 40}.png").status == 200
    assert get(server, f"/images/x0.ifengimg.com/{'a' * 40}.png").getheader("Content-Type") == "image/png"
    assert get(server, f"/images/x0.ifengimg.com/{'b' * 40}.png").status == 404, "no article shows it"
    assert get(server, f"/images/x0.ifengimg.com/{'c' * 40}.jpg").status == 404, "an SVG is not a raster image"
    assert get(server, f"/images/169.254.169.254/{'d' * 40}.img").status == 404


def test_images_are_not_served_without_a_reference_check(archive):
    feeds, images = archive
    with FeedServer(feeds, images_root=images) as server:
        assert get(server, f"/images/x0.ifengimg.com/{'a' * 40}.png").status == 404


@pytest.mark.parametrize("path", ["/topic.atom", "/missing", f"/images/x0.ifengimg.com/{'a' * 40}.png",
                                  f"/images/x0.ifengimg.com/{'c' * 40}.jpg", "/" + "x" * 60_000])
def test_every_answer_forbids_sniffing_and_script(server, path):
    response = get(server, path)
    for name, value in SECURITY_HEADERS.items():
        assert response.getheader(name) == value, (path, name)
    assert "script-src" not in response.getheader("Content-Security-Policy")
    assert "default-src 'none'" in response.getheader("Content-Security-Policy")


def test_malformed_requests_carry_the_headers_too(server):
    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(b"BOGUS / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = raw.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 501")
    assert "X-Content-Type-Options: nosniff" in answer and "Content-Security-Policy:" in answer


def test_long_paths_are_not_kept_whole(server):
    for _ in range(20):
        assert get(server, "/" + "y" * 60_000).status == 404
    assert max(len(served.path) for served in server.served) <= 300

"""Network faults and broken pages: the crawl finishes, the rest is archived, failures are recorded."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.snapshot.writer import SnapshotWriter
from crawler.store import Store
from tests.faultserver import Fault, FaultServer
from tests.helpers import FAST, read_notes, run_topicfeed, store_url
from tests.sites import RECORDED_AT


def target(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc + parts.path


def test_faults_are_survived_and_recorded(ifeng_workspace, sample):
    ws, ifeng = ifeng_workspace, sample.ifeng
    docs = ifeng.docs
    writer = SnapshotWriter(ws.snapshot, RECORDED_AT)
    writer.add("https://hn.ifeng.com/robots.txt",
               f"User-agent: *\nDisallow: /c/{docs['sports'].doc_id}\n", content_type="text/plain")
    writer.save()
    wuhan_column = next(u for u in ifeng.column_urls if "216354" in u)
    faults = {
        "hb.ifeng.com/": Fault("status", 503, times=1, headers={"Retry-After": "1"}),
        target(docs["seed"].url): Fault("status", 429, times=2, headers={"Retry-After": "0"}),
        target(wuhan_column): Fault("status", 500),
        target(ifeng.search_urls["服博会"]): Fault("body", body=b"getSoFengDataCallback({\"data\": {\"items\": [{"),
        target(ifeng.search_urls["博览会"]): Fault(
            "body", body=b'getSoFengDataCallback({"data":{"items":[],"totalPage":0}})'),
        target(docs["weather"].url): Fault("hang", seconds=2.5),
        target(docs["culture"].url): Fault("reset"),
        target(docs["traffic"].url): Fault("truncate"),
        target(docs["lazyload"].url): Fault(
            "body", body=b"<html><script>var allData = {\"docData\": {\"title\": \"cut"),
        target(docs["broken"].url): Fault("huge"),
        target(docs["hn_copy"].url): Fault("redirect_loop"),
    }
    with FaultServer(ws.snapshot, faults) as server:
        run = run_topicfeed(
            "crawl", "--config", str(ws.config), "--mirror", server.url, "--set", f"TOPICFEED_NOW={ws.recorded_at}",
            *FAST, "--set", "DOWNLOAD_TIMEOUT=1", "--set", "TOPICFEED_RETRY_BACKOFF=0.1", cwd=ws.root, timeout=120)
        requested = list(server.requests)

    assert run.returncode == 0, run.stderr
    archived = {ifeng.role_of(url) for url in read_notes(ws.data / "archive")}
    # lost to faults: lazyload (its page is cut) and xss_trap (both lists that link it fail)
    assert archived == (set(ifeng.expected_archived) - {"lazyload", "xss_trap"}) | {"hb_copy"}
    assert "larger than download max size" in run.stderr
    assert not any(docs["sports"].doc_id in r for r in requested), "robots.txt disallow is honoured"
    assert sum(target(docs["seed"].url) in r for r in requested) == 3, "429 retried until it worked"

    store = Store.open(store_url(ws.data))
    run_record = store.last_runs()["ifeng-hb"]
    store.close()
    errors = "\n".join(run_record.errors)
    assert str(run_record.outcome) == "ok"
    for expected in (f"{wuhan_column}: HTTP 500", f"{ifeng.search_urls['服博会']}: list not parsed",
                     f"{docs['weather'].url}: timed out", docs["culture"].url, docs["traffic"].url,
                     f"{docs['lazyload'].url}: article not parsed", docs["broken"].url, docs["hn_copy"].url):
        assert expected in errors, f"{expected!r} not in run record:\n{errors}"
    assert run_record.stats["errors"] == len(run_record.errors) == 8
    status = ws.run("status").stdout
    assert f"! {wuhan_column}: HTTP 500" in status

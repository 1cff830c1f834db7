"""Item work in a worker process (crawler.itemwork.pool): same output as in-process, no orphans."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import read_notes

ARCHIVED_AT = re.compile(r"^(archived: .*|- \*\*归档时间\*\*: .*)$", re.M)


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:  # the process ended meanwhile
            continue
        if f"\nPPid:\t{pid}\n" in text:
            found.append(int(status.parent.name))
    return found


def archive_without_times(data: Path) -> dict[str, str]:
    return {url: ARCHIVED_AT.sub("", path.read_text(encoding="utf-8"))
            for url, (_, _, path) in read_notes(data / "archive").items()}


@pytest.mark.sqlite_only  # starts over by deleting the data dir, store included
def test_worker_process_and_in_process_give_the_same_archive_and_feeds(ifeng_workspace, sample):
    ws = ifeng_workspace
    run = ws.crawl("--set", "TOPICFEED_ITEM_WORKERS=1")
    assert run.returncode == 0, run.stderr
    with_worker = archive_without_times(ws.data)
    feeds = {p.name for p in (ws.data / "feeds").glob("*.atom")}

    for path in list(ws.data.iterdir()):
        subprocess.run(["rm", "-rf", str(path)], check=True)
    run = ws.crawl("--set", "TOPICFEED_ITEM_WORKERS=0")
    assert run.returncode == 0, run.stderr
    in_process = archive_without_times(ws.data)

    # Which copy of the hb/hn same-text pair is kept depends on crawl order: one of them.
    pair = {sample.ifeng.docs[role].url for role in sample.ifeng.same_text_pair}
    for notes in (with_worker, in_process):
        assert len(notes.keys() & pair) == 1
    assert with_worker.keys() - pair == in_process.keys() - pair and len(with_worker) > 5
    for url in with_worker.keys() - pair:
        assert with_worker[url] == in_process[url], url
    assert feeds == {p.name for p in (ws.data / "feeds").glob("*.atom")}


def test_killed_crawl_leaves_no_worker_process_behind(ifeng_workspace):
    ws = ifeng_workspace
    ws.server.delay = 0.3  # keep the crawl busy long after its worker started
    crawl = subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", "--config", str(ws.config), "--mirror", ws.server.url,
         "--set", f"TOPICFEED_NOW={ws.recorded_at}", "--set", "DOWNLOAD_DELAY=0",
         "--set", "TOPICFEED_ITEM_WORKERS=1"],
        cwd=ws.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while not workers and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.1)
            workers = [pid for pid in children_of(crawl.pid)
                       if "crawler.itemwork.child" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
        assert workers, "the crawl started no item worker"
    finally:
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.2)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()]
    assert not alive, f"worker processes {alive} outlived their killed crawl"


WORKER_DEATH_SCRIPT = r"""
import json, os, signal, sys
from twisted.internet import defer, task
from crawler.config import Topic
from crawler.archive.writer import ArchiveWriter
from crawler.items import Article
from crawler.text.topics import TopicMatcher
from crawler.itemwork import ItemWorkers, WorkContext
from pathlib import Path

def article(n):
    return Article(url=f"https://hb.ifeng.com/c/a{n}", source="ifeng-hb", spider="ifeng",
                   site_name="凤凰网湖北", site_id=f"a{n}", title=f"标题{n}",
                   body_html=f"<p>服务外包第{n}段。</p>")

async def main(reactor):
    context = WorkContext(TopicMatcher([Topic("so", "服务外包", ("服务外包",))]),
                          ArchiveWriter(Path("."), ("note",)))
    workers = ItemWorkers(context, 1)
    first = await workers.prepare(article(1))
    pid = workers._workers[0].transport.pid
    os.kill(pid, signal.SIGKILL)
    second = await workers.prepare(article(2))  # the worker is dead: done in this process
    third = await workers.prepare(article(3))
    await workers.close()
    print(json.dumps({"pid": pid, "topics": [first.topics, second.topics, third.topics],
                      "text": second.text, "hashed": bool(third.content_sha256),
                      "processes": workers.processes}, ensure_ascii=False))

task.react(lambda reactor: defer.ensureDeferred(main(reactor)))
"""


def test_a_dead_worker_is_replaced_by_in_process_work(tmp_path):
    done = subprocess.run([sys.executable, "-c", WORKER_DEATH_SCRIPT], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["topics"] == [{"so": ["服务外包"]}] * 3, "every item was prepared"
    assert result["text"] == "服务外包第2段。" and result["hashed"]
    assert result["processes"] == 0, "no further work is sent to the dead worker"
    assert "item worker process died" in done.stderr


BATCH_SCRIPT = r"""
import json, sys
from pathlib import Path
from twisted.internet import defer, task
from crawler.config import Topic
from crawler.archive.writer import ArchiveWriter
from crawler.items import Article
from crawler.text.prepare import InvalidArticle
from crawler.text.topics import TopicMatcher
from crawler.itemwork import ItemWorkers, StoreLink, WorkContext
from crawler.store import Store

STORE = "sqlite:///" + sys.argv[1]

def article(n, text=None, title=None):
    return Article(url=f"https://hb.ifeng.com/c/a{n}", source="ifeng-hb", spider="ifeng",
                   site_name="凤凰网湖北", site_id=f"a{n}", title=f"标题{n}" if title is None else title,
                   body_html=f"<p>{text or f'服务外包第{n}段，武汉的企业签约。'}</p>")

async def main(reactor):
    context = WorkContext(TopicMatcher([Topic("so", "服务外包", ("服务外包",))]),
                          ArchiveWriter(Path("archive"), ("note",)), StoreLink(STORE))
    workers = ItemWorkers(context, 1)
    await workers.prepare(article(0))  # the worker is up: what follows reaches it together
    items = [article(n) for n in range(1, 21)]
    items[7] = article(8, title="")  # no title: refused, alone
    items[12] = article(13, text="服务外包第2段，武汉的企业签约。")  # the text of article 2
    results = await defer.DeferredList([defer.ensureDeferred(workers.save(item)) for item in items],
                                       consumeErrors=True)
    answers = [value if ok else value.value for ok, value in results]
    await workers.close()
    store = Store.open(STORE)
    print(json.dumps({
        "answers": [type(a).__name__ if isinstance(a, Exception) else [a.canonical_url, a.save_outcome.value,
                    a.stored_id] for a in answers],
        "stored": sorted(a.canonical_url for a in store.all_articles()),
    }, ensure_ascii=False))

task.react(lambda reactor: defer.ensureDeferred(main(reactor)))
"""


def test_saves_that_reach_a_worker_together_are_each_answered_and_stored(tmp_path):
    done = subprocess.run([sys.executable, "-c", BATCH_SCRIPT, str(tmp_path / "store.db")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    answers = result["answers"]
    assert answers[7] == "InvalidArticle", "the page without a title fails alone"
    url = "https://hb.ifeng.com/c/a{}".format
    good = [n for n in range(1, 21) if n not in (8, 13)]
    for n in good:
        assert answers[n - 1][:2] == [url(n), "new"], answers[n - 1]
    assert len({answers[n - 1][2] for n in good}) == len(good), "each article its own row"
    assert answers[12][:2] == [url(13), "alias"] and answers[12][2] == answers[1][2], \
        "a page with article 2's text joins it, even when both arrive in one batch"
    assert result["stored"] == sorted(url(n) for n in good), "article 0 was only prepared"


def test_a_batch_the_store_refuses_is_refused_whole_and_stores_nothing(tmp_path):
    from crawler.archive.writer import ArchiveWriter
    from crawler.config import Topic
    from crawler.items import Article
    from crawler.itemwork import OutputFailed, PrepareAndSave, StoreLink, WorkContext
    from crawler.itemwork.jobs import prepare_and_save_all
    from crawler.store import Store
    from crawler.text.prepare import InvalidArticle
    from crawler.text.topics import TopicMatcher

    path = tmp_path / "store.db"
    Store.open(f"sqlite:///{path}").close()
    read_only = StoreLink(f"sqlite:///file:{path}?mode=ro&uri=true")
    context = WorkContext(TopicMatcher([Topic("so", "服务外包", ("服务外包",))]),
                          ArchiveWriter(tmp_path / "archive", ("note",)), read_only)
    jobs = [PrepareAndSave(Article(url=f"https://hb.ifeng.com/c/a{n}", source="ifeng-hb", spider="ifeng",
                                   site_name="凤凰网湖北", site_id=f"a{n}", title="" if n == 2 else f"标题{n}",
                                   body_html=f"<p>服务外包第{n}段。</p>")) for n in range(1, 5)]
    try:
        results = prepare_and_save_all(jobs, context)
    finally:
        read_only.close()
    assert isinstance(results[1], InvalidArticle)
    for result in (results[0], *results[2:]):
        assert isinstance(result, OutputFailed) and "readonly" in result.reason.replace(" ", "").lower()
    store = Store.open(f"sqlite:///{path}")
    assert store.all_articles() == []
    store.close()

"""Failures a person can read in a cron log: one line per unreachable host naming the cause,
no traceback, the summary line and `status` saying it, a heartbeat while a crawl waits."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from OpenSSL import SSL
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError
from scrapy.exceptions import DownloadTimeoutError as ScrapyTimeout
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionLost, ConnectionRefusedError, DNSLookupError, TimeoutError
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from crawler.cli import main
from crawler.downloadermiddlewares.unreachable import (
    UNREACHABLE_STAT,
    HostUnreachable,
    UnreachableHostsMiddleware,
    connection_failure,
)
from crawler.extensions.console import ConsoleReport
from crawler.resolver import NonPublicAddress
from tests.configs import config_text, feeds, paths, source, topic
from tests.faultserver import Canary, SilentServer, refusing_url
from tests.helpers import FAST, REPO, STAMP, Run, run_into_closed_pipe, run_topicfeed, write_config

HOSTS = ("hb.ifeng.com", "d.shankapi.ifeng.com")  # the source's home page and its site search
QUICK = ["--set", "DOWNLOAD_TIMEOUT=1", "--set", "TOPICFEED_RETRY_BACKOFF=0.05"]


def wrapped(scrapy_error: type[Exception], twisted_error: BaseException) -> Exception:
    """A download error as Scrapy raises it: its own class, caused by Twisted's."""
    try:
        raise scrapy_error(str(twisted_error)) from twisted_error
    except scrapy_error as error:
        return error


@pytest.mark.parametrize(("error", "cause"), [
    (wrapped(CannotResolveHostError, DNSLookupError("no results for hostname lookup: hb.ifeng.com")), "DNS"),
    (wrapped(DownloadConnectionRefusedError, ConnectionRefusedError()), "refused"),
    (wrapped(ScrapyTimeout, TimeoutError("Getting https://hb.ifeng.com/ took longer than 15.0 seconds")),
     "timeout"),
    (wrapped(DownloadFailedError, ResponseNeverReceived([Failure(SSL.Error([("SSL routines", "", "bad")]))])),
     "TLS"),
    (wrapped(DownloadFailedError, ResponseNeverReceived([Failure(ConnectionLost())])), "no answer"),
])
def test_each_cause_of_an_unreachable_host_is_named(error, cause):
    failure = connection_failure(error)
    assert failure.cause == cause and "Failure" not in failure.detail, failure


@pytest.mark.parametrize("error", [
    wrapped(DownloadFailedError, ResponseFailed([Failure(ConnectionLost())])),  # it answered, then broke off
    wrapped(CannotResolveHostError, NonPublicAddress("refused: x resolves to a non-public address")),
    ValueError("a bug is not the network"),
])
def test_what_is_not_an_unreachable_host(error):
    assert connection_failure(error) is None


def test_a_host_is_given_up_after_its_failures_with_one_warning(caplog):
    stats = get_crawler().stats
    middleware = UnreachableHostsMiddleware(stats, limit=3)
    refused = wrapped(DownloadConnectionRefusedError, ConnectionRefusedError())
    dead, alive = Request("https://hb.ifeng.com/"), Request("https://hn.ifeng.com/")
    middleware.process_response(alive, Response(alive.url))  # answered once: a failure later is a page's
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            assert middleware.process_exception(dead, refused) is None  # left to the retries
            assert middleware.process_exception(alive, refused) is None
        with pytest.raises(HostUnreachable):
            middleware.process_exception(dead, refused)  # the third: no retry
        with pytest.raises(HostUnreachable, match=r"hb\.ifeng\.com unreachable \(refused\)"):
            middleware.process_request(Request("https://hb.ifeng.com/c/8lE1OVQRmEX"))  # not sent
        assert middleware.process_exception(alive, refused) is None
        assert middleware.process_request(Request("https://hn.ifeng.com/c/x")) is None
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning.startswith("hb.ifeng.com unreachable (refused): giving up on it for this run")
    assert list(stats.get_value(UNREACHABLE_STAT)) == ["hb.ifeng.com"]


def console_on(stream: io.StringIO) -> tuple[ConsoleReport, logging.Logger]:
    console = ConsoleReport(crawler=None, stream=stream, live=True, heartbeat=0, tracebacks=False)  # type: ignore[arg-type]
    console.reporter = SimpleNamespace(source="ifeng-hb")  # type: ignore[assignment]
    console.progress = lambda: "3 pages, 1 new, 7 queued"  # type: ignore[method-assign]
    handler = logging.StreamHandler(stream)
    handler.addFilter(console)
    log = logging.getLogger("tests.cron_log")
    log.propagate = False
    log.handlers = [handler]
    return console, log


def test_a_warning_never_lands_on_the_live_progress_line():
    stream = io.StringIO()
    console, log = console_on(stream)
    console.draw()
    log.warning("hb.ifeng.com unreachable (DNS)")
    console.draw()
    # on a terminal: the line drawn, cleared, the warning on its own line, the line drawn again
    assert stream.getvalue() == ("\r\x1b[Kifeng-hb: 3 pages, 1 new, 7 queued\r\x1b[K"
                                 "hb.ifeng.com unreachable (DNS)\n\r\x1b[Kifeng-hb: 3 pages, 1 new, 7 queued")


def test_network_errors_are_logged_without_a_traceback_and_bugs_with_one():
    stream = io.StringIO()
    _, log = console_on(stream)
    for error in (wrapped(DownloadConnectionRefusedError, ConnectionRefusedError()), KeyError("bug")):
        try:
            raise error
        except Exception:
            log.exception("Error downloading <GET https://hb.ifeng.com/>")
    network, bug = stream.getvalue().split("Error downloading")[1:]
    assert "Traceback" not in network and "Traceback" in bug and "KeyError" in bug


def crawl_against(folder: Path, mirror: str, *extra: str, env: dict[str, str] | None = None) -> Run:
    text = config_text(paths(), feeds(), topic(), source("ifeng-hb", "ifeng", args={"regions": ["hb"], "search": True}))
    config = write_config(folder, text)
    return run_topicfeed("crawl", "--config", str(config), "--mirror", mirror, *FAST, *QUICK, *extra,
                         cwd=folder, env=env)


def assert_readable_failure(run: Run, cause: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and "Gave up retrying" not in run.stderr, run.stderr
    lines = run.stderr.splitlines()
    for host in HOSTS:
        assert sum(f"{host} unreachable ({cause}" in line for line in lines) == 1, run.stderr
    named = {f"{host} ({cause})" for host in HOSTS}
    [summary] = [line for line in lines if " ifeng-hb: failed" in line]
    assert re.fullmatch(rf"{STAMP} ifeng-hb: failed \(no page could be fetched\); 0 pages, .* errors; "
                        r"unreachable: .*", summary), summary
    assert set(summary.split("; unreachable: ")[1].split(", ")) == named
    assert re.fullmatch(rf"{STAMP} feeds: \d+ file\(s\) changed in .*", run.stdout.strip())
    assert main(["status", "--config", str(config)]) == 0
    status = capsys.readouterr().out
    [source_line] = [line for line in status.splitlines() if "; unreachable: " in line]
    assert set(source_line.split("; unreachable: ")[1].split(", ")) == named
    for host in HOSTS:
        assert f"! {host}: unreachable ({cause}), given up for this run" in status


def test_a_refused_port_is_one_line_per_host_and_the_summary_says_it(tmp_path, capsys):
    run = crawl_against(tmp_path, refusing_url())
    assert_readable_failure(run, "refused", tmp_path / "topicfeed.toml", capsys)
    assert "unreachable (refused, through the mirror http://127.0.0.1:" in run.stderr
    noise = [line for line in run.stderr.splitlines() if "unreachable" not in line]
    assert noise == [], noise


def test_a_failed_crawl_into_a_closed_pipe_still_exits_failed(tmp_path):
    # `topicfeed crawl 2>&1 | head -1` under cron: the status is what the next command sees.
    text = config_text(paths(), feeds(), topic(), source("ifeng-hb", "ifeng", args={"regions": ["hb"]}))
    config = write_config(tmp_path, text)
    assert run_into_closed_pipe("crawl", "--config", str(config), "--mirror", refusing_url(), *FAST, *QUICK,
                                cwd=tmp_path) == 1
    bad = write_config(tmp_path, config_text(paths(), feeds(), topic(),
                                             source("ifeng-hb", "ifeng", args={"regions": ["hubei"]})))
    assert run_into_closed_pipe("check", "--config", str(bad), cwd=tmp_path) == 2


def test_a_host_that_never_answers_times_out_with_heartbeats(tmp_path, capsys):
    with SilentServer() as silent:
        run = crawl_against(tmp_path, silent.url, "--set", "TOPICFEED_HEARTBEAT=0.5")
    assert_readable_failure(run, "timeout", tmp_path / "topicfeed.toml", capsys)
    beats = [line for line in run.stderr.splitlines() if " crawling for " in line]
    assert beats, run.stderr
    assert all(re.fullmatch(rf"{STAMP} ifeng-hb: crawling for \d+s: \d+ pages, \d+ new, .* \d+ queued", b)
               for b in beats), beats


def test_a_server_that_speaks_no_tls_is_a_tls_failure(tmp_path, capsys):
    with Canary() as plain:  # plain HTTP where TLS is expected
        run = crawl_against(tmp_path, f"https://127.0.0.1:{plain.port}")
    assert_readable_failure(run, "TLS", tmp_path / "topicfeed.toml", capsys)
    assert "last: TLS handshake failed: " in run.stderr


def test_an_unresolvable_name_is_a_dns_failure(tmp_path, capsys):
    # The mirror's name is the only one a crawl under --mirror looks up; the test's resolver
    # fails `.invalid` names itself, so no DNS query leaves the machine.
    run = crawl_against(tmp_path, "http://mirror.invalid:8099", "--set",
                        "TWISTED_DNS_RESOLVER=tests.nodns.NoDNSResolver", env={"PYTHONPATH": str(REPO)})
    assert_readable_failure(run, "DNS", tmp_path / "topicfeed.toml", capsys)
    assert "no results for hostname lookup: mirror.invalid" in run.stderr

"""The ``topicfeed`` command line (DESIGN §2)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO
from urllib.parse import urlsplit

from crawler import __version__
from crawler.commands.helptext import DESCRIPTIONS
from crawler.config import Config, ConfigError, load_config
from crawler.fsutil import describe_os_error
from crawler.outcomes import ExitStatus
from crawler.runtime import MIRROR_ENV, checked_mirror
from crawler.store import StoreError
from crawler.text.dates import log_stamp, reference_time

if TYPE_CHECKING:
    from feeds.server import FeedServer


class UsageError(Exception):
    """Bad command-line input; the message is the one line shown."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, metavar="FILE",
                        help="config file (default: ./topicfeed.toml if present, else the packaged default)")
    common.add_argument("--data-dir", type=Path, metavar="DIR", help="override [paths] data_dir")
    scrapy_log = argparse.ArgumentParser(add_help=False)  # commands that run a crawl in their own process
    scrapy_log.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log at INFO level")

    parser = argparse.ArgumentParser(prog="topicfeed", description="Crawl news sources, keep what "
                                     "matches your topics, publish one Atom feed per topic.")
    parser.add_argument("--version", action="version", version=f"topicfeed {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = commands.add_parser("crawl", parents=[common, scrapy_log],
                                help="crawl sources once, then rebuild the feeds")
    crawl.add_argument("--source", action="append", default=[], metavar="NAME",
                       help="crawl only this source (repeatable; default: all enabled sources)")
    crawl.add_argument("--mirror", metavar="URL", default=None,
                       help=f"send every request to URL/HOST/PATH?QUERY (env {MIRROR_ENV})")
    crawl.add_argument("--revisit", action="store_true",
                       help="re-fetch every archived article younger than max_age_days now")
    crawl.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override a Scrapy setting for this run (like scrapy crawl -s)")
    crawl.add_argument("--worker", action="store_true",
                       help="share the crawl of one --source with other workers through [cluster] redis_url")
    crawl.add_argument("--run-id", metavar="ID", default="",
                       help="workers with the same run id crawl together (default: the schedule period)")
    crawl.set_defaults(handler=cmd_crawl)

    feeds = commands.add_parser("feeds", parents=[common], help="rebuild every feed, index.opml and index.html")
    feeds.set_defaults(handler=cmd_feeds)

    status = commands.add_parser("status", parents=[common], help="last run per source, articles per topic")
    status.add_argument("--json", action="store_true", help="print one JSON object (README: status --json)")
    status.set_defaults(handler=cmd_status)

    explain = commands.add_parser("explain", parents=[common],
                                  help="is this article stored, in which feeds and why, or why not")
    explain.add_argument("url", metavar="URL", help="the article's URL, in any form (tracking query, proxy, alias)")
    explain.add_argument("--json", action="store_true", help="print one JSON object instead of a paragraph")
    explain.set_defaults(handler=cmd_explain)

    notify = commands.add_parser("notify", parents=[common], help="send due notifications, a digest, or a test")
    notify.add_argument("--test", metavar="NAME", default="", help="send one test message to [[notify]] NAME")
    notify.add_argument("--digest", metavar="NAME", default="", help="send NAME's digest now")
    notify.add_argument("--mirror", metavar="URL", default=None,
                        help=f"send every request to URL/HOST/PATH?QUERY (env {MIRROR_ENV})")
    notify.set_defaults(handler=cmd_notify)

    check = commands.add_parser("check", parents=[common],
                                help="check the config; show what each source would crawl and when")
    check.add_argument("--mirror", metavar="URL", default=None,
                       help="fetch web sources' start pages, sitemaps and feeds from URL/HOST/PATH?QUERY and show "
                            f"which links their regexes match (env {MIRROR_ENV})")
    check.set_defaults(handler=cmd_check)

    schedule = commands.add_parser("schedule", parents=[common, listen_options("with --serve: ")],
                                   help="crawl every source on its schedule until SIGINT/SIGTERM")
    schedule.add_argument("--list", action="store_true", help="print each source's next runs and exit")
    schedule.add_argument("-v", "--verbose", action="store_true",
                          help="also log the scheduler's own job lines (APScheduler's INFO log)")
    schedule.add_argument("--run-now", action="store_true", help="also crawl every source once at start")
    schedule.add_argument("--serve", action="store_true", help="serve the feeds too (see topicfeed serve)")
    schedule.add_argument("--mirror", metavar="URL", default=None,
                          help=f"every crawl sends its requests to URL/HOST/PATH?QUERY (env {MIRROR_ENV})")
    schedule.add_argument("--grace", type=float, default=30.0, metavar="SECONDS",
                          help="on stop, a running crawl gets this long to finish before it is "
                               "terminated, and as long again before it is killed (default 30)")
    schedule.set_defaults(handler=cmd_schedule)

    serve = commands.add_parser("serve", parents=[common, listen_options()], help="serve the feeds folder over HTTP")
    serve.set_defaults(handler=cmd_serve)

    demo = commands.add_parser("demo", parents=[scrapy_log], help="the whole pipeline offline on the bundled snapshot")
    demo.add_argument("--config", type=Path, metavar="FILE",
                      help="crawl the sample with this config (default: the demo's own, crawler/demo.toml)")
    demo.add_argument("--data-dir", type=Path, metavar="DIR", help="the demo's folder (default: ./topicfeed-demo)")
    demo.add_argument("--no-serve", action="store_true", help="exit after the crawl instead of serving the feeds")
    demo.add_argument("--port", type=int, default=None,
                      help="port to serve the feeds on (default 8080, or a free one if 8080 is taken)")
    demo.set_defaults(handler=cmd_demo)
    for summary in commands._choices_actions:  # noqa: SLF001 - each --help opens with what the command does
        command = commands.choices[summary.dest]
        command.description = command.description or DESCRIPTIONS.get(summary.dest) or summary.help
    return parser


def listen_options(when: str = "") -> argparse.ArgumentParser:
    listen = argparse.ArgumentParser(add_help=False)
    listen.add_argument("--host", default="127.0.0.1", help=f"{when}address to listen on (default 127.0.0.1)")
    listen.add_argument("--port", type=int, default=8080, help=f"{when}port to listen on (default 8080)")
    return listen


def subcommand_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser, by name."""
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    return dict(action.choices)


def parse_settings(pairs: Sequence[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {pair!r}: expected KEY=VALUE, e.g. --set DOWNLOAD_DELAY=0")
        if key.strip() == "TOPICFEED_NOW":
            try:
                reference_time(value)
            except ValueError as error:
                raise UsageError(f"--set TOPICFEED_NOW={value!r}: {error}; give the time to judge article "
                                 "age against, e.g. --set TOPICFEED_NOW=2025-07-26T10:00:00+08:00") from None
        overrides[key.strip()] = value
    return overrides


def mirror_of(args: argparse.Namespace) -> str:
    """``--mirror``, else env TOPICFEED_MIRROR, checked: "" when neither is set."""
    value, given_as = args.mirror, "--mirror"
    if value is None:
        value, given_as = os.environ.get(MIRROR_ENV, ""), MIRROR_ENV
    if not value:
        return ""
    try:
        return checked_mirror(value)
    except ValueError as error:
        raise UsageError(f"{given_as} {value!r}: {error}") from None


def load(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    return config.with_data_dir(args.data_dir.resolve()) if args.data_dir else config


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.commands.crawl import run_crawl

    config = load(args)
    sources = [config.source(name) for name in args.source] or [s for s in config.sources if s.enabled]
    overrides = parse_settings(args.set)
    if not args.verbose:
        overrides.setdefault("LOG_LEVEL", "WARNING")
    worker_run = None
    if args.worker:
        from crawler.scaleout import default_run_id

        if len(sources) != 1:
            raise UsageError("--worker crawls one source: add exactly one --source NAME")
        worker_run = args.run_id or default_run_id(sources[0], config.scheduler.timezone)
    report = run_crawl(config, sources, mirror=mirror_of(args), revisit=args.revisit,
                       overrides=overrides, worker_run=worker_run)
    for result in report.results:
        emit(f"{log_stamp()} {result.line()}", sys.stderr if not result.ok else sys.stdout)
    for line in report.hints():
        emit(f"hint: {line}", sys.stderr)
    emit(f"{log_stamp()} feeds: {len(report.feeds_written)} file(s) changed in {config.feeds_dir}")
    return report.exit_code


def cmd_feeds(args: argparse.Namespace) -> int:
    from crawler.commands.crawl import rebuild_feeds
    from crawler.commands.status import open_to_read

    config = load(args)
    open_to_read(config).close()  # never a new empty store in the wrong folder
    written = rebuild_feeds(config)
    print(f"{len(written)} file(s) changed in {config.feeds_dir}")
    return ExitStatus.OK


def cmd_status(args: argparse.Namespace) -> int:
    from crawler.commands.status import open_to_read, status_lines, status_report
    from crawler.delivery.status import delivery_report, report_lines

    config = load(args)
    store = open_to_read(config)
    try:
        report = status_report(config, store)
        report["delivery"] = delivery_report(config, store)
    finally:
        store.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print("\n".join([*status_lines(config, report), *report_lines(report["delivery"])]))
    return ExitStatus.OK


def cmd_explain(args: argparse.Namespace) -> int:
    from crawler.commands.explain import explain
    from crawler.commands.status import open_to_read

    if not args.url.strip():
        raise UsageError("explain: give an article URL, e.g. topicfeed explain https://hb.ifeng.com/c/8lE1OVQRmEX")
    config = load(args)
    store = open_to_read(config)
    try:
        answer = explain(config, store, args.url)
    finally:
        store.close()
    print(json.dumps(answer.as_json(), ensure_ascii=False, indent=2) if args.json else answer.text)
    return ExitStatus.OK


def cmd_check(args: argparse.Namespace) -> int:
    from crawler.commands.check import run_check

    config = load(args)
    report = run_check(config, mirror=mirror_of(args))
    emit("\n".join([*report.lines, report.last_line()]))
    return report.exit_code


def cmd_notify(args: argparse.Namespace) -> int:
    from crawler.commands.notify import run_notify

    if args.test and args.digest:
        raise UsageError("--test and --digest: give one of them")
    return run_notify(load(args), test=args.test, digest=args.digest, mirror=mirror_of(args))


def cmd_schedule(args: argparse.Namespace) -> int:
    from crawler.commands.schedule import crawl_command, run_schedule, schedule_lines

    config = load(args)
    mirror = mirror_of(args)
    if args.list:
        print("\n".join(schedule_lines(config)))
        return ExitStatus.OK
    if args.grace < 0:
        raise UsageError(f"--grace {args.grace:g}: give a number of seconds, 0 or more")
    if mirror:
        os.environ[MIRROR_ENV] = mirror  # every child crawl inherits it
    setup_logging(args.verbose)
    server = feed_server(config, args.host, args.port) if args.serve else None
    if server is not None:
        warn_if_links_elsewhere(config, args.host, server)
    return run_schedule(config, crawl_command(config, args.data_dir), run_now=args.run_now,
                        grace=args.grace, server=server)


def cmd_serve(args: argparse.Namespace) -> int:
    from feeds.server import serve_until_stopped

    config = load(args)
    setup_logging(verbose=False)
    server = feed_server(config, args.host, args.port)
    warn_if_links_elsewhere(config, args.host, server)
    if not (config.feeds_dir / "index.opml").is_file():
        print(f"note: no feeds in {config.feeds_dir} yet; run topicfeed crawl (or topicfeed feeds)",
              file=sys.stderr)
    serve_until_stopped(server)
    return ExitStatus.OK


def feed_server(config: Config, host: str, port: int) -> FeedServer:
    from crawler.commands.schedule import shortest_interval
    from crawler.store.imagerefs import ImageReferences
    from feeds.server import FeedServer

    try:
        return FeedServer(config.feeds_dir, host=host, port=port, max_age=shortest_interval(config),
                          images_root=config.images_dir, image_referenced=ImageReferences(config.store_url))
    except OSError as error:
        raise UsageError(f"cannot listen on {host}:{port} ({error.strerror or error}); "
                         "choose another --port or --host") from None


def warn_if_links_elsewhere(config: Config, host: str, server: FeedServer) -> None:
    from crawler.commands.serve import base_url_mismatch

    if warning := base_url_mismatch(config, host, urlsplit(server.url).port or 0):
        print(f"warning: {warning}", file=sys.stderr)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    # APScheduler's "Running job"/"executed successfully" pairs would double our one line per run.
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.WARNING)


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.commands.demo import demo_setup, run_demo

    setup = demo_setup(args.config, args.data_dir)
    server = None if args.no_serve else demo_server(setup.config, args.port)
    return run_demo(setup, server=server, commands=subcommand_parsers(build_parser()).keys(), verbose=args.verbose)


def demo_server(config: Config, port: int | None) -> FeedServer:
    """On ``port`` if given; else on 8080, or on a free port if 8080 is taken."""
    if port is not None:
        return feed_server(config, "127.0.0.1", port)
    try:
        return feed_server(config, "127.0.0.1", 8080)
    except UsageError:
        return feed_server(config, "127.0.0.1", 0)


def run() -> NoReturn:
    """The ``topicfeed`` command: ``main()``, then exit without the interpreter's teardown.

    By then every store is closed, every lock released and every file written; what is left
    is freeing ~100k objects one by one, about 0.2 s: a third of a cron run that finds
    nothing new. (Not for ``main()`` called in-process, e.g. by tests.)
    """
    gc.freeze()  # what the imports made (crawler.__main__ kept the collector off for them)
    gc.enable()
    code = main()
    logging.shutdown()
    with contextlib.suppress(BrokenPipeError):  # the reader left (topicfeed status | head -1)
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except BrokenPipeError:
        reader_left()
        return ExitStatus.OK
    except (ConfigError, UsageError, StoreError) as error:
        emit(f"topicfeed: error: {error}", sys.stderr)
        return ExitStatus.USAGE
    except OSError as error:
        emit(f"topicfeed: error: {describe_os_error(error)}", sys.stderr)
        return ExitStatus.FAILED
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED


def emit(text: str, stream: TextIO | None = None) -> None:
    """Print ``text``; if the reader has gone (``topicfeed crawl 2>&1 | head -1``), print
    nothing more there but carry on, so the command still exits with its own status."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream)
    except BrokenPipeError:
        reader_left(stream)


def reader_left(stream: TextIO | None = None) -> None:
    """The reader of our output went away (``| head``): say nothing more, and let the
    interpreter's last flush go nowhere instead of printing "Broken pipe" (Python's recipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(AttributeError, OSError, ValueError):  # not a real file (a test's capture)
        os.dup2(devnull, (stream or sys.stdout).fileno())
    os.close(devnull)

"""``topicfeed demo``: the whole pipeline, offline, on the bundled sample snapshot (DESIGN §9).

It explains itself as it goes: which pages of the sample are broken on purpose (before the
warnings about them appear), what the "errors" of its summary are, and the command lines
that try every other command on the demo's data.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import shutil
import sys
import textwrap
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.etree import ElementTree

from crawler.commands.crawl import run_crawl
from crawler.config import Config, load_config
from crawler.snapshot import DEMO_SNAPSHOT
from crawler.snapshot.server import SnapshotServer

if TYPE_CHECKING:
    from feeds.server import FeedServer

# Replaying a local snapshot: no reason to wait between requests.
DEMO_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "LOG_LEVEL": "WARNING",
                 "CONCURRENT_REQUESTS_PER_DOMAIN": "4"}
DEMO_CONFIG = Path(__file__).resolve().parent.parent / "demo.toml"
DEFAULT_FOLDER = Path("topicfeed-demo")
CONFIG_NAME = "topicfeed.toml"
DEFAULT_BASE_URL = 'base_url = "http://127.0.0.1:8080/"'
SAMPLE_PORT = 8900  # in the printed how-to for crawling the sample by hand
ATOM_ID = "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}id"


@dataclass(frozen=True)
class Sample:
    """The bundled sample as the demo describes it."""

    root: Path
    recorded_at: str
    broken: tuple[tuple[str, str], ...]  # (url, what is wrong with it), grouped as recorded

    @classmethod
    def read(cls, root: Path) -> Sample:
        index = json.loads((root / "index.json").read_text(encoding="utf-8"))
        broken = tuple((item["url"], item["why"]) for item in index.get("broken", []))
        return cls(root=root, recorded_at=index["recorded_at"], broken=broken)


@dataclass(frozen=True)
class DemoSetup:
    """The config the demo crawls with, and the options that point other commands at its data."""

    config: Config
    options: str  # e.g. "--config topicfeed-demo/topicfeed.toml"
    written: Path | None = None  # the copy of the demo config the demo wrote, if it did


def demo_settings(*, verbose: bool = False) -> dict[str, str]:
    """The crawl's Scrapy settings; ``-v`` shows Scrapy's log at INFO level, as for ``crawl``."""
    return {**DEMO_SETTINGS, "LOG_LEVEL": "INFO"} if verbose else dict(DEMO_SETTINGS)


def recorded_at(snapshot: Path) -> str:
    return Sample.read(snapshot).recorded_at


def shown_path(path: Path) -> str:
    """``path`` as a user would type it here: relative below the current folder, else absolute."""
    try:
        return shlex.quote(str(path.relative_to(Path.cwd())))
    except ValueError:
        return shlex.quote(str(path))


def program(name: str, path: Path) -> str:
    """How to run the program at ``path`` from here: ``name`` if PATH finds that one, else its path."""
    found = shutil.which(name)
    if found and Path(found).absolute() == path.absolute():
        return name
    return shown_path(path) if path.exists() else name


def demo_setup(config_file: Path | None, data_dir: Path | None) -> DemoSetup:
    """``--config``, else ./topicfeed.toml when present (DESIGN §2, as every command); else the packaged
    demo config, copied into the demo's folder."""
    folder = (data_dir or DEFAULT_FOLDER).resolve()
    if config_file is None and Path(CONFIG_NAME).is_file():
        config_file = Path(CONFIG_NAME)
    if config_file is not None:
        config = load_config(config_file).with_data_dir(folder)
        return DemoSetup(config, f"--config {shown_path(config_file.resolve())} --data-dir {shown_path(folder)}")
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / CONFIG_NAME
    copy.write_text(DEMO_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    return DemoSetup(load_config(copy).with_data_dir(folder), f"--config {shown_path(copy)}", written=copy)


def run_demo(setup: DemoSetup, *, server: FeedServer | None = None, commands: Collection[str] = (),
             verbose: bool = False) -> int:
    """Crawl the sample snapshot, build the feeds, then serve them on ``server`` until Ctrl-C."""
    config = setup.config
    if server is not None:
        # Feed ids, self links and the OPML point where the feeds are actually served.
        config = dataclasses.replace(config, feeds=dataclasses.replace(config.feeds, base_url=server.url))
        if setup.written is not None:  # and so does a later `topicfeed feeds` with the demo's config
            text = setup.written.read_text(encoding="utf-8")
            setup.written.write_text(text.replace(DEFAULT_BASE_URL, f'base_url = "{server.url}"', 1),
                                     encoding="utf-8")
    sample = Sample.read(DEMO_SNAPSHOT)
    names = ", ".join(source.name for source in config.sources)
    when = datetime.fromisoformat(sample.recorded_at).strftime("%Y-%m-%d %H:%M UTC%z")
    print(textwrap.fill(f"topicfeed demo: news pages recorded on {when} (sources: {names}) are crawled "
                        "entirely on this machine; what matches the topics is stored, archived and published "
                        "as feeds.", width=100))
    print(f"the sample: {DEMO_SNAPSHOT}")
    print_broken(sample)
    with SnapshotServer(DEMO_SNAPSHOT) as snapshot_server:
        print(f"\ncrawling: every request goes to {snapshot_server.url}, which answers from the sample; "
              "none reaches the internet", flush=True)
        report = run_crawl(config, config.sources, mirror=snapshot_server.url,
                           overrides={**demo_settings(verbose=verbose), "TOPICFEED_NOW": sample.recorded_at})
    for result in report.results:
        print(result.line())
    print('"errors" counts the pages of a source that failed in this run: here, the broken pages listed\n'
          "above. Each is recorded with its reason (topicfeed status lists them) and tried again on a\n"
          'later crawl; a source whose other pages work still ends "ok".')
    print_outputs(config, setup)
    print_next_steps(config, setup, sample, server, commands)
    if server is not None:
        from feeds.server import serve_until_stopped

        serve_until_stopped(server)
    return report.exit_code


def print_broken(sample: Sample) -> None:
    if not sample.broken:
        return
    print(f"\nthe sample holds {len(sample.broken)} deliberately broken pages; the warnings about them are expected:")
    last_why = None
    for url, why in sample.broken:
        if why != last_why:
            print(f"  {why}:")
            last_why = why
        print(f"    {url}")


def print_outputs(config: Config, setup: DemoSetup) -> None:
    print("\nwhat it wrote:")
    if setup.written is not None:
        print(f"  config:  {setup.written}  (the demo's topic and sources; rewritten by every demo run)")
    print(f"  store:   {config.store_url}")
    print(f"  archive: {config.archive_dir}  (one Markdown note per article)")
    print(f"  feeds:   {config.feeds_dir}")
    for feed in sorted(config.feeds_dir.glob("*.atom")):
        print(f"    {feed.name}")


def first_article(feeds_dir: Path) -> str:
    """An article URL to try ``explain`` with: the newest entry of the first feed."""
    for feed in sorted(feeds_dir.glob("*.atom")):
        try:
            entry_id = ElementTree.parse(feed).getroot().find(ATOM_ID)
        except ElementTree.ParseError:
            continue
        if entry_id is not None and entry_id.text:
            return entry_id.text
    return "URL"


def print_next_steps(config: Config, setup: DemoSetup, sample: Sample, server: FeedServer | None,
                     commands: Collection[str]) -> None:
    """Command lines that try the other commands on the demo's data (those this version has)."""
    options = setup.options
    here = Path(sys.executable)  # the environment this demo runs in: its topicfeed and its python
    topicfeed, python = program("topicfeed", here.with_name("topicfeed")), program("python", here)
    served_port = urlsplit(server.url).port if server is not None else None
    port = f" --port {served_port}" if served_port not in (None, 8080) else ""
    steps = [
        ("status", f"{topicfeed} status {options}",
         "each source's last run, with the errors behind its count; articles per topic"),
        ("explain", f"{topicfeed} explain {options} {first_article(config.feeds_dir)}",
         "why an article is in a feed (the keywords it matched); given a broken page above, why it is not"),
        ("feeds", f"{topicfeed} feeds {options}", "rebuild the feeds, index.opml and index.html from the store"),
        ("serve", f"{topicfeed} serve {options}{port}", "serve the feeds again, after this demo has stopped"),
        ("check", f"{topicfeed} check {options}", "check the config and print what each source would crawl, and when"),
        ("schedule", f"{topicfeed} schedule --list {options}", "when each source would be crawled next"),
        ("crawl", f"{python} -m crawler.snapshot {shown_path(sample.root)} --port {SAMPLE_PORT}",
         "serve the sample by hand (in another terminal), then crawl it with:"),
        ("crawl", f"{topicfeed} crawl {options} --mirror http://127.0.0.1:{SAMPLE_PORT} "
                  f"--set TOPICFEED_NOW={sample.recorded_at}",
         "without --mirror, crawl and schedule with this config fetch from the real sites"),
    ]
    print("\ntry the other commands on the demo's data:")
    for command, line, what in steps:
        if command in commands:
            print(f"  {line}\n      {what}")
    print(f"(run them from {shlex.quote(str(Path.cwd()))}, or give the paths in full)")

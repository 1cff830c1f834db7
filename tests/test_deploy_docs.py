"""The README's deployment units and crontab lines: commands that parse, logs named after real units."""

from __future__ import annotations

import argparse
import configparser
import re
import shlex
from pathlib import PurePosixPath

import pytest

from crawler.cli import build_parser
from crawler.config import load_config
from tests.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^ *```(\w*)\n(.*?)^ *```", README, flags=re.M | re.S)
CRON_LINE = re.compile(r"^(?:\S+\s+){5}cd (\S+) && (.*?) >>\S+ 2>&1$")


def units() -> dict[str, configparser.ConfigParser]:
    """Every systemd unit the README writes out in full, by file name."""
    found = {}
    for kind, text in BLOCKS:
        first = text.lstrip().splitlines()[0]
        if kind == "ini" and first.startswith("# /etc/systemd/system/"):
            unit = configparser.ConfigParser(interpolation=None, strict=False)
            unit.optionxform = str  # keep systemd's key case
            unit.read_string(re.sub(r"^ +", "", text, flags=re.M))
            found[PurePosixPath(first.split()[1]).name] = unit
    return found


def topicfeed_args(command: str, home: str) -> list[str]:
    """The arguments after ``topicfeed`` in a unit's ExecStart or a crontab line."""
    argv = shlex.split(command)
    while argv and argv[0] != f"{home}/.venv/bin/topicfeed" and argv[0] != ".venv/bin/topicfeed":
        argv.pop(0)  # timeout -k 60 30m …
    assert argv, f"no topicfeed under {home}/.venv in: {command}"
    return argv[1:]


def parses(args: list[str]) -> argparse.Namespace:
    try:
        return build_parser().parse_args(args)
    except SystemExit:
        pytest.fail(f"topicfeed {shlex.join(args)}: not a valid command line (see the error above)")


def test_every_service_runs_a_command_that_parses_as_the_service_user():
    services = {name: unit for name, unit in units().items() if name.endswith(".service")}
    assert {"topicfeed-schedule.service", "topicfeed-serve.service", "topicfeed-crawl.service",
            "topicfeed.service"} <= services.keys()
    for name, unit in services.items():
        service = unit["Service"]
        assert service["User"] == "topicfeed", name
        parses(topicfeed_args(service["ExecStart"], service["WorkingDirectory"]))
    command = {name: topicfeed_args(unit["Service"]["ExecStart"], unit["Service"]["WorkingDirectory"])
               for name, unit in services.items()}
    assert command["topicfeed-serve.service"][0] == "serve" and command["topicfeed-schedule.service"] == ["schedule"]


def test_every_timer_starts_a_service_the_readme_writes():
    timers = {name: unit for name, unit in units().items() if name.endswith(".timer")}
    assert timers
    for name, timer in timers.items():
        assert timer["Timer"].get("Unit", name.removesuffix(".timer") + ".service") in units()


def test_every_journalctl_names_a_unit_the_readme_writes():
    named = re.findall(r"journalctl -u ([\w.@-]+)", README)
    assert named
    defined = units().keys()
    for unit in named:
        assert unit in defined or f"{unit}.service" in defined, f"journalctl -u {unit}: no such unit in the README"
    services = {name.removesuffix(".service") for name in defined if name.endswith(".service")}
    assert services <= set(named), "a unit whose log the README does not name"


def test_the_crontab_lines_crawl_sources_of_the_default_config_and_say_its_schedules_are_unused():
    lines = [match for _, text in BLOCKS for line in text.splitlines() if (match := CRON_LINE.match(line.strip()))]
    assert lines
    sources = {source.name for source in load_config(REPO / "crawler" / "default.toml").sources}
    for match in lines:
        args = parses(topicfeed_args(match[2], match[1]))
        assert args.command == "crawl" and set(args.source) <= sources
    cron = " ".join(README.split("**Cron instead**", 1)[1].split("```", 1)[0].split())
    assert "`schedule` line, `[scheduler] timezone`" in cron and "are not used" in cron

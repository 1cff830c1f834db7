"""Every subcommand's ``--help``: a description, and only the options that apply to it."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from crawler.cli import build_parser, main, subcommand_parsers
from crawler.commands.demo import demo_settings

COMMANDS = sorted(subcommand_parsers(build_parser()))
CRAWL_HERE = {"crawl", "demo"}  # run a crawl in their own process: Scrapy's log is theirs to show


def shown_help(*argv: str) -> str:
    """What ``topicfeed ARGV --help`` prints, as a user sees it."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return out.getvalue()


def description(text: str) -> str:
    """The paragraph between the usage lines and the option list."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return " ".join(paragraphs[1].split()) if len(paragraphs) > 1 and not paragraphs[1].startswith(
        ("options:", "positional arguments:")) else ""


def test_the_command_list_names_every_command_with_its_summary():
    assert set(summaries()) == set(COMMANDS)


def summaries() -> dict[str, str]:
    """Each command's one-line summary, as ``topicfeed --help`` lists it."""
    listed = re.findall(r"^    (\w+) +(.+)$", shown_help(), flags=re.M)
    return dict(listed)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_opens_with_a_description(name):
    said = description(shown_help(name))
    assert said, f"topicfeed {name} --help: no description"
    assert said != summaries().get(name), f"topicfeed {name} --help: only its one-line summary"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_says_what_it_does(name):
    parser = subcommand_parsers(build_parser())[name]
    for action in parser._actions:  # noqa: SLF001 - argparse keeps them nowhere public
        assert action.help, f"topicfeed {name} {'/'.join(action.option_strings) or action.dest}: no help"


@pytest.mark.parametrize("name", COMMANDS)
def test_scrapys_log_is_offered_only_where_a_crawl_runs(name):
    text = shown_help(name)
    if name in CRAWL_HERE:
        assert "-v, --verbose" in text and "Scrapy's log" in text
    else:
        assert "Scrapy's log" not in text


def test_an_option_that_does_nothing_here_is_refused():
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        main(["status", "-v"])
    assert exited.value.code == 2 and "unrecognized arguments: -v" in err.getvalue()


def test_schedule_says_its_listening_options_belong_to_serve():
    options = " ".join(shown_help("schedule").split("options:", 1)[1].split())
    for option in ("--host HOST", "--port PORT"):
        assert re.search(rf"{option} with --serve", options), option


def test_demo_verbose_shows_scrapys_log():
    assert demo_settings(verbose=True)["LOG_LEVEL"] == "INFO"
    assert demo_settings(verbose=False)["LOG_LEVEL"] == "WARNING"

"""Spider arguments are config: each spider declares them, every command checks them first (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.config import ConfigError, load_config
from spiders.ifeng import IfengSpider
from tests.components import component_crawler
from tests.configs import config_text, paths, source, table, topic, web_source
from tests.helpers import write_config

COMMANDS = (["crawl"], ["feeds"], ["status"], ["schedule", "--list"], ["serve", "--port", "0"], ["notify"],
            ["check"])


def write(tmp_path: Path, *tables: str) -> Path:
    return write_config(tmp_path, config_text(paths(), topic(), *tables))


def error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The one line a command prints on stderr, after checking it exits 2 having written nothing."""
    assert main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("topicfeed: error: "), err
    assert "Traceback" not in err and out == ""
    return lines[0].removeprefix("topicfeed: error: ")


@pytest.mark.parametrize(("spider", "args", "says"), [
    ("ifeng", {"serach": True},
     "sources[0].args.serach: unknown argument of spider 'ifeng'; did you mean 'search'?"),
    ("ifeng", {"search": "yes"}, "sources[0].args.search: expected true/false, got a string; "
                                 "write it like search = true"),
    ("ifeng", {"regions": ["hb", "hubei"]}, "sources[0].args.regions[1]: unknown ifeng region 'hubei'; "
                                            "did you mean 'hb' (湖北)?"),
    ("ifeng", {"regions": ["湖南"]}, "sources[0].args.regions[0]: unknown ifeng region '湖南'; "
                                   "did you mean 'hunan' (湖南)?"),
    ("ifeng", {"max_column_pages": 0}, "sources[0].args.max_column_pages: 0 is less than 1; use 1 or more"),
    ("qutoutiao", {"categories": [255, "财经"]}, 'sources[0].args.categories[1]: "财经" is not a category id '
                                                "(a whole number); did you mean 10 (财经)?"),
    ("qutoutiao", {"categories": ["10"]}, 'sources[0].args.categories[0]: "10" is not a category id '
                                          "(a whole number); write it without quotes: categories = [10]"),
    ("qutoutiao", {"limit": 2.5}, "sources[0].args.limit: expected a whole number, got a number"),
    ("web", {"article_urls": ["(unclosed"]}, "sources[0].args.article_urls[0]: '(unclosed' is not a regular "
                                             "expression"),
])
def test_a_bad_argument_stops_the_command_with_one_line_naming_the_source_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], spider: str, args: dict[str, Any], says: str):
    tables = web_source(**args) if spider == "web" else source("bad", spider, args=args)
    config = write(tmp_path, tables)
    line = error_line(capsys, ["status", "--config", str(config)])
    assert line.startswith(f"{config}: {says}")
    assert not (tmp_path / "data").exists()  # no store made for a config that is wrong


@pytest.mark.parametrize("command", COMMANDS, ids=lambda argv: argv[0])
def test_every_command_checks_the_spider_arguments_first(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         command: list[str]):
    config = write(tmp_path, source("ifeng-hb", "ifeng", args={"regions": ["hubei"]}))
    line = error_line(capsys, [*command, "--config", str(config)])
    assert "sources[0].args.regions[0]: unknown ifeng region 'hubei'" in line
    assert not (tmp_path / "data").exists()


def test_every_documented_form_of_a_value_is_accepted(tmp_path: Path):
    config = load_config(write(
        tmp_path,
        source("ifeng-hb", "ifeng", args={"regions": "hb, HN", "search": False}),  # -a style text, any case
        source("qutoutiao", "qutoutiao", args={"categories": 10}),  # one id for a list of one
        web_source(start_urls="http://hb.people.com.cn/", article_urls=r"^https?://x\.cn/\d{1,3}\.html$"),
    ))
    ifeng, qutoutiao, web = (dict(s.args) for s in config.sources)
    assert ifeng == {"regions": ("hb", "hn"), "search": False, "max_column_pages": 10, "max_search_pages": 3,
                     "page_size": 20}
    assert qutoutiao == {"categories": (10,), "prefilter": True, "max_pages": 10, "limit": 20}
    assert web["start_urls"] == ("http://hb.people.com.cn/",)
    assert web["article_urls"] == (r"^https?://x\.cn/\d{1,3}\.html$",)  # a regex keeps its commas


def test_scrapy_crawl_a_arguments_are_read_as_text_and_checked(tmp_path: Path):
    config = load_config(write(tmp_path, source("ifeng-hb", "ifeng", args={"regions": ["hb"]})))
    crawler = component_crawler(config, IfengSpider)
    spider = IfengSpider.from_crawler(crawler, regions="hb,hn", search="no", max_column_pages="2")
    assert (spider.hosts, spider.search, spider.max_column_pages) == (("hb.ifeng.com", "hn.ifeng.com"), False, 2)
    with pytest.raises(ConfigError) as error:
        IfengSpider.from_crawler(component_crawler(config, IfengSpider), search="maybe")
    assert error.value.key == "-a search" and "use search=true or search=false" in str(error.value)


@pytest.mark.parametrize(("argv", "says"), [
    (["crawl", "--mirror", "127.0.0.1:8099"],
     "--mirror '127.0.0.1:8099': not an http(s) URL; write it with its scheme, e.g. http://127.0.0.1:8099"),
    (["crawl", "--mirror", "ftp://127.0.0.1:8099"], "e.g. http://127.0.0.1:8099"),
    (["crawl", "--mirror", "http://127.0.0.1:8099/?x=1"], "without ?query"),
    (["schedule", "--mirror", "localhost:8099"], "--mirror 'localhost:8099': not an http(s) URL"),
    (["notify", "--mirror", "127.0.0.1"], "--mirror '127.0.0.1': not an http(s) URL"),
    (["crawl", "--set", "TOPICFEED_NOW=yesterday"],
     "--set TOPICFEED_NOW='yesterday': not an ISO 8601 time; give the time to judge article age against, "
     "e.g. --set TOPICFEED_NOW=2025-07-26T10:00:00+08:00"),
    (["crawl", "--set", "TOPICFEED_NOW=2025-07-26T10:00:00"], "TOPICFEED_NOW='2025-07-26T10:00:00': has no UTC "
                                                               "offset"),
])
def test_a_bad_mirror_or_reference_time_is_a_usage_error_before_anything_is_crawled(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str):
    config = write(tmp_path, source("ifeng-hb", "ifeng"))
    line = error_line(capsys, [*argv, "--config", str(config)])
    assert line.startswith(says) or says in line
    assert not (tmp_path / "data").exists()  # no run recorded, no store made


def test_the_mirror_from_the_environment_is_checked_too(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TOPICFEED_MIRROR", "127.0.0.1:8099")
    config = write(tmp_path, source("ifeng-hb", "ifeng"))
    assert error_line(capsys, ["crawl", "--config", str(config)]).startswith(
        "TOPICFEED_MIRROR '127.0.0.1:8099': not an http(s) URL")


def test_a_bad_reference_time_in_the_config_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    config = write(tmp_path, source("ifeng-hb", "ifeng"), table("crawl", settings={"TOPICFEED_NOW": "yesterday"}))
    line = error_line(capsys, ["feeds", "--config", str(config)])
    assert line.startswith(f"{config}: crawl.settings.TOPICFEED_NOW: 'yesterday' not an ISO 8601 time")

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from crawler.config import (
    Config,
    ConfigError,
    Source,
    Topic,
    default_config_path,
    load_config,
    parse_config,
)

SPIDERS = ("ifeng", "qutoutiao")

MINIMAL = """
[[topics]]
slug = "service-outsourcing"
title = "服务外包"
keywords = ["服务外包"]

[[sources]]
name = "ifeng-hb"
spider = "ifeng"
"""


@pytest.fixture(autouse=True)
def no_store_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the file; the deployment override has its own test."""
    monkeypatch.delenv("TOPICFEED_STORE_URL", raising=False)


def test_store_url_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "topicfeed.toml"
    path.write_text(MINIMAL + '[store]\nurl = "sqlite:///x.sqlite3"\n', encoding="utf-8")
    monkeypatch.setenv("TOPICFEED_STORE_URL", "postgresql+psycopg://db.example/topicfeed")
    assert load_config(path, known_spiders=["ifeng"]).store_url == "postgresql+psycopg://db.example/topicfeed"


def write(tmp_path: Path, text: str, name: str = "topicfeed.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Config:
    return load_config(write(tmp_path, text), known_spiders=SPIDERS)


def config_error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    return info.value


def assert_one_line(err: ConfigError, key: str, *fragments: str) -> str:
    message = str(err)
    assert "\n" not in message
    assert message.startswith(f"{err.file}: {key}: "), message
    assert "topicfeed.toml" in message or "--config" in message
    assert err.key == key
    assert err.fix and err.fix in message
    for fragment in fragments:
        assert fragment in message, message
    return message


# -- loading ------------------------------------------------------------------------------


def test_packaged_default_has_the_topic_and_both_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(known_spiders=SPIDERS)
    assert config.path == default_config_path()
    assert config.topics == (
        Topic("service-outsourcing", "服务外包", ("服务外包", "服博会")),
    )
    ifeng, qutoutiao = config.sources
    assert ifeng == Source(
        "ifeng-hb", "ifeng", "*/30 * * * *", {"regions": ["hb"], "search": True}
    )
    assert qutoutiao == Source("qutoutiao", "qutoutiao", "0 * * * *", {"categories": [255, 1, 10]})
    assert config.scheduler.timezone == "Asia/Shanghai"
    assert config.feeds.base_url == "http://127.0.0.1:8080/"
    assert config.feeds.max_entries == 50
    # The packaged default keeps its data beside the user, not in the package.
    assert config.data_dir == tmp_path.resolve() / "data"
    assert config.store_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'topicfeed.sqlite3'}"


def test_packaged_default_loads_with_the_real_spiders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Needs spiders/ifeng.py and spiders/qutoutiao.py.
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert {source.spider for source in config.sources} == set(SPIDERS)


def test_topicfeed_toml_in_the_working_folder_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, MINIMAL + '\n[paths]\ndata_dir = "here"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(known_spiders=SPIDERS)
    assert config.path == tmp_path / "topicfeed.toml"
    assert config.data_dir == tmp_path.resolve() / "here"


def test_defaults_for_omitted_sections(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL)
    source = config.source("ifeng-hb")
    assert source.schedule == "0 * * * *"
    assert source.args == {}
    assert (source.max_age_days, source.revisit_hours, source.enabled) == (7.0, 6.0, True)
    assert config.archive.formats == ("note",)
    assert config.crawl.settings == {}
    assert config.cluster.redis_url == ""
    assert config.store_url_setting is None


def test_every_key_is_read(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        MINIMAL.replace("[[sources]]", 'require = [" 湖北 "]\nexclude = ["广告"]\n[[sources]]')
        + """
        args = { regions = ["hb", "js"] }
        max_age_days = 2
        revisit_hours = 0.5
        enabled = false

        [feeds]
        base_url = "https://feeds.example.org/news"
        max_entries = 10
        local_images = true

        [archive]
        formats = ["note", "hexo"]
        git = true
        git_remote = "git@example.org:me/archive.git"
        near_duplicate_similarity = 0.9

        [scheduler]
        timezone = "UTC"
        timeout_minutes = 5
        misfire_grace_seconds = 60

        [crawl]
        user_agent = "test-agent"
        settings = { DOWNLOAD_DELAY = 2, AUTOTHROTTLE_ENABLED = false }

        [cluster]
        redis_url = "redis://localhost:6379/0"
        """,
    )
    assert config.topics[0].require == ("湖北",)
    assert config.topics[0].exclude == ("广告",)
    source = config.sources[0]
    assert source.args == {"regions": ["hb", "js"]}
    assert (source.max_age_days, source.revisit_hours, source.enabled) == (2.0, 0.5, False)
    assert config.feeds.base_url == "https://feeds.example.org/news/"
    assert (config.feeds.max_entries, config.feeds.local_images) == (10, True)
    assert config.archive.formats == ("note", "hexo")
    assert config.archive.git and config.archive.git_remote.endswith("archive.git")
    assert config.archive.near_duplicate_similarity == 0.9
    assert config.scheduler.timezone == "UTC"
    assert config.scheduler.timeout_minutes == 5.0
    assert config.scheduler.misfire_grace_seconds == 60
    assert config.crawl.user_agent == "test-agent"
    assert config.crawl.settings == {"DOWNLOAD_DELAY": 2, "AUTOTHROTTLE_ENABLED": False}
    assert config.cluster.redis_url == "redis://localhost:6379/0"


def test_keywords_are_stripped_but_kept_as_given(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL.replace('["服务外包"]', '["  服务外包 ", "ＡＢＣ"]'))
    assert config.topics[0].keywords == ("服务外包", "ＡＢＣ")


def test_relative_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    path = write(
        folder, MINIMAL + '[paths]\ndata_dir = "../var"\n[store]\nurl = "sqlite:///db/x.sqlite3"\n'
    )
    monkeypatch.chdir(tmp_path / "..")
    config = load_config(path, known_spiders=SPIDERS)
    assert config.data_dir == (tmp_path / "var").resolve()
    assert config.store_url == f"sqlite:///{(folder / 'db' / 'x.sqlite3').resolve()}"
    assert config.archive_dir == config.data_dir / "archive"
    assert config.feeds_dir == config.data_dir / "feeds"
    assert config.hexo_dir == config.data_dir / "hexo"
    assert config.state_dir == config.data_dir / "state"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////abs/topicfeed.sqlite3",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql://user@db.example.org/topicfeed",
    ],
)
def test_absolute_and_server_store_urls_are_kept(tmp_path: Path, url: str) -> None:
    config = load(tmp_path, MINIMAL + f'[store]\nurl = "{url}"\n')
    assert config.store_url == url


def test_with_data_dir_moves_the_default_store(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL).with_data_dir(tmp_path / "elsewhere")
    assert config.data_dir == (tmp_path / "elsewhere").resolve()
    assert config.store_url == f"sqlite:///{config.data_dir / 'topicfeed.sqlite3'}"
    assert config.feeds_dir == config.data_dir / "feeds"


def test_with_data_dir_keeps_an_explicit_store(tmp_path: Path) -> None:
    config = load(tmp_path, MINIMAL + '[store]\nurl = "postgresql://db/topicfeed"\n')
    moved = config.with_data_dir(tmp_path / "elsewhere")
    assert moved.store_url == "postgresql://db/topicfeed"
    assert moved.data_dir == (tmp_path / "elsewhere").resolve()


def test_source_lookup(tmp_path: Path) -> None:
    config = load(
        tmp_path, MINIMAL + '[[sources]]\nname = "ifeng-js"\nspider = "ifeng"\n'
        '[[sources]]\nname = "qutoutiao"\nspider = "qutoutiao"\n'
    )
    assert config.source("qutoutiao").spider == "qutoutiao"
    assert [s.name for s in config.sources_for_spider("ifeng")] == ["ifeng-hb", "ifeng-js"]
    assert config.sources_for_spider("nope") == ()
    with pytest.raises(ConfigError) as info:
        config.source("ifeng-hx")
    message = assert_one_line(info.value, "sources", "ifeng-hx", "ifeng-hb, ifeng-js, qutoutiao")
    assert "did you mean 'ifeng-hb'?" in message


def test_config_built_in_code(tmp_path: Path) -> None:
    config = Config(path=None, data_dir=tmp_path)
    assert config.store_url == f"sqlite:///{tmp_path / 'topicfeed.sqlite3'}"
    with pytest.raises(ConfigError, match=r"^<config>: sources: "):
        config.source("x")


def test_parse_config_without_a_file(tmp_path: Path) -> None:
    config = parse_config(MINIMAL, file=None, base_dir=tmp_path, known_spiders=SPIDERS)
    assert config.path is None
    assert config.data_dir == tmp_path.resolve() / "data"
    with pytest.raises(ConfigError, match=r"^<config>: topics\[0\]\.slug: "):
        parse_config(
            MINIMAL.replace("service-", "Service "),
            file=None,
            base_dir=tmp_path,
            known_spiders=SPIDERS,
        )


# -- errors -------------------------------------------------------------------------------


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "topicfeed.toml", known_spiders=SPIDERS)
    assert_one_line(info.value, "--config", "no such file", "omit --config")


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL + "\n[feeds]\nmax_entries = = 3\n")
    line = (MINIMAL + "\n[feeds]\nmax_entries = = 3\n").splitlines().index("max_entries = = 3") + 1
    assert_one_line(err, f"line {line}", "fix the TOML syntax")


def test_toml_syntax_error_at_the_end_of_the_file(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL + 'exclude = ["a",')
    assert err.key.startswith("line ")
    assert_one_line(err, err.key, "fix the TOML syntax")


@pytest.mark.parametrize(
    ("extra", "key", "suggestion"),
    [
        ('shedule = "0 * * * *"', "sources[0].shedule", "did you mean 'schedule'?"),
        ("[feed]\nmax_entries = 5", "feed", "did you mean 'feeds'?"),
        ('[paths]\ndatadir = "x"', "paths.datadir", "did you mean 'data_dir'?"),
        ('[store]\nuri = "sqlite://"', "store.uri", "did you mean 'url'?"),
        ("[feeds]\nmax_entry = 5", "feeds.max_entry", "did you mean 'max_entries'?"),
        ("[archive]\nformat = []", "archive.format", "did you mean 'formats'?"),
        ('[scheduler]\ntimezon = "UTC"', "scheduler.timezon", "did you mean 'timezone'?"),
        ('[crawl]\nuseragent = "x"', "crawl.useragent", "did you mean 'user_agent'?"),
        ('[cluster]\nredis = ""', "cluster.redis", "did you mean 'redis_url'?"),
        ("[archive]\nzzz = 1", "archive.zzz", "valid keys: formats, git, git_remote"),
    ],
)
def test_unknown_keys_suggest_the_closest(
    tmp_path: Path, extra: str, key: str, suggestion: str
) -> None:
    assert_one_line(config_error(tmp_path, MINIMAL + extra + "\n"), key, "unknown key", suggestion)


def test_unknown_topic_key(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL.replace("keywords =", "keywrods ="))
    assert_one_line(err, "topics[0].keywrods", "did you mean 'keywords'?")


def test_free_form_tables_are_not_checked(tmp_path: Path) -> None:
    config = load(
        tmp_path, MINIMAL + "args = { anything = 1 }\n[crawl]\nsettings = { WHATEVER = 1 }\n"
    )
    assert config.sources[0].args == {"anything": 1}


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        (MINIMAL.replace('title = "服务外包"', "title = 3"), "topics[0].title", "a string"),
        (MINIMAL.replace('["服务外包"]', '"服务外包"'), "topics[0].keywords", "a list"),
        (MINIMAL.replace('["服务外包"]', '["a", 1]'), "topics[0].keywords[1]", "a list of strings"),
        (MINIMAL + "[feeds]\nmax_entries = 1.5\n", "feeds.max_entries", "an integer"),
        (MINIMAL + "[feeds]\nmax_entries = true\n", "feeds.max_entries", "an integer"),
        (MINIMAL + '[feeds]\nlocal_images = "yes"\n', "feeds.local_images", "true/false"),
        (MINIMAL + 'max_age_days = "7"\n', "sources[0].max_age_days", "a number"),
        (MINIMAL + "args = [1]\n", "sources[0].args", "a table"),
        ('feeds = "x"\n' + MINIMAL, "feeds", "a table"),
        (MINIMAL.replace("[[sources]]", "[sources]"), "sources", "an array of tables"),
        ("topics = [1]\n" + MINIMAL.split("[[topics]]")[0], "topics[0]", "a [[topics]] table"),
    ],
)
def test_wrong_types_say_what_was_expected(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    assert_one_line(config_error(tmp_path, text), key, f"expected {expected}")


def test_unknown_spider(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL.replace('spider = "ifeng"', 'spider = "ifneg"'))
    message = assert_one_line(err, "sources[0].spider", "unknown spider 'ifneg'")
    assert "use one of: ifeng, qutoutiao" in message
    assert "did you mean 'ifeng'?" in message


def test_duplicate_topic_slug(tmp_path: Path) -> None:
    topic = MINIMAL.split("[[sources]]")[0]
    err = config_error(tmp_path, topic + MINIMAL)
    assert_one_line(err, "topics[1].slug", "duplicate slug 'service-outsourcing'", "topics[0]")


def test_duplicate_source_name(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL + '[[sources]]\nname = "ifeng-hb"\nspider = "qutoutiao"\n')
    assert_one_line(err, "sources[1].name", "duplicate name 'ifeng-hb'", "sources[0]")


@pytest.mark.parametrize("slug", ["Service", "service_outsourcing", "服务外包", "a b"])
def test_bad_slug(tmp_path: Path, slug: str) -> None:
    err = config_error(tmp_path, MINIMAL.replace('"service-outsourcing"', f'"{slug}"'))
    assert_one_line(err, "topics[0].slug", repr(slug), "use lower-case letters, digits and '-'")


def test_bad_source_name(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL.replace('"ifeng-hb"', '"../hb"'))
    assert_one_line(err, "sources[0].name", "'../hb'")


def test_empty_keywords(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL.replace('["服务外包"]', "[]"))
    assert_one_line(err, "topics[0].keywords", "empty list", "at least one")


def test_blank_keyword(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL.replace('["服务外包"]', '["服务外包", "  "]'))
    assert_one_line(err, "topics[0].keywords[1]", "blank")


@pytest.mark.parametrize("schedule", ["61 * * * *", "* * *", "every hour", "0 * * * * *"])
def test_bad_crontab(tmp_path: Path, schedule: str) -> None:
    err = config_error(tmp_path, MINIMAL + f'schedule = "{schedule}"\n')
    assert_one_line(
        err, "sources[0].schedule", repr(schedule), "use five crontab fields, e.g. '*/30 * * * *'"
    )


def test_unknown_timezone(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL + '[scheduler]\ntimezone = "Asia/Shangai"\n')
    problem = "unknown timezone 'Asia/Shangai'"
    assert_one_line(err, "scheduler.timezone", problem, "did you mean 'Asia/Shanghai'?")


@pytest.mark.parametrize("url", ["ftp://example.org/", "example.org/feeds", "http://"])
def test_base_url_must_be_http(tmp_path: Path, url: str) -> None:
    err = config_error(tmp_path, MINIMAL + f'[feeds]\nbase_url = "{url}"\n')
    assert_one_line(err, "feeds.base_url", repr(url), "http")


@pytest.mark.parametrize("value", [0, -3])
def test_max_entries_at_least_one(tmp_path: Path, value: int) -> None:
    err = config_error(tmp_path, MINIMAL + f"[feeds]\nmax_entries = {value}\n")
    assert_one_line(err, "feeds.max_entries", "less than 1", "use 1 or more")


def test_unknown_archive_format(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL + '[archive]\nformats = ["hexo", "notes"]\n')
    assert_one_line(err, "archive.formats[1]", "'notes'", "did you mean 'note'?", "note, hexo")


def test_near_duplicate_similarity_range(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL + "[archive]\nnear_duplicate_similarity = 1.5\n")
    assert_one_line(err, "archive.near_duplicate_similarity", "0.5 to 1.0")


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("max_age_days = 0", "sources[0].max_age_days"),
        ("revisit_hours = -1", "sources[0].revisit_hours"),
        ("max_age_days = nan", "sources[0].max_age_days"),
        ("[scheduler]\ntimeout_minutes = 0", "scheduler.timeout_minutes"),
        ("[scheduler]\nmisfire_grace_seconds = 0", "scheduler.misfire_grace_seconds"),
    ],
)
def test_numbers_out_of_range(tmp_path: Path, extra: str, key: str) -> None:
    assert_one_line(config_error(tmp_path, MINIMAL + extra + "\n"), key)


def test_no_topics(tmp_path: Path) -> None:
    err = config_error(tmp_path, "[[sources]]" + MINIMAL.split("[[sources]]")[1])
    assert_one_line(err, "topics", "no topics", "[[topics]]")


def test_no_sources(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL.split("[[sources]]")[0])
    assert_one_line(err, "sources", "no sources", "[[sources]]")


@pytest.mark.parametrize(
    ("old", "key"),
    [
        ('slug = "service-outsourcing"', "topics[0].slug"),
        ('title = "服务外包"', "topics[0].title"),
        ('keywords = ["服务外包"]', "topics[0].keywords"),
        ('name = "ifeng-hb"', "sources[0].name"),
        ('spider = "ifeng"', "sources[0].spider"),
    ],
)
def test_required_keys(tmp_path: Path, old: str, key: str) -> None:
    err = config_error(tmp_path, MINIMAL.replace(old, ""))
    assert_one_line(err, key, "missing", f"add {key.split('.')[-1]} = ")


def test_blank_required_string(tmp_path: Path) -> None:
    err = config_error(tmp_path, MINIMAL.replace('title = "服务外包"', 'title = "  "'))
    assert_one_line(err, "topics[0].title", "blank")


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('[store]\nurl = "topicfeed.sqlite3"', "store.url"),
        ('[cluster]\nredis_url = "localhost:6379"', "cluster.redis_url"),
    ],
)
def test_bad_urls(tmp_path: Path, extra: str, key: str) -> None:
    assert_one_line(config_error(tmp_path, MINIMAL + extra + "\n"), key, "e.g.")


def test_no_known_spiders(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, MINIMAL), known_spiders=())
    assert_one_line(info.value, "sources[0].spider", "no spiders were found")

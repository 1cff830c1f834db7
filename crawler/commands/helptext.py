"""What each command's ``--help`` opens with (its one-line summary is in crawler/cli.py)."""

DESCRIPTIONS = {
    "crawl": "Crawl the named sources once (every enabled source if none is named), store and archive "
             "the articles that match the topics, then rebuild the feeds. One summary line per source; "
             "exit 1 if a source failed, 75 if another process is crawling it.",
    "feeds": "Rebuild every topic feed, index.opml and index.html from the store, without crawling "
             "(after editing the topics or [feeds]).",
    "status": "Print each source's last run (when, outcome, counts and the errors behind them) and each "
              "topic's article count and newest article; read from the store, nothing is crawled.",
    "notify": "Send the notifications that are due to the [[notify]] targets, one target's digest now "
              "(--digest), or a test message to one target (--test).",
    "schedule": "Crawl every enabled source on its schedule line, in [scheduler] timezone, each crawl a "
                "child process, until SIGINT/SIGTERM. --serve serves the feeds too; --list prints the "
                "next runs and exits.",
    "serve": "Serve the feeds folder over HTTP (the feeds, index.opml, index.html and archived images), "
             "with ETag/304 caching, until Ctrl-C or SIGTERM.",
    "demo": "Run the whole pipeline offline on the bundled sample: crawl it with the demo's own config "
            "(written to DIR/topicfeed.toml), build the feeds and serve them until Ctrl-C. It names the "
            "sample's deliberately broken pages first and ends with commands to try on its data.",
    "explain": "For one article URL, in any form (tracking query, proxy prefix, alias): is it stored, under "
               "which URL, in which feeds and why; or why not.",
    "check": "Check the config, spider arguments included, and print what each source would crawl and "
             "when; exit 0 if it is sound, 2 if not.",
}

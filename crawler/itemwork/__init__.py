"""Item work in child processes, so the crawl process keeps downloading."""

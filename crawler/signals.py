"""topicfeed's own Scrapy signals (sent with ``crawler.signals.send_catch_log``)."""

# Sent by spiders: run_error(line=...) — one line saying what failed, for the run record.
run_error = object()

# Sent by spiders: page_failed(url=..., reason=...) — an article page that gave no article
# (not parsed, deleted, too old). The crawl's resources owner remembers it in the store, so
# the page is retried after revisit_hours, 3 times at most (crawler.store.known).
page_failed = object()

# Sent by spiders: link_skipped(url=..., reason=SkipReason, published=...) — an article link a
# list page gave that is not fetched (too old by the list's date, no topic keyword in the entry).
# The crawl's resources owner remembers it a week (crawler.store.skipped) for topicfeed explain.
link_skipped = object()

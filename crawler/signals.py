"""topicfeed's own Scrapy signals (sent with ``crawler.signals.send_catch_log``)."""

# Sent by spiders: run_error(line=...) — one line saying what failed, for the run record.
run_error = object()

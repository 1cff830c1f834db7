"""``topicfeed`` and ``python -m crawler``: the command line, its imports made with the collector off.

Start-up imports (Scrapy, Twisted, SQLAlchemy: ~900 modules) allocate objects that live until
exit; the collector's passes over them were a tenth of the CPU of a crawl that finds nothing
new. ``crawler.cli.run`` freezes what start-up made and turns the collector back on.
"""

import gc

gc.disable()

from crawler.cli import run  # noqa: E402


def main() -> None:
    run()


if __name__ == "__main__":
    main()

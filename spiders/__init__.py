"""One Scrapy spider per source site; shared parsing helpers in ``spiders.parsing``."""

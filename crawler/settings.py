"""Scrapy settings: polite defaults and topicfeed's components.

``scrapy crawl ifeng`` from the repository root reads this module (scrapy.cfg); the
``topicfeed`` command starts from it too and layers the config file on top
(``crawler.runtime.scrapy_settings``).
"""

from scrapy.settings import default_settings as _defaults

from crawler import USER_AGENT as _USER_AGENT
from crawler.text.dates import LOG_TIME_FORMAT as _LOG_TIME_FORMAT

BOT_NAME = "topicfeed"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = _USER_AGENT
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# Scrapy starts this many tasks for every response; our pages yield at most a list's worth.
CONCURRENT_ITEMS = 16
# A development-time check that re-parses the callback's source for every response whose
# callback object is new (every bound method is): our spiders' tests cover it instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# A host that accepts and never answers costs TOPICFEED_HOST_FAILURES_MAX timeouts before it
# is given up (crawler.downloadermiddlewares.unreachable): about 45 s, not minutes.
DOWNLOAD_TIMEOUT = 15
DNS_TIMEOUT = 10
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_DATEFORMAT = _LOG_TIME_FORMAT  # with the UTC offset: a cron log read elsewhere is unambiguous
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
# A crawl is also ended from inside after this long (the scheduler's hard timeout is outside).
CLOSESPIDER_TIMEOUT = 25 * 60

SPIDER_MIDDLEWARES = {
    # nearest the spider: a known article link is dropped before the others look at it
    "crawler.spidermiddlewares.known.KnownArticleFilter": 950,
}
DOWNLOADER_MIDDLEWARES = {
    # before robots.txt: a refused host is not even asked for its robots.txt
    "crawler.downloadermiddlewares.publiconly.PublicOnlyMiddleware": 40,
    "crawler.downloadermiddlewares.known.KnownArticleMiddleware": 120,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.downloadermiddlewares.retry.BackoffRetryMiddleware": 550,
    # nearer the downloader than retries and redirects: it sees every failed attempt before the
    # retries do (and can end them), and every answer, redirects included
    "crawler.downloadermiddlewares.unreachable.UnreachableHostsMiddleware": 620,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.downloadermiddlewares.redirect.LoopAwareRedirectMiddleware": 600,
}

# The mirror (DESIGN §4) is applied where bytes are fetched; without one these are Scrapy's own.
DOWNLOAD_HANDLERS = {
    "http": "crawler.mirror.MirrorDownloadHandler",
    "https": "crawler.mirror.MirrorDownloadHandler",
}

# Names resolving to loopback, private or link-local addresses are refused at connect time.
TWISTED_DNS_RESOLVER = "crawler.resolver.PublicOnlyResolver"

ITEM_PIPELINES = {
    "crawler.pipelines.items.StorePipeline": 300,
    "crawler.pipelines.images.ArchiveImagesPipeline": 350,
    "crawler.pipelines.items.ArchivePipeline": 400,
}

FILES_EXPIRES = 36500  # an image in the archive is never downloaded again
MEDIA_ALLOW_REDIRECTS = True

EXTENSIONS = {
    "crawler.extensions.resources.CrawlResources": 100,  # first: the others use what it opens
    "crawler.extensions.runreport.RunReporter": 500,
    "crawler.extensions.console.ConsoleReport": 510,  # after the reporter: it shows its counts
}

# Scrapy imports every component its *_BASE settings name, enabled or not (to match class
# paths), and three that a topicfeed crawl never uses cost ~0.25 s of each crawl's start:
# the remote control imports aiohttp, the cookies middleware tldextract (COOKIES_ENABLED is
# off above; a source that needs cookies sets it and adds the middleware back at 700).
_unused = {
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
}
EXTENSIONS_BASE = {k: v for k, v in _defaults.EXTENSIONS_BASE.items() if k not in _unused}
DOWNLOADER_MIDDLEWARES_BASE = {
    k: v for k, v in _defaults.DOWNLOADER_MIDDLEWARES_BASE.items() if k not in _unused
}

# topicfeed's own settings (TOPICFEED_ prefix)
TOPICFEED_CONFIG = None  # a crawler.config.load.Config, or a path to a config file; None: the default lookup
TOPICFEED_MIRROR = ""  # mirror base URL (DESIGN §4); the environment variable of the same name also works
TOPICFEED_REVISIT = False  # re-fetch every archived article younger than max_age now
TOPICFEED_NOW = ""  # ISO time to judge article age against (replaying a recorded snapshot)
TOPICFEED_PROGRESS = True  # live progress line when stderr is a terminal
TOPICFEED_HEARTBEAT = 30.0  # seconds between progress lines when stderr is not a terminal; 0: none
TOPICFEED_HOST_FAILURES_MAX = 3  # connection failures (and no answer) after which a host is given up; 0: never
TOPICFEED_ITEM_WORKERS = None  # processes for item CPU work; None: 1 with 2+ CPUs, else 0 (crawler.itemwork.pool)
TOPICFEED_PUBLIC_ONLY = True  # requests go to public internet addresses only (crawler.text.addresses)
# URLs (or host[:port]) the user configured that may be private: an LLM or a webhook on 127.0.0.1
TOPICFEED_TRUSTED_ENDPOINTS: list[str] = []
TOPICFEED_RETRY_BACKOFF = 1.0  # seconds before the first retry; doubles each time
TOPICFEED_RETRY_BACKOFF_MAX = 60.0
TOPICFEED_RETRY_AFTER_MAX = 120.0  # a longer Retry-After is not waited for

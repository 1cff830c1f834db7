"""The config file (DESIGN §3): its typed model and the loader that validates it."""

from crawler.config.load import (
    CONFIG_FILENAME,
    STORE_URL_ENV,
    default_config_path,
    load_config,
    parse_config,
)
from crawler.config.model import (
    ArchiveConfig,
    ClusterConfig,
    Config,
    ConfigError,
    CrawlConfig,
    FeedsConfig,
    SchedulerConfig,
    Source,
    Topic,
)

__all__ = [
    "CONFIG_FILENAME", "STORE_URL_ENV", "ArchiveConfig", "ClusterConfig", "Config", "ConfigError",
    "CrawlConfig", "FeedsConfig", "SchedulerConfig", "Source", "Topic", "default_config_path",
    "load_config", "parse_config",
]

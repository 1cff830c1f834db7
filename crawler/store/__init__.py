"""The store (DESIGN §6): articles, their URLs and aliases, topic matches and crawl runs."""

from crawler.store.database import OUTPUT_ERRORS, Store, StoreError, StoreMissing
from crawler.store.records import (
    FeedArticle,
    FetchState,
    PageFailure,
    Revision,
    RunRecord,
    SaveOutcome,
    SaveResult,
    StoredArticle,
    UrlStatus,
)
from crawler.store.schema import SCHEMA_VERSION

__all__ = [
    "OUTPUT_ERRORS", "SCHEMA_VERSION", "FeedArticle", "FetchState", "PageFailure", "Revision",
    "RunRecord", "SaveOutcome", "SaveResult", "Store", "StoreError", "StoreMissing", "StoredArticle", "UrlStatus",
]

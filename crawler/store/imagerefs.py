"""``topicfeed serve``'s question to the store: does a stored article show this image file?"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crawler.store.database import Store, StoreError
from crawler.store.imagefiles import is_referenced


class ImageReferences:
    """``references(path)``: does a stored article show this image file? (the store opened on first use)"""

    def __init__(self, store_url: str):
        self.store_url = store_url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def __call__(self, path: str) -> bool:
        with self._lock:
            if self._engine is None:
                try:
                    self._engine = Store.open(self.store_url).engine
                except StoreError:
                    return False
        try:
            return is_referenced(self._engine, path)
        except sa.exc.SQLAlchemyError:
            return False


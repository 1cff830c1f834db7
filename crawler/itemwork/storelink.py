"""The store the item work saves to: the crawl's own in its process, its own in a worker.

A worker is sent the store's URL only (a store cannot be pickled) and opens it with its
first job. Each process then writes through its own connections; the store's transactions
keep them apart, as they keep several ``crawl --worker`` processes apart.
"""

from __future__ import annotations

from typing import Any

from crawler.store import Store


class StoreLink:
    def __init__(self, url: str):
        self.url = url
        self._store: Store | None = None
        self._owned = False

    def use(self, store: Store | None) -> None:
        """In the crawl process: the crawl's own store (None once it is closed)."""
        self._store, self._owned = store, False

    def get(self) -> Store:
        if self._store is None:
            self._store, self._owned = Store.open(self.url), True
        return self._store

    def close(self) -> None:
        """Close the store if this link opened it (a worker's)."""
        if self._store is not None and self._owned:
            self._store.close()
        self._store = None

    def __getstate__(self) -> dict[str, Any]:
        return {"url": self.url}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["url"])  # type: ignore[misc]

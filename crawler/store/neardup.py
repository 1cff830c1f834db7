"""The near-duplicate index: MinHash band keys of each article, and the lookup through them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from crawler.store.schema import articles, near_bands

NEAR_CANDIDATES = (
    sa.select(articles.c.id, articles.c.minhash)
    .join(near_bands, near_bands.c.article_id == articles.c.id)
    .where(near_bands.c.band_key.in_(sa.bindparam("keys", expanding=True)))
    .distinct()
)


@dataclass(frozen=True)
class NearCheck:
    """The near-duplicate side of one save: the signature, its band keys, the lookup."""

    fingerprint: bytes | None
    threshold: float

    def find(self, conn: Connection) -> int | None:
        """The oldest stored article at least ``threshold`` similar, via the band index."""
        if self.fingerprint is None:
            return None
        from crawler.text.minhash import band_keys, similarity  # numpy: only once something matched
        candidates = conn.execute(NEAR_CANDIDATES, {"keys": band_keys(self.fingerprint)})
        close = [row.id for row in candidates
                 if row.minhash and similarity(row.minhash, self.fingerprint) >= self.threshold]
        return min(close, default=None)

    def index(self, conn: Connection, article_id: int, *, replace: bool = True) -> None:
        from crawler.text.minhash import band_keys

        if replace:
            conn.execute(near_bands.delete().where(near_bands.c.article_id == article_id))
        if self.fingerprint is not None:
            conn.execute(near_bands.insert(), [
                {"band_key": key, "article_id": article_id} for key in band_keys(self.fingerprint)])

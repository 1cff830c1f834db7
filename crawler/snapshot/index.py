"""A snapshot's ``index.json`` read back, and the lookup that matches a request to an entry."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

INDEX_NAME = "index.json"


@dataclass(frozen=True)
class SnapshotEntry:
    """One recorded response, as the server matches requests against it."""

    url: str
    host: str
    path: str  # percent-decoded
    params: tuple[tuple[str, str], ...]
    file: str | None
    status: int
    headers: tuple[tuple[str, str], ...]

    @property
    def etag(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "etag"), None)


def _split_target(host: str, path: str) -> tuple[str, str]:
    return host.lower(), unquote(path or "/")


def load_index(root: Path) -> list[SnapshotEntry]:
    data = json.loads((root / INDEX_NAME).read_text("utf-8"))
    entries = []
    for item in data["responses"]:
        parts = urlsplit(item["url"])
        host, path = _split_target(parts.netloc, parts.path)
        entries.append(
            SnapshotEntry(
                url=item["url"],
                host=host,
                path=path,
                params=tuple(parse_qsl(parts.query, keep_blank_values=True)),
                file=item.get("file"),
                status=int(item.get("status", 200)),
                headers=tuple(item.get("headers", {}).items()),
            )
        )
    return entries


def index_entries(entries: Sequence[SnapshotEntry]) -> dict[tuple[str, str], list[SnapshotEntry]]:
    """Entries by (host, path): a request only ever looks at those of its own target."""
    by_target: dict[tuple[str, str], list[SnapshotEntry]] = {}
    for entry in entries:
        by_target.setdefault((entry.host, entry.path), []).append(entry)
    return by_target


def find_entry(
    by_target: Mapping[tuple[str, str], Sequence[SnapshotEntry]], host: str, path: str, query: str
) -> SnapshotEntry | None:
    """The most specific entry whose query parameters all appear in the request's.

    Extra request parameters (cache busters, per-request tokens) do not prevent a match.
    """
    requested = set(parse_qsl(query, keep_blank_values=True))
    candidates = [e for e in by_target.get(_split_target(host, path), ())
                  if all(p in requested for p in e.params)]
    return max(candidates, key=lambda e: len(e.params), default=None)



"""What each feed file was last rendered from, so that a warm rebuild renders only what changed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.fsutil import write_if_changed


@dataclass
class RenderedFeeds:
    """Per feed file: the key of its input, and the size and mtime the file had once written.

    A file is current when its input key is the recorded one and the file is still the one
    written then (not deleted, replaced or edited since). The record is only a shortcut:
    lost or unreadable, every feed is rendered again.
    """

    path: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> RenderedFeeds:
        try:
            files = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        return cls(path, files if isinstance(files, dict) else {})

    def is_current(self, file: Path, key: str) -> bool:
        seen = self.files.get(str(file))
        if not isinstance(seen, dict) or seen.get("input") != key:
            return False
        try:
            stat = file.stat()
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == (seen.get("size"), seen.get("mtime_ns"))

    def remember(self, file: Path, key: str) -> None:
        stat = file.stat()
        self.files[str(file)] = {"input": key, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}

    def save(self) -> None:
        data = json.dumps(self.files, ensure_ascii=False, indent=1, sort_keys=True)
        write_if_changed(self.path, data.encode("utf-8"))

"""``[archive] git = true``: the archive folder is a git repository, one commit per crawl that changed it."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import yaml

from crawler.fsutil import TEMP_PREFIX, write_if_changed

logger = logging.getLogger(__name__)

MAX_TITLES_IN_MESSAGE = 3


class GitError(Exception):
    pass


def _git(archive: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(archive), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])} in {archive}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _ensure_repository(archive: Path) -> None:
    archive.mkdir(parents=True, exist_ok=True)
    if not (archive / ".git").exists():
        _git(archive, "init", "--quiet")
        _git(archive, "config", "user.name", "topicfeed")
        _git(archive, "config", "user.email", "topicfeed@localhost")
    write_if_changed(archive / ".gitignore", f"{TEMP_PREFIX}*\n".encode())


def _title(path: Path) -> str:
    try:
        front = path.read_text(encoding="utf-8").split("---\n", 2)[1]
        return str(yaml.safe_load(front).get("title") or path.stem)
    except (OSError, IndexError, yaml.YAMLError, AttributeError):
        return path.stem


def commit_message(archive: Path, added: list[str], modified: list[str]) -> str:
    titles = [_title(archive / name) for name in (*added, *modified)]
    shown = "、".join(titles[:MAX_TITLES_IN_MESSAGE]) + ("…" if len(titles) > MAX_TITLES_IN_MESSAGE else "")
    return f"{len(added)} new, {len(modified)} updated: {shown}" if titles else "archive files updated"


def commit_archive(archive: Path, remote: str = "") -> str | None:
    """Commit whatever the crawl changed; returns the commit message, or None if nothing changed."""
    _ensure_repository(archive)
    _git(archive, "add", "--all")
    if not _git(archive, "status", "--porcelain").strip():
        return None
    changes = _git(archive, "diff", "--cached", "--name-status", "--no-renames", "--", "*.md").splitlines()
    added = [line.split("\t", 1)[1] for line in changes if line.startswith("A\t")]
    modified = [line.split("\t", 1)[1] for line in changes if line.startswith("M\t")]
    message = commit_message(archive, added, modified)
    _git(archive, "commit", "--quiet", "-m", message)
    if remote:
        try:
            _git(archive, "push", "--quiet", remote, "HEAD")
        except GitError as error:  # the commit is safe locally; the next crawl pushes it too
            logger.warning("Archive committed but not pushed: %s", error)
    return message

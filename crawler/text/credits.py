"""Who else has the story, named the same way in the note, the feed entry and the pages.

同时见于 is the same text under another URL (an alias), 同时报道 a near-duplicate. Each is shown as
(outlet, URL): the outlet the other copy named (else the site it was found on, as the store
records it), the host only for a row that recorded neither.
"""

from __future__ import annotations

from collections.abc import Sequence

from crawler.text.urls import host_of, web_url

SAME_TEXT_LABEL = "同时见于"
NEAR_COPY_LABEL = "同时报道"


def credited(pairs: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(outlet, url) pairs as shown to people: web URLs only, each with a name."""
    return tuple(((outlet or "").strip() or host_of(url), url) for outlet, url in pairs if web_url(url))

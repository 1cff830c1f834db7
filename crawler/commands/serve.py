"""``topicfeed serve``'s check of ``[feeds] base_url``: the links in the OPML and feeds use it."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.config import Config

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
ALL_INTERFACES = frozenset({"0.0.0.0", "::", ""})


def base_url_mismatch(config: Config, host: str, port: int) -> str:
    """Why readers following the feed links would not reach this server, or "" when they would.

    A base_url on another host while serving on this machine only is a reverse proxy in front:
    fine. A local base_url needs the same port; any other needs it too when served directly.
    """
    base = urlsplit(config.feeds.base_url)
    base_port = base.port or (443 if base.scheme == "https" else 80)
    if base.hostname in LOCAL_HOSTS:
        reached = port == base_port and (host in LOCAL_HOSTS or host in ALL_INTERFACES)
    else:
        reached = host in LOCAL_HOSTS or port == base_port
    if reached:
        return ""
    where = config.path or "the config"
    return (f"the OPML and feed links point at [feeds] base_url = {config.feeds.base_url}, not at this "
            f"server ({host}:{port}); to change them set base_url in {where} to the address readers use "
            "and run topicfeed feeds (or serve on the host and port base_url names)")

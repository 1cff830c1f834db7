"""The DNS resolver of every crawl: a name that resolves to a non-public address is not reached.

``crawler.downloadermiddlewares.publiconly`` refuses address literals and private names before a
request is scheduled, but only the answer of the lookup made for the connection says where a
name like ``evil.example`` points. Twisted connects to exactly the addresses this resolver
returns, so judging them here, at connect time, leaves no gap for a DNS answer that changes
between a check and the connection (DNS rebinding).

The mirror (DESIGN §4), a proxy from the environment and the endpoints the user configured are
trusted by host name: under a mirror the crawl only ever resolves the mirror's own host, and
the real URL's host is judged by the middleware.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from crawler.runtime import mirror_from_settings
from crawler.text.addresses import address_refusal, normal_host

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from scrapy.crawler import Crawler
    from twisted.internet.base import ReactorBase
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)


class NonPublicAddress(DNSLookupError):
    """The name resolved, but to an address a page may not make us reach."""


def trusted_hosts(settings: Any) -> frozenset[str]:
    """Host names exempt from the public-address rule: the mirror's and the user's endpoints."""
    hosts = [urlsplit(mirror_from_settings(settings)).hostname or ""]
    # an HTTP(S) proxy from the environment is the user's too (often on a private address)
    hosts += [urlsplit(proxy).hostname or "" for proxy in getproxies().values()]
    for endpoint in settings.getlist("TOPICFEED_TRUSTED_ENDPOINTS"):
        hosts.append(urlsplit(endpoint if "//" in endpoint else f"//{endpoint}").hostname or "")
    return frozenset(normal_host(host) for host in hosts if host)


def judged(address: str, name: str, trusted: Iterable[str]) -> str:
    """``address`` (what ``name`` resolved to) if it may be connected to; else NonPublicAddress."""
    if normal_host(name) in trusted:
        return address
    reason = address_refusal(ipaddress.ip_address(address))
    if reason:
        # Twisted reports a failed lookup as "no results": say why here, once per lookup
        logger.warning("Refused to connect to %s: it resolves to a non-public address (%s)", name, reason)
        raise NonPublicAddress(f"refused: {name} resolves to a non-public address ({reason})")
    return address


class PublicOnlyResolver(CachingThreadedResolver):
    """Scrapy's default resolver, refusing answers outside the public internet."""

    def __init__(self, reactor: ReactorBase, cache_size: int, timeout: float, trusted: frozenset[str],
                 enabled: bool = True):
        super().__init__(reactor, cache_size, timeout)
        self.trusted = trusted
        self.enabled = enabled

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        # ``crawler`` is the CrawlerProcess here (Scrapy builds one resolver per reactor)
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), trusted_hosts(settings),
                   enabled=settings.getbool("TOPICFEED_PUBLIC_ONLY", True))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 - Twisted's name
        lookup = super().getHostByName(name, timeout)
        if self.enabled:
            lookup.addCallback(judged, name, self.trusted)
        return lookup

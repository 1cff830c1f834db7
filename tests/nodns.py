"""A crawl's DNS resolver that fails names under ``.invalid`` at once: no lookup leaves the machine.

Named in a child crawl with ``--set TWISTED_DNS_RESOLVER=tests.nodns.NoDNSResolver``.
"""

from __future__ import annotations

from collections.abc import Sequence

from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from crawler.resolver import PublicOnlyResolver


class NoDNSResolver(PublicOnlyResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:  # noqa: N802
        if name.endswith(".invalid"):
            return defer.fail(DNSLookupError(f"no results for hostname lookup: {name}"))
        return super().getHostByName(name, timeout)

"""Which hosts a URL taken from a page may reach: public internet addresses only.

A news page is untrusted input. A link or an image on it naming ``169.254.169.254`` (cloud
instance credentials), ``127.0.0.1:6379`` or ``10.0.0.1`` must never make the crawler send a
request there. These are the pure judgements; ``crawler.downloadermiddlewares.publiconly``
applies them to every request and ``crawler.resolver`` to every address a name resolves to.

IPv4 literals are read the way browsers and ``inet_aton`` read them (WHATWG URL standard):
``0x7f000001``, ``2130706433``, ``0177.0.0.1`` and ``127.1`` all name 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import unquote, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

FETCHABLE_SCHEMES = frozenset({"http", "https"})
# Names that only ever mean this machine or a private network (RFC 6761, 6762, 8375; ICANN's
# .internal; the usual private suffixes of home and office networks).
PRIVATE_SUFFIXES = ("localhost", "local", "internal", "localdomain", "home.arpa", "lan", "intranet",
                    "corp", "home", "private")
_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _ipv4_number(part: str) -> int | None:
    """One dotted part: ``0x…`` hexadecimal, ``0…`` octal, else decimal; None if not a number."""
    if part[:2] in ("0x", "0X"):
        digits, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if digits == "":
        return 0 if base == 16 else None
    try:
        return int(digits, base) if digits.isascii() and digits.isalnum() else None
    except ValueError:
        return None


def _ipv4_literal(host: str) -> ipaddress.IPv4Address | None:
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if not parts or len(parts) > 4:
        return None
    numbers = [_ipv4_number(part) for part in parts]
    if any(number is None for number in numbers):
        return None
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):  # type: ignore[operator]
        return None
    value = last
    for position, number in enumerate(leading):
        value += number << (8 * (3 - position))  # type: ignore[operator]
    return ipaddress.IPv4Address(value)


def normal_host(host: str) -> str:
    """Lower case, percent-escapes decoded, full-width forms folded, brackets and the final dot gone."""
    host = unicodedata.normalize("NFKC", unquote(host)).strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host[:-1] if host.endswith(".") and not host.endswith("..") else host


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any spelling a resolver accepts, or None for a name."""
    host = normal_host(host)
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%", 1)[0])  # a zone id says nothing of the range
        except ValueError:
            return None
    return _ipv4_literal(host)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, compatible, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _range_of(address: IPAddress) -> str | None:
    for kind in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "non-global"


def address_refusal(address: IPAddress) -> str | None:
    """Why ``address`` is not a public internet address, or None when it is."""
    embedded = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    kind = _range_of(embedded or address)
    if kind is None:
        return None
    if embedded is not None:
        return f"{address} stands for {embedded}, in the {kind} range"
    return f"{address} is in the {kind} range"


def host_refusal(host: str) -> str | None:
    """Why a request to ``host`` (a name or an address literal) is refused, or None."""
    address = ip_literal(host)
    if address is not None:
        return address_refusal(address)
    name = normal_host(host)
    if not _NAME.fullmatch(name):
        return f"{host!r} is not a host name"
    if name in PRIVATE_SUFFIXES or name.endswith(tuple("." + suffix for suffix in PRIVATE_SUFFIXES)):
        return f"{name} is a private-network name"
    if "." not in name:
        return f"{name} is a single-label name (a local network host)"
    return None


def url_refusal(url: str) -> str | None:
    """Why ``url`` (found on a page) must not be requested, or None when it may be."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        return f"malformed URL ({error})"
    if parts.scheme.lower() not in FETCHABLE_SCHEMES:
        return f"{parts.scheme or 'no'} scheme (only http and https are fetched)"
    if not host:
        return "no host"
    return host_refusal(host)


def netloc_key(url: str) -> str:
    """``host`` or ``host:port`` as written in a trusted-endpoint setting, normalised."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = normal_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:
        port = None
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown

"""Image bodies for sample snapshots: small, valid, and different for every URL."""

from __future__ import annotations

import hashlib
import struct
import zlib


def placeholder_png(url: str, size: int = 8) -> bytes:
    """A ``size``×``size`` PNG whose colour is derived from ``url``."""
    red, green, blue = hashlib.sha1(url.encode("utf-8")).digest()[:3]
    row = b"\x00" + bytes((red, green, blue)) * size
    raw = row * size

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

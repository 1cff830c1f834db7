"""Raster images recognised by their bytes: the only media the archive keeps and serves.

An answer's Content-Type and its URL's extension are the site's word; the first bytes are
what a browser will act on. An SVG can carry script, an HTML page can pose as ``.jpg``:
only JPEG, PNG, GIF, WebP and AVIF signatures pass.
"""

from __future__ import annotations

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
              "image/avif": ".avif"}
_AVIF_BRANDS = (b"avif", b"avis")


def _is_avif(data: bytes) -> bool:
    """An ISO-BMFF ``ftyp`` box naming an AVIF brand, as major or compatible brand."""
    if data[4:8] != b"ftyp" or len(data) < 16:
        return False
    size = int.from_bytes(data[:4], "big")
    box = data[8:min(max(size, 16), 64)]
    brands = [box[i:i + 4] for i in range(0, len(box), 4)]
    return any(brand in _AVIF_BRANDS for brand in brands)


def raster_type(data: bytes) -> str | None:
    """The MIME type of a JPEG, PNG, GIF, WebP or AVIF image, or None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if _is_avif(data):
        return "image/avif"
    return None

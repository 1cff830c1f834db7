"""Article extraction for any news page: pure functions from bytes, URL and headers to fields."""

from crawler.extract.page import ExtractedPage, extract_page

__all__ = ["ExtractedPage", "extract_page"]

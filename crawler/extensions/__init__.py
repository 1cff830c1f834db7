"""Scrapy extensions: what a crawl owns and reports."""

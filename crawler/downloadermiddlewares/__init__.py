"""Downloader middlewares: the known-article skip, retries with backoff, loop-aware redirects."""

"""crawler.startup: Scrapy's HTTP handler imported with a cheaper inspect.stack, nothing else changed."""

from __future__ import annotations

import json
import subprocess
import sys

IMPORT_SCRIPT = r"""
import inspect, json, sys, warnings
real = inspect.stack
from crawler.startup import import_http_handler
import_http_handler()
from scrapy.core.downloader import contextfactory, tls
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    class Old(contextfactory.ScrapyClientContextFactory):  # a user's subclass of a deprecated class
        pass
print(json.dumps({
    "restored": inspect.stack is real,
    "modules": [contextfactory.ScrapyClientContextFactory.__module__,
                contextfactory.AcceptableProtocolsContextFactory.__module__,
                tls.ScrapyClientTLSOptions.__module__],
    "warning": str(caught[0].message) if caught else "",
    "reactor_installed": "twisted.internet.reactor" in sys.modules,
}))
"""


def test_the_http_handler_imports_as_before_and_inspect_is_left_as_it_was():
    done = subprocess.run([sys.executable, "-c", IMPORT_SCRIPT], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["restored"], "inspect.stack is the standard library's again"
    assert result["modules"] == ["scrapy.core.downloader.contextfactory"] * 2 + ["scrapy.core.downloader.tls"]
    assert "scrapy.core.downloader.contextfactory.ScrapyClientContextFactory" in result["warning"], \
        "Scrapy's deprecation warning still names the class where it lives"
    assert not result["reactor_installed"], "importing it early must not install Twisted's default reactor"

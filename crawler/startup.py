"""Scrapy's HTTP download handler, imported without a search of every frame's source file.

Measured reason: three of Scrapy's classes (``scrapy.core.downloader.tls`` and
``contextfactory``) are made with ``scrapy.utils.deprecate.create_deprecated_class``, which
calls ``inspect.stack()`` and ``inspect.getmodule()`` only to learn its caller's module name.
The first reads the source lines of every frame on the stack; the second, the first time,
resolves the file of every module loaded (~700 ``realpath`` calls). Together 50 ms of a 0.66 s
crawl that finds nothing new (``-X importtime``), and 65-120 ms when Scrapy imports the handler
itself, deeper in the running reactor. For that one import, ``inspect.stack`` gives the same
frames, each saying which module it runs in, which ``inspect.getmodule`` reads at once.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


def import_http_handler() -> None:
    with _stack_naming_modules():
        import scrapy.core.downloader.handlers.http11  # noqa: F401  (it installs no reactor)


class _ModuleFrame:
    """A frame that names its module as a function does (``inspect.getmodule``'s quick path)."""

    def __init__(self, frame: FrameType):
        self._frame = frame
        self.__module__ = frame.f_globals.get("__name__", "")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._frame, name)


def _frames(context: int = 1) -> list[inspect.FrameInfo]:
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        frames.append(inspect.FrameInfo(_ModuleFrame(frame), frame.f_code.co_filename,  # type: ignore[arg-type]
                                        frame.f_lineno, frame.f_code.co_name, None, None))
        frame = frame.f_back
    return frames


@contextmanager
def _stack_naming_modules() -> Iterator[None]:
    real = inspect.stack
    inspect.stack = _frames  # type: ignore[assignment]
    try:
        yield
    finally:
        inspect.stack = real

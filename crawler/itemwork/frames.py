"""The frames spoken between the crawl and a worker: a 4-byte big-endian length and a pickle."""

from __future__ import annotations

import os
import pickle
import struct
from typing import Any

LENGTH = struct.Struct(">I")
READ_BYTES = 1 << 20  # a widened pipe's size (crawler.itemwork.pipes): all that has arrived


def frame(value: Any) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


def split_frames(buffer: bytearray) -> list[Any]:
    """The values of the whole frames at the start of ``buffer``, removed from it."""
    values = []
    start = 0
    with memoryview(buffer) as view:
        while len(buffer) - start >= LENGTH.size:
            (size,) = LENGTH.unpack_from(buffer, start)
            end = start + LENGTH.size + size
            if len(buffer) < end:
                break
            values.append(pickle.loads(view[start + LENGTH.size : end]))
            start = end
    del buffer[:start]  # once: deleting frame by frame moves the rest each time
    return values


class FrameReader:
    """The frames arriving on a pipe, read as many at a time as have arrived."""

    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = bytearray()

    def arrived(self) -> list[Any]:
        """Every whole frame there is, waiting for one if there is none; EOFError at the end."""
        while True:
            values = split_frames(self.buffer)
            if values:
                return values
            data = os.read(self.fd, READ_BYTES)
            if not data:
                raise EOFError
            self.buffer += data

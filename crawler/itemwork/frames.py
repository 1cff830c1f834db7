"""The frames spoken between the crawl and a worker: a 4-byte big-endian length and a pickle."""

from __future__ import annotations

import pickle
import struct
from typing import Any, BinaryIO

LENGTH = struct.Struct(">I")


def frame(value: Any) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return LENGTH.pack(len(data)) + data


def read_frame(stream: BinaryIO) -> Any:
    """The next frame's value; EOFError at the end of the input."""
    header = stream.read(LENGTH.size)
    if len(header) < LENGTH.size:
        raise EOFError
    (size,) = LENGTH.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def split_frames(buffer: bytearray) -> list[Any]:
    """The values of the whole frames at the start of ``buffer``, removed from it."""
    values = []
    while len(buffer) >= LENGTH.size:
        (size,) = LENGTH.unpack_from(buffer)
        if len(buffer) < LENGTH.size + size:
            break
        values.append(pickle.loads(bytes(buffer[LENGTH.size : LENGTH.size + size])))
        del buffer[: LENGTH.size + size]
    return values

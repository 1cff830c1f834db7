"""The item worker process: ``python -m crawler.itemwork.child``, spoken to over stdin/stdout.

Frames are a 4-byte big-endian length and a pickle. The crawl sends the WorkContext first,
then ``(method, argument)`` pairs; the worker answers each, in order, with ``(True, result)``
or ``(False, exception)``. End of input (the crawl closed the pipe, or died) ends the worker.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
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


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    try:
        context = read_frame(requests)
        while True:
            method, argument = read_frame(requests)
            try:
                answer = frame((True, getattr(context, method)(argument)))
            except Exception as error:  # sent back: the crawl decides what it means
                try:
                    answer = frame((False, error))
                except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                    answer = frame((False, RuntimeError(f"{type(error).__name__}: {error}")))
            answers.write(answer)
            answers.flush()
    except (EOFError, BrokenPipeError):
        return


def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print() must not corrupt a frame
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()

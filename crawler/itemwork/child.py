"""The item worker process: ``python -m crawler.itemwork.child``, spoken to over stdin/stdout.

The crawl sends the WorkContext first, then jobs (crawler.itemwork.jobs); the worker answers
each, in order, with ``(True, result)`` or ``(False, exception)``. End of input (the crawl
closed the pipe, or died) ends the worker.
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO

from crawler.itemwork.frames import frame, read_frame
from crawler.itemwork.jobs import Job, WorkContext


def answer(job: Job[object], context: WorkContext) -> bytes:
    try:
        return frame((True, job.run(context)))
    except Exception as error:  # sent back: the crawl decides what it means
        try:
            return frame((False, error))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            return frame((False, RuntimeError(f"{type(error).__name__}: {error}")))


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    try:
        context: WorkContext = read_frame(requests)
    except EOFError:
        return
    try:
        while True:
            answers.write(answer(read_frame(requests), context))
            answers.flush()
    except (EOFError, BrokenPipeError):
        return
    finally:
        context.store.close()


def main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print() must not corrupt a frame
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()

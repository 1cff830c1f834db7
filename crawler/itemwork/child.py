"""The item worker process: ``python -m crawler.itemwork.child``, spoken to over stdin/stdout.

The crawl sends the WorkContext first, then jobs (crawler.itemwork.jobs); the worker answers
each, in order, with ``(True, result)`` or ``(False, exception)``. End of input (the crawl
closed the pipe, or died) ends the worker.

Saves that have arrived together are stored in one transaction (``prepare_and_save_all``):
when the worker falls behind, its backlog costs one commit, not one per article.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from crawler.itemwork.frames import FrameReader, frame
from crawler.itemwork.jobs import Job, PrepareAndSave, WorkContext, prepare_and_save_all

MAX_BATCH = 64  # saves per transaction: bounds how long another writer waits for the lock


def encode(ok: bool, value: object) -> bytes:
    try:
        return frame((ok, value))
    except Exception as error:  # noqa: BLE001 - an exception that cannot be pickled
        return frame((False, RuntimeError(f"{type(value).__name__}: {value}; "
                                          f"cannot be sent back: {error}")))


def answer(job: Job[object], context: WorkContext) -> bytes:
    try:
        return encode(True, job.run(context))
    except Exception as error:  # sent back: the crawl decides what it means
        return encode(False, error)


def answers(jobs: Sequence[Job[object]], context: WorkContext) -> Iterator[bytes]:
    """The answers to ``jobs``, in order: each run of saves together, every other job alone."""
    index = 0
    while index < len(jobs):
        saves: list[PrepareAndSave] = []
        while index < len(jobs) and isinstance(jobs[index], PrepareAndSave) and len(saves) < MAX_BATCH:
            saves.append(jobs[index])  # type: ignore[arg-type]
            index += 1
        if saves:
            yield b"".join(encode(not isinstance(result, Exception), result)
                           for result in prepare_and_save_all(saves, context))
        else:
            yield answer(jobs[index], context)
            index += 1


def serve(requests: FrameReader, out: BinaryIO) -> None:
    try:
        context: WorkContext
        context, *jobs = requests.arrived()
    except EOFError:
        return
    try:
        while True:
            for answered in answers(jobs, context):
                out.write(answered)
                out.flush()
            jobs = requests.arrived()
    except (EOFError, BrokenPipeError):
        return
    finally:
        context.store.close()


def main() -> None:
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print() must not corrupt a frame
    serve(FrameReader(sys.stdin.fileno()), out)


if __name__ == "__main__":
    main()

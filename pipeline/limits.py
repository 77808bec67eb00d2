"""A time limit on one document's work, so a batch goes on past a file that would hang it.

    with time_limit(300, path):        # raises TimeLimitError(path, ...) after 300 s
        extract_document(path, settings, nlp)

The limit is a timer signal (SIGALRM) in the process's main thread, where the batch's
worker processes and a one-worker batch do their work; elsewhere (another thread, or a
system without setitimer) nothing is limited. The signal raises an exception that is not
an `Exception`, so no reader's `except Exception` (a page that cannot be read is skipped)
takes it for a bad page and goes on; it becomes a TimeLimitError where the limit was set.

A signal is only handled between two steps of Python code: a C library that never
returns (a PDF parser in a loop) is not interrupted by it. For that, `hard_after` starts a
watchdog that, that many seconds after the limit, calls `on_hang` and ends the whole
process (for worker processes only: the batch reports what they were doing as failed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.errors import TimeLimitError


class _Expired(BaseException):
    """Raised by the timer: a BaseException, so `except Exception` handlers let it pass."""


def limit_message(seconds: float) -> str:
    return f"took longer than {seconds:g} s, the time limit per document (--time-limit); stopped"


def can_limit() -> bool:
    """Is a time limit possible here (the main thread of a process, on a POSIX system)?"""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float | None, path: Path | str, hard_after: float | None = None,
               on_hang: Callable[[], None] | None = None) -> Iterator[None]:
    """Raise TimeLimitError(path) when the block runs longer than `seconds` (None or 0: no limit).

    With `hard_after`, a watchdog thread calls `on_hang()` and kills this process with
    SIGKILL when the block is still running `hard_after` seconds after the limit.
    """
    if not seconds or not can_limit():
        yield
        return

    def expire(signum, frame):
        raise _Expired()

    previous = signal.signal(signal.SIGALRM, expire)
    watchdog = None
    if hard_after is not None:
        watchdog = threading.Timer(seconds + hard_after, _end_process, args=(on_hang,))
        watchdog.daemon = True
        watchdog.start()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:  # also when the timer went off just as the block ended
        raise TimeLimitError(path, limit_message(seconds)) from None
    finally:
        signal.signal(signal.SIGALRM, previous)
        if watchdog is not None:
            watchdog.cancel()


def _end_process(on_hang: Callable[[], None] | None) -> None:
    try:
        if on_hang is not None:
            on_hang()
    finally:
        os.kill(os.getpid(), signal.SIGKILL)

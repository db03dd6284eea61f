"""This process's limit of starts in progress at once (EXAMENGINE_START_CONCURRENCY).

A start draws and stores a paper; with a thousand examinees pressing "start" at 9:00, letting every
request in at once only makes each wait longer, until proxies and browsers give up. The limit is a
semaphore of this process (its own capacity, nothing another server needs); who may take a free
place is decided by the queue in the database (`services.attempts.admission`).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from flask import current_app

_lock = threading.Lock()
_semaphores: dict[int, threading.BoundedSemaphore] = {}


def _semaphore(limit: int) -> threading.BoundedSemaphore:
    with _lock:
        if limit not in _semaphores:
            _semaphores[limit] = threading.BoundedSemaphore(limit)
        return _semaphores[limit]


def limit() -> int:
    return max(0, int(current_app.config.get("EXAMENGINE_START_CONCURRENCY", 0) or 0))


@contextmanager
def start_place():
    """Yields True with a place taken (released afterwards), or False when the process is full.
    Without a limit every start has a place."""
    size = limit()
    if not size:
        yield True
        return
    semaphore = _semaphore(size)
    taken = semaphore.acquire(blocking=False)
    try:
        yield taken
    finally:
        if taken:
            semaphore.release()

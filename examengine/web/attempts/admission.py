"""This process's limit of starts in progress at once (EXAMENGINE_START_CONCURRENCY), and how long a
start waits for a place before it is queued (EXAMENGINE_START_WAIT_SECONDS).

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


def queue_front() -> int:
    """How many of the earliest live waiters may take a free place (never fewer than this process's)."""
    return max(limit(), int(current_app.config.get("EXAMENGINE_START_QUEUE_FRONT", 0) or 0))


def retry_seconds(position: int) -> int:
    """When a waiter at `position` should ask again: at once (1 s) at the front, later further back."""
    behind = max(0, position - queue_front())
    return min(10, 1 + behind // max(1, 4 * limit()))


@contextmanager
def start_place():
    """Yields True with a place taken (released afterwards), or False when none came free within
    EXAMENGINE_START_WAIT_SECONDS. Without a limit every start has a place.

    Waiting here costs nothing (the thread sleeps); being told to come back costs a whole request per
    retry. So a start waits for a place while the wait is short, and only a longer one is queued."""
    size = limit()
    if not size:
        yield True
        return
    semaphore = _semaphore(size)
    wait = max(0.0, float(current_app.config.get("EXAMENGINE_START_WAIT_SECONDS", 0) or 0))
    taken = semaphore.acquire(timeout=wait) if wait else semaphore.acquire(blocking=False)
    try:
        yield taken
    finally:
        if taken:
            semaphore.release()

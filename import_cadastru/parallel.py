"""Ordered, bounded parallel map over worker processes, for parsing large inputs.

Workers are started with `spawn`: they import only the readers (no Django, no inherited
database connection). At most `window` results wait in memory, so a slow consumer (the
COPY into PostgreSQL) holds the readers back instead of buffering a whole batch, and a
worker that dies raises BrokenProcessPool instead of hanging the import.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def ordered_map(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    *,
    workers: int,
    initializer: Callable | None = None,
    initargs: tuple = (),
    window: int | None = None,
) -> Iterator[tuple[Any, Any]]:
    """(item, fn(item)) in input order, computed by `workers` processes."""
    window = window or 2 * workers + 1
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=initializer, initargs=initargs
    ) as pool:
        pending: deque = deque()
        for item in items:
            pending.append((item, pool.submit(fn, item)))
            if len(pending) >= window:
                done_item, future = pending.popleft()
                yield done_item, future.result()
        while pending:
            done_item, future = pending.popleft()
            yield done_item, future.result()

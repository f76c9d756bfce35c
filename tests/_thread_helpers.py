"""Run one function in several threads at once and collect what each returns."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")


def run_in_threads(target: Callable[[int], _T], count: int) -> list[_T]:
    """``target(i)`` in ``count`` threads; the results in thread order.

    The first exception any thread raised is re-raised here.
    """
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = target(index)
        except BaseException as exc:  # pragma: no cover - the failure case
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]

"""Client timeouts: the :class:`ClientTimeout` settings and the timers behind them.

A :class:`TimerContext` turns a deadline into ``asyncio.TimeoutError``: code
that may wait enters it (``with timer:``); when the deadline passes, every task
currently inside is cancelled and the cancellation comes out of the ``with``
block as a timeout. It can be entered several times and from several tasks
(the session's request task and, later, the task reading the body), which is
how the *total* timeout covers the whole request including the body.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from types import TracebackType
from typing import Final, Optional

__all__ = (
    "DEFAULT_TIMEOUT",
    "ClientTimeout",
    "SharedDeadlines",
    "TimerContext",
    "TimerNoop",
    "timeout",
)


@dataclasses.dataclass(frozen=True)
class ClientTimeout:
    """Timeout settings of a session or a request, in seconds (None: no limit).

    ``total`` covers the whole request including reading the body; ``connect``
    getting a connection (pool wait included); ``sock_connect`` the socket
    connect of a new connection; ``sock_read`` the gap between two reads.
    Timeouts of ``ceil_threshold`` seconds or more are rounded up to a whole
    second of the loop clock, so that many timers fire together.
    """

    total: Optional[float] = None
    connect: Optional[float] = None
    sock_read: Optional[float] = None
    sock_connect: Optional[float] = None
    ceil_threshold: float = 5

    def __post_init__(self) -> None:
        for field in ("total", "connect", "sock_read", "sock_connect"):
            value = getattr(self, field)
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise ValueError(
                    f"ClientTimeout({field}={value!r}): a timeout must be a "
                    "number of seconds >= 0, or None for no limit"
                )


#: The session default: five minutes for everything, 30 s per socket connect.
DEFAULT_TIMEOUT: Final = ClientTimeout(total=5 * 60, sock_connect=30)


def _deadline(
    loop: asyncio.AbstractEventLoop, delay: float, ceil_threshold: float
) -> float:
    when = loop.time() + delay
    return math.ceil(when) if delay >= ceil_threshold else when


class TimerNoop:
    """A timer that never fires (no timeout configured)."""

    __slots__ = ()

    def __enter__(self) -> TimerNoop:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        return None

    def timeout(self) -> None:  # pragma: no cover - nothing to do
        return None

    def cancel(self) -> None:
        return None


class SharedDeadlines:
    """One loop timer per deadline for many TimerContexts (a session's).

    Deadlines of ``ceil_threshold`` seconds or more are whole seconds of the
    loop clock, so under load many requests share each one. Scheduling a
    loop timer and cancelling it again for every request costs about 8 % of
    a keep-alive GET; here a request only joins and leaves the group of its
    deadline. When a deadline passes, every timer still in its group fires,
    in the order the timers joined, as separate loop timers would have.
    A group that empties cancels its loop timer.
    """

    __slots__ = ("_groups", "_loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        # deadline -> (its loop timer, the TimerContexts waiting for it)
        self._groups: dict[
            float, tuple[asyncio.TimerHandle, dict[TimerContext, None]]
        ] = {}

    def join(self, when: float, timer: TimerContext) -> None:
        group = self._groups.get(when)
        if group is None:
            handle = self._loop.call_at(when, self._fire, when)
            group = self._groups[when] = (handle, {})
        group[1][timer] = None

    def leave(self, when: float, timer: TimerContext) -> None:
        group = self._groups.get(when)
        if group is None:
            return
        handle, timers = group
        timers.pop(timer, None)
        if not timers:
            handle.cancel()
            del self._groups[when]

    def _fire(self, when: float) -> None:
        group = self._groups.pop(when, None)
        if group is not None:
            for timer in list(group[1]):
                timer.timeout()


class TimerContext:
    """A deadline shared by every task that enters it; see the module docstring."""

    __slots__ = ("_cancelled", "_group", "_handle", "_loop", "_tasks", "_when")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._tasks: list[asyncio.Task[object]] = []
        self._cancelled = False
        self._handle: Optional[asyncio.TimerHandle] = None
        self._group: Optional[SharedDeadlines] = None
        self._when = 0.0

    @classmethod
    def start(
        cls,
        loop: asyncio.AbstractEventLoop,
        delay: Optional[float],
        ceil_threshold: float = 5,
        shared: Optional[SharedDeadlines] = None,
    ) -> TimerContext | TimerNoop:
        """A timer firing ``delay`` seconds from now (a no-op one for None/0).

        With ``shared``, a deadline rounded to a whole second joins the
        group of timers with that deadline instead of scheduling its own.
        """
        if not delay:
            return TimerNoop()
        timer = cls(loop)
        when = _deadline(loop, delay, ceil_threshold)
        if shared is not None and delay >= ceil_threshold:
            timer._group = shared
            timer._when = when
            shared.join(when, timer)
        else:
            timer._handle = loop.call_at(when, timer.timeout)
        return timer

    @property
    def expired(self) -> bool:
        """True once the deadline has passed."""
        return self._cancelled

    def cancel(self) -> None:
        """Stop the timer: it will not fire any more."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        elif self._group is not None:
            self._group.leave(self._when, self)
            self._group = None

    def timeout(self) -> None:
        """Fire: cancel every task inside the context."""
        self._handle = None
        self._group = None
        self._cancelled = True
        # A task may have entered more than once: cancel it only once.
        for task in dict.fromkeys(self._tasks):
            task.cancel()
        self._tasks.clear()

    def __enter__(self) -> TimerContext:
        task = asyncio.current_task(loop=self._loop)
        if task is None:
            raise RuntimeError(
                "a client timeout timer must be entered inside a task; "
                "run the request from a coroutine"
            )
        if self._cancelled:
            raise asyncio.TimeoutError from None
        self._tasks.append(task)
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        task = asyncio.current_task(loop=self._loop)
        if task in self._tasks:
            self._tasks.remove(task)
        if exc_type is asyncio.CancelledError and self._cancelled:
            # Our own cancellation: undo it so the task's cancel count stays
            # right (3.11+), and report a timeout instead.
            uncancel = getattr(task, "uncancel", None)
            if uncancel is not None:
                uncancel()
            raise asyncio.TimeoutError from exc_val
        return None


class timeout:
    """``with timeout(loop, seconds):`` - a one-off deadline for this block.

    A no-op when ``seconds`` is None or 0. The timer stops when the block ends.
    """

    __slots__ = ("_timer",)

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        delay: Optional[float],
        ceil_threshold: float = 5,
    ) -> None:
        self._timer = TimerContext.start(loop, delay, ceil_threshold)

    def __enter__(self) -> None:
        self._timer.__enter__()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        self._timer.cancel()
        self._timer.__exit__(exc_type, exc_val, exc_tb)

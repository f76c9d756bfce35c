"""The dict-like per-object storage that requests and responses offer."""

from collections.abc import Iterator, MutableMapping
from typing import Any, Optional

__all__ = ("StateMapping",)


class StateMapping(MutableMapping[str, Any]):
    """A mutable mapping over ``self._state``, a dict made on first write.

    Middlewares and handlers keep their own data on a request or a response
    this way (``request["user"] = ...``) without touching its attributes.
    Most requests and responses never store anything, so the dict is only
    created by the first assignment (the server makes two such objects for
    every request).
    """

    __slots__ = ()
    _state: Optional[dict[str, Any]] = None

    def __getitem__(self, key: str) -> Any:
        state = self._state
        if state is None:
            raise KeyError(key)
        return state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        state = self._state
        if state is None:
            state = self._state = {}
        state[key] = value

    def __delitem__(self, key: str) -> None:
        state = self._state
        if state is None:
            raise KeyError(key)
        del state[key]

    def __len__(self) -> int:
        state = self._state
        return 0 if state is None else len(state)

    def __iter__(self) -> Iterator[str]:
        state = self._state
        return iter(()) if state is None else iter(state)

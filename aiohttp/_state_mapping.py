"""The dict-like per-object storage that requests and responses offer."""

from collections.abc import Iterator, MutableMapping
from typing import Any

__all__ = ("StateMapping",)


class StateMapping(MutableMapping[str, Any]):
    """A mutable mapping over ``self._state``, a dict the subclass creates.

    Middlewares and handlers keep their own data on a request or a response
    this way (``request["user"] = ...``) without touching its attributes.
    """

    __slots__ = ()
    _state: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self._state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._state[key] = value

    def __delitem__(self, key: str) -> None:
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[str]:
        return iter(self._state)

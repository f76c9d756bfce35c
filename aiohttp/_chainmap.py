"""A read-only chain of mappings: ``request.config_dict`` looks through apps."""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, Union, overload

__all__ = ("ChainMapProxy",)

_T = TypeVar("_T")


class ChainMapProxy(Mapping[Any, Any]):
    """Look a key up in several mappings in turn; the first one holding it wins.

    Read-only (unlike :class:`collections.ChainMap`): a sub-application's
    handler can read its parents' configuration but not change it.
    """

    __slots__ = ("_maps",)

    def __init__(self, maps: Iterable[Mapping[Any, Any]]) -> None:
        self._maps = tuple(maps)

    def __init_subclass__(cls) -> None:
        raise TypeError(
            f"Inheritance class {cls.__name__} from ChainMapProxy is forbidden: "
            "wrap a ChainMapProxy instead"
        )

    def __getitem__(self, key: Any) -> Any:
        for mapping in self._maps:
            try:
                return mapping[key]
            except KeyError:
                continue
        raise KeyError(key)

    @overload
    def get(self, key: Any) -> Any: ...

    @overload
    def get(self, key: Any, default: _T) -> Union[Any, _T]: ...

    def get(self, key: Any, default: Any = None) -> Any:
        """The value for *key* in the first mapping holding it, else *default*."""
        try:
            return self[key]
        except KeyError:
            return default

    def __len__(self) -> int:
        return len(set().union(*self._maps))

    def __iter__(self) -> Iterator[Any]:
        # Each key once, first occurrence order.
        seen: dict[Any, None] = {}
        for mapping in self._maps:
            for key in mapping:
                seen.setdefault(key, None)
        return iter(seen)

    def __contains__(self, key: object) -> bool:
        return any(key in mapping for mapping in self._maps)

    def __bool__(self) -> bool:
        return any(self._maps)

    def __repr__(self) -> str:
        content = ", ".join(map(repr, self._maps))
        return f"ChainMapProxy({content})"

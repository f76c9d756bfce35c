"""How a :class:`~aiohttp.CookieJar` is written to and read from a file.

The file is JSON (safe to load from anywhere, unlike pickle)::

    {"aiohttp_cookiejar": 1,
     "cookies": [{"name": ..., "value": ..., "coded_value": ...,
                  "domain": ..., "path": ..., "host_only": true,
                  "expires_at": 1767225600.0 or null,
                  "attributes": {"secure": true, "samesite": "Lax", ...}}]}

``expires_at`` is the absolute deadline, so ``Max-Age`` (relative to when
the cookie arrived) is not kept. Files written by older aiohttp versions
(a pickled mapping of ``(domain, path)`` to ``SimpleCookie``) still load,
through an unpickler that refuses every type but the cookie containers.
"""

import contextlib
import dataclasses
import io
import json
import os
import pickle
import tempfile
from collections.abc import Iterable, Mapping
from http.cookies import BaseCookie, CookieError, Morsel
from pathlib import Path
from typing import Any, Final, Optional

from ._cookie_rules import MAX_TIMESTAMP, parse_cookie_date

__all__ = ("CookieRecord", "read_cookie_file", "write_cookie_file")

_FORMAT_KEY: Final = "aiohttp_cookiejar"
_FORMAT_VERSION: Final = 1
# Stored as fields of their own (domain, path) or replaced by expires_at.
_NOT_ATTRIBUTES: Final = frozenset({"domain", "path", "max-age"})
# What a pickle written by an older aiohttp may reference, and nothing else.
_PICKLE_ALLOWED: Final = frozenset(
    {
        ("collections", "defaultdict"),
        ("http.cookies", "SimpleCookie"),
        ("http.cookies", "BaseCookie"),
        ("http.cookies", "Morsel"),
        ("builtins", "dict"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "tuple"),
        ("builtins", "list"),
    }
)


@dataclasses.dataclass(slots=True)
class CookieRecord:
    """One stored cookie: the morsel plus what the jar knows about it.

    *host_only* cookies go back only to the exact host that set them;
    *expires_at* is a POSIX time or None for a session cookie; *created*
    orders cookies of equal path length (RFC 6265 section 5.4).
    """

    morsel: "Morsel[str]"
    host_only: bool
    expires_at: Optional[float]
    created: int = 0


def write_cookie_file(path: Path, records: Iterable[CookieRecord]) -> None:
    """Write *records* to *path* as JSON, replacing the file atomically."""
    cookies = [_record_to_json(record) for record in records]
    text = json.dumps({_FORMAT_KEY: _FORMAT_VERSION, "cookies": cookies}, indent=1)
    # Write a sibling temporary file and rename it over the target, so a
    # crash mid-write never leaves a truncated cookie file behind.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(text)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def read_cookie_file(path: Path, now: float) -> list[CookieRecord]:
    """The unexpired cookies stored in *path* (JSON, or a legacy pickle).

    Raises ValueError naming the file when it is not a cookie jar file.
    """
    data = path.read_bytes()
    try:
        if data[:1] == b"\x80":  # every pickle protocol >= 2 starts so
            records = _records_from_pickle(data)
        else:
            records = _records_from_json(json.loads(data.decode("utf-8")))
    except (ValueError, TypeError, KeyError, CookieError, pickle.UnpicklingError) as e:
        raise ValueError(f"{path} is not a cookie jar file: {e}") from e
    return [r for r in records if r.expires_at is None or r.expires_at > now]


def _record_to_json(record: CookieRecord) -> dict[str, Any]:
    morsel = record.morsel
    attributes = {
        key: value
        for key, value in morsel.items()
        if value and key not in _NOT_ATTRIBUTES
    }
    return {
        "name": morsel.key,
        "value": morsel.value,
        "coded_value": morsel.coded_value,
        "domain": morsel["domain"],
        "path": morsel["path"],
        "host_only": record.host_only,
        "expires_at": record.expires_at,
        "attributes": attributes,
    }


def _records_from_json(document: Any) -> list[CookieRecord]:
    if not isinstance(document, dict) or _FORMAT_KEY not in document:
        raise ValueError(f"no {_FORMAT_KEY!r} marker")
    if document[_FORMAT_KEY] != _FORMAT_VERSION:
        raise ValueError(f"unsupported format version {document[_FORMAT_KEY]!r}")
    records = []
    for item in document["cookies"]:
        morsel: Morsel[str] = Morsel()
        morsel.set(_str(item["name"]), _str(item["value"]), _str(item["coded_value"]))
        attributes = item.get("attributes", {})
        if not isinstance(attributes, dict):
            raise TypeError("cookie attributes must be an object")
        for key, value in attributes.items():
            if key in morsel and key not in _NOT_ATTRIBUTES:
                morsel[key] = value
        morsel["domain"] = _str(item["domain"])
        morsel["path"] = _str(item["path"])
        expires_at = item.get("expires_at")
        if expires_at is not None and not isinstance(expires_at, (int, float)):
            raise TypeError(f"expires_at must be a number, got {expires_at!r}")
        host_only = bool(item.get("host_only", False))
        records.append(
            CookieRecord(
                morsel, host_only, None if expires_at is None else float(expires_at)
            )
        )
    return records


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


class _CookieUnpickler(pickle.Unpickler):
    """Unpickles only cookie containers: a crafted file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _PICKLE_ALLOWED:
            raise pickle.UnpicklingError(
                f"{module}.{name} is not allowed in a cookie jar file"
            )
        return super().find_class(module, name)


def _records_from_pickle(data: bytes) -> list[CookieRecord]:
    loaded = _CookieUnpickler(io.BytesIO(data)).load()
    if not isinstance(loaded, Mapping):
        raise TypeError("legacy cookie file does not hold a mapping")
    records = []
    for key, cookies in loaded.items():
        if not isinstance(key, tuple) or not isinstance(cookies, BaseCookie):
            raise TypeError("legacy cookie file holds unexpected entries")
        key_domain, key_path = key
        for morsel in cookies.values():
            morsel["domain"] = morsel["domain"] or key_domain
            morsel["path"] = morsel["path"] or key_path or "/"
            # The old format kept no deadline of its own: only an absolute
            # Expires can be honoured. It kept no host-only flag either.
            expires = morsel["expires"]
            when = parse_cookie_date(expires) if isinstance(expires, str) else None
            expires_at = None if when is None else min(when, MAX_TIMESTAMP)
            records.append(CookieRecord(morsel, False, expires_at))
    return records

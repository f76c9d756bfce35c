"""``json.dumps(obj)`` with its default arguments, two Python layers shorter.

With every argument at its default, ``json.dumps`` hands the object to
``JSONEncoder.encode``, which calls ``JSONEncoder.iterencode``, which builds
the C encoder (``json.encoder.c_make_encoder``) and runs it. Those two Python
layers cost more than the encoding of a small dict. ``dumps_default`` builds
the same C encoder with the same arguments and runs it directly, so the text,
the exceptions and their messages are exactly ``json.dumps``'s.
:func:`encode_json` uses it where aiohttp's API takes a ``dumps`` argument
that defaults to ``json.dumps`` (``web.json_response``, ``JsonPayload``) and
the caller kept that default.

A fresh encoder per call, as ``iterencode`` makes one: its ``markers`` dict
(the circular-reference check) is then never shared between calls or threads.
Where the C encoder is missing or its signature differs (another Python
implementation or version), ``dumps_default`` is ``json.dumps`` itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ("dumps_default", "encode_json")


def _c_dumps() -> Callable[[Any], str] | None:
    from json import encoder

    # Not in typeshed's json.encoder: looked up, None when _json is missing.
    c_make_encoder: Any = getattr(encoder, "c_make_encoder", None)
    encode_basestring_ascii = encoder.encode_basestring_ascii
    if c_make_encoder is None:  # pragma: no cover - built without _json
        return None
    # json.dumps' defaults: ensure_ascii, check_circular, allow_nan, no
    # indent, separators (", ", ": "), no sort_keys, no skipkeys.
    default = json.JSONEncoder().default

    def dumps(obj: Any) -> str:
        encode = c_make_encoder(
            {}, default, encode_basestring_ascii, None, ": ", ", ", False, False, True
        )
        return "".join(encode(obj, 0))

    sample = {"a": [1, 2.5, None, True, "\u00e9\n"], "b": {"c": float("inf")}}
    try:
        same = dumps(sample) == json.dumps(sample) and dumps("x") == json.dumps("x")
    except Exception:  # pragma: no cover - a different c_make_encoder signature
        return None
    return dumps if same else None


dumps_default: Callable[[Any], str] = _c_dumps() or json.dumps


def encode_json(value: Any, dumps: Callable[[Any], str]) -> str:
    """``dumps(value)``; through ``dumps_default`` when ``dumps`` is json.dumps."""
    return dumps_default(value) if dumps is json.dumps else dumps(value)

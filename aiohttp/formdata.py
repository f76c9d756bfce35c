"""HTML-form bodies: :class:`FormData` builds a urlencoded or multipart payload.

A form is sent as ``application/x-www-form-urlencoded`` unless a field needs
more than a name and a text value (a file, a content type, a file name, a
transfer encoding) or ``default_to_multipart`` is set; then it is sent as
``multipart/form-data`` through :class:`~aiohttp.multipart.MultipartWriter`.
"""

import io
import warnings
from collections import deque
from collections.abc import Iterable
from typing import Any, Optional
from urllib.parse import urlencode

from multidict import CIMultiDict, MultiDict, MultiDictProxy

from . import hdrs
from ._multipart_writer import MultipartWriter
from .payload import BytesPayload, LookupError, Payload, _guess_filename, get_payload

__all__ = ("FormData",)


def _require_str(value: object, what: str) -> None:
    """Refuse a non-str option early, naming it (None means "not given")."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")


class FormData:
    """The fields of a form, turned into a body by calling the instance."""

    def __init__(
        self,
        fields: Iterable[Any] = (),
        quote_fields: bool = True,
        charset: Optional[str] = None,
        *,
        default_to_multipart: bool = False,
    ) -> None:
        self._writer = MultipartWriter("form-data")
        self._fields: list[tuple[MultiDict[str], CIMultiDict[str], Any]] = []
        self._is_multipart = default_to_multipart
        self._is_processed = False
        self._quote_fields = quote_fields
        self._charset = charset
        if isinstance(fields, dict):
            fields = list(fields.items())
        elif not isinstance(fields, (list, tuple)):
            fields = (fields,)
        self.add_fields(*fields)

    @property
    def is_multipart(self) -> bool:
        """Whether the body will be ``multipart/form-data``."""
        return self._is_multipart

    def add_field(
        self,
        name: str,
        value: Any,
        *,
        content_type: Optional[str] = None,
        filename: Optional[str] = None,
        content_transfer_encoding: Optional[str] = None,
    ) -> None:
        """Add one field; a file object (or any of the options) makes the
        form multipart. Bytes without a ``filename`` are sent as a file named
        after the field (deprecated: pass ``filename`` or a BytesIO)."""
        if not isinstance(name, str):
            raise TypeError(f"field name must be a str, got {type(name).__name__}")
        _require_str(filename, "filename")
        _require_str(content_type, "content_type")
        _require_str(content_transfer_encoding, "content_transfer_encoding")
        if isinstance(value, io.IOBase):
            self._is_multipart = True
            if filename is None:
                filename = _guess_filename(value, name)
        elif (
            isinstance(value, (bytes, bytearray, memoryview))
            and filename is None
            and content_transfer_encoding is None
        ):
            warnings.warn(
                "Passing bytes to FormData.add_field() without a filename "
                "makes a file field named after the field; in v4 it will "
                "not. Pass filename= explicitly or wrap the bytes in "
                "io.BytesIO.",
                DeprecationWarning,
                stacklevel=2,
            )
            filename = name
        type_options: MultiDict[str] = MultiDict({"name": name})
        headers: CIMultiDict[str] = CIMultiDict()
        if filename is not None:
            type_options["filename"] = filename
        if content_type is not None:
            headers[hdrs.CONTENT_TYPE] = content_type
        if content_transfer_encoding is not None:
            warnings.warn(
                "content_transfer_encoding is deprecated and will be removed "
                "in v4; pass a BytesPayload with the header set instead",
                DeprecationWarning,
                stacklevel=2,
            )
            headers[hdrs.CONTENT_TRANSFER_ENCODING] = content_transfer_encoding
        if filename is not None or headers:
            self._is_multipart = True  # plain name=value pairs cannot say more
        self._fields.append((type_options, headers, value))

    def add_fields(self, *fields: Any) -> None:
        """Add fields given as file objects, multidicts or ``(name, value)``
        pairs."""
        pending = deque(fields)
        while pending:
            record = pending.popleft()
            if isinstance(record, io.IOBase):
                self.add_field(_guess_filename(record, "unknown") or "unknown", record)
            elif isinstance(record, (MultiDictProxy, MultiDict)):
                pending.extendleft(reversed(list(record.items())))
            elif isinstance(record, (list, tuple)) and len(record) == 2:
                name, value = record
                self.add_field(name, value)
            else:
                raise TypeError(
                    "Only io.IOBase, multidict and (name, value) pairs are "
                    f"allowed as form fields, got {record!r}; use add_field() "
                    "for fields that need options"
                )

    def _gen_form_urlencoded(self) -> BytesPayload:
        # urlencode() takes str, bytes, numbers (via str()) and sequences.
        data = [(options["name"], value) for options, _, value in self._fields]
        charset = self._charset or "utf-8"
        content_type = "application/x-www-form-urlencoded"
        if charset != "utf-8":
            content_type += f"; charset={charset}"
        return BytesPayload(
            urlencode(data, doseq=True, encoding=charset).encode(),
            content_type=content_type,
        )

    def _gen_form_data(self) -> MultipartWriter:
        if self._is_processed:
            raise RuntimeError("Form data has been processed already")
        for type_options, headers, value in self._fields:
            try:
                if hdrs.CONTENT_TYPE in headers:
                    part = get_payload(
                        value,
                        content_type=headers[hdrs.CONTENT_TYPE],
                        headers=headers,
                        encoding=self._charset,
                    )
                else:
                    part = get_payload(value, headers=headers, encoding=self._charset)
            except LookupError:
                raise TypeError(
                    f"Can not serialize value type: {type(value).__name__!r} "
                    f"(field {type_options['name']!r}); pass str, bytes or a "
                    "file object"
                )
            if type_options.get("filename") is not None and part._filename is None:
                part._filename = type_options["filename"]
            part.set_content_disposition(
                "form-data", quote_fields=self._quote_fields, **type_options
            )
            self._writer.append_payload(part)
        self._is_processed = True
        return self._writer

    def __call__(self) -> Payload:
        """The body: a urlencoded BytesPayload or a multipart writer."""
        if self._is_multipart:
            return self._gen_form_data()
        return self._gen_form_urlencoded()

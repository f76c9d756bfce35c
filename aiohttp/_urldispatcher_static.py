"""StaticResource: serves the files of one directory under a URL prefix.

Safety rules, checked before any file is opened:

- the requested name is resolved (symlinks included) and must stay inside
  the directory; with ``follow_symlinks=True`` only the name itself, without
  symlinks, must stay inside.  Anything else, ``..`` escapes, encoded
  ``%2e%2e`` and ``%2f`` (decoded before the check) included, is a 404;
- absolute names are a 403, as in aiohttp; NUL bytes and backslashes a 404;
- directories are a 403 unless ``show_index=True``, which lists them as
  HTML with every name escaped; only regular files are served.

Path resolution touches the file system, so it runs in the default executor.
"""

import asyncio
import base64
import hashlib
import html
import os
import posixpath
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Optional, Union

from yarl import URL

from . import hdrs
from ._urldispatcher_base import (
    AbstractRoute,
    ExpectHandler,
    ResourceRoute,
    UrlMappingMatchInfo,
    quote_path_value,
    requote_path,
    unquote_path_value,
)
from ._urldispatcher_resources import PrefixResource
from .typedefs import Handler, PathLike
from .web_exceptions import HTTPForbidden, HTTPNotFound

if TYPE_CHECKING:
    from .web_request import Request
    from .web_response import StreamResponse

__all__ = ("StaticResource",)

DEFAULT_CHUNK_SIZE = 256 * 1024
_NO_METHODS: frozenset[str] = frozenset()


class StaticResource(PrefixResource):
    """Serves files below *directory* at ``<prefix>/<relative path>``."""

    VERSION_KEY = "v"

    def __init__(
        self,
        prefix: str,
        directory: PathLike,
        *,
        name: Optional[str] = None,
        expect_handler: Optional[ExpectHandler] = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
    ) -> None:
        super().__init__(prefix, name=name)
        self._directory = self._check_directory(directory)
        if not isinstance(chunk_size, int) or chunk_size <= 0:
            raise ValueError(
                f"chunk_size={chunk_size!r} must be a positive int (bytes per read)"
            )
        self._chunk_size = chunk_size
        self._show_index = show_index
        self._follow_symlinks = follow_symlinks
        self._append_version = append_version
        self._expect_handler = expect_handler
        self._routes: dict[str, ResourceRoute] = {
            method: ResourceRoute(
                method, self._handle, self, expect_handler=expect_handler
            )
            for method in (hdrs.METH_GET, hdrs.METH_HEAD)
        }
        self._allowed_methods = set(self._routes)

    @staticmethod
    def _check_directory(directory: PathLike) -> Path:
        try:
            path = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError as exc:
            raise ValueError(
                f"directory={str(directory)!r} does not exist: create it or fix "
                "the path given to add_static()"
            ) from exc
        if not path.is_dir():
            raise ValueError(
                f"directory={str(directory)!r} is not a directory: add_static() "
                "serves the files of a directory"
            )
        return path

    def url_for(  # type: ignore[override]
        self,
        *,
        filename: Union[str, "os.PathLike[str]"],
        append_version: Optional[bool] = None,
    ) -> URL:
        """The URL of *filename* (relative to the directory).

        With *append_version* (default: the resource's setting) a ``v=<hash>``
        query of the file's content is added when the file exists.
        """
        if append_version is None:
            append_version = self._append_version
        name = os.fspath(filename).replace(os.sep, "/").lstrip("/")
        path = requote_path(self._prefix) + "/" + quote_path_value(name)
        url = URL.build(path=path, encoded=True)
        if append_version:
            try:
                file_path = self._resolve(name)
            except (HTTPNotFound, HTTPForbidden):
                return url
            try:
                if file_path.is_file():
                    version = _file_hash(file_path)
                    url = url.with_query({self.VERSION_KEY: version})
            except OSError:  # unreadable: the URL stays usable, unversioned
                pass
        return url

    @property
    def directory(self) -> Path:
        """The directory served (absolute, symlinks resolved)."""
        return self._directory

    def get_info(self) -> dict[str, Any]:
        return {
            "directory": self._directory,
            "prefix": self._prefix,
            "routes": self._routes,
        }

    def set_options_route(self, handler: Handler) -> None:
        """Add an ``OPTIONS`` route (CORS libraries use it)."""
        if hdrs.METH_OPTIONS in self._routes:
            raise RuntimeError(f"An OPTIONS route was already set on {self!r}")
        self._routes[hdrs.METH_OPTIONS] = ResourceRoute(
            hdrs.METH_OPTIONS, handler, self, expect_handler=self._expect_handler
        )
        self._allowed_methods.add(hdrs.METH_OPTIONS)

    def _resolve_sync(
        self, method: str, path: str
    ) -> tuple[Optional[UrlMappingMatchInfo], set[str]]:
        if not self._matches(path):
            return None, set(_NO_METHODS)
        route = self._routes.get(method)
        if route is None:
            return None, self._allowed_methods
        filename = unquote_path_value(path[len(self._prefix) + 1 :])
        return UrlMappingMatchInfo({"filename": filename}, route), self._allowed_methods

    async def resolve(
        self, request: "Request"
    ) -> tuple[Optional[UrlMappingMatchInfo], set[str]]:
        match_info, allowed = self._resolve_sync(
            request.method, request.rel_url.path_safe
        )
        return match_info, set(allowed)

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes.values())

    async def _handle(self, request: "Request") -> "StreamResponse":
        from .web_response import Response

        filename = request.match_info["filename"]
        loop = asyncio.get_running_loop()
        file_path, index = await loop.run_in_executor(None, self._locate, filename)
        if index is not None:
            return Response(text=index, content_type="text/html")
        # Imported here: the file response is only needed once a file is found.
        from .web_fileresponse import (  # type: ignore[import-not-found,unused-ignore]
            FileResponse,
        )

        response: StreamResponse = FileResponse(file_path, chunk_size=self._chunk_size)
        return response

    def _resolve(self, filename: str) -> Path:
        """The file system path for *filename*, or an HTTP error to raise."""
        if "\x00" in filename or "\\" in filename:
            raise HTTPNotFound()
        if PurePosixPath(filename).is_absolute() or Path(filename).anchor:
            raise HTTPForbidden()
        unresolved = self._directory.joinpath(filename)
        try:
            if self._follow_symlinks:
                # Only the name must stay inside; its symlinks may lead out.
                normalized = Path(os.path.normpath(unresolved))
                normalized.relative_to(self._directory)
                return normalized.resolve()
            resolved = unresolved.resolve()
            resolved.relative_to(self._directory)
        except (ValueError, RuntimeError, OSError) as exc:
            # Outside the directory, a symlink loop, or an unreadable link.
            raise HTTPNotFound() from exc
        return resolved

    def _locate(self, filename: str) -> tuple[Path, Optional[str]]:
        """(file to send, None) or (directory, its HTML index); runs in a thread."""
        file_path = self._resolve(filename)
        try:
            if file_path.is_dir():
                if not self._show_index:
                    raise HTTPForbidden()
                return file_path, self._directory_as_html(file_path, filename)
            if file_path.is_file():
                return file_path, None
        except PermissionError as exc:
            raise HTTPForbidden() from exc
        raise HTTPNotFound()

    def _directory_as_html(self, dir_path: Path, filename: str) -> str:
        relative = posixpath.normpath(filename) if filename else ""
        relative = "" if relative == "." else relative.strip("/")
        title = html.escape(f"Index of /{relative}")
        items = []
        for entry in sorted(dir_path.iterdir()):
            label = entry.name + ("/" if entry.is_dir() else "")
            target = f"{relative}/{entry.name}" if relative else entry.name
            href = str(self.url_for(filename=target, append_version=False))
            items.append(
                f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>'
            )
        return (
            f"<html>\n<head>\n<title>{title}</title>\n</head>\n<body>\n"
            f"<h1>{title}</h1>\n<ul>\n" + "\n".join(items) + "\n</ul>\n</body>\n</html>"
        )

    def __repr__(self) -> str:
        name = f"'{self.name}' " if self.name is not None else ""
        return f"<StaticResource {name}{self._prefix} -> {self._directory!r}>"


def _file_hash(path: Path) -> str:
    """URL-safe base64 of the SHA-256 of the file's content (cache busting)."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(DEFAULT_CHUNK_SIZE), b""):
            digest.update(chunk)
    return base64.urlsafe_b64encode(digest.digest()).decode("ascii")

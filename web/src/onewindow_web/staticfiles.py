"""The file system the ``/static`` router reads: a name no file can have is simply not there.

Litestar's local file system lets ``stat`` fail on names the operating system refuses (a NUL
byte: ValueError; longer than NAME_MAX: OSError), and its static router answers those with a
500. Such a name cannot be an asset, so it is a 404 like any other missing file.
"""

from __future__ import annotations

from typing import Any

from litestar.file_system import BaseLocalFileSystem
from litestar.types.file_types import FileInfo


class StaticFileSystem(BaseLocalFileSystem):
    async def info(self, path: Any, **kwargs: Any) -> FileInfo:
        try:
            return await super().info(path, **kwargs)
        except FileNotFoundError:
            raise
        except (ValueError, OSError):  # NUL in the name, name too long, not a directory
            raise FileNotFoundError(path) from None

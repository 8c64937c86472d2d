"""Scrapy's HTTP download handler, imported without the cost of its deprecation shims.

Importing `scrapy.core.downloader.handlers.http11` (which every crawl's engine loads) defines three deprecated
class aliases through `scrapy.utils.deprecate.create_deprecated_class`, which calls `inspect.stack()` only to
name the module the alias lives in. `inspect.stack()` reads the source of every frame on the stack and, for
frames of the import machinery (which belong to no module file), scans all ~950 loaded modules each time:
0.17 s of a crawl's start on a quiet machine (cProfile: 0.94 s of a 4.2 s profiled crawl), for three
`__module__` strings. Here the import runs with that module's `inspect` replaced by one whose `stack()`
returns the frames without reading any source and whose `getmodule()` reads a frame's module by name; every
other name is the real `inspect`'s, and the real one is put back once the handler is imported.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from typing import Any

HANDLER = "scrapy.core.downloader.handlers.http11"


class _FramesOnly(types.ModuleType):
    """`inspect` with a stack() that reads no source (context lines are None) and a frame-aware getmodule()."""

    def __getattr__(self, name: str) -> Any:
        return getattr(inspect, name)

    @staticmethod
    def stack(context: int = 1) -> list[inspect.FrameInfo]:
        frames, frame = [], sys._getframe(1)
        while frame is not None:
            frames.append(inspect.FrameInfo(frame, frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name,
                                            None, None))
            frame = frame.f_back
        return frames

    @staticmethod
    def getmodule(obj: Any, _filename: str | None = None) -> types.ModuleType | None:
        if inspect.isframe(obj):
            return sys.modules.get(obj.f_globals.get("__name__", ""))
        return inspect.getmodule(obj, _filename)


def import_download_handler() -> None:
    """Import Scrapy's HTTP download handler (once a process), its deprecation shims named cheaply."""
    if HANDLER in sys.modules:
        return
    deprecate = importlib.import_module("scrapy.utils.deprecate")
    real = deprecate.inspect
    deprecate.inspect = _FramesOnly("inspect")
    try:
        importlib.import_module(HANDLER)
    finally:
        deprecate.inspect = real

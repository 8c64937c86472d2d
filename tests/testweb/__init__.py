"""The local test web: fictional news outlets served on loopback ports for tests and benchmarks.

    server.py    TestWeb (start/stop, base URLs, request log, sources file, ground truth)
    site.py      Site: an outlet's routes (path -> handler) and the ETag / Last-Modified / 304 rules
    outlets.py   content/<outlet>.toml -> Site (homepage, article pages, feeds, listing page)
    pages.py     one HTML template per outlet, with nav, ads, related links and comments
    feeds.py     RSS 2.0 / RSS 1.0 / RSS 0.91 / Atom / JSON Feed rendering
    broken.py    broken-outlet: malformed feed, 500, 404, slow, PDF, binary, huge page, refused port
    realpages.py archive: saved real pages from ../shared/data/extraction-dev, k copies each
    freeze.py    the demo's outlets rendered into crosswire/demo/data, what `crosswire demo` serves

Run `python -m testweb` to serve it in the foreground.
"""

from __future__ import annotations

from testweb.server import DEFAULT_OUTLETS, RequestLog, TestWeb
from testweb.site import Request, Response, Site

__all__ = ["TestWeb", "RequestLog", "DEFAULT_OUTLETS", "Site", "Request", "Response"]

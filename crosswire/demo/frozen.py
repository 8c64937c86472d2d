"""The demo's outlets as data: data/manifest.json names, per outlet, every path it serves and how.

A route's file holds the body as the test web served it, with its absolute links written as placeholders
(`{{base}}` for the outlet's own base URL, `{{refused}}` for a port nothing listens on), because the ports
are only known when the demo starts. A route may also declare:

    gzip      the file is the plain text; the served body is its gzip (mtime 0, so equal text, equal bytes)
    hold      the answer waits `hold_seconds` (or until the server stops): a page that never finishes in time
    padding   text inserted before a marker until the page passes a size: a huge page not stored as 3 MB

data/sources.toml is the sources file for the outlets, with `{{base:<outlet>}}` for each base URL.
tests/testweb/freeze.py writes all of it from the test web; never edit data/ by hand.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
MANIFEST = "manifest.json"
SOURCES = "sources.toml"
FORMAT = 1                         # bumped when the manifest's shape changes
BASE = "{{base}}"
REFUSED = "{{refused}}"


def source_base(outlet: str) -> str:
    """The placeholder for an outlet's base URL in data/sources.toml."""
    return "{{base:" + outlet + "}}"


@dataclass(frozen=True)
class Padding:
    """Insert `open`, then `item` with {n} = 0, 1, 2, ... until the items pass `min_length`, then `close`."""

    before: str                    # the marker the text goes in front of (its first occurrence)
    open: str
    item: str
    close: str
    min_length: int                # total length of the items, in characters (ASCII, so bytes too)

    def text(self) -> str:
        """The inserted text."""
        items, size, n = [], 0, 0
        while size < self.min_length:
            item = self.item.replace("{n}", str(n))
            items.append(item)
            size += len(item)
            n += 1
        return self.open + "".join(items) + self.close

    def apply(self, body: bytes) -> bytes:
        """`body` with the text inserted before the marker."""
        marker = self.before.encode("ascii")
        return body.replace(marker, self.text().encode("ascii") + marker, 1)


@dataclass(frozen=True)
class FrozenRoute:
    """One path of an outlet: where its body lives and how it is served."""

    path: str                      # exact URL path; the query string is ignored, as the test web does
    file: str                      # relative to the data directory
    status: int
    content_type: str
    last_modified: str | None = None   # an HTTP date, sent as Last-Modified
    conditional: bool = True       # False: never answer 304 (the test web's slow page)
    links: bool = False            # the body holds placeholders to fill in
    gzip: bool = False
    hold: bool = False
    padding: Padding | None = None

    def render(self, raw: bytes, base_url: str, refused_url: str) -> bytes:
        """The body as served: placeholders filled in, padding inserted, then gzipped if declared."""
        body = raw
        if self.links:
            body = body.replace(BASE.encode("ascii"), base_url.encode("ascii"))
            body = body.replace(REFUSED.encode("ascii"), refused_url.encode("ascii"))
        if self.padding is not None:
            body = self.padding.apply(body)
        if self.gzip:
            body = gzip.compress(body, mtime=0)
        return body


@dataclass(frozen=True)
class FrozenOutlet:
    """An outlet's routes, by path."""

    name: str
    routes: dict[str, FrozenRoute]


@dataclass(frozen=True)
class FrozenWeb:
    """Everything the demo serves, in the order its outlets start."""

    outlets: list[FrozenOutlet]
    hold_seconds: float            # how long a `hold` route waits: far longer than the demo's download timeout
    sources_toml: str              # with source_base() placeholders

    def manifest_json(self) -> str:
        """The manifest as written to data/manifest.json (stable: equal webs, equal text)."""
        document = {
            "format": FORMAT,
            "generated_by": "tests/testweb/freeze.py",
            "hold_seconds": self.hold_seconds,
            "outlets": [{"name": o.name, "routes": [_route_json(r) for r in o.routes.values()]}
                        for o in self.outlets],
        }
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def _route_json(route: FrozenRoute) -> dict[str, Any]:
    # Leave out fields at their default, so the manifest stays short and reads as "what is special here".
    defaults = FrozenRoute("", "", 0, "")
    return {k: v for k, v in asdict(route).items()
            if k in ("path", "file", "status", "content_type") or v != getattr(defaults, k)}


def _route(raw: dict[str, Any]) -> FrozenRoute:
    raw = dict(raw)
    if raw.get("padding") is not None:
        raw["padding"] = Padding(**raw["padding"])
    return FrozenRoute(**raw)


def load(data_dir: Path = DATA_DIR) -> FrozenWeb:
    """Read the manifest and the sources template (route bodies are read by `read_body`)."""
    document = json.loads((data_dir / MANIFEST).read_text(encoding="utf-8"))
    if document.get("format") != FORMAT:
        raise ValueError(f"{data_dir / MANIFEST}: manifest format {document.get('format')!r}, expected {FORMAT}")
    outlets = [FrozenOutlet(o["name"], {r["path"]: _route(r) for r in o["routes"]}) for o in document["outlets"]]
    return FrozenWeb(outlets, float(document["hold_seconds"]),
                     (data_dir / SOURCES).read_text(encoding="utf-8"))


def read_body(data_dir: Path, route: FrozenRoute) -> bytes:
    """The stored bytes of a route, before placeholders, padding or gzip."""
    return (data_dir / route.file).read_bytes()


def file_for(outlet: str, path: str) -> str:
    """Where a path's body is stored: <outlet>/<path>, with index.html for a path ending in '/'."""
    if not path.startswith("/") or ".." in path.split("/"):
        raise ValueError(f"not a storable URL path: {path!r}")
    return outlet + (path + "index.html" if path.endswith("/") else path)

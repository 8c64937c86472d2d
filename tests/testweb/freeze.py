"""Freeze the test web's demo outlets into crosswire/demo/data: what `crosswire demo` serves from a wheel.

    python tests/testweb/freeze.py              rewrite crosswire/demo/data
    python tests/testweb/freeze.py OUT_DIR      write the data somewhere else

Every path of every demo outlet is asked in-process (`Site.handle`), its base URL replaced by a placeholder,
and the stored route is then rendered back at the same base URL and checked against the test web's bytes, so
the data is exactly what the test web serves. tests/test_demo.py runs a fresh freeze and compares.
"""

from __future__ import annotations

import argparse
import gzip
import html
import re
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

if __package__ in (None, ""):
    # Run as a script: put tests/ on the path, so `testweb` imports as it does under pytest.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crosswire.demo import frozen  # noqa: E402
from crosswire.demo.server import etag_for  # noqa: E402
from testweb import broken  # noqa: E402
from testweb.outlets_discovery import DiscoverySite  # noqa: E402
from testweb.outlets_events import ALL_EVENT_OUTLETS  # noqa: E402
from testweb.server import DEFAULT_OUTLETS, TestWeb  # noqa: E402
from testweb.site import Request, Response, Site  # noqa: E402

# Feed outlets (every format, and one broken outlet), a sitemap-only and a listing-only outlet, and the
# outlets that cover the same four events from different sides and in English, Arabic and Russian.
DEMO_OUTLETS = [*DEFAULT_OUTLETS, "cedar-post", "harbinger-review", *ALL_EVENT_OUTLETS]
# The broken outlet's slow page answers after a minute: far past the demo's download timeout of 5 s.
HOLD_SECONDS = 60.0
DATA_DIR = Path(__file__).resolve().parents[2] / "crosswire" / "demo" / "data"
HEADERS = {"Content-Type", "Last-Modified", "ETag"}    # what a test web answer may carry; anything else is lost
HREF = re.compile(rb'href="([^"]+)"')


class FreezeError(Exception):
    """The test web serves something the frozen data cannot reproduce."""


def _placeholders(body: bytes, urls: dict[str, str]) -> bytes:
    """`body` with each URL replaced by its placeholder; never a prefix of a longer port number."""
    for url, placeholder in urls.items():
        body = re.sub(re.escape(url.encode("ascii")) + rb"(?![0-9])", placeholder.encode("ascii"), body)
    return body


def _get(site: Site, path: str) -> Response:
    return site.handle(Request("GET", path, "", {}))


def _prefix_paths(site: Site, base_url: str) -> list[str]:
    """Paths served by prefix routes (listing pages), found by following links from each prefix."""
    if not isinstance(site, DiscoverySite):
        return []
    prefixes = list(site.prefixes)
    found: list[str] = []
    queue = list(prefixes)
    while queue:
        path = queue.pop(0)
        if path in found or path in site.routes:
            continue
        response = _get(site, path)
        if response.status != 200:
            raise FreezeError(f"{site.name}{path}: a linked listing page answered {response.status}")
        found.append(path)
        for href in HREF.findall(response.body):
            url = urljoin(base_url + path, html.unescape(href.decode("utf-8")))
            split = urlsplit(url)
            if not url.startswith(base_url + "/") or not any(split.path.startswith(p) for p in prefixes):
                continue
            if split.query:
                raise FreezeError(f"{site.name}: {url} needs its query string, but frozen routes are exact paths")
            queue.append(split.path)
    return found


def _freeze_route(web: TestWeb, outlet: str, path: str, refused_url: str,
                  files: dict[str, bytes]) -> frozen.FrozenRoute:
    site, base_url = web.site(outlet), web.base_url(outlet)
    response = _get(site, path)
    if set(response.headers) - HEADERS:
        raise FreezeError(f"{outlet}{path}: headers {sorted(set(response.headers) - HEADERS)} are not frozen")
    content_type = response.headers["Content-Type"]
    body = response.body
    gzipped = "gzip" in content_type
    if gzipped:
        body = _gunzip(body, f"{outlet}{path}")
    padding = None
    if outlet == "broken-outlet" and path == broken.BAD_ROUTES["huge"][0]:
        padding = frozen.Padding("</body>", broken.HUGE_OPEN, broken.HUGE_COMMENT, broken.HUGE_CLOSE,
                                 broken.HUGE_BYTES)
        body = body.replace(padding.text().encode("ascii"), b"", 1)   # store the page the padding goes into
    if frozen.BASE.encode() in body or frozen.REFUSED.encode() in body:
        raise FreezeError(f"{outlet}{path}: the body already holds a placeholder")
    stored = _placeholders(body, {base_url: frozen.BASE, refused_url: frozen.REFUSED})
    if b"127.0.0.1" in stored:
        raise FreezeError(f"{outlet}{path}: links to another outlet or port, which the demo cannot fill in")
    route_entry = site.routes.get(path)
    route = frozen.FrozenRoute(
        path=path, file=_file(outlet, path, gzipped), status=response.status, content_type=content_type,
        last_modified=response.headers.get("Last-Modified"),
        # A path served by a prefix route has no Route entry; DiscoverySite answers those conditionally.
        conditional=route_entry.conditional if route_entry is not None else True,
        links=stored != body, gzip=gzipped, padding=padding,
        hold=outlet == "broken-outlet" and path == broken.BAD_ROUTES["slow"][0])
    if route.render(stored, base_url, refused_url) != response.body:
        raise FreezeError(f"{outlet}{path}: the frozen route does not render the test web's bytes")
    if response.status == 200 and response.headers.get("ETag") != etag_for(response.body):
        raise FreezeError(f"{outlet}{path}: the demo server would send a different ETag")
    if route.file in files:
        raise FreezeError(f"{outlet}{path}: two paths share the file {route.file}")
    files[route.file] = stored
    return route


def _file(outlet: str, path: str, gzipped: bool) -> str:
    """Where a route's body is stored; a gzipped route's file holds the plain text, so it loses its '.gz'."""
    name = frozen.file_for(outlet, path)
    return name.removesuffix(".gz") if gzipped else name


def _gunzip(body: bytes, where: str) -> bytes:
    """The text inside a gzipped body, checked to compress back to the same bytes (so it can be re-served)."""
    plain = gzip.decompress(body)
    if gzip.compress(plain, mtime=0) != body:
        raise FreezeError(f"{where}: gzip with mtime 0 does not reproduce the served bytes")
    return plain


def freeze_web(files: dict[str, bytes]) -> frozen.FrozenWeb:
    """Render every demo outlet of a running test web; fill `files` (relative path -> bytes)."""
    # slow_seconds=0: the slow page answers at once here; the data declares its hold instead.
    with TestWeb(outlets=DEMO_OUTLETS, slow_seconds=0) as web:
        refused_url = web.bad_urls("broken-outlet")["refused"].removesuffix(broken.BAD_ROUTES["refused"][0])
        outlets = []
        for name in DEMO_OUTLETS:
            site = web.site(name)
            paths = sorted([*site.routes, *_prefix_paths(site, web.base_url(name))])
            routes = {path: _freeze_route(web, name, path, refused_url, files) for path in paths}
            outlets.append(frozen.FrozenOutlet(name, routes))
        sources = _placeholders(web.sources_toml().encode("utf-8"),
                                {web.base_url(n): frozen.source_base(n) for n in DEMO_OUTLETS}).decode("utf-8")
    if "127.0.0.1" in sources:
        raise FreezeError("the sources file points somewhere that is not a demo outlet")
    return frozen.FrozenWeb(outlets, HOLD_SECONDS, sources)


def freeze(out_dir: Path) -> frozen.FrozenWeb:
    """Write the demo's data to `out_dir`, replacing what a previous freeze wrote there."""
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / frozen.MANIFEST).exists():
        raise FreezeError(f"{out_dir} is not empty and holds no {frozen.MANIFEST}: not replacing it")
    files: dict[str, bytes] = {}
    web = freeze_web(files)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Written beside out_dir, then swapped in, so a failed freeze never leaves half the data behind.
    staging = Path(tempfile.mkdtemp(prefix=".freeze-", dir=out_dir.parent))
    for name, data in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(data)
    (staging / frozen.MANIFEST).write_text(web.manifest_json(), encoding="utf-8")
    (staging / frozen.SOURCES).write_text(web.sources_toml, encoding="utf-8")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)
    return web


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, freeze, and say what was written."""
    parser = argparse.ArgumentParser(prog="freeze.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", nargs="?", type=Path, default=DATA_DIR, help=f"default: {DATA_DIR}")
    args = parser.parse_args(argv)
    web = freeze(args.out_dir)
    routes = sum(len(o.routes) for o in web.outlets)
    print(f"froze {len(web.outlets)} outlets, {routes} routes into {args.out_dir}")


if __name__ == "__main__":
    main()

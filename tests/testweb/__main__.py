"""`python -m testweb`: serve the fictional outlets in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from testweb.server import DEFAULT_OUTLETS, TestWeb


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, start the test web, print each outlet's base URL and feeds, wait for Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m testweb", description=__doc__)
    parser.add_argument("--port-base", type=int, default=None,
                        help="serve outlet i on port N+i (default: free ports)")
    parser.add_argument("--outlet", action="append", dest="outlets", metavar="NAME",
                        help=f"serve only this outlet (repeatable); default: {', '.join(DEFAULT_OUTLETS)}")
    parser.add_argument("--real-pages", type=Path, default=None, metavar="DIR",
                        help="also serve saved real pages from DIR (e.g. ../shared/data/extraction-dev)")
    parser.add_argument("--copies", type=int, default=1, help="copies of each real page (default 1)")
    parser.add_argument("--count", type=int, default=None,
                        help="serve this many real pages, copying them as needed (default: 40 x copies)")
    parser.add_argument("--slow-seconds", type=float, default=5.0, help="delay of broken-outlet's slow page")
    parser.add_argument("--sources", type=Path, default=None, metavar="FILE",
                        help="write a crosswire sources file pointing at the outlets to FILE")
    args = parser.parse_args(argv)
    outlets = args.outlets
    if outlets is None and args.real_pages is not None:
        outlets = [*DEFAULT_OUTLETS, "archive"]
    web = TestWeb(outlets, real_pages_dir=args.real_pages, real_pages_copies=args.copies,
                  real_pages_count=args.count,
                  slow_seconds=args.slow_seconds, port_base=args.port_base)
    with web:
        for name in web.outlets:
            print(f"{name:20} {web.base_url(name)}  feeds: {' '.join(web.feed_urls(name))}", flush=True)
        if args.sources:
            args.sources.write_text(web.sources_toml(), encoding="utf-8")
            print(f"sources file written to {args.sources}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", flush=True)


if __name__ == "__main__":
    main()

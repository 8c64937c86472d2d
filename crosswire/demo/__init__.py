"""What `crosswire demo` serves: the test web's fictional outlets frozen as data, and a static server for them.

    frozen.py   data/manifest.json -> FrozenWeb: each outlet's routes, their files, placeholders and the
                declared misbehaviours (a held answer, a padded huge page, gzip)
    server.py   DemoWeb: one HTTP server per outlet on a free loopback port; ETag / Last-Modified / 304
    data/       written by tests/testweb/freeze.py from the test web; a test keeps it equal to a fresh freeze

Imports only the standard library, so the demo needs nothing from tests/.
"""

from __future__ import annotations

from crosswire.demo.server import DemoWeb

__all__ = ["DemoWeb"]

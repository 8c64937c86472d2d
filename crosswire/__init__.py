"""crosswire: gather conflict coverage from many outlets, keep each article once, search and compare it.

The map (each capability has one home; a package imports only the floors below it, and tests/test_layout.py
keeps it so):

    crosswire/core/         types, config, errors, times — imports nothing of ours
    crosswire/extraction/   a page → an Article (pure)
    crosswire/identity/     URL identity and text similarity (pure)
    crosswire/analysis/     stories, comparison, edits (pure)
    storage/                keeping and querying: all the SQL         (installed as crosswire.storage)
    crawlers/               gathering: the Scrapy project, the network (installed as crosswire.crawlers)
    crosswire/exports/      feeds, data files, OPML, reports, charts: read through storage
    crosswire/web/          the web reader (`crosswire serve`)
    crosswire/cli/          the `crosswire` command: parses, calls one library function, prints
    crosswire/demo/         the fictional outlets `crosswire demo` serves, as data
"""

__version__ = "0.2.0"
PROJECT_URL = "https://github.com/crosswire-news/crosswire"

"""Re-publishing: feeds, data files, OPML, comparison reports and charts. Reads through crosswire.storage; the
CLI and the web reader both use it, so a feed is built one way wherever it is served.

    selection.py  the feed of a selection (latest, query, saved search, source, story): its id, title, entries
    formats.py    the feed formats in one table; atom.py, rss.py, jsonfeed.py write them; common.py is shared
    static.py     the static feed tree for cron: one feed per saved search and per source, and an index.html
    data.py       JSON Lines and CSV
    opml.py       the sources list to and from OPML
    report.py     a story's comparison report, as terminal text or one self-contained HTML page
    charts.py     attention charts (PNG, SVG)
"""

"""Imported by the extraction workers' fork server, once, before it forks any of them (crawlers/workers.py).

The fork server is a fresh process (spawned, never forked from the crawl's reactor) that loads extraction and
runs it on a small page here, once; each worker is then forked from it with all of that already done, instead
of every worker importing trafilatura and the rest itself (~0.6 s of CPU each, which a crawl's start paid
twice on two cores). Like the workers it ignores SIGTERM and SIGINT (a stop reaches the whole process group,
and the crawl stops gracefully, waiting for the pages its workers are extracting) and dies with its parent,
the crawling process: multiprocessing keeps a fork server alive as long as any of its workers is, and each
worker dies with the server, so without this a kill -9'd crawl would leave all of them behind.
"""

from crosswire.analysis import storyvec
from crosswire.crawlers.workers import die_with_parent, warm_up_here
from crosswire.extraction.pagedates import parse_dateline

die_with_parent()
warm_up_here()
# dateparser's first parse loads its data and compiles its patterns (0.18 s of CPU); the warm-up page is dated
# in its markup and never gets there, so without this each worker paid it at its first written-out dateline
# (5 of the 40 dev pages have one): workers' CPU of a 40-page crawl 1.85-1.97 s -> 1.58-1.69 s. Here it is
# paid once, beside the crawling process's own imports.
parse_dateline("Published 5 May 2024, 10:00", "en")
# The workers also compute each new article's story features (crawlers/embedder.py): their first call loads
# names and stop lists (~0.06 s of CPU; the modules themselves ~0.01 s on top of extraction's), paid here once.
storyvec.warm_up()

"""Gathering (installed as crosswire.crawlers): the Scrapy project, and everything that talks to the network.

    run.py          crawl(): the lock, recovery after an interrupted run, settings, the reactor, the summary
    settings.py     Scrapy settings: polite defaults, crosswire's own CROSSWIRE_* settings
    spiders/news.py the one spider: which feeds are due, and the funnel every article URL goes through
    context.py      CrawlContext: what the spider and the pipelines share, declared in one place
    items.py        PageItem: a fetched page on its way through the pipelines
    pipelines.py    extraction (in worker processes), the topic filter, storage, topic tags
    workers.py      the extraction process pool, started first and warmed up while Scrapy starts
    pageworker.py   what a worker does with a page: extract it and tag its topics
    feeds.py        feeds: reading RSS/Atom/JSON Feed (pure) and the spider's feed callbacks
    sitemaps.py     sitemaps: reading them (pure) and the spider's sitemap callbacks
    listings.py     listing pages: reading them with CSS selectors (pure) and following them page by page
    entrypoints.py  what every entry point shares: limits, scope, the clock, error records
    schedule.py     when to poll a feed next (pure policy) and the settings that tune it
    traps.py        calendar, faceted and looping URLs (pure)
    failures.py     a failed download → (kind, reason)
    safety.py, robots.py, resolver.py   downloader middlewares and DNS for unattended, polite crawling
    progress.py, logformat.py, summary.py   the live progress line, quieter logs, the one-line summary
    fetch.py        one polite GET outside a crawl (`crosswire extract URL`)
    discover.py     finding an outlet's feeds and sitemaps from its homepage (`crosswire sources add`)
    frontier.py     past one machine: the Redis frontier's keys, what crosses it (JSON), `status --redis`
    coordinator.py  `crawl --redis`: requests go to the frontier, the callbacks and the writing stay here
    worker.py       `crosswire worker`: scrapy-redis's scheduler, fetching and extraction, results back
    politeness.py   the per-site limit and robots.txt every worker shares

The only package that speaks Scrapy; it stores through crosswire.storage and extracts with crosswire.extraction.
"""

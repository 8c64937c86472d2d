"""Scrapy settings for crosswire's crawlers.

Scrapy's polite defaults stay on and are tightened: robots.txt obeyed, AutoThrottle, a small per-domain
concurrency, an identifying User-Agent, timeouts, retries. Every one can be overridden per source in the
sources file (delay, concurrency) or per run with `crosswire crawl -s NAME=VALUE`.
Settings of crosswire's own carry the CROSSWIRE_ prefix.
"""

from crosswire import PROJECT_URL, __version__

BOT_NAME = "crosswire"
SPIDER_MODULES = ["crosswire.crawlers.spiders"]
NEWSPIDER_MODULE = "crosswire.crawlers.spiders"

# Identify ourselves, with a URL a site owner can read about us.
USER_AGENT = f"crosswire/{__version__} (+{PROJECT_URL})"
ROBOTSTXT_OBEY = True
# What a normal client sends besides: some sites (TASS among them) answer 403 to a request without an Accept
# header. HTML first, as a browser asks (article pages are most requests), then the feed and sitemap types, so
# a server that negotiates never answers a feed's URL with "406 Not Acceptable". A source's `language` puts its
# language first in Accept-Language, and its `headers` are added to every request for it
# (crosswire.crawlers.fetch.source_headers); nothing replaces the User-Agent.
DEFAULT_REQUEST_HEADERS = {
    "Accept": ("text/html,application/xhtml+xml,application/rss+xml;q=0.9,application/atom+xml;q=0.9,"
               "application/rdf+xml;q=0.9,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.8"),
    "Accept-Language": "en,*;q=0.5",
}

# Politeness: at most 2 requests at a time to one site, a 1 s base delay, and AutoThrottle to back off
# further when a site slows down.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many asyncio tasks for every response's output; a page yields one item and a feed a
# list of requests, so the default 100 only costs CPU in the crawling process (~40k tasks per 400 pages).
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50%, so requests don't arrive like clockwork
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Give up on slow or huge responses instead of hanging a cron run.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DNS_TIMEOUT = 20
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Failures are recorded in the errors table with their reason; the log need not shout with a traceback.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
REDIRECT_MAX_TIMES = 10

# Resolve names ourselves: ".invalid" (RFC 6761) fails without a network query, and CROSSWIRE_HOSTS can
# pin host names to addresses (the local test web uses it).
TWISTED_DNS_RESOLVER = "crosswire.crawlers.resolver.PinnedResolver"
CROSSWIRE_HOSTS: dict[str, str] = {}

# No cookies: news pages don't need them and they only make sessions sticky.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
LOG_FORMATTER = "crosswire.crawlers.logformat.QuietLogFormatter"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

ITEM_PIPELINES = {
    "crosswire.crawlers.pipelines.ExtractPipeline": 300,
    # tag topics; drop off-topic articles of only_topics sources
    "crosswire.crawlers.pipelines.TopicFilterPipeline": 500,
    "crosswire.crawlers.pipelines.StorePipeline": 800,
    "crosswire.crawlers.pipelines.TopicTagPipeline": 850,      # store the topic tags of the stored article
}
# Safety for unattended runs (crawlers/safety.py): Retry-After honoured on 429/503 (before RetryMiddleware,
# 550, sees the response), and an optional refusal of non-public addresses checked before anything else.
DOWNLOADER_MIDDLEWARES = {
    "crosswire.crawlers.safety.SchemeGuardMiddleware": 40,
    # Scrapy 2.19 lets some requests sent while robots.txt loads skip it; crawlers/robots.py fixes that.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crosswire.crawlers.robots.SafeRobotsTxtMiddleware": 100,
    "crosswire.crawlers.safety.BlockPrivateAddressesMiddleware": 50,
    "crosswire.crawlers.safety.RetryAfterMiddleware": 560,
    "crosswire.crawlers.safety.ScriptRefreshMiddleware": 585,
    "crosswire.crawlers.safety.RedirectLoopMiddleware": 610,
}
# Only http(s) is ever fetched: Scrapy's file://, ftp://, s3:// and data: handlers are switched off, so even a
# request that slipped past the scheme guard could not read a local file or hang on FTP.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}

# Hosted setups: refuse requests (redirects included) to private, loopback and link-local addresses.
CROSSWIRE_BLOCK_PRIVATE = False

EXTENSIONS = {
    "crosswire.crawlers.progress.CrawlProgress": 500,
}

# The longest a crawl runs (seconds): past it the crawl stops as if told to (requests in flight finish within
# their timeout) and what it did not fetch stays due. A cron run must never block the next ones for ever.
CROSSWIRE_MAX_RUN = 3 * 3600
CLOSESPIDER_TIMEOUT = CROSSWIRE_MAX_RUN

# How long (seconds) a write waits for another writer (`crosswire stories recluster`, a backup) before it is
# retried; a write still refused after its retries is an error, and its article stays due.
CROSSWIRE_BUSY_TIMEOUT = 30.0

# Where to store (set by `crosswire crawl`).
CROSSWIRE_DB = None
# Extraction worker processes; 0 extracts in the crawling process (slower, simpler to debug).
CROSSWIRE_EXTRACT_WORKERS = 2
# Show a live progress display (set by the CLI when stdout is a terminal).
CROSSWIRE_PROGRESS = False

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
# Scrapy starts this many asyncio tasks (and one more) for every response's output, to run its items through
# the pipelines side by side. An article page yields one item and a feed, sitemap or listing only requests, so
# more than one only costs CPU in the crawling process: creating the tasks was ~5 % of it at 8.
CONCURRENT_ITEMS = 1
# Scrapy stops downloading while the pages its pipelines hold add up to more than this (default 5 MB). A page
# is held until its worker has extracted it and it is stored, so at 5 MB a few large pages (real ones reach
# 1.5 MB) stalled the downloads while both workers still had work queued, and the workers then waited for the
# next downloads: 141 real pages from the loopback test web took 2.32 s in the reactor at 5 MB, 1.86 s at
# 20 MB (four alternating runs each; 50 and 100 MB no faster). 20 MB of page bodies held at most.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 20_000_000
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
# Scrapy checks each callback, on its first call, for a generator that returns a value (a development aid):
# it parses the callback's source with `ast.parse` in the reactor thread. CPython 3.11's AST constructor keeps
# its recursion depth per interpreter, not per thread, so that raced with the crawl's embedder thread, whose
# numpy reads each array header with `ast.literal_eval`: "SystemError: AST constructor recursion depth
# mismatch" on a sitemap, 2 of 6 demo crawls run side by side on a busy machine. crosswire's callbacks are
# tested; the check is off.
WARN_ON_GENERATOR_RETURN_VALUE = False
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
# Scrapy's own middlewares and extensions run on every request, response or item, and Scrapy imports every
# one it lists (even one set to None), so crosswire names the ones it runs in the *_BASE settings instead of
# inheriting Scrapy's defaults; each line says why it stays. Left out of Scrapy 2.19's defaults:
#   OffsiteMiddleware       the spider sets no allowed_domains (scope is checked where links are read)
#   HttpAuthMiddleware      no spider credentials (http_user/http_pass) are ever set
#   CookiesMiddleware       no cookies (COOKIES_ENABLED is off); importing it would still load tldextract
#   DownloaderStats         per-status download counters nothing reads (pages_fetched comes from CoreStats)
#   HttpCacheMiddleware     no HTTP cache: a crawl asks the outlets themselves, with conditional GETs
#   RobotsTxtMiddleware     replaced by crawlers/robots.py (Scrapy 2.19 lets some requests skip robots.txt)
#   MetaRefreshMiddleware   replaced by crawlers/safety.py's, which skips pages without a refresh undecoded
#   MetaCopyDetectionMiddleware   it only warns a spider's author about copied meta keys; ours copies none
#   TelnetConsole, MemoryDebugger, FeedExporter, SpiderState, MemoryUsage, LogCount: off or unused here
#   RemoteControl           an HTTP server that runs Python code sent to it (and imports aiohttp to do so):
#                           an unattended crawl wants no such door, on loopback or not
# tests/test_settings_components.py fails when a Scrapy upgrade adds a component to its defaults, so that
# each new one is kept or left out on purpose.
DOWNLOADER_MIDDLEWARES_BASE = {
    "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,   # DOWNLOAD_TIMEOUT
    "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,     # DEFAULT_REQUEST_HEADERS
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,               # our USER_AGENT
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": 550,                       # RETRY_TIMES
    # gzip/deflate/br/zstd bodies, and DOWNLOAD_MAXSIZE checked after decoding.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 600,                 # 3xx, REDIRECT_MAX_TIMES
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,               # http(s)_proxy variables
}
# crosswire's own (crawlers/safety.py, robots.py): the scheme guard and an optional refusal of non-public
# addresses before anything else, robots.txt, Retry-After honoured on 429/503 (before RetryMiddleware, 550,
# sees the response), script refreshes, and a guard against redirect loops.
DOWNLOADER_MIDDLEWARES = {
    "crosswire.crawlers.safety.SchemeGuardMiddleware": 40,
    # Scrapy 2.19 lets some requests sent while robots.txt loads skip it; crawlers/robots.py fixes that.
    "crosswire.crawlers.robots.SafeRobotsTxtMiddleware": 100,
    "crosswire.crawlers.safety.BlockPrivateAddressesMiddleware": 50,
    "crosswire.crawlers.safety.RetryAfterMiddleware": 560,
    "crosswire.crawlers.safety.ScriptRefreshMiddleware": 585,
    # <meta http-equiv="refresh"> redirects (interstitials, moved pages): Scrapy's, at its priority.
    "crosswire.crawlers.safety.MetaRefreshMiddleware": 580,
    "crosswire.crawlers.safety.RedirectLoopMiddleware": 610,
}
SPIDER_MIDDLEWARES_BASE = {
    "scrapy.spidermiddlewares.start.StartSpiderMiddleware": 25,       # start requests marked, scheduled first
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": 50,     # non-2xx responses go to the errbacks
    "scrapy.spidermiddlewares.referer.RefererMiddleware": 700,        # a Referer, as a browser sends
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": 800,    # absurdly long URLs dropped
    "scrapy.spidermiddlewares.depth.DepthMiddleware": 900,            # request.meta["depth"], read by sitemaps.py
}
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,        # finish_reason and pages fetched, read by the summary
    "scrapy.extensions.closespider.CloseSpider": 0,    # CLOSESPIDER_TIMEOUT: the run's time bound
    "scrapy.extensions.logstats.LogStats": 0,          # a line a minute under -s LOG_LEVEL=INFO
    "scrapy.extensions.throttle.AutoThrottle": 0,      # AUTOTHROTTLE_*
}
EXTENSIONS = {
    "crosswire.crawlers.progress.CrawlProgress": 500,
}

# Only http(s) is ever fetched: Scrapy's file://, ftp://, s3:// and data: handlers are switched off, so even a
# request that slipped past the scheme guard could not read a local file or hang on FTP.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}

# Hosted setups: refuse requests (redirects included) to private, loopback and link-local addresses.
CROSSWIRE_BLOCK_PRIVATE = False

# The longest a crawl runs (seconds): past it the crawl stops as if told to (requests in flight finish within
# their timeout) and what it did not fetch stays due. A cron run must never block the next ones for ever.
CROSSWIRE_MAX_RUN = 3 * 3600
CLOSESPIDER_TIMEOUT = CROSSWIRE_MAX_RUN

# How long (seconds) a write waits for another writer (`crosswire stories recluster`, a backup) before it is
# retried; a write still refused after its retries is an error, and its article stays due.
CROSSWIRE_BUSY_TIMEOUT = 30.0

# Articles are stored in batches, one write transaction each (crawlers/batch.py): at most this many articles,
# committed at most this many seconds after the batch's first (another writer waits no longer for the lock).
CROSSWIRE_STORE_BATCH = 64
CROSSWIRE_STORE_LINGER = 0.5

# Where to store (set by `crosswire crawl`).
CROSSWIRE_DB = None
# Extraction worker processes; 0 extracts in the crawling process (slower, simpler to debug).
CROSSWIRE_EXTRACT_WORKERS = 2
# Show a live progress display (set by the CLI when stdout is a terminal).
CROSSWIRE_PROGRESS = False

# A distributed crawl (`crosswire crawl --redis URL` and `crosswire worker --redis URL`, crawlers/coordinator.py):
# the frontier's Redis (set by `--redis`); a worker whose heartbeat is older than CROSSWIRE_WORKER_TIMEOUT
# seconds is taken for dead and its requests are put back; a coordinator that sees no worker for
# CROSSWIRE_WORKER_WAIT seconds stops (exit 5) rather than wait for its time limit.
CROSSWIRE_REDIS = None
CROSSWIRE_WORKER_TIMEOUT = 20.0
CROSSWIRE_WORKER_WAIT = 600.0

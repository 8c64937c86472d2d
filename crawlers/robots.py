"""robots.txt obeyed by every request, including those sent while robots.txt is still being fetched.

Scrapy 2.19's RobotsTxtMiddleware awaits the pending robots.txt Deferred directly
(`await maybe_deferred_to_future(parser)`, scrapy/scrapy#6802); the first waiter's adapter returns None into
the Deferred's chain, so the third and later requests to a host that arrive before robots.txt is parsed see
no parser and go out unchecked. Each waiter here gets its own Deferred fed from the chain, which passes the
parser on unchanged (the behaviour before #6802).
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class SafeRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware whose concurrent first requests to a host all wait for the same parser."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(_netloc(request))
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred = Deferred()

        def relay(result: RobotParser | None) -> RobotParser | None:
            mine.callback(result)
            return result   # keep the parser in the chain for the next waiter

        pending.addCallback(relay)
        return await maybe_deferred_to_future(mine)


def _netloc(request: Request) -> str:

    return urlparse_cached(request).netloc

"""Security headers for every response, and the check that keeps hostile URLs out of href attributes."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crosswire.identity.urls import web_url

# No script at all: the reader works without JavaScript, so nothing needs 'unsafe-inline' or even 'self'.
CSP = ("default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'; img-src 'self'; style-src 'self'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",     # a reader's searches stay private from the outlets they click through to
    "x-frame-options": "DENY",            # frame-ancestors for browsers that predate CSP 2
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    """Pure ASGI middleware adding HEADERS to every HTTP response (error pages and static files included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def safe_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) URL, else None (a javascript: or data: URL never becomes a link);
    the same check the feeds make (crosswire.identity.urls.web_url), credentials masked."""
    return web_url(url)

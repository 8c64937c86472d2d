"""URL identity: the one canonical form under which an article is stored, and the key its variants share.

    canonical_url(url)   a clean, fetchable URL: no tracking parameters, default port, fragment or AMP marker
    url_key(url)         the identity key every variant of one article shares: canonical_url with the scheme
                         dropped, www./m./amp. host prefixes folded and a trailing slash ignored
    same_site(a, b)      whether a rel=canonical / og:url may be trusted to name the page's identity
    redact(url)          the URL with any user name and password masked, for every place a URL is shown or kept
    redact_text(text)    the same for every URL inside a message (an error reason, a log line)
    has_credentials(url) whether a URL carries a user name or password
    web_url(url)         an http(s) URL safe to make a link of (credentials masked), else None
    unfetchable_reason(url)  why a URL is never fetched (not http(s), no host), or None

Pure functions. courlan does the general normalisation (case, percent-encoding, query order); the rules
news sites need on top of it live here.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit


# Parameters that identify a campaign or a click, never the article.
TRACKING_PARAM = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|"
    r"ref|ref_src|ref_url|cmpid|ito|at_medium|at_campaign|at_custom\d*|ns_source|ns_mchannel|ns_campaign|"
    r"ocid|smid|taid|spm|share|s_cid|xtor|__twitter_impression|rss|from|via|src|feed_id|mkt_tok|"
    r"guccounter|guce_referrer|guce_referrer_sig|cmp|int_source|int_medium|int_campaign|traffic_source)$",
    re.IGNORECASE,
)
# Query parameters that only ask for the AMP rendering of the same article.
AMP_ALWAYS = {"amp", "amp_js_v", "usqp"}
AMP_WHEN_VALUE_IS_AMP = {"outputtype", "output", "format", "view"}
DEFAULT_PORTS = {"http": 80, "https": 443}
# Host prefixes that serve the same article as the bare or www. host.
HOST_VARIANT = re.compile(r"^(www\d*|m|mobile|amp|amp-[a-z0-9-]+)\.", re.IGNORECASE)
MASK = "***"
# scheme://userinfo@ in running text: the userinfo is everything up to the last @ before the host part.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/?#\s]*@)")


def _is_amp_param(key: str, value: str) -> bool:
    key = key.lower()
    return key in AMP_ALWAYS or (key in AMP_WHEN_VALUE_IS_AMP and value.lower() == "amp")


def _strip_amp_path(path: str) -> str:
    """/amp/x, /x/amp, /x/amp/, x.amp.html and x.amp: the AMP rendering's path -> the article's path."""
    segments = path.split("/")
    kept = [s for s in segments[1:] if s.lower() != "amp"]
    out = []
    for segment in kept:
        lower = segment.lower()
        if lower.endswith(".amp.html"):
            segment = segment[: -len(".amp.html")] + ".html"
        elif lower.endswith(".amp") and len(segment) > 4:
            segment = segment[:-4]
        out.append(segment)
    result = "/" + "/".join(out)
    return result if result != "//" else "/"


def _strip_amp_host(host: str) -> str:
    return host[4:] if host.startswith("amp.") and host.count(".") >= 2 else host


# A crawl computes the canonical form and identity key of the same few URLs many times over (lookups,
# variants, the pipeline's pending links); both are pure, so the recent ones are remembered.
@functools.lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """The canonical form of `url`: lowercased scheme and host, no default port, no fragment, no tracking
    or AMP parameters, no AMP path marker or amp. host, remaining query parameters sorted."""
    # why here: courlan brings urllib3 and its URL tables (~70 ms of imports) that a command which never
    # canonicalises a URL (a crawl whose feeds all answer 304, a search) does not need
    from courlan import normalize_url

    url = url.strip()
    try:
        normalized = normalize_url(url)
    except ValueError:
        normalized = url
    parts = urlsplit(normalized)
    scheme = parts.scheme.lower()
    host = _strip_amp_host((parts.hostname or "").lower())
    try:
        port = parts.port if parts.port and DEFAULT_PORTS.get(scheme) != parts.port else None
    except ValueError:  # a port that is not a number: keep the URL's host alone
        port = None
    netloc = f"{host}:{port}" if port else host
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAM.match(k) and not _is_amp_param(k, v)]
    path = _strip_amp_path(parts.path or "/")
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def site_key(url: str) -> str:
    """The site a URL belongs to: host without a www./m./amp. prefix, plus a non-default port."""
    parts = urlsplit(url.strip())
    host = HOST_VARIANT.sub("", (parts.hostname or "").lower())
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    if port and DEFAULT_PORTS.get(scheme) != port:
        return f"{host}:{port}"
    return host


@functools.lru_cache(maxsize=4096)
def url_key(url: str) -> str:
    """The identity key shared by every variant of one article's URL (scheme, www./m./amp., slash folded)."""
    canon = urlsplit(canonical_url(url))
    path = canon.path.rstrip("/") or "/"
    key = site_key(urlunsplit(canon)) + path
    return f"{key}?{canon.query}" if canon.query else key


def same_site(a: str, b: str) -> bool:
    """Whether two URLs belong to the same site (host without www./m./amp., and the same non-default port)."""
    site_a = site_key(a)
    return site_a != "" and site_a == site_key(b)


FETCHED_SCHEMES = ("http", "https")


def unfetchable_reason(url: str) -> str | None:
    """Why crosswire will not fetch `url`, or None when it may: only http(s) URLs with a host are fetched,
    whatever a feed, sitemap, listing, redirect or xml:base says (file:, ftp:, mailto:, javascript:, data:
    would read local files, hang on protocols nobody polices, or mean nothing)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "not a URL"
    scheme = parts.scheme.lower()
    if scheme not in FETCHED_SCHEMES:
        return f"unsupported URL scheme {scheme + ':' if scheme else '(none)'} (only http and https are fetched)"
    if not parts.hostname:
        return "URL has no host"
    return None


def has_credentials(url: str) -> bool:
    """Whether `url` carries a user name or a password (`https://user:secret@host/`)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "@" in url
    return "@" in parts.netloc


def redact(url: str) -> str:
    """`url` with its user name and password replaced by ***, so no credential is ever shown or stored; a URL
    without any is returned unchanged."""
    return _USERINFO.sub(lambda m: m.group(1) + MASK + "@", url)


def _userinfo(url: str) -> str:
    """The `user:password` part of a URL ('' when it has none)."""
    match = _USERINFO.search(url)
    return match.group(2)[:-1] if match and match.start() == 0 else ""


def redact_text(text: str | None, *urls: str | None) -> str | None:
    """`text` with the credentials of every URL in it masked (error reasons quote the URL they failed on); the
    user name and password of `urls` are masked wherever they appear, even outside a URL ("invalid hostname:
    user:secret@host")."""
    if not text:
        return text
    for url in urls:
        secret = _userinfo(url or "")
        if secret:
            forms = {secret, unquote(secret)}
            for part in sorted({*forms, *(piece for form in forms for piece in form.split(":", 1))}, key=len,
                               reverse=True):
                if len(part) >= 3:      # never mask a one-letter user name all over the message
                    text = text.replace(part, MASK)
    return redact(text)


def web_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) URL (credentials masked), else None: a javascript:, data: or
    file: URL never becomes a link in a feed, a page or a report."""
    if not url:
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in FETCHED_SCHEMES or not parts.netloc or any(ch.isspace() for ch in text):
        return None
    return redact(text)

"""URL identity: the one canonical form under which an article is stored. Pure functions."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import courlan

# Parameters that identify a campaign or a click, never the article.
TRACKING_PARAM = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|"
    r"ref|ref_src|ref_url|cmpid|ito|at_medium|at_campaign|at_custom\d*|ns_source|ns_mchannel|ns_campaign|"
    r"ocid|smid|taid|spm|share|s_cid|xtor|__twitter_impression|rss|from|via|src|feed_id|mkt_tok)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The canonical form of `url`: lowercased scheme and host, no default port, no fragment,
    no tracking parameters, remaining query parameters sorted."""
    url = url.strip()
    try:
        normalized = courlan.normalize_url(url)
    except ValueError:
        normalized = url
    parts = urlsplit(normalized)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and DEFAULT_PORTS.get(scheme) != parts.port else None
    netloc = f"{host}:{port}" if port else host
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAM.match(k)]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def same_site(a: str, b: str) -> bool:
    """Whether two URLs belong to the same site (host without a leading www./m.)."""
    def site(u: str) -> str:
        host = (urlsplit(u).hostname or "").lower()
        return re.sub(r"^(www\d*|m|mobile|amp)\.", "", host)

    return site(a) == site(b) and site(a) != ""

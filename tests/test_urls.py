"""URL identity: canonical form, the key every variant shares, and when rel=canonical is trusted."""

from __future__ import annotations

import pytest

from crosswire.identity.urls import canonical_url, same_site, url_key

ARTICLE = "https://www.example.com/world/2026/04/port-strike"


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://WWW.Example.com:443/world/2026/04/port-strike", ARTICLE),
    ("https://www.example.com/world/2026/04/port-strike?utm_source=rss&utm_medium=feed#comments", ARTICLE),
    ("https://www.example.com/world/2026/04/port-strike?fbclid=IwAR0abc&gclid=xyz&mc_cid=1", ARTICLE),
    ("https://www.example.com/amp/world/2026/04/port-strike", ARTICLE),
    ("https://www.example.com/world/2026/04/port-strike/amp", ARTICLE),
    ("https://www.example.com/world/2026/04/port-strike?amp", ARTICLE),
    ("https://www.example.com/world/2026/04/port-strike?outputType=amp", ARTICLE),
    ("https://amp.example.com/world/2026/04/port-strike", "https://example.com/world/2026/04/port-strike"),
    ("https://www.example.com/world/port-strike.amp.html", "https://www.example.com/world/port-strike.html"),
    ("http://example.com:8080/a?b=2&a=1&utm_campaign=x", "http://example.com:8080/a?a=1&b=2"),
    ("https://www.example.com/world/2026/04/amp-rally", "https://www.example.com/world/2026/04/amp-rally"),
    ("https://www.example.com/search?q=amp&page=2", "https://www.example.com/search?page=2&q=amp"),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert expected == canonical_url(url)


@pytest.mark.parametrize("variant", [
    ARTICLE,
    "http://www.example.com/world/2026/04/port-strike/",
    "https://example.com/world/2026/04/port-strike",
    "https://m.example.com/world/2026/04/port-strike?utm_source=twitter",
    "https://mobile.example.com/world/2026/04/port-strike#top",
    "https://www.example.com/amp/world/2026/04/port-strike?amp=1",
    "https://amp.example.com/world/2026/04/port-strike",
])
def test_every_variant_shares_one_key(variant: str) -> None:
    assert "example.com/world/2026/04/port-strike" == url_key(variant)


@pytest.mark.parametrize(("other", "expected"), [
    ("https://example.com/a", "example.com/a"),
    ("https://example.com/a?id=2", "example.com/a?id=2"),
    ("https://example.com/b", "example.com/b"),
    ("https://example.org/a", "example.org/a"),
    ("http://127.0.0.1:8001/a", "127.0.0.1:8001/a"),
])
def test_different_articles_keep_different_keys(other: str, expected: str) -> None:
    assert expected == url_key(other)


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("https://www.example.com/x", "https://m.example.com/y", True),
    ("https://amp.example.com/x", "http://example.com/y", True),
    ("https://example.com/x", "https://wire.example/y", False),
    ("http://127.0.0.1:8001/x", "http://127.0.0.1:8002/x", False),     # two outlets of the test web
    ("http://127.0.0.1:80/x", "http://127.0.0.1/x", True),
    ("not a url", "not a url", False),
])
def test_same_site(a: str, b: str, expected: bool) -> None:
    assert expected == same_site(a, b)

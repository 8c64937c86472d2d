"""Events covered by many outlets: the test web's ground truth for story clustering and comparison.

Eight fictional outlets of different perspectives (content/ev-*.toml) cover four events in early February
2026 with different framing, timing and facts, plus one unrelated article each (two for the wire):

    ariha-market      Syria: air strike on Ariha market (Idlib). Wire first; Russian- and Syrian-state
                      outlets report a strike on militants and leave out the toll of 14 dead.
    zaporizhzhia-grid Ukraine: drones cut power to 120,000 households. Russian-state outlet first.
    jabalia-hospital  Gaza: al-Karama hospital runs out of fuel, 12 newborns at risk. Arab outlet first;
                      only the wire and the Western daily give the Israeli military's "four fuel trucks".
    zamzam-camp       Sudan: shelling of Zamzam camp kills 23; the wire's story is run verbatim by the Arab
                      channel and the regional paper (copies); the Turkish daily leaves out the 23 dead.

Two more outlets write in other languages (LANGUAGE_OUTLETS, with LANGUAGE_EVENTS): an Arabic-language
Lebanese site covers the Ariha strike and the Gaza hospital, a Russian-language state-style outlet the Ariha
strike (as a strike on militants) and Zaporizhzhia, so Ariha is told in English, Arabic and Russian, and the
Gaza hospital is the one event no Russian state outlet carried (a blindspot of "russian-state").

Serve them with `TestWeb(outlets=EVENT_OUTLETS)`; or store the ground truth directly with `store_events`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crosswire.core.article import Article
from crosswire.core.sources import Source
from testweb.outlets import load_outlet

EVENT_OUTLETS = [
    "ev-meridian-wire", "ev-atlantic-herald", "ev-vostok-today", "ev-crescent-24",
    "ev-bosphorus-post", "ev-gulf-mirror", "ev-barada-news", "ev-lakeside-courier",
]

# event -> the (outlet, path) of every article about it, in order of publication.
EVENTS: dict[str, list[tuple[str, str]]] = {
    "ariha-market": [
        ("ev-meridian-wire", "/world/syria-idlib-ariha-market-strike-MPA0203"),
        ("ev-crescent-24", "/news/2026/2/3/massacre-in-ariha-market-idlib"),
        ("ev-bosphorus-post", "/2026/02/03/turkey-condemns-strike-ariha-market"),
        ("ev-atlantic-herald", "/world/2026/02/03/idlib-ariha-market-airstrike"),
        ("ev-vostok-today", "/world/20260203/syria-idlib-militant-command-post-strike.html"),
        ("ev-barada-news", "/en/2026/02/03/army-targets-terrorist-gatherings-idlib-countryside"),
    ],
    "zaporizhzhia-grid": [
        ("ev-vostok-today", "/world/20260204/zaporizhzhia-energy-facilities-strike.html"),
        ("ev-meridian-wire", "/world/ukraine-zaporizhzhia-drone-attack-power-MPA0204"),
        ("ev-atlantic-herald", "/world/2026/02/04/zaporizhzhia-drones-power-outage"),
        ("ev-bosphorus-post", "/2026/02/04/ankara-urges-protection-energy-sites-zaporizhzhia"),
        ("ev-gulf-mirror", "/news/2026/02/04/ukraine-energy-grid-hit-nato-weapons"),
    ],
    "jabalia-hospital": [
        ("ev-crescent-24", "/news/2026/2/5/gaza-al-karama-hospital-goes-dark"),
        ("ev-meridian-wire", "/world/gaza-hospital-fuel-generators-MPA0205"),
        ("ev-gulf-mirror", "/news/2026/02/05/zionist-siege-darkens-gaza-hospital"),
        ("ev-atlantic-herald", "/world/2026/02/05/gaza-jabalia-hospital-fuel"),
        ("ev-bosphorus-post", "/2026/02/05/turkey-field-hospital-gaza-jabalia"),
    ],
    "zamzam-camp": [
        ("ev-meridian-wire", "/world/sudan-darfur-camp-shelling-MPA0206"),
        ("ev-crescent-24", "/news/2026/2/6/shelling-of-darfur-displacement-camp-kills-23"),
        ("ev-lakeside-courier", "/world/2026/02/06/darfur-camp-shelling-kills-23"),
        ("ev-bosphorus-post", "/2026/02/06/turkish-red-crescent-aid-darfur-zamzam"),
        ("ev-atlantic-herald", "/world/2026/02/06/darfur-zamzam-camp-shelling"),
        ("ev-vostok-today", "/world/20260206/sudan-army-rebels-camp-el-fasher.html"),
    ],
}

LANGUAGE_OUTLETS = ["ev-sahil-news", "ev-neva-telegraf"]
ALL_EVENT_OUTLETS = [*EVENT_OUTLETS, *LANGUAGE_OUTLETS]

# event -> the (outlet, path) of the other-language outlets' articles about it: each joins EVENTS[event].
LANGUAGE_EVENTS: dict[str, list[tuple[str, str]]] = {
    "ariha-market": [
        ("ev-sahil-news", "/akhbar/2026/02/03/ghara-souq-ariha"),
        ("ev-neva-telegraf", "/mir/20260203/idlib-komandnyi-punkt.html"),
    ],
    "zaporizhzhia-grid": [("ev-neva-telegraf", "/mir/20260204/zaporozhe-energoobekty.html")],
    "jabalia-hospital": [("ev-sahil-news", "/akhbar/2026/02/05/mustashfa-alkarama-jabalia")],
}

# Verbatim copies of the wire's text: (outlet, path) -> the outlet whose text it carries.
COPIES = {
    ("ev-crescent-24", "/news/2026/2/6/shelling-of-darfur-displacement-camp-kills-23"): "ev-meridian-wire",
    ("ev-lakeside-courier", "/world/2026/02/06/darfur-camp-shelling-kills-23"): "ev-meridian-wire",
}


def fake_base_url(outlet: str) -> str:
    """A stable base URL for storing the ground truth without serving it."""
    return f"https://{outlet}.test"


def outlet_meta(outlet: str) -> dict[str, Any]:
    """country, language, tags and title of an events outlet, as a sources row wants them."""
    data = load_outlet(outlet)
    return {"country": data.country, "language": data.language, "tags": list(data.tags), "title": data.title}


def all_events() -> dict[str, list[tuple[str, str]]]:
    """EVENTS with LANGUAGE_EVENTS joined in: each event's articles in every language."""
    return {event: [*keys, *LANGUAGE_EVENTS.get(event, [])] for event, keys in EVENTS.items()}


def event_articles(outlets: list[str] = EVENT_OUTLETS) -> list[tuple[str, str, Article]]:
    """Every article of these events outlets as (outlet, path, Article), with fake base URLs."""
    out = []
    for name in outlets:
        outlet = load_outlet(name)
        for item in outlet.articles:
            url = fake_base_url(name) + item.path
            out.append((name, item.path, Article(
                url=url, canonical_url=url, title=item.title, authors=list(item.authors),
                published=item.published, language=outlet.language, lede=item.lede, text=item.text,
                section=item.section, site_name=outlet.title)))
    return out


def store_events(db: Any, outlets: list[str] = EVENT_OUTLETS) -> dict[tuple[str, str], int]:
    """Store every article of these events outlets in `db` (sources too), in order of publication; return
    (outlet, path) -> article id."""
    from crosswire.storage.articles import store_article
    from crosswire.storage.feeds import sync_source

    for name in outlets:
        meta = outlet_meta(name)
        sync_source(db, Source(name=name, homepage=fake_base_url(name) + "/", title=meta["title"],
                               country=meta["country"], language=meta["language"], tags=tuple(meta["tags"])))
    ids = {}
    for name, path, article in sorted(event_articles(outlets), key=lambda x: x[2].published or datetime.min):
        ids[(name, path)] = store_article(db, article, source=name).article_id
    return ids

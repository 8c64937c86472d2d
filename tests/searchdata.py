"""A small known archive for search and export tests: fictional outlets in English, Russian and Arabic."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlite_utils

from crosswire.core.article import Article
from crosswire.storage.articles import store_article
from crosswire.storage.feeds import sync_source
from crosswire.core.sources import Source

NOW = datetime(2026, 2, 6, 12, 0, tzinfo=timezone.utc)

SOURCES = [
    dict(name="northwind-wire", title="Northwind Wire", homepage="https://northwind.example/", country="GB",
         language="en", tags=["wire", "western"]),
    dict(name="harbor-post", title="Harbor Post", homepage="https://harborpost.example/", country="US",
         language="en", tags=["western", "private"]),
    dict(name="volga-herald", title="Volga Herald", homepage="https://volgaherald.example/", country="RU",
         language="ru", tags=["russian", "state-media"]),
    dict(name="levant-daily", title="Levant Daily", homepage="https://levantdaily.example/", country="LB",
         language="ar", tags=["arab"]),
]


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc) if text else None


# (source, url path, published, title, lede, text, authors); ids follow this order, 1..9.
ARTICLES = [
    ("northwind-wire", "2026/01/14/depot", "2026-01-14T08:00:00", "Drone strikes hit fuel depot near Deir Ezzor",
     "Several explosions shook the eastern city before dawn.",
     "Drone strikes hit a fuel depot on the southern edge of Deir Ezzor before dawn on Wednesday, residents said.\n\n"
     "Smoke rose over the river for hours. No group claimed the attack.", ["Mara Quill"]),
    ("harbor-post", "world/aid-convoy-hasakah", "2026-01-15T10:30:00",
     "Aid convoy reaches Hasakah after week of delays",
     "Trucks carrying flour and medicine crossed the last checkpoint.",
     "The convoy left Deir Ezzor province a week ago. Drivers said the depot where they loaded was short of fuel.\n\n"
     "Aid workers said the convoy would return next month.", ["Tom Reyes", "Aisha Bar"]),
    ("volga-herald", "news/udary-po-skladu", "2026-01-16T06:00:00", "Удары по складу топлива под Дейр-эз-Зором",
     "Беспилотники атаковали склад на окраине города.",
     "Удары беспилотников пришлись на склад топлива под Дейр-эз-Зором, сообщили местные жители.\n\n"
     "Ответственность за атаку никто не взял.", ["Ирина Лебедева"]),
    ("levant-daily", "news/ghara-dayr", "2026-01-17T09:00:00", "غارات جوية على مستودع وقود قرب دير الزور",
     "انفجارات متتالية هزت أطراف المدينة فجرا.",
     "استهدفت غارات بطائرات مسيرة مستودعا للوقود قرب دير الزور فجر الأربعاء، وفق سكان محليين.", []),
    ("northwind-wire", "2026/02/02/euphrates", "2026-02-02T14:00:00", "Shelling resumes along the Euphrates front",
     "Artillery fire was heard from both banks.",
     "Shelling resumed along the Euphrates on Monday. A convoy of ambulances waited at the bridge.\n\n"
     "Local officials said one strike hit a school; a second convoy turned back, a third convoy waited and a fourth convoy never left.", ["Mara Quill"]),
    ("harbor-post", "wire/drone-strikes-depot", "2026-02-03T07:00:00", "Drone strikes hit fuel depot near Deir Ezzor",
     "Several explosions shook the eastern city before dawn.",
     "Drone strikes hit a fuel depot on the southern edge of Deir Ezzor before dawn on Wednesday, residents said.\n\n"
     "Smoke rose over the river for hours. No group claimed the attack.", ["Mara Quill"]),
    ("volga-herald", "news/ucheniya-flota", "2026-02-05T05:00:00", "Учения флота в Средиземном море",
     "Корабли отработали стрельбы у побережья.",
     "Корабли флота провели учения в восточной части Средиземного моря.", []),
    ("harbor-post", "world/ceasefire-talks", None, "Ceasefire talks stall in Geneva",
     "Delegations left without a date for the next round.",
     "Talks on a ceasefire stalled in Geneva after envoys failed to agree on the agenda.", []),
    ("northwind-wire", "2026/01/20/naval-drill", "2026-01-20T12:00:00", "Naval drill in the eastern Mediterranean",
     "Warships practised live fire off the coast.",
     "Warships held a naval drill in the eastern Mediterranean, firing at towed targets.", ["Lena Ortiz"]),
]
ORIGIN, COPY = 1, 6                     # article 6 is a syndicated copy of article 1
UNDATED, UNDATED_FIRST_SEEN = 8, "2026-02-04T10:00:00+00:00"


def build_archive(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """Fill `db` with the sources and nine articles above; return it."""
    for source in SOURCES:
        sync_source(db, Source(**{k: tuple(v) if isinstance(v, list) else v for k, v in source.items()}))
    for source, path, published, title, lede, text, authors in ARTICLES:
        home = next(s["homepage"] for s in SOURCES if s["name"] == source)
        language = next(s["language"] for s in SOURCES if s["name"] == source)
        article = Article(url=home + path, title=title, lede=lede, text=text, authors=authors,
                          published=_when(published), language=language)
        store_article(db, article, source=source)
    db.execute("update articles set family_id = ?, family_role = 'origin' where id = ?", [ORIGIN, ORIGIN])
    db.execute("update articles set family_id = ?, family_role = 'copy' where id = ?", [ORIGIN, COPY])
    db.execute("update articles set first_seen = ? where id = ?", [UNDATED_FIRST_SEEN, UNDATED])
    return db

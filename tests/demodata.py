"""What `crosswire demo` prints, for the tests that run it (from the source tree and from an installed wheel)."""

from __future__ import annotations

import os
import re
from pathlib import Path

# The README's demo output, whole; {db} is the --db path and the crawl's duration reads <seconds>.
EXPECTED_OUTPUT = """\
Serving 19 fictional outlets on 127.0.0.1: levant-ledger, northern-dispatch, gulf-wire, al-mirsad, \
vestnik-frontira, frontline-review, broken-outlet, cedar-post, harbinger-review, ev-meridian-wire, \
ev-atlantic-herald, ev-vostok-today, ev-crescent-24, ev-bosphorus-post, ev-gulf-mirror, ev-barada-news, \
ev-lakeside-courier, ev-sahil-news, ev-neva-telegraf
18 feeds checked (0 not modified), 72 new articles, 3 duplicates, 0 already stored, 6 errors in \
<seconds>s; 3 sitemaps, 3 listing pages (0 not modified)

72 articles in {db}; the latest 15:
  2026-02-06  ev-vostok-today      Sudan's army says rebels shelled camp near El Fasher
  2026-02-06  ev-atlantic-herald   Paramilitary shelling drives 40,000 from Darfur camp
  2026-02-06  ev-bosphorus-post    Turkish Red Crescent sends aid to families fleeing Darfur camp
  2026-02-06  ev-lakeside-courier  Shelling of Darfur displacement camp kills 23, thousands flee, aid \
group says
  2026-02-06  ev-crescent-24       Shelling of Darfur displacement camp kills 23, thousands flee, aid \
group says
  2026-02-06  ev-meridian-wire     Shelling of Darfur displacement camp kills 23, thousands flee, aid \
group says
  2026-02-06  ev-gulf-mirror       Tehran book fair opens with record number of publishers
  2026-02-05  ev-bosphorus-post    Istanbul derby to go ahead under tight security
  2026-02-05  ev-lakeside-courier  Harbor bridge repairs to close two lanes through March
  2026-02-05  ev-vostok-today      Northern Sea Route sees record winter cargo traffic
  2026-02-05  ev-bosphorus-post    Türkiye offers field hospital as Gaza hospital runs out of fuel
  2026-02-05  ev-neva-telegraf     В Петербурге открылась новая станция метро
  2026-02-05  ev-atlantic-herald   Babies at risk as Gaza hospital runs out of fuel
  2026-02-05  ev-gulf-mirror       Zionist siege darkens Gaza hospital, newborns in danger
  2026-02-05  ev-sahil-news        جباليا: 12 رضيعاً في خطر بعد نفاد الوقود في مستشفى الكرامة

Stories covered by several outlets:
  story 32   8 outlets  en ar ru  Air strike on market in Syria's Idlib province kills 14, rescuers say
  story 33   6 outlets  en ru     Russian drone attack cuts power in Ukraine's Zaporizhzhia, governor says
  story 39   6 outlets  en ar     Gaza hospital generators stop after fuel runs out, health ministry says
  story 45   6 outlets  en        Shelling of Darfur displacement camp kills 23, thousands flee, aid \
group says
  story 19   3 outlets  en        UN aid convoy crosses into northern Aleppo after three-week standoff

Next: crosswire search --db {db} 'water OR hospital'
      crosswire compare --db {db} 32
      crosswire stories --db {db} --blindspot russian-state
      crosswire serve --db {db}
"""


def normalise(output: str) -> str:
    """The demo's output with the crawl's duration (the one part that changes run to run) made constant."""
    return re.sub(r" errors in \d+\.\ds;", " errors in <seconds>s;", output)


def isolated_env(home: Path) -> dict[str, str]:
    """The environment for a demo subprocess: no PYTHONPATH, and user folders under `home`, not the real ones."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
                "XDG_CONFIG_HOME": str(home / "config"), "PYTHONIOENCODING": "utf-8"})
    return env

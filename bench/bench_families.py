"""Copy families: how well they are found, and how fast at a million articles.

    python bench/bench_families.py quality [--bases 400]
        A labelled set: each base article (from sentence templates about fictional events) is republished as
        edited, truncated, re-framed and all-three copies by outlets with their own boilerplate; distinct
        articles about the same event (same places, actors, numbers and phrasing) are the hard negatives.
        Everything is stored and indexed as a crawl would; a pair is predicted "copy" when both articles
        land in one family. Prints precision and recall per kind.

    python bench/bench_families.py scale --n 1000000 [--keep DIR] [--impl before|now] [--more 10000]
        Stores N synthetic articles (1% near-copies) once, then for each implementation (the frozen copy in
        bench/families_before.py, and today's), each on its own copy of them and in a fresh process: times
        `index_new_articles` over all N (docs/s wall and CPU, peak RSS, and the ratio to reading the same
        rows in that process), appends --more articles and times the incremental pass over them; checks both
        found the same families, and gives today's/before's ratios. Then one-article queries (`find_copies`,
        median and p99) and the database sizes. --keep DIR keeps the generated, never-indexed database as
        DIR/families-N.db (and the indexed copies beside it), so the next run skips generating (10+ minutes at 1M).

    python bench/bench_families.py hashing
        Signatures per CPU second: datasketch's MinHash against crosswire.identity.similarity.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crosswire.core.article import Article  # noqa: E402
from crosswire.storage.db import open_db  # noqa: E402
from crosswire.core.sources import Source

# --- a small generator of news-like text about fictional events --------------------------------------------

PLACES = ["Port Selin", "Dovrenko", "Kalmar Ridge", "Brovka", "Ostrava Bay", "Lyman", "Kastor", "Vesna",
          "Taral", "Hollin", "Marek Heights", "Sorvino", "Adrel", "Kuzma", "Belograd", "Istra Point"]
ACTORS = ["the defence ministry", "the regional governor", "the military administration", "the UN humanitarian office",
          "the Red Crescent", "a local monitoring group", "the interior ministry", "the mayor's office",
          "the army's southern command", "an international aid agency"]
TARGETS = ["a grain terminal", "the central market", "a power substation", "a railway depot", "a water pumping station",
           "the river bridge", "a hospital annex", "a fuel depot", "an apartment block", "the bus station"]
WEAPONS = ["drones", "artillery shells", "cruise missiles", "rockets from a multiple launcher", "glide bombs"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# [a|b|c] picks one phrasing: two stories about one event rarely word a fact the same way.
TEMPLATES = [
    "{weapon} [hit|struck|slammed into|damaged] {target} in {place} [on {day}|overnight|early on {day}], {actor} [said|reported|announced].",
    "At least {n1} people were killed and {n2} [wounded|injured|hurt], [according to {actor}|{actor} said|officials told reporters].",
    "{actor} said {n1} [buildings|homes|houses] were damaged and {n2} families had been [moved to shelters|rehoused|evacuated].",
    "Firefighters [worked for|needed|battled the flames for] {n1} hours to [put out|contain|extinguish] the blaze at {target}.",
    "The attack was the {nth} on {place} [this month|since January|in a week], {actor} said [in a statement|on its channel|at a briefing].",
    "Residents said they heard {n1} [explosions|blasts|loud bangs] [shortly after|just before|around] {hour} o'clock.",
    "Power was [cut|lost|knocked out] [to|for] about {n3} households in {place} and [the surrounding villages|nearby towns|its suburbs].",
    "{actor} accused the other side of [deliberately targeting|striking|attacking] civilian [infrastructure|facilities|areas].",
    "The claims could not be independently verified [by reporters|at the time|immediately].",
    "Repairs to {target} would take at least {n1} [weeks|days|months], [engineers estimated|officials said|according to engineers].",
    "Schools in {place} [moved to remote lessons|closed|switched to online classes] for the rest of the [week|month].",
    "{actor} said air defences had [shot down|intercepted|destroyed] {n1} of {n2} {weapon} overnight.",
    "Aid convoys carrying {n3} tonnes of [food|flour|supplies] were expected to reach {place} by {day}.",
    "Local officials appealed for blood donors at the [regional|district|city] hospital [on {day}|after the attack].",
    "The governor declared {day} a day of mourning in {place} [and the district|for the victims|].",
    "Insurers raised war-risk premiums for ships calling at {place} [after the strike|this week|by {n1} percent].",
    "Prices of [bread and fuel|food and medicine|fuel] in {place} have risen by {n1} percent since [the start of the year|the autumn|March].",
    "{actor} said it would ask [international monitors|UN observers|the Red Cross] to visit {place} [within days|next week|soon].",
    "[Video|Footage|Photographs] shared on social media showed [smoke rising above|flames at|a crater near] {target}.",
    "About {n3} people remain in {place}, down from {n4} before the war.",
    "Evacuation buses left {place} on {day} carrying {n2} residents, [most of them elderly|many with children|among them patients].",
    "The ministry in Kastor said its forces had struck [what it called a military target|a command post|an arms depot] near {place}.",
    "Shelling resumed in the [evening|afternoon|night], {actor} said, and a curfew was extended until {hour} in the morning.",
    "Engineers restored water supply to {n1} districts of {place} by {day} [evening|afternoon|night].",
    "A spokesperson for {actor} told [reporters|journalists|a briefing] the situation was [under control|stable|difficult].",
    "The strike came [a day|two days|hours] before talks on a local ceasefire were due to resume.",
    "Traders said the market would reopen on {day} if the damaged hall was declared safe.",
    "Rescue workers [pulled|recovered|freed] {n1} people from the rubble of {target}.",
    "The regional hospital said {n1} of the wounded were in a [serious|critical|stable] condition.",
    "{actor} published [photographs|images|pictures] of [blackened walls|a collapsed roof|shattered windows] at {target}.",
    "Volunteers in {place} handed out {n3} hot meals and {n1} generators to families without power.",
    "Nobody claimed responsibility for the attack on {target} by {day} [night|evening].",
    "Residents of {place} queued for [water|bread|fuel] at [distribution points|a school|the town hall] on {day}.",
    "{actor} said the [damage|destruction|loss] would [hurt|disrupt|delay] [exports|deliveries|the harvest] for months.",
    "Mobile networks in {place} were [down|disrupted|patchy] for {n1} hours after the [attack|strike|shelling].",
    "Trains to {place} were [delayed|cancelled|diverted] while engineers [checked|inspected|repaired] the line.",
]
FRAMES = [
    "Here is what we know so far about the attack in {place}, based on agency reports.",
    "Readers have asked us to follow events in {place} closely. This is the latest.",
    "Our correspondent has been following the situation in {place} since the autumn.",
    "The following report comes from our partners at an international news agency.",
    "Another night of attacks has left {place} counting the cost.",
]


def _fill(template: str, topic: dict[str, str], rng: random.Random) -> str:
    values = dict(topic, n1=str(rng.randint(2, 40)), n2=str(rng.randint(5, 90)), n3=f"{rng.randint(2, 95) * 1000:,}",
                  n4=f"{rng.randint(20, 90) * 1000:,}", hour=str(rng.randint(1, 11)),
                  nth=rng.choice(["second", "third", "fourth", "fifth", "sixth"]),
                  day=rng.choice(DAYS), weapon=rng.choice(WEAPONS))
    text = re.sub(r"\[([^\]]*)\]", lambda m: rng.choice(m.group(1).split("|")), template).format(**values)
    text = re.sub(r"\s+([.,])", r"\1", text)
    return text[0].upper() + text[1:]


def topic(rng: random.Random) -> dict[str, str]:
    """An event: a place, an actor and a target that every article about it mentions."""
    return {"place": rng.choice(PLACES), "actor": rng.choice(ACTORS), "target": rng.choice(TARGETS)}


def article_text(event: dict[str, str], rng: random.Random, sentences: int = 14) -> list[str]:
    """Paragraphs (2-3 sentences each) of an article about `event`."""
    chosen = [_fill(t, event, rng) for t in rng.sample(TEMPLATES, sentences)]
    paragraphs, i = [], 0
    while i < len(chosen):
        size = rng.choice((2, 3))
        paragraphs.append(" ".join(chosen[i:i + size]))
        i += size
    return paragraphs


def _sentences(paragraph: str) -> list[str]:
    return re.split(r"(?<=\.)\s+", paragraph)


def edited(paragraphs: list[str], event: dict[str, str], rng: random.Random) -> list[str]:
    """A sub-editor's pass: two sentences rewritten, numbers changed in two paragraphs, one sentence cut."""
    out = [list(_sentences(p)) for p in paragraphs]
    for _ in range(2):
        p = rng.randrange(len(out))
        s = rng.randrange(len(out[p]))
        out[p][s] = _fill(rng.choice(TEMPLATES), event, rng)
    for p in rng.sample(range(len(out)), 2):
        out[p] = [re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 3)), s, count=1) for s in out[p]]
    p = rng.randrange(len(out))
    if len(out[p]) > 1:
        del out[p][rng.randrange(len(out[p]))]
    return [" ".join(s) for s in out]


def truncated(paragraphs: list[str], rng: random.Random, low: float = 0.35, high: float = 0.65) -> list[str]:
    """The first `low`-`high` share of the paragraphs (at least two)."""
    keep = max(2, round(len(paragraphs) * rng.uniform(low, high)))
    return paragraphs[:keep]


def reframed(paragraphs: list[str], event: dict[str, str], rng: random.Random) -> list[str]:
    """An outlet's own opening paragraph, the body without its last paragraph."""
    return [_fill(rng.choice(FRAMES), event, rng)] + paragraphs[:-1]


@dataclass
class Outlet:
    name: str
    boilerplate: list[str]
    wire: bool = False


def outlets(count: int, rng: random.Random) -> list[Outlet]:
    """Outlets, the first two wires, each closing its articles with its own boilerplate sentences."""
    pleas = ["Follow {n} on Telegram for live updates.", "Support our journalism: subscribe to {n} today.",
             "{n} brings you the news as it happens.", "Download the {n} app for breaking news alerts.",
             "Got a story? Email the {n} newsdesk in confidence.", "This article was provided by a news agency."]
    out = []
    for i in range(count):
        name = f"outlet-{i:03d}"
        picks = [] if i < 2 else [p.format(n=f"Outlet {i}") for p in rng.sample(pleas, rng.choice((1, 2, 3)))]
        out.append(Outlet(name, picks, wire=i < 2))
    return out


def _article(outlet: Outlet, path: str, title: str, paragraphs: list[str], published: str) -> Article:
    from datetime import datetime

    body = paragraphs + ([" ".join(outlet.boilerplate)] if outlet.boilerplate else [])
    return Article(url=f"https://{outlet.name}.example/{path}", title=title, text="\n\n".join(body),
                   published=datetime.fromisoformat(published))


def quality(bases: int = 400, seed: int = 4) -> dict[str, object]:
    """Precision and recall of copy families over a labelled set of copies and same-event distinct articles."""
    from crosswire.storage.articles import store_article
    from crosswire.storage.families import index_new_articles
    from crosswire.storage.feeds import sync_source

    rng = random.Random(seed)
    db = open_db(memory=True)
    shops = outlets(40, rng)
    for o in shops:
        sync_source(db, Source(name=o.name, homepage=f"https://{o.name}.example/", tags=("wire",) if o.wire else ()))
    positives: list[tuple[int, int, str]] = []
    negatives: list[tuple[int, int, str]] = []
    for b in range(bases):
        event = topic(rng)
        base = article_text(event, rng)
        origin_outlet = shops[b % 2]
        origin = store_article(db, _article(origin_outlet, f"b{b}", f"Base {b}", base, "2026-04-12T06:00:00+00:00"),
                               source=origin_outlet.name).article_id
        variants = {
            "edited": edited(base, event, rng),
            "truncated": truncated(base, rng),
            "reframed": reframed(base, event, rng),
            # All three at once, cut less deeply: a copy that keeps a third of a story and rewrites half of
            # that is no longer the same text.
            "all-three": truncated(edited(reframed(base, event, rng), event, rng), rng, 0.5, 0.8),
        }
        kind = rng.choice(list(variants))      # one copy per base keeps the outlets' counts realistic
        shop = rng.choice(shops[2:])
        copy = store_article(db, _article(shop, f"c{b}", f"Copy {b}", variants[kind], "2026-04-12T07:00:00+00:00"),
                             source=shop.name).article_id
        positives.append((origin, copy, kind))
        other_shop = rng.choice(shops[2:])
        other = store_article(db, _article(other_shop, f"d{b}", f"Other {b}", article_text(event, rng),
                                           "2026-04-12T08:00:00+00:00"), source=other_shop.name).article_id
        negatives.append((origin, other, "same event, different story"))
        negatives.append((copy, other, "copy vs different story"))
    started = time.perf_counter()
    index_new_articles(db)
    seconds = time.perf_counter() - started
    family = {r[0]: r[1] for r in db.execute("select id, family_id from articles")}

    def same(a: int, b: int) -> bool:
        return family[a] is not None and family[a] == family[b]

    tp = sum(same(a, b) for a, b, _ in positives)
    fp = sum(same(a, b) for a, b, _ in negatives)
    by_kind: dict[str, list[int]] = {}
    for a, b, kind in positives:
        by_kind.setdefault(kind, []).append(int(same(a, b)))
    return {
        "pairs": len(positives) + len(negatives), "positives": len(positives), "negatives": len(negatives),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0, "recall": round(tp / len(positives), 4),
        "false_positives": fp, "false_negatives": len(positives) - tp,
        "recall_by_kind": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(by_kind.items())},
        "articles": len(family), "index_seconds": round(seconds, 2),
    }


# --- scale ---------------------------------------------------------------------------------------------------

def _vocabulary(size: int, rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(size)]


def generate(db_path: Path, n: int, seed: int = 7, words: int = 350, first: int = 0) -> None:
    """Store n synthetic articles (Zipf-distributed words, 25-word sentences, 200 outlets with boilerplate,
    1% near-copies of an earlier article) straight into the articles table, FTS triggers off for speed.
    With `first`, append articles first..first+n-1 to a database that holds 0..first-1 (near-copies then
    copy its latest articles too)."""
    import numpy as np

    rng = random.Random(seed)
    vocab = np.array(_vocabulary(50_000, rng), dtype=object)
    rng = random.Random(seed + first) if first else rng
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    cdf = np.cumsum(weights / weights.sum())
    nprng = np.random.default_rng(seed + first)
    db = open_db(db_path)
    for trigger in [r[0] for r in db.execute("select name from sqlite_master where type = 'trigger'")]:
        db.execute(f"drop trigger {trigger}")       # the bench measures families, not full-text search
    shops = [f"outlet-{i:03d}" for i in range(200)]
    plea = {s: f"Follow {s} on every platform for live updates. Subscribe to {s} today." for s in shops}
    if not first:
        db["sources"].insert_all([{"name": s, "homepage": f"https://{s}.example/", "tags": "[]"} for s in shops])
    recent: list[str] = [text[: -len(plea[source]) - 1] for source, text in db.execute(
        "select source, text from articles where id > ? and id % 100 != 0 order by id", [first - 5000])]
    chunk = 20_000
    for start in range(first, first + n, chunk):
        rows = []
        count = min(chunk, first + n - start)
        idx = np.searchsorted(cdf, nprng.random((count, words)))
        for j in range(count):
            i = start + j
            shop = shops[i % len(shops)]
            if recent and i % 100 == 99:     # a near-copy: an earlier article, cut and re-framed
                body = "An outlet's own opening sentence about the story. " + " ".join(
                    recent[rng.randrange(len(recent))].split()[: rng.randint(120, words)])
            else:
                tokens = vocab[idx[j]]
                body = ". ".join(" ".join(tokens[k:k + 25]) for k in range(0, words, 25)) + "."
                if len(recent) < 5000:
                    recent.append(body)
                else:
                    recent[rng.randrange(5000)] = body
            rows.append((f"https://{shop}.example/a/{i}", shop, f"Article {i}", body + " " + plea[shop],
                         "2026-04-01T00:00:00+00:00"))
        with db.atomic():
            db.conn.executemany("insert into articles (url, source, title, text, first_seen) values (?, ?, ?, ?, ?)",
                                rows)
    db.close()


IMPLEMENTATIONS = ("before", "now")   # bench/families_before.py (frozen), crosswire.storage.families


def index_only(db_path: Path, impl: str = "now") -> dict[str, float]:
    """Run index_new_articles (today's or the frozen one) on a filled database; report docs/s and peak RSS."""
    if impl == "before":
        from families_before import index_new_articles  # the frozen copy, imported only when asked for
    else:
        from crosswire.storage.families import index_new_articles

    db = open_db(db_path)
    first = db.execute("select coalesce(max(value), 0) from family_index_state where name = 'last_article_id'"
                       ).fetchone()[0]
    # The baseline, in this process just before: reading what the indexer must read anyway (the id, source and
    # text of every article it will index, in id order). It also leaves them equally warm in the OS cache.
    started = time.perf_counter()
    for _ in db.execute("select id, source, text from articles where id > ? order by id", [first]):
        pass
    read_seconds = time.perf_counter() - started
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = index_new_articles(db)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Wall time depends on what else the machine runs; CPU time (this process) does not.
    return {"indexed": summary.indexed, "matched": summary.matched, "seconds": round(seconds, 1),
            "docs_per_second": round(summary.indexed / seconds), "cpu_seconds": round(cpu, 1),
            "docs_per_cpu_second": round(summary.indexed / cpu), "peak_rss_mb": round(peak_mb),
            "peak_rss_before_mb": round(peak_before), "read_seconds": round(read_seconds, 1),
            "x_read": round(seconds / read_seconds, 1), "load_average": os.getloadavg()[0]}


def query_latency(db_path: Path, samples: int = 300, seed: int = 11) -> dict[str, float]:
    """Time find_copies for stored texts (which must find themselves) and for cut copies of them."""
    from crosswire.storage.families import find_copies

    db = open_db(db_path, readonly=True)
    rng = random.Random(seed)
    top = db.execute("select max(id) from articles").fetchone()[0]
    times, found = [], 0
    for _ in range(samples):
        article_id = rng.randint(1, top)
        text, source = db.execute("select text, source from articles where id = ?", [article_id]).fetchone()
        query = " ".join(text.split()[: len(text.split()) * 2 // 3])
        started = time.perf_counter()
        hits = find_copies(db, query, source=source)
        times.append(time.perf_counter() - started)
        found += article_id in {h[0] for h in hits}
    times.sort()
    return {"median_ms": round(times[len(times) // 2] * 1000, 2),
            "p99_ms": round(times[int(len(times) * 0.99)] * 1000, 2),
            "found_itself": f"{found}/{samples}"}


def db_sizes(db_path: Path) -> dict[str, float]:
    """File size and the bytes of the families index tables (dbstat)."""
    import sqlite3

    conn = sqlite3.connect(str(db_path))
    conn.execute("pragma wal_checkpoint(truncate)")
    sizes = {}
    try:
        for name in ("lsh_runs", "lsh_segments", "boilerplate_runs", "boilerplate_segments", "lsh_buckets", "lsh_recent",
                     "boilerplate_sentences", "families",
                     "family_links", "articles"):
            row = conn.execute("select sum(pgsize) from dbstat where name = ? or name like ?",
                               [name, f"sqlite_autoindex_{name}%"]).fetchone()
            if row[0]:
                sizes[f"{name}_mb"] = round(row[0] / 2**20, 1)
    except sqlite3.OperationalError:
        pass  # dbstat not compiled in
    conn.close()
    sizes["file_mb"] = round(os.path.getsize(db_path) / 2**20, 1)
    return sizes


def _index_in_process(db_path: Path, impl: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "_index", str(db_path), "--impl", impl], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _partition(db_path: Path) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    db = open_db(db_path, readonly=True)
    for article_id, family in db.execute("select id, family_id from articles where family_id is not null"):
        groups.setdefault(family, set()).add(article_id)
    db.close()
    return {frozenset(g) for g in groups.values()}


def scale(n: int, keep: Path | None = None, impls: tuple[str, ...] = IMPLEMENTATIONS,
          more: int = 10_000) -> dict[str, object]:
    """Generate N articles once (or reuse DIR/families-N.db), then for each implementation, on its own copy and
    in a fresh process: index them all, then `more` articles appended (an incremental pass); compare the
    families found; time find_copies and report the sizes."""
    keep = keep or Path(tempfile.mkdtemp(prefix="cw-bench-"))
    keep.mkdir(parents=True, exist_ok=True)
    pristine = keep / f"families-{n}.db"
    gen_seconds = None
    if not pristine.exists():
        started = time.perf_counter()
        generate(pristine, n)
        gen_seconds = round(time.perf_counter() - started, 1)
    report: dict[str, object] = {"n": n, "generate_seconds": gen_seconds, "cpus": os.cpu_count()}
    partitions = {}
    for impl in impls:
        work = keep / f"families-{n}-{impl}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(pristine, work)      # generate() closed it: no -wal to carry over
        bulk = _index_in_process(work, impl)
        generate(work, more, first=n)
        report[impl] = {"index": bulk, "incremental": _index_in_process(work, impl), "sizes": db_sizes(work)}
        partitions[impl] = _partition(work)
    if len(partitions) == 2:
        report["same_families"] = partitions["before"] == partitions["now"]
        report["families"] = {impl: len(p) for impl, p in partitions.items()}
        for measure in ("docs_per_second", "docs_per_cpu_second"):
            report[f"now_over_before_{measure}"] = {
                part: round(report["now"][part][measure] / report["before"][part][measure], 2)
                for part in ("index", "incremental")}
    if "now" in impls:
        report["query"] = query_latency(keep / f"families-{n}-now.db")
    return report


def hashing(n: int = 3000, seed: int = 3) -> dict[str, object]:
    """Signatures per second on the same texts: datasketch MinHash (72 permutations, update_batch over
    word 5-gram strings) against crosswire.identity.similarity (numpy batch analysis + one-permutation MinHash)."""
    import datasketch

    from crosswire.identity import similarity as sim

    rng = random.Random(seed)
    texts = ["\n\n".join(article_text(topic(rng), rng, sentences=24)) for _ in range(n)]
    started = time.process_time()
    permutations = datasketch.MinHash(num_perm=sim.NUM_PERM).permutations
    for text in texts[: n // 3]:
        words = re.findall(r"\w+", text.lower())
        m = datasketch.MinHash(num_perm=sim.NUM_PERM, permutations=permutations, scheme="legacy")
        m.update_batch([" ".join(words[i:i + 5]).encode() for i in range(len(words) - 4)])
    ds = (n // 3) / (time.process_time() - started)
    started = time.process_time()
    for i in range(0, n, 1000):
        shingles, anchors = sim.analyse(texts[i:i + 1000]).shingles()
        sim.bucket_keys(sim.signatures(shingles), anchors)
    ours = n / (time.process_time() - started)
    words = sum(len(t.split()) for t in texts) / n
    return {"texts": n, "words_per_text": round(words), "datasketch_docs_per_cpu_second": round(ds),
            "crosswire_docs_per_cpu_second": round(ours)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--bases", type=int, default=400)
    s = sub.add_parser("scale")
    s.add_argument("--n", type=int, default=100_000)
    s.add_argument("--keep", type=Path, default=None, help="keep the generated database in DIR and reuse it")
    s.add_argument("--impl", choices=IMPLEMENTATIONS, action="append", help="only this implementation")
    s.add_argument("--more", type=int, default=10_000, help="articles appended for the incremental pass")
    sub.add_parser("hashing")
    i = sub.add_parser("_index")
    i.add_argument("db", type=Path)
    i.add_argument("--impl", choices=IMPLEMENTATIONS, default="now")
    args = parser.parse_args()
    if args.command == "quality":
        print(json.dumps(quality(args.bases), indent=2))
    elif args.command == "hashing":
        print(json.dumps(hashing(), indent=2))
    elif args.command == "scale":
        print(json.dumps(scale(args.n, args.keep, tuple(args.impl or IMPLEMENTATIONS), args.more), indent=2))
    else:
        print(json.dumps(index_only(args.db, args.impl)))


if __name__ == "__main__":
    main()

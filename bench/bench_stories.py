"""Story clustering: pairwise precision / recall / F1 on generated coverage, and throughput for 100,000 articles.

Usage:  python bench/bench_stories.py [--quality 6000] [--throughput 100000] [--seed 7] [--threshold T]
        python bench/bench_stories.py --pairs ../shared/data/story-pairs-dev/pairs.jsonl [--days 30 --days 1221]

Articles are generated from templates: each event (a kind of incident in one town on one day, with its own
figures and named official) is covered by 1-7 outlets, each writing its own headline, lede and body from
different phrasings and framings, hours apart; some outlets run the first outlet's text verbatim (copies).
Many events of the same kind happen in the same country within days of each other, in different towns: the
hard different-story pairs.

1. quality: cluster `--quality` articles with the real Clusterer; report pairwise precision, recall and F1
   (exact, from the contingency of true events and predicted stories: every pair of articles counts), and
   the same on a labelled pair sample: all same-story pairs plus hard different-story pairs (same kind,
   same country, within 48 hours).
2. throughput: in one run, time (a) the baseline, plain TF-IDF vectorisation of the same texts
   (tokens, counts, IDF, normalised vectors) and (b) the whole clustering (vectors, entities, assignment),
   over `--throughput` articles; report articles/second for each and their ratio.
3. pairs (`--pairs`): real labelled pairs (see bench/story_pairs.py): every article stored in one archive and
   clustered by crosswire.storage.stories.cluster_new, both halves of a pair dated within a day; per language pair,
   whether each pair landed in one story, next to a plain TF-IDF cosine with one threshold.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# The labelled pairs reader lives with the tests (it is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from crosswire.analysis import embedding, textvec  # noqa: E402
from crosswire.analysis.clustering import Clusterer  # noqa: E402
from crosswire.analysis.storyvec import build_docs  # noqa: E402

def _towns() -> dict[str, list[str]]:
    """Every town and region of the bundled gazetteer, grouped in a few pseudo-countries for headlines."""
    from crosswire.analysis.entities import GAZETTEER

    places = sorted(name for name, (kind, _) in GAZETTEER.items() if kind != "country")
    groups = ["Syria", "Ukraine", "Gaza", "Sudan", "Yemen", "Lebanon"]
    return {g: places[i::len(groups)] for i, g in enumerate(groups)}


TOWNS = _towns()
FIRST = ["Ahmad", "Layla", "Oleksandr", "Iryna", "Khalid", "Mariam", "Yusuf", "Fatima", "Dmytro", "Hana",
         "Omar", "Sara", "Viktor", "Nour", "Ibrahim", "Olena", "Tariq", "Amina", "Petro", "Rania"]
LAST = ["Haddad", "Kovalenko", "Mansour", "Shevchenko", "Osman", "Darwish", "Bondarenko", "Saleh", "Hamdan",
        "Tkachenko", "Nasser", "Melnyk", "Abdelrahman", "Karimi", "Rahal", "Hussein", "Lysenko", "Farah"]
# Each event happens at a named site ("the al-Nour school"), as real reports name the market, school or camp.
SITE_NAMES = ["al-Nour", "al-Huda", "Martyrs", "al-Salam", "al-Amal", "al-Rahma", "Victory", "Liberty", "Unity",
              "al-Zahraa", "al-Andalus", "Omar Mukhtar", "Ibn Sina", "al-Quds", "Tishreen", "Independence",
              "al-Wahda", "al-Furqan", "Green Valley", "Sunrise", "al-Karama", "Old Bridge", "al-Bayan", "Cedar"]
ROLES = ["the regional governor", "a civil defence official", "the health ministry spokesperson",
         "a local council member", "the hospital director", "a UN humanitarian official"]

# kind -> (headline variants, lede variants, fact sentences). {t}=town {c}=country {k}=killed {w}=wounded
KINDS = {
    "market-strike": (
        ["Air strike on market in {t} kills {k}", "Warplanes hit crowded {t} market, {k} dead",
         "{k} killed as strike tears through {t} market", "Market bombing in {c}'s {t} leaves {k} dead"],
        ["Rescuers searched the rubble of stalls at the {s} market in {t} after the strike.",
         "At least {k} people were killed and {w} wounded at the market in {t}."],
        ["The strike hit the {s} vegetable market in {t} during the morning rush.",
         "Rescuers said {k} people were killed and {w} wounded.",
         "Several stalls and a bakery next to the market were destroyed.",
         "Residents said the market had been full of shoppers."]),
    "grid-attack": (
        ["Drones knock out power in {t}", "Attack on {t} substation cuts electricity to {n} homes",
         "{n} households without power after strike on {t} grid", "Energy facility in {t} hit overnight"],
        ["About {n} households lost electricity after the attack on a substation near {t}.",
         "Repair crews in {t} are working to restore power supply."],
        ["The drones struck the {s} electricity substation near {t} overnight.",
         "About {n} households lost power and {w} energy workers were injured.",
         "The grid operator said scheduled outages would last several days.",
         "Transformers at the substation were badly damaged."]),
    "hospital-fuel": (
        ["Hospital in {t} runs out of fuel", "Generators stop at {t} hospital, patients at risk",
         "{t} hospital goes dark as fuel runs out", "Fuel shortage shuts down hospital in {t}"],
        ["Doctors at the {s} hospital in {t} switched to backup generators to keep {n} patients alive.",
         "The hospital in {t} has no fuel left for its main generators."],
        ["The main generators of the {s} hospital in {t} stopped after fuel ran out.",
         "{n} patients in intensive care and newborns in incubators are at risk.",
         "Operating theatres at the hospital closed.",
         "Staff said fuel trucks had not reached the hospital for a week."]),
    "camp-shelling": (
        ["Shelling of camp near {t} kills {k}", "Thousands flee camp near {t} after shelling",
         "{k} dead as shells hit displacement camp outside {t}", "Displaced families flee {t} camp under fire"],
        ["About {n} people fled the {s} camp near {t}, aid groups said.",
         "Shells hit the displacement camp outside {t}, killing {k}."],
        ["Artillery shells hit the {s} displacement camp near {t}, killing {k} people.",
         "About {n} people fled the camp on foot.",
         "Aid groups said many of those fleeing were women and children.",
         "Both sides blamed each other for the shelling of the camp."]),
    "convoy": (
        ["Aid convoy reaches {t} after weeks of delay", "{n} trucks of aid enter {t}",
         "UN convoy crosses into {t}", "First aid in weeks arrives in {t}"],
        ["A convoy of {n} trucks carrying food and medicine reached {t}.",
         "Aid agencies said the convoy to {t} was the first in weeks."],
        ["The convoy of {n} trucks carried flour, medicine and blankets to the {s} district of {t}.",
         "Aid workers said the supplies would last only a few days.",
         "The convoy had waited at checkpoints for three weeks.",
         "Residents of {t} queued for hours at distribution points."]),
    "prisoner-swap": (
        ["Prisoner exchange frees {n} near {t}", "{n} detainees swapped in deal brokered near {t}",
         "Prisoner swap at {t} crossing", "Families greet freed prisoners in {t}"],
        ["{n} prisoners were exchanged at a crossing point near {t}.",
         "Mediators said the exchange near {t} could lead to further talks."],
        ["The exchange of {n} prisoners took place at the {s} crossing point near {t}.",
         "Mediators from the Red Cross supervised the swap.",
         "Relatives waited for hours at the crossing.",
         "Officials said a second exchange was being prepared."]),
    "school-strike": (
        ["Strike on school shelter in {t} kills {k}", "School housing displaced families hit in {t}",
         "{k} killed in attack on {t} school", "Shelter in {t} school struck, {k} dead"],
        ["The {s} school in {t} was sheltering displaced families when it was hit.",
         "At least {k} people sheltering in a school in {t} were killed."],
        ["The strike hit the {s} school in {t}, which was sheltering displaced families.",
         "At least {k} people were killed and {w} wounded, medics said.",
         "Classrooms were turned into living quarters months ago.",
         "The military said it had targeted fighters inside the compound."]),
    "flood": (
        ["Floods sweep through {t}", "Heavy rain floods streets of {t}, {k} dead",
         "Flash floods hit {t} camps", "{n} families lose shelters to floods near {t}"],
        ["Heavy rain flooded tents and streets in {t}.",
         "Flooding near {t} destroyed the shelters of {n} families."],
        ["Heavy rain flooded the tents of displaced families at the {s} camp around {t}.",
         "{k} people drowned and {n} families lost their shelters.",
         "Roads into {t} were cut by the water.",
         "Local authorities opened schools as emergency shelters."]),
}
FRAMES = [  # outlet framings: a sentence each adds, so outlets differ in vocabulary as well as phrasing
    "The attack was condemned by Western governments as a violation of international law.",
    "Military sources said the targets were positions used by armed groups.",
    "Regional governments called for restraint and offered to mediate.",
    "Officials accused foreign powers of prolonging the war with weapons deliveries.",
    "Rights groups demanded an independent investigation.",
    "",
]
FILLER = [
    "The war has displaced millions of people since it began.",
    "Humanitarian agencies have warned of worsening conditions this winter.",
    "Talks on a ceasefire have stalled in recent weeks.",
    "Prices of food and fuel have risen sharply this year.",
    "The United Nations says funding for its appeal has fallen short.",
]


def generate(n_articles: int, seed: int, per_day: int = 120) -> list[dict]:
    """Generated articles with a true `event` label, in publication order."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    days = max(1, n_articles // per_day)
    rows: list[dict] = []
    event = 0
    while len(rows) < n_articles:
        event += 1
        kind = rng.choice(list(KINDS))
        country = rng.choice(list(TOWNS))
        town = rng.choice(TOWNS[country])
        heads, ledes, facts = KINDS[kind]
        values = {"t": town, "c": country, "s": rng.choice(SITE_NAMES), "k": rng.randint(3, 60), "w": rng.randint(5, 90),
                  "n": rng.choice([1200, 4000, 15000, 40000, 120000, rng.randint(10, 900)])}
        official = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        role = rng.choice(ROLES)
        t0 = start + timedelta(days=rng.uniform(0, days))
        outlets = rng.choices([1, 2, 3, 4, 5, 6, 7], weights=[3, 2, 3, 3, 2, 1, 1])[0]
        first_text: dict | None = None
        for i in range(outlets):
            when = t0 + timedelta(hours=rng.expovariate(1 / 5) if i else 0)
            if first_text is not None and rng.random() < 0.15:   # a verbatim copy of the first text
                rows.append({**first_text, "id": len(rows) + 1, "time": when.timestamp(), "group": first_text["group"]})
                continue
            body = rng.sample(facts, k=rng.randint(2, 4))
            if rng.random() < 0.7:
                body.append(f"\"The situation is very difficult,\" said {official}, {role}.")
            body.append(rng.choice(FRAMES))
            body += rng.sample(FILLER, k=rng.randint(1, 3))
            rng.shuffle(body)
            row = {"id": len(rows) + 1, "event": event, "time": when.timestamp(),
                   "title": rng.choice(heads).format(**values), "lede": rng.choice(ledes).format(**values),
                   "text": " ".join(s.format(**values) for s in body if s), "group": f"e{event}-{i}",
                   "kind": kind, "country": country}
            rows.append(row)
            first_text = first_text or row
            if len(rows) >= n_articles:
                break
    rows.sort(key=lambda r: (r["time"], r["id"]))
    return rows


def pairwise(truth: dict[int, int], predicted: dict[int, int]) -> tuple[float, float, float]:
    """Exact pairwise precision, recall and F1 of a clustering against the true labels."""
    both = Counter((truth[i], predicted[i]) for i in truth)
    tp = sum(comb(n, 2) for n in both.values())
    pred_pairs = sum(comb(n, 2) for n in Counter(predicted.values()).values())
    true_pairs = sum(comb(n, 2) for n in Counter(truth.values()).values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def labelled_pairs(rows: list[dict]) -> list[tuple[int, int, bool]]:
    """All same-story pairs plus every hard different-story pair (same kind and country within 48 hours)."""
    out = []
    by_kc: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        by_kc.setdefault((row["kind"], row["country"]), []).append(row)
    for group in by_kc.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if b["time"] - a["time"] > 48 * 3600:
                    break
                out.append((a["id"], b["id"], a["event"] == b["event"]))
    return out


def cluster(rows: list[dict], threshold: float | None) -> dict[int, int]:
    """Article id -> story id from the real Clusterer."""
    docs = build_docs(rows)
    clusterer = Clusterer(**({"threshold": threshold} if threshold is not None else {}))
    return {d.id: clusterer.add(d).story_id for d in docs}


def baseline_tfidf(rows: list[dict]) -> None:
    """Plain TF-IDF vectorisation of the same texts: the baseline clustering is measured against."""
    counts = [textvec.term_counts(r["title"], r["lede"], r["text"]) for r in rows]
    idf, unseen = textvec.idf_table(c.keys() for c in counts)
    for c in counts:
        textvec.tfidf(c, idf, unseen)


def main() -> None:
    """Run both measurements and print the figures BENCHMARKS.md quotes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", type=int, default=6000)
    parser.add_argument("--throughput", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--pairs", type=Path, default=None, help="labelled pairs.jsonl: measure on real pairs only")
    parser.add_argument("--days", type=float, action="append", default=None,
                        help="spread the pairs over this many days (repeatable; default 30)")
    parser.add_argument("--folds", type=int, default=5, help="k of the held-out figures (0: none)")
    parser.add_argument("--min-precision", type=float, default=0.86, help="the held-out fits' precision target")
    parser.add_argument("--rounds", type=int, default=0,
                        help="held-out fits averaged over this many bootstrap samples (0: one fit, as shipped)")
    parser.add_argument("--recluster", type=int, default=0,
                        help="store this many generated articles in an SQLite file and time `stories recluster`")
    args = parser.parse_args()
    if args.recluster:
        recluster_report(args.recluster, args.seed)
        return
    if args.pairs:
        pairs_report(args.pairs, args.days or [30.0], args.folds, args.min_precision, args.rounds)
        return

    rows = generate(args.quality, args.seed)
    predicted = cluster(rows, args.threshold)
    truth = {r["id"]: r["event"] for r in rows}
    p, r, f1 = pairwise(truth, predicted)
    pairs = labelled_pairs(rows)
    tp = sum(1 for a, b, same in pairs if same and predicted[a] == predicted[b])
    fp = sum(1 for a, b, same in pairs if not same and predicted[a] == predicted[b])
    fn = sum(1 for a, b, same in pairs if same and predicted[a] != predicted[b])
    lp, lr = tp / max(1, tp + fp), tp / max(1, tp + fn)
    print(f"quality: {len(rows)} articles, {len(set(truth.values()))} events, "
          f"{len(set(predicted.values()))} stories found")
    print(f"  all pairs:      precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}")
    print(f"  labelled pairs: {sum(1 for *_, s in pairs if s)} same-story, {sum(1 for *_, s in pairs if not s)} "
          f"hard different-story; precision {lp:.3f}  recall {lr:.3f}  F1 {2 * lp * lr / max(1e-9, lp + lr):.3f}")

    if args.throughput:
        big = generate(args.throughput, args.seed + 1)
        started, cpu = time.perf_counter(), time.process_time()
        baseline_tfidf(big)
        base, base_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), cpu_seconds()
        for row, vector in zip(big, embedding.embed(big, workers=2)):   # both cores, as clustering does
            row["embedding"] = vector
        emb, emb_cpu = time.perf_counter() - started, cpu_seconds() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        cluster(big, args.threshold)
        full, full_cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU seconds too: on a machine shared with other jobs the wall clock says more about them than us.
        print(f"throughput: {len(big)} articles")
        print(f"  baseline TF-IDF vectorisation: {base:.1f}s wall, {base_cpu:.1f}s CPU "
              f"({len(big) / base_cpu:,.0f} articles per CPU second)")
        print(f"  embeddings (once per article, kept in the archive; 2 processes): {emb:.1f}s wall "
              f"({len(big) / emb:,.0f} articles/s), {emb_cpu:.1f}s CPU ({len(big) / emb_cpu:,.0f} articles per "
              f"CPU second)")
        print(f"  clustering (vectors + entities + assignment, embeddings given): {full:.1f}s wall, {full_cpu:.1f}s "
              f"CPU ({len(big) / full_cpu:,.0f} articles per CPU second), {full_cpu / base_cpu:.2f}x the baseline's "
              f"CPU; peak memory {peak_mb():,.0f} MB")


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished child processes (the embedding workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recluster_report(n: int, seed: int) -> None:
    """Store `n` generated articles in a fresh SQLite file (untimed), then time crosswire.storage.stories.recluster."""
    import tempfile

    from crosswire.core.article import Article
    from crosswire.core.sources import Source
    from crosswire.storage.articles import store_article
    from crosswire.storage.db import open_db
    from crosswire.storage.stories import attach_embeddings, recluster

    from crosswire.storage.feeds import sync_source

    rows = generate(n, seed + 2)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        started = time.perf_counter()
        with db.atomic():
            for i in range(40):
                sync_source(db, Source(name=f"outlet{i}", homepage=f"https://outlet{i}.test/"))
            for row in rows:
                source = f"outlet{row['id'] % 40}"
                store_article(db, Article(url=f"https://{source}.test/a/{row['id']}", title=row["title"],
                                          lede=row["lede"], text=row["text"],
                                          published=datetime.fromtimestamp(row["time"], timezone.utc)),
                              source=source)
        stored = time.perf_counter() - started
        # Each article's embedding is computed once, by the first clustering after the crawl that stored it;
        # a recluster reads them back. Timed apart: the one-off cost of an archive clustered before 0.2.0.
        started, cpu = time.perf_counter(), cpu_seconds()
        attach_embeddings(db, [{"id": r[0], "title": r[1], "lede": r[2], "text": r[3]} for r in db.execute(
            "select id, title, lede, text from articles")])
        print(f"embeddings of {n} stored articles (once per article, 2 processes): "
              f"{time.perf_counter() - started:.1f}s wall, {cpu_seconds() - cpu:.1f}s CPU")
        started, cpu = time.perf_counter(), time.process_time()
        report = recluster(db, progress=None)
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"recluster: {n} articles (stored in {stored:.0f}s, untimed): {took:.1f}s wall, {took_cpu:.1f}s CPU "
              f"({n / took_cpu:,.0f} articles per CPU second), peak memory {peak_mb():,.0f} MB; {report.line()}")


def pairs_report(path: Path, layouts: list[float], k: int, min_precision: float = 0.86, rounds: int = 0) -> None:
    """Per language pair: the shipped model through a real archive, the same with thresholds fitted on the
    other folds (held out), and the TF-IDF-cosine baseline (one threshold: fitted on all, and held out)."""
    import story_pairs as sp
    from fit_stories import bagged_fit, pair_features

    import storypairs

    pairs, articles = storypairs.load(path)
    cos = sp.baseline_cosines(pairs, articles)
    t = sp.best_threshold(pairs, cos)
    results = {"tfidf fitted": storypairs.by_kind(pairs, lambda p: cos[p.id] >= t)}
    if k:
        def one_threshold(train: list) -> object:
            tt = sp.best_threshold(train, cos)
            return lambda p: cos[p.id] >= tt
        held = sp.held_out(pairs, k, one_threshold)
        results["tfidf held-out"] = storypairs.by_kind(pairs, lambda p: held[p.id])
    vectors = sp.pair_vectors(articles)
    feats = pair_features(pairs, articles, vectors=vectors) if k else {}
    fold_params = []
    for part in storypairs.folds(pairs, k) if k else []:
        params = bagged_fit([p for p in pairs if p not in part], feats, min_precision, rounds)
        fold_params.append((part, {key: v for key, v in params.items() if key != "beta"}))
    order = []
    for days in layouts:
        times = storypairs.layout(pairs, days=days)
        started = time.perf_counter()
        story = sp.archive_story_ids(articles, times, vectors=vectors)
        took = time.perf_counter() - started
        name = f"crosswire {days:g}d"
        results[name] = storypairs.by_kind(pairs, lambda p: story[p.a] == story[p.b])
        order.append(name)
        print(f"archive of {len(articles)} articles over {days:g} days: stored and clustered in {took:.1f}s")
        if fold_params:
            held_same: dict[str, bool] = {}
            for part, params in fold_params:
                fold_story = sp.archive_story_ids(articles, times, vectors=vectors, **params)
                held_same.update({p.id: fold_story[p.a] == fold_story[p.b] for p in part})
            results[f"{name} held-out"] = storypairs.by_kind(pairs, lambda p: held_same[p.id])
            order.append(f"{name} held-out")
    order += [n for n in results if n.startswith("tfidf")]
    print(f"pairs: {len(pairs)} from {path}; F1 (precision / recall); tfidf threshold fitted on all: {t:.3f}")
    print("\n".join(sp.table(results, order)))


if __name__ == "__main__":
    main()

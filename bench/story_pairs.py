"""Story clustering on real labelled pairs: the archive run, the TF-IDF baseline and the per-language table.

Every distinct article of the pairs is stored in one in-memory archive through crosswire.storage.articles.store_article
(as a crawl stores it) with the publication time tests/storypairs.py.layout gives it, then clustered by
crosswire.storage.stories.cluster_new (the path `crosswire stories update` takes). A pair is predicted same-story when
both halves end up in one story. The baseline is what the issue measured against: plain TF-IDF cosine of the
two texts with one threshold for every language pair.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The labelled pairs reader lives with the tests (it is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import storypairs  # noqa: E402

from crosswire.analysis import embedding, textvec  # noqa: E402
from crosswire.core.article import Article  # noqa: E402
from crosswire.core.sources import Source  # noqa: E402
from storypairs import Pair, PairArticle, Score  # noqa: E402

DEFAULT_PAIRS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "story-pairs-dev" / "pairs.jsonl"


def archive_story_ids(articles: dict[str, PairArticle], times: dict[str, float], *, lang_meta: bool = False,
                      vectors: dict[str, Any] | None = None, **cluster_kwargs: Any) -> dict[str, int]:
    """Store every article in a fresh in-memory archive, cluster it, and return article key -> story id.
    `vectors` (key -> embedding) are stored first, as an earlier clustering would have: the runs of one
    benchmark then embed each article once."""
    from crosswire.storage.articles import store_article
    from crosswire.storage.db import open_db
    from crosswire.storage.feeds import sync_source
    from crosswire.storage.stories import cluster_new

    db = open_db(memory=True)
    ids: dict[str, int] = {}
    for key in sorted(times, key=lambda k: (times[k], k)):
        art = articles[key]
        url = f"https://outlet-{key}.test/news/{key}"
        sync_source(db, Source(name=f"outlet-{key}", homepage=f"https://outlet-{key}.test/", title=f"Outlet {key}",
                               language=art.lang if lang_meta else None))
        article = Article(url=url, canonical_url=url, title=art.title or None, lede=art.lede or None,
                          text=art.text, published=datetime.fromtimestamp(times[key], timezone.utc),
                          language=art.lang if lang_meta else None)
        ids[key] = store_article(db, article, source=f"outlet-{key}").article_id
    if vectors:
        db.conn.executemany("insert into article_embeddings (article_id, model, vector) values (?, ?, ?)",
                            [(ids[k], embedding.MODEL, embedding.to_blob(vectors[k])) for k in ids])
    cluster_new(db, **cluster_kwargs)
    story = dict(db.execute("select id, story_id from articles").fetchall())
    return {key: story[i] for key, i in ids.items()}


def pair_vectors(articles: dict[str, PairArticle]) -> dict[str, Any]:
    """Article key -> its embedding (crosswire.analysis.embedding), computed once for every run."""
    keys = sorted(articles)
    rows = [{"title": articles[k].title, "lede": articles[k].lede, "text": articles[k].text} for k in keys]
    return dict(zip(keys, embedding.embed(rows, workers=2)))


def baseline_cosines(pairs: list[Pair], articles: dict[str, PairArticle]) -> dict[str, float]:
    """Pair id -> plain TF-IDF cosine of its two texts (IDF over every article of the pairs)."""
    counts = {}
    for key, art in articles.items():
        tf = Counter(textvec.tokens(" ".join((art.title, art.text))))
        counts[key] = {t: 1.0 + math.log(c) for t, c in tf.items()}
    idf, unseen = textvec.idf_table(c.keys() for c in counts.values())
    vectors = {k: textvec.tfidf(c, idf, unseen) for k, c in counts.items()}
    return {p.id: textvec.dot(vectors[p.a], vectors[p.b]) for p in pairs}


def best_threshold(pairs: list[Pair], values: dict[str, float]) -> float:
    """The threshold on `values` (pair id -> score) with the best F1 over `pairs`."""
    candidates = sorted({round(values[p.id], 4) for p in pairs})
    best, best_f1 = 1.0, -1.0
    for t in candidates:
        f1 = storypairs.score(pairs, lambda p: values[p.id] >= t).f1
        if f1 > best_f1:
            best, best_f1 = t, f1
    return best


def held_out(pairs: list[Pair], k: int, fit: Callable[[list[Pair]], Callable[[Pair], bool]]) -> dict[str, Pair]:
    """Held-out predictions: for each of `k` folds, `fit` on the others and predict the fold's pairs."""
    predicted: dict[str, bool] = {}
    parts = storypairs.folds(pairs, k)
    for i, part in enumerate(parts):
        train = [p for j, other in enumerate(parts) if j != i for p in other]
        rule = fit(train)
        predicted.update({p.id: rule(p) for p in part})
    return predicted


def table(rows: dict[str, dict[str, Score]], order: list[str]) -> list[str]:
    """Markdown lines: one row per language pair, one F1 (P / R) column per named result."""
    kinds = sorted(next(iter(rows.values())), key=lambda k: (k == "all", k))
    counts = next(iter(rows.values()))
    lines = ["| pair | same / not | " + " | ".join(order) + " |", "|---|---|" + "---|" * len(order)]
    for kind in kinds:
        c = counts[kind]
        cells = [f"{rows[name][kind].f1:.2f} ({rows[name][kind].precision:.2f} / {rows[name][kind].recall:.2f})"
                 for name in order]
        lines.append(f"| {kind} | {c.tp + c.fn} / {c.fp + c.tn} | " + " | ".join(cells) + " |")
    return lines

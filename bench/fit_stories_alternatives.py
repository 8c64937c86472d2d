"""Other ways to fit the story-clustering score, measured held out against one grid fit.

Usage:  python bench/fit_stories_alternatives.py [--pairs PATH] [--min-precision 0.86] [--folds 5]
        (needs scikit-learn: pip install -e '.[bench]')

None of these is shipped: each was measured against one fit of bench/fit_stories.py's grid search (its
`fit`, as shipped before the fits were bagged) on the same folds, and none did better on pairs never seen
(BENCHMARKS.md, "Stories" -> "Tried and not kept"). Kept so that the negative results can be run again when
the labelled pairs grow:

* logistic regression on the features the score already weighs (own-language, neutral and embedding cosines,
  people by rarity), one model for same-language pairs and one across languages, with an intercept per
  language (or language pair) shrunk toward the common one by the L2 penalty, then one cut at the precision
  target: the directions and per-language offsets of a smooth fit instead of a grid of step functions;
* the same regression's directions, with the thresholds fitted as the grid fit fits them (F-beta per kind,
  shrunk by SHRINK);
* the regression with one more pair feature each (headline-only cosine, each kind of neutral key alone, the
  embedding of the headline alone or of the body past the opening, the shorter text's length);
* SHRINK and beta chosen by the fit itself, by an inner cross-validation within each training fold (the
  weights held at the fold's grid fit), the inner held-out precision as the constraint;
* SHRINK swept with each fold's grid weights and beta (a diagnostic: chosen on the held-out pairs, it would
  overfit them, so it only shows how much per-language thresholds can move the figures);
* Arabic terms normalised four ways (the shipped clitic strip before Snowball's Arabic stemmer, each alone,
  neither): the best single-threshold F1 of the ar-ar pairs' own-language cosine.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The labelled pairs reader lives with the tests (it is not installed).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import fit_stories as fs  # noqa: E402
import story_pairs as sp  # noqa: E402

import storypairs  # noqa: E402

from crosswire.analysis import embedding, langnorm, storyvec, textvec  # noqa: E402
from crosswire.analysis.clustering import PEOPLE_CAP  # noqa: E402
from storypairs import Pair, PairArticle  # noqa: E402

SHOWN = ["all", "ar-ar", "pl-pl", "en-en", "de-en", "es-en", "tr-tr", "de-de", "fr-fr", "it-it", "es-es", "zh-zh"]
Rule = Callable[[Pair], bool]


def held_out(pairs: list[Pair], k: int, fitter: Callable[[list[Pair], list[Pair]], Rule]) -> dict:
    """Scores by kind of `fitter(train, part)`'s predictions on each of k folds, fitted on the others."""
    out: dict[str, bool] = {}
    for part in storypairs.folds(pairs, k):
        rule = fitter([p for p in pairs if p not in part], part)
        out.update({p.id: rule(p) for p in part})
    return storypairs.by_kind(pairs, lambda p: out[p.id])


def line(name: str, scores: dict) -> str:
    """One row: all pairs as F1 (P / R), the other kinds as F1."""
    a = scores["all"]
    return f"| {name} | {a.f1:.2f} ({a.precision:.3f} / {a.recall:.2f}) | " + " | ".join(
        f"{scores[k].f1:.2f}" for k in SHOWN[1:] if k in scores) + " |"


def _cut(scored: list[tuple[float, bool]], min_precision: float) -> float:
    """The score above which the pairs have the best F1 at precision >= min_precision."""
    ranked = sorted(scored, reverse=True)
    positives = sum(same for _, same in ranked)
    tp = fp = 0
    best, cut = -1.0, math.inf
    for i, (v, same) in enumerate(ranked):
        tp, fp = tp + same, fp + (not same)
        if i + 1 < len(ranked) and ranked[i + 1][0] == v:
            continue
        p, r = tp / (tp + fp), tp / positives
        if p >= min_precision and 2 * p * r / (p + r) > best:
            best, cut = 2 * p * r / (p + r), v
    return cut


def columns(f: fs.Features, extra: dict[str, float], add: str | None) -> list[float]:
    """The regression's inputs for one pair: what the score weighs (plus one `extra` feature)."""
    people = min(f.persons, PEOPLE_CAP) / PEOPLE_CAP
    base = [f.mono, f.neutral, f.embed, people] if f.same_lang else [f.embed, f.neutral, people]
    return base + ([extra[add]] if add and (f.same_lang or add != "title") else [])


def logistic(feats: dict[str, fs.Features], extra: dict[str, dict[str, float]], c: float, min_precision: float,
             add: str | None = None, grid_thresholds: bool = False) -> Callable[[list[Pair], list[Pair]], Rule]:
    """A fitter: logistic regression per side (same language / across), an intercept per kind with at least
    fs.MIN_POSITIVES same-story pairs; then one cut at the precision target, or (`grid_thresholds`) its
    directions handed to fs.fit_params with the grid's betas."""
    def fitter(train: list[Pair], _part: list[Pair]) -> Rule:
        models = {}
        for same in (True, False):
            group = [p for p in train if feats[p.id].same_lang == same]
            kinds = sorted({feats[p.id].langs for p in group})
            kinds = [k for k in kinds
                     if sum(p.same for p in group if feats[p.id].langs == k) >= fs.MIN_POSITIVES]
            # the score's features scaled up tenfold so the L2 penalty falls on the per-kind intercepts
            x = np.array([[*(10 * np.array(columns(feats[p.id], extra[p.id], add))),
                           *[float(feats[p.id].langs == k) for k in kinds]] for p in group])
            model = LogisticRegression(C=c, max_iter=5000).fit(x, [p.same for p in group])
            n = x.shape[1] - len(kinds)
            models[same] = (10 * model.coef_[0][:n], model.intercept_[0],
                            dict(zip(kinds, model.coef_[0][n:])))

        def z(p: Pair) -> float:
            f = feats[p.id]
            w, b, offsets = models[f.same_lang]
            if f.same_lang and f.mono < 0.05:     # the clusterer's floor (MIN_COSINE)
                return -math.inf
            return float(w @ np.array(columns(f, extra[p.id], add))) + b + offsets.get(f.langs, 0.0)

        if not grid_thresholds:
            cut = _cut([(z(p), p.same) for p in train], min_precision)
            return lambda p: z(p) >= cut
        ws, wc = models[True][0], models[False][0]
        weights = [max(0.0, v) for v in (ws[1] / ws[0], ws[2] / ws[0], ws[3] / ws[0], wc[1] / wc[0], wc[2] / wc[0])]
        best: tuple[float, dict] | None = None
        for beta in fs.GRID["beta"]:
            params = fs.fit_params(train, feats, beta, weights[0], 0.0, 0.15, weights[1], weights[3], weights[2],
                                   weights[4])
            s = storypairs.score(train, lambda p: fs.margin(feats[p.id], params, fs.kind_of(feats[p.id], p)) >= 0)
            if s.precision >= min_precision and (best is None or s.f1 > best[0]):
                best = (s.f1, params)
        chosen = best[1] if best else params
        return lambda p: fs.margin(feats[p.id], chosen, fs.kind_of(feats[p.id], p)) >= 0
    return fitter


def refit(train: list[Pair], feats: dict[str, fs.Features], grid: dict, beta: float, shrink: float) -> dict:
    """The grid fit's weights with thresholds fitted again at `beta` and `shrink`."""
    saved, fs.SHRINK = fs.SHRINK, shrink
    try:
        return fs.fit_params(train, feats, beta, grid["neutral_weight"], grid["entity_bonus"], grid["place_bonus"],
                             grid["embed_weight"], grid["cross_neutral_weight"], grid["person_bonus"],
                             grid["cross_person_bonus"])
    finally:
        fs.SHRINK = saved


def shrink_fitters(feats: dict[str, fs.Features], grids: dict[str, dict], min_precision: float
                   ) -> tuple[Callable[[float], Callable], Callable[[float], Callable]]:
    """(swept, nested): fitters with each fold's grid weights (`grids`: first pair id of each held-out part -> its
    fit) and SHRINK given (swept) or chosen with beta by an inner 5-fold cross-validation (nested)."""
    def decide(params: dict) -> Rule:
        return lambda p: fs.margin(feats[p.id], params, fs.kind_of(feats[p.id], p)) >= 0

    def swept(shrink: float) -> Callable:
        return lambda train, part: decide(refit(train, feats, grids[part[0].id], grids[part[0].id]["beta"],
                                                shrink))

    def nested(inner_precision: float) -> Callable:
        def fitter(train: list[Pair], part: list[Pair]) -> Rule:
            grid, best = grids[part[0].id], None
            inner = storypairs.folds(train, 5)
            for shrink, beta in itertools.product((8, 20, 40, 80, 1e9), fs.GRID["beta"]):
                guess: dict[str, bool] = {}
                for ip in inner:
                    rule = decide(refit([p for p in train if p not in ip], feats, grid, beta, shrink))
                    guess.update({p.id: rule(p) for p in ip})
                s = storypairs.score(train, lambda p: guess[p.id])
                key = (s.precision >= inner_precision, s.f1 if s.precision >= inner_precision else s.precision)
                if best is None or key > best[0]:
                    best = (key, shrink, beta)
            return decide(refit(train, feats, grid, best[2], best[1]))
        return fitter
    return swept, nested


def extra_features(pairs: list[Pair], articles: dict[str, PairArticle], vectors: dict) -> dict[str, dict[str, float]]:
    """Pair id -> features the score does not weigh (see the module docstring)."""
    keys = sorted(articles)
    rows = [{"id": i, "time": 0.0, "title": articles[k].title, "lede": articles[k].lede, "text": articles[k].text,
             "embedding": vectors[k]} for i, k in enumerate(keys)]
    docs = {keys[d.id]: d for d in storyvec.build_docs(rows)}
    titles: dict[str, dict[str, float]] = {}
    for lang in {d.lang for d in docs.values()}:
        mine = [k for k in keys if docs[k].lang == lang]
        counts = {k: storyvec._weighted([("title", langnorm.terms(articles[k].title, lang))]) for k in mine}
        idf, unseen = textvec.idf_table(c.keys() for c in counts.values())
        titles.update({k: textvec.tfidf(counts[k], idf, unseen) for k in mine})
    head = dict(zip(keys, embedding.embed([{"title": articles[k].title} for k in keys])))
    body = dict(zip(keys, embedding.embed([{"text": articles[k].text[600:1800] or articles[k].text} for k in keys])))

    def sub(vec: dict[str, float], kinds: str) -> dict[str, float]:
        v = {t: w for t, w in vec.items() if t[0] in kinds}
        norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
        return {t: w / norm for t, w in v.items()}

    out = {}
    for p in pairs:
        a, b = docs[p.a], docs[p.b]
        out[p.id] = {"title": textvec.dot(titles[p.a], titles[p.b]),
                     **{f"neutral {name}": textvec.dot(sub(a.neutral, kinds), sub(b.neutral, kinds))
                        for name, kinds in (("places", "^"), ("figures+dates", "#@"), ("names", "~"),
                                            ("cognates", ":"))},
                     "headline embedding": float(head[p.a] @ head[p.b]),
                     "body embedding": float(body[p.a] @ body[p.b]),
                     "log length": math.log(1 + min(len(articles[p.a].text), len(articles[p.b].text)))}
    return out


def arabic_variants(pairs: list[Pair], articles: dict[str, PairArticle]) -> list[str]:
    """Best single-threshold F1 (P / R) of the ar-ar pairs' own-language cosine, Arabic normalised four ways."""
    ps = [p for p in pairs if p.kind == "ar-ar"]
    keys = sorted({k for p in ps for k in (p.a, p.b)} | {k for k, a in articles.items() if a.lang == "ar"})
    rows = [{"id": i, "time": 0.0, "title": articles[k].title, "lede": articles[k].lede, "text": articles[k].text}
            for i, k in enumerate(keys)]
    strip, stemmer = langnorm.strip_arabic_prefix, langnorm._stemmer
    lines = []
    for name, own_strip, snowball in (("clitics stripped, then Snowball (shipped)", True, True),
                                      ("Snowball alone", False, True), ("clitics stripped alone", True, False),
                                      ("neither", False, False)):
        langnorm._CACHE.clear()
        langnorm.strip_arabic_prefix = strip if own_strip else (lambda w: w)
        langnorm._stemmer = stemmer if snowball else (lambda lang: None if lang == "ar" else stemmer(lang))
        try:
            docs = {keys[d.id]: d for d in storyvec.build_docs(rows, embed=False)}
        finally:
            langnorm.strip_arabic_prefix, langnorm._stemmer = strip, stemmer
            langnorm._CACHE.clear()
        cos = {p.id: textvec.dot(docs[p.a].vector, docs[p.b].vector) for p in ps}
        t = sp.best_threshold(ps, cos)
        s = storypairs.score(ps, lambda p: cos[p.id] >= t)
        lines.append(f"| {name} | {s.f1:.2f} ({s.precision:.2f} / {s.recall:.2f}) |")
    return lines


def main() -> None:
    """Every alternative, held out on the same folds as the grid fit, one table row each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=sp.DEFAULT_PAIRS)
    parser.add_argument("--min-precision", type=float, default=0.86)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    pairs, articles = storypairs.load(args.pairs)
    vectors = sp.pair_vectors(articles)
    feats = fs.pair_features(pairs, articles, vectors=vectors)
    extra = extra_features(pairs, articles, vectors)
    target, k = args.min_precision, args.folds
    print("| fit | all F1 (P / R) | " + " | ".join(SHOWN[1:]) + " |\n|---|---|" + "---|" * (len(SHOWN) - 1))
    grids: dict[str, dict] = {}

    def grid(train: list[Pair], part: list[Pair]) -> Rule:
        params = grids[part[0].id] = fs.fit(train, feats, target)
        return lambda p: fs.margin(feats[p.id], params, fs.kind_of(feats[p.id], p)) >= 0

    print(line("grid search, one fit", held_out(pairs, k, grid)), flush=True)
    for c in (0.1, 0.3, 1.0, 10.0):
        print(line(f"logistic regression, C={c}", held_out(pairs, k, logistic(feats, extra, c, target))), flush=True)
    print(line("logistic directions, grid thresholds (C=0.3)",
               held_out(pairs, k, logistic(feats, extra, 0.3, target, grid_thresholds=True))), flush=True)
    for add in next(iter(extra.values())):
        print(line(f"logistic regression + {add}", held_out(pairs, k, logistic(feats, extra, 0.3, target, add))),
              flush=True)
    swept, nested = shrink_fitters(feats, grids, target)
    for shrink in (0.001, 8, 20, 40, 1e9):
        print(line(f"grid weights, SHRINK {shrink:g} (diagnostic)", held_out(pairs, k, swept(shrink))), flush=True)
    for inner in (0.85, 0.86):
        print(line(f"SHRINK and beta by inner CV, inner precision >= {inner}", held_out(pairs, k, nested(inner))),
              flush=True)
    print("\n| Arabic terms | ar-ar best single-threshold F1 (P / R) |\n|---|---|")
    print("\n".join(arabic_variants(pairs, articles)))


if __name__ == "__main__":
    main()

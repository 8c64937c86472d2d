"""Words that distinguish one body of text from another: log-odds ratio with an informative Dirichlet prior.

Monroe, Colaresi and Quinn (2008), "Fightin' Words", section 3.5.1: for word w with counts y_i (group i),
y_j (the rest) and prior pseudo-counts a_w (scaled background frequencies, total a0),

    delta_w = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a0 - y_jw - a_w))
    var_w  ~= 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
    z_w     = delta_w / sqrt(var_w)

A large positive z means group i uses w more than the rest beyond what chance and w's background frequency
explain; the prior shrinks rare words, so one odd word in a short text does not top the list.
"""

from __future__ import annotations

import math
from typing import Mapping


def log_odds_z(counts_i: Mapping[str, int], counts_j: Mapping[str, int], prior: Mapping[str, float],
               prior_total: float | None = None) -> dict[str, float]:
    """z-scores of the log-odds ratio of every word in either group (positive: more typical of group i)."""
    a0 = prior_total if prior_total is not None else sum(prior.values())
    n_i, n_j = sum(counts_i.values()), sum(counts_j.values())
    # A word missing from the prior gets the smallest prior mass seen, so it is still shrunk.
    floor = min(prior.values()) if prior else 0.01
    out: dict[str, float] = {}
    for word in set(counts_i) | set(counts_j):
        a = prior.get(word, floor)
        yi, yj = counts_i.get(word, 0), counts_j.get(word, 0)
        delta = (math.log((yi + a) / (n_i + a0 - yi - a)) - math.log((yj + a) / (n_j + a0 - yj - a)))
        out[word] = delta / math.sqrt(1.0 / (yi + a) + 1.0 / (yj + a))
    return out


def scaled_prior(background: Mapping[str, int], total: float = 500.0) -> dict[str, float]:
    """Background counts scaled to `total` pseudo-counts: the informative prior a_w."""
    n = sum(background.values())
    return {w: total * c / n for w, c in background.items()} if n else {}


def distinctive(counts_i: Mapping[str, int], counts_j: Mapping[str, int], background: Mapping[str, int],
                *, k: int = 10, prior_total: float = 500.0, min_count: int = 1) -> list[tuple[str, float]]:
    """The k words most typical of group i against group j, as (word, z) with z > 0, strongest first."""
    prior = scaled_prior(background, prior_total)
    scores = log_odds_z(counts_i, counts_j, prior, prior_total)
    ranked = [(w, z) for w, z in scores.items() if z > 0 and counts_i.get(w, 0) >= min_count]
    ranked.sort(key=lambda item: (-item[1], item[0]))
    return ranked[:k]

"""Log-odds ratio with an informative Dirichlet prior (Monroe et al. 2008): exact values and ranking."""

from __future__ import annotations

import math

import pytest

from crosswire.analysis.logodds import distinctive, log_odds_z, scaled_prior


def test_two_words_two_groups_by_hand() -> None:
    # a: delta = log(11/1) - log(1/11) = 2 log 11; var = 1/11 + 1; z = delta / sqrt(var)
    z = 2 * math.log(11) / math.sqrt(1 / 11 + 1)
    scores = log_odds_z({"a": 10}, {"b": 10}, {"a": 1.0, "b": 1.0})
    assert {"a": round(z, 6), "b": round(-z, 6)} == {w: round(s, 6) for w, s in scores.items()}


def test_scaled_prior_sums_to_total() -> None:
    assert {"war": 75.0, "peace": 25.0} == scaled_prior({"war": 3, "peace": 1}, total=100)
    assert {} == scaled_prior({})


def test_prior_shrinks_a_single_rare_word_below_a_repeated_one() -> None:
    mine = {"militants": 5, "said": 3, "oddword": 1}
    rest = {"militants": 1, "said": 9, "market": 6}
    background = {"militants": 6, "said": 12, "market": 6, "oddword": 1}
    ranked = distinctive(mine, rest, background, k=3, prior_total=50)
    assert ["militants", "oddword"] == [w for w, _ in ranked]
    assert ranked[0][1] > ranked[1][1] > 0


@pytest.mark.parametrize("k", [1, 2])
def test_k_limits_and_only_positive_words_are_returned(k: int) -> None:
    ranked = distinctive({"x": 4, "y": 2}, {"z": 5}, {"x": 4, "y": 2, "z": 5}, k=k)
    assert ["x", "y"][:k] == [w for w, _ in ranked]

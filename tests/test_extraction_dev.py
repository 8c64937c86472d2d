"""Body quality on 40 real news pages with human-marked article text (../shared/data/extraction-dev)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from scoring import match_counts, score, shingles
from crosswire.extraction.page import extract

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction-dev"

needs_dev_set = pytest.mark.skipif(
    not (DEV / "ground-truth.json").is_file(),
    reason=f"extraction dev set not found at {DEV} (shared data lives beside the repository)",
)


def test_shingles_counts_repeats_and_short_texts() -> None:
    assert shingles("a b c d a b c d") == {
        ("a", "b", "c", "d"): 2, ("b", "c", "d", "a"): 1, ("c", "d", "a", "b"): 1, ("d", "a", "b", "c"): 1,
    }
    assert shingles("only two") == {("only", "two"): 1}
    assert shingles(" -- ") == {}


def test_match_counts_are_normalised_per_page() -> None:
    # 3 shingles expected, 2 predicted, 1 shared: tp=1, fp=1, fn=2 over a total of 4.
    assert match_counts("one two three four five six", "three four five six seven") == (0.25, 0.25, 0.5)
    assert match_counts("", "") == (0.0, 0.0, 0.0)


def test_score_averages_precision_and_recall_over_pages() -> None:
    pages = [(1.0, 0.0, 0.0), (0.5, 0.5, 0.0), (0.5, 0.0, 0.5)]
    # precision: (1 + 0.5 + 1) / 3, recall: (1 + 1 + 0.5) / 3
    assert score(pages) == pytest.approx({"precision": 5 / 6, "recall": 5 / 6, "f1": 5 / 6})


@needs_dev_set
def test_body_f1_on_dev_set_is_at_least_095() -> None:
    truth = json.loads((DEV / "ground-truth.json").read_text(encoding="utf-8"))
    counts = []
    for page_id, expected in sorted(truth.items()):
        html = gzip.decompress((DEV / "html" / f"{page_id}.html.gz").read_bytes())
        article = extract(html, expected["url"])
        counts.append(match_counts(expected["articleBody"], article.text))
    result = score(counts)
    assert len(counts) == 40
    assert result["f1"] >= 0.95, result

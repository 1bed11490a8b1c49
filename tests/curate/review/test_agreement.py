"""Agreement statistics against published worked examples."""

import pytest

from curate.review.agreement import agreement_summary, cohen_kappa, fleiss_kappa, krippendorff_alpha


def test_krippendorff_alpha_matches_krippendorff_2011_nominal_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 observers x 12 units, nominal: 0.743
    rows = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    ratings = [{c: v[i] for c, v in rows.items() if v[i] is not None} for i in range(12)]
    assert krippendorff_alpha(ratings) == pytest.approx(0.743, abs=5e-4)


def test_fleiss_kappa_matches_wikipedia_example():
    # Fleiss' kappa article: 10 subjects, 14 raters, 5 categories -> 0.210
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    ratings = []
    for counts in table:
        labels = [cat for cat, n in enumerate(counts) for _ in range(n)]
        ratings.append({f"r{i}": lab for i, lab in enumerate(labels)})
    kappa, used = fleiss_kappa(ratings)
    assert used == 10
    assert kappa == pytest.approx(0.210, abs=5e-4)


def test_cohen_kappa_textbook_example():
    # 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> p_o 0.7, p_e 0.5, kappa 0.4
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    ratings = [{"a": x, "b": y} for x, y in pairs]
    kappa, used = cohen_kappa(ratings, "a", "b")
    assert used == 50 and kappa == pytest.approx(0.4)
    summary = agreement_summary(ratings)
    assert summary["cohen_kappa"] == pytest.approx(0.4)
    assert summary["percent_agreement"] == pytest.approx(0.7)
    assert summary["annotators"] == 2


def test_perfect_and_single_rating_items():
    ratings = [{"a": "x", "b": "x"}, {"a": "y", "b": "y"}, {"a": "x"}]
    s = agreement_summary(ratings)
    assert s["items_with_2plus_ratings"] == 2
    assert s["krippendorff_alpha"] == 1.0 and s["cohen_kappa"] == 1.0 and s["fleiss_kappa"] == 1.0
    assert krippendorff_alpha([{"a": "x"}]) is None

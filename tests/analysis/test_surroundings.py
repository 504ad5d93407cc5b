"""Meerschalig: a region's change beside its neighbours' — the spatial lag of the change, the
relation it gives, and no change across a series cut."""

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wijkradar.analysis.surroundings import RELATIONS, relation, surroundings


def test_relation_labels_each_pair_of_changes():
    own = np.array([8, 8, 8, 1, 1, -6, np.nan, 3])
    nb = np.array([6, -7, 2, 9, -1, -5, 4, np.nan])
    got = relation(own, nb, 5).tolist()
    assert got == ["with", "against", "alone", "holds", "stable", "with", "unknown", "unknown"]
    assert set(got) <= set(RELATIONS)


def _line():
    """Four regions in a row, A–B–C–D; two editions of the problems score."""
    codes = pd.Index(["A", "B", "C", "D"])
    adj = sp.csr_matrix(
        np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]], dtype=float)
    )
    s2016 = {"A": 40, "B": 50, "C": 60, "D": 70}
    s2018 = {"A": 50, "B": 40, "C": 72, "D": 80}  # A +10, B −10, C +12, D +10
    rows = [(c, y, "problems", v) for y, d in ((2016, s2016), (2018, s2018)) for c, v in d.items()]
    return pd.DataFrame(rows, columns=["code", "year", "domain", "score"]), adj, codes


def test_the_neighbours_change_is_their_mean_and_gives_the_relation():
    scores, adj, codes = _line()
    out = surroundings(scores, adj, codes, move_points=5).set_index(["code", "year"])
    r = out.loc[("B", 2018)]
    assert r["change"] == -10 and r["previous_year"] == 2016
    assert r["neighbours"] == 2 and r["neighbours_change"] == 11  # (A +10 + C +12) / 2
    assert r["relation"] == "against"
    assert out.loc[("D", 2018), "relation"] == "with"  # D +10 beside C +12
    assert out.loc[("A", 2018), "relation"] == "against"  # A +10 beside B −10
    assert (out.xs(2016, level="year")["relation"] == "unknown").all()  # no earlier edition


def test_no_change_across_a_series_cut_and_none_without_neighbours():
    scores, adj, codes = _line()
    breaks = pd.DataFrame({"code": ["C"], "year": [2018]})  # 2018's C is another place
    out = surroundings(scores, adj, codes, breaks=breaks).set_index(["code", "year"])
    assert np.isnan(out.loc[("C", 2018), "change"])
    assert out.loc[("C", 2018), "relation"] == "unknown"
    assert out.loc[("B", 2018), "neighbours"] == 1  # only A has a change
    assert out.loc[("B", 2018), "neighbours_change"] == 10
    alone = surroundings(scores, None, None)
    assert (alone["relation"] == "unknown").all() and (alone["neighbours"] == 0).all()


def test_the_sentence_in_both_languages():
    from wijkradar.wording import words

    row = {"axis": "problems", "change": 12.4, "previous_year": 2016.0, "neighbours": 6,
           "neighbours_change": 2.0, "relation": "alone"}  # fmt: skip
    assert words("nl").surroundings(row, "buurt") == (
        "Problemen: +12 punten sinds 2016; de 6 aangrenzende buurten gemiddeld +2 — beweegt, "
        "de omgeving blijft ongeveer gelijk."
    )
    en = words("en").surroundings({**row, "relation": "against"}, "wijk")
    assert en.startswith("Problems: +12 points since 2016; the 6 adjacent districts on average +2")
    assert en.endswith("— moves against its surroundings.")
    one = {**row, "change": -1.0, "neighbours": 0, "neighbours_change": float("nan")}
    assert words("nl").surroundings(one, "buurt") == (
        "Problemen: −1 punt sinds 2016; geen aangrenzend gebied om mee te vergelijken."
    )

"""Early warning on a synthetic panel with a known signal: features never admit migration
background or the Leefbaarometer total, outcomes never cross a cut, the model learns the
signal and the backtest holds it beside the baselines."""

import numpy as np
import pandas as pd
import pytest

from wijkradar.analysis import warning as ew
from wijkradar.errors import WijkradarError

SETTINGS = {"folds": 5, "min_regions": 30, "min_events": 5, "bootstrap": 0}


def _panel(n=400, years=(2012, 2014, 2016, 2018), seed=1):
    """Problems scores whose next edition follows a hidden driver ``x`` (a component)."""
    rng = np.random.default_rng(seed)
    codes = [f"BU{g:04d}{i:04d}" for g in range(20) for i in range(n // 20)]
    rows, comps = [], []
    level = rng.uniform(0, 100, len(codes))
    for y in years:
        x = rng.uniform(0, 100, len(codes))
        for c, lv, xi in zip(codes, level, x, strict=True):
            rows.append((c, y, "problems", lv))
            comps.append((c, y, "x", xi))
            comps.append((c, y, "migration_pct", xi))  # sensitive: must never be a feature
        level = np.clip(0.3 * level + 0.7 * x + rng.normal(0, 5, len(codes)), 0, 100)
    scores = pd.DataFrame(rows, columns=["code", "year", "domain", "score"])
    comps = pd.DataFrame(comps, columns=["code", "year", "indicator", "percentile"])
    pop = pd.DataFrame({"code": codes, "year": years[0], "value": 1000.0})
    return scores, comps, pop


def _outcomes(scores, weak_score=80):
    values = scores[["code", "year", "score"]].rename(columns={"score": "value"})
    return ew.outcome_table(values, kind="problems", horizon=1, weak_score=weak_score)


def test_features_exclude_sensitive_and_leefbaarometer_total():
    scores, comps, pop = _panel()
    comps = pd.concat([comps, comps.assign(indicator="lbm_total")])
    f = ew.feature_table(scores, comps, pop, sensitive=["migration_pct"])
    assert "ind:x" in f.columns
    assert not any("migration" in c or "lbm_total" in c for c in f.columns)
    with pytest.raises(ValueError, match="forbidden"):
        ew.check_features(["ind:migration_pct"], ["migration_pct"])


def test_outcomes_take_the_regions_own_next_edition_and_stop_at_a_cut():
    v = pd.DataFrame(
        {"code": ["A", "A", "A", "B", "B"], "year": [2012, 2014, 2016, 2012, 2016],
         "value": [50, 85, 60, 90, 70]}
    )  # fmt: skip
    breaks = pd.DataFrame({"code": ["A"], "year": [2016]})
    out = ew.outcome_table(v, kind="problems", horizon=1, breaks=breaks, weak_score=80)
    assert out.loc[("A", 2012), "target"] == 85 and out.loc[("A", 2012), "weak"] == 1
    assert np.isnan(out.loc[("A", 2014), "target"])  # 2016 is another place under A
    assert out.loc[("B", 2012), "target_year"] == 2016  # B's own next edition
    assert out.loc[("B", 2012), "decline"] == 0


def test_the_model_learns_a_real_signal_and_beats_persistence_out_of_time():
    scores, comps, pop = _panel()
    f = ew.feature_table(scores, comps, pop, sensitive=["migration_pct"])
    out = _outcomes(scores)
    table = ew.backtest(
        f, out, outcome="weak", level="buurt", horizon=1, settings=SETTINGS, models=("logit",)
    )
    assert set(table["split"]) == {"time"}
    # rolling origins: 2014 (trained on 2012→2014) and 2016 (trained on both earlier pairs)
    assert sorted(set(table["origin"])) == [2014, 2016]
    v = ew.verdict(table)
    assert v["beats"].all(), v
    logit = table[(table["rule"] == "logit")]
    assert (logit["roc_auc"] > 0.85).all()
    first = logit[logit["origin"] == 2014].iloc[0]
    assert first["n_train"] == 400  # only the 2012 rows: their outcome was known in 2014


def test_too_few_events_is_a_clear_message():
    scores, comps, pop = _panel()
    f = ew.feature_table(scores, comps, pop)
    out = _outcomes(scores, weak_score=200)
    with pytest.raises(WijkradarError, match="te weinig gebeurtenissen"):
        ew.backtest(f, out, outcome="weak", level="buurt", horizon=1, settings=SETTINGS)


def test_drivers_and_uncertainty_band():
    scores, comps, pop = _panel()
    f = ew.feature_table(scores, comps, pop, sensitive=["migration_pct"])
    out = _outcomes(scores)
    X, y = ew.training_rows(f.table, out, "weak", known_by=2018)
    fitted = ew.fit(X, y, folds=5, bootstrap=5)
    Xo = f.table.xs(2018, level="year", drop_level=False)
    risk = ew.predict(fitted, Xo)
    low, high = ew.band(fitted, Xo)
    assert ((risk >= 0) & (risk <= 1)).all()
    assert np.nanmean(low <= high) == 1.0
    top = Xo["ind:x"].idxmax()
    drivers = ew.explain(fitted, Xo.loc[[top]])[0]
    assert drivers[0][0] == "ind:x" and drivers[0][1] > 0


def test_a_large_training_set_is_sampled_in_proportion_and_still_learns():
    scores, comps, pop = _panel()
    f = ew.feature_table(scores, comps, pop, sensitive=["migration_pct"])
    out = _outcomes(scores)
    X, y = ew.training_rows(f.table, out, "weak", known_by=2018)
    Xs, ys = ew.sample(X, y, 600, seed=0)
    assert len(ys) == 600 and Xs.index.is_unique
    assert abs(ys.mean() - y.mean()) < 0.01  # stratified: the same share of events
    assert ew.sample(X, y, 600, seed=0)[0].index.equals(Xs.index)  # seeded
    assert ew.sample(X, y, len(y) + 1)[0] is X  # not more rows: all of them
    fitted = ew.fit(X, y, folds=5, max_rows=600)
    assert (fitted.n_train, fitted.events) == (600, int(ys.sum()))
    table = ew.backtest(
        f, out, outcome="weak", level="buurt", horizon=1,
        settings={**SETTINGS, "max_train_rows": 500}, models=("logit",),
    )  # fmt: skip
    logit = table[table["rule"] == "logit"]
    assert logit["n_train"].max() == 500 and (logit["roc_auc"] > 0.85).all()


def test_the_challenger_runs_at_the_latest_origins_only():
    scores, comps, pop = _panel(years=(2012, 2014, 2016, 2018, 2020))
    f = ew.feature_table(scores, comps, pop, sensitive=["migration_pct"])
    out = _outcomes(scores)
    for k, expected in ((1, [2018]), (2, [2016, 2018])):
        table = ew.backtest(
            f, out, outcome="weak", level="buurt", horizon=1,
            settings={**SETTINGS, "challenger_origins": k},
        )  # fmt: skip
        origins = sorted(set(table["origin"]))
        assert origins == [2014, 2016, 2018]
        assert sorted(table.loc[table["rule"] == "boosting", "origin"]) == expected
        assert sorted(table.loc[table["rule"] == "logit", "origin"]) == origins

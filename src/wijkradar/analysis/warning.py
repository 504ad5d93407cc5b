"""Early warning: the chance that a region is weak, or has declined, ``horizon`` editions on.

Everything here is a pure function over frames; :mod:`wijkradar.dataset.warning` assembles
them from a Dataset.

* :func:`feature_table` — per (code, year): both axis scores, their change since the region's
  previous edition, the percentiles of their components and of the housing mix, population
  change, the neighbours' levels and changes (spatial lag on queen contiguity) and how many
  editions in a row the problems axis stood in the worst fifth. **No** indicator the catalogue
  marks ``sensitive`` (migration background), and not the Leefbaarometer total score, class or
  *bewoners* dimension (:data:`EXCLUDED`), can become a feature; :func:`check_features` pins it.
* :func:`outcome_table` — per (code, origin year): the region's own ``horizon``-th next edition
  with an outcome, never across a series cut; ``weak`` (Leefbaarometer class ≤ 4, or problems
  score in the worst fifth) and ``decline`` (a lower class, or a problems score that rose by at
  least ``decline_points``).
* :func:`fit` — scikit-learn: a regularised logistic regression (the explainable default) or
  gradient boosting (the challenger), each calibrated with Platt scaling on spatially blocked
  folds (gemeenten; wijken inside one gemeente), so no region is calibrated on its neighbours.
* :func:`backtest` — rolling origins: for each origin, train only on pairs whose outcome was
  known by then, test on the origin's own later outcome; where the data has no such origin
  (one pair of editions), spatially blocked cross-validation instead, labelled so. Each model
  sits beside named naive baselines: persistence, one dimension's current level, and "the
  trend continues".
* :func:`explain` — per region, the features that push its risk up most (logistic
  contributions in log-odds, against the training mean).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import resample

from wijkradar.analysis.dynamics import crosses_cut, cut_years
from wijkradar.errors import WijkradarError
from wijkradar.frames import as_text

OUTCOMES = ("weak", "decline")
MODELS = ("logit", "boosting")
"""``logit``: L2-regularised logistic regression (default, explainable); ``boosting``:
histogram gradient boosting (the challenger)."""
EXCLUDED = ("lbm_total", "lbm_class", "lbm_residents")
"""Never features: the Leefbaarometer total score and class (the outcome, and they carry the
*bewoners* dimension) and the *bewoners* dimension itself (population composition)."""
TOP_SHARES = (0.1, 0.2)
"""Lift and recall are reported for the riskiest 10 % and 20 %."""
CALIBRATION_BINS = 5
MIN_BASELINE_COVERAGE = 0.5
"""A baseline known for fewer of the test regions than this share is not reported (a
dimension the edition does not publish would rank at random)."""
BASELINES = ("persistence", "trend")
"""Named naive baselines (plus ``level:<indicator>`` per problems dimension)."""
METRIC_COLUMNS = (
    "level",
    "outcome",
    "horizon",
    "split",
    "origin",
    "target",
    "kind",
    "rule",
    "n_train",
    "n",
    "events",
    "base_rate",
    "roc_auc",
    "pr_auc",
    "lift_10",
    "recall_10",
    "lift_20",
    "recall_20",
    "brier",
    "calibration_error",
)
""":func:`backtest` rows: ``split`` is ``time`` (rolling origin) or ``space`` (blocked folds);
``kind`` ``model`` or ``baseline``; ``brier`` and ``calibration_error`` (mean absolute gap
between predicted and observed share over risk quintiles) only for models."""


@dataclass
class Features:
    """The feature table (index ``code, year``), its columns, and what each column means."""

    table: pd.DataFrame
    columns: list[str]
    indicators: dict[str, str]  # feature column -> catalogue indicator it is the percentile of


def check_features(columns: Sequence[str], sensitive: Sequence[str]) -> None:
    """Raise when a feature comes from a sensitive indicator or an excluded Leefbaarometer
    figure (a programming error: the feature table must never admit them)."""
    bad = [
        c
        for c in columns
        if c.startswith(("ind:", "lag:ind:"))
        and (c.split("ind:")[-1] in set(sensitive) | set(EXCLUDED))
    ]
    if bad:
        raise ValueError(f"forbidden early-warning features: {bad}")


def previous_value(values: pd.Series, cuts: dict[str, np.ndarray]) -> pd.Series:
    """Per (code, year) with a value: the value of the code's previous edition with one, NaN
    when there is none or a series cut lies between."""
    v = values.dropna().sort_index()
    codes = v.index.get_level_values("code")
    years = v.index.get_level_values("year").to_numpy(int)
    prev = v.groupby(level="code").shift(1)
    prev_year = pd.Series(years, index=v.index).groupby(level="code").shift(1)
    has = prev_year.notna().to_numpy()
    cut = np.zeros(len(v), dtype=bool)
    cut[has] = crosses_cut(
        list(codes[has]), prev_year.to_numpy()[has].astype(int), years[has], cuts
    )
    return prev.where(~cut)


def neighbour_mean(table: pd.DataFrame, column: str, adjacency, order: pd.Index) -> pd.Series:
    """The mean of ``column`` over each region's neighbours with a value, per year."""
    return neighbour_stats(table[column], adjacency, order)[0]


def neighbour_stats(values: pd.Series, adjacency, order: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Per (code, year) of ``values``: the mean over the region's neighbours (rows of the
    sparse ``adjacency``, in ``order``) with a value that year, and how many they are."""
    mean = pd.Series(np.nan, index=values.index)
    count = pd.Series(0, index=values.index)
    pos = pd.Series(np.arange(len(order)), index=order)
    for _, part in values.groupby(level="year"):
        codes = part.index.get_level_values("code")
        x = np.full(len(order), np.nan)
        at = pos.reindex(codes).to_numpy()
        ok = ~np.isnan(at)
        x[at[ok].astype(int)] = part.to_numpy()[ok]
        has = ~np.isnan(x)
        num = adjacency @ np.where(has, x, 0.0)
        den = adjacency @ has.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            lag = np.where(den > 0, num / den, np.nan)
        vals = np.full(len(part), np.nan)
        vals[ok] = lag[at[ok].astype(int)]
        n = np.zeros(len(part), dtype=int)
        n[ok] = den[at[ok].astype(int)].astype(int)
        mean.loc[part.index] = vals
        count.loc[part.index] = n
    return mean, count


def _weak_run(score: pd.Series, weak: float) -> pd.Series:
    """Editions in a row, up to each edition, with the score at or above ``weak``."""
    s = score.dropna().sort_index()
    hit = (s >= weak).astype(int)
    block = (hit == 0).groupby(level="code").cumsum()
    run = hit.groupby([s.index.get_level_values("code"), block.to_numpy()]).cumsum()
    return run.reindex(score.index)


def feature_table(
    scores: pd.DataFrame,
    components: pd.DataFrame,
    population: pd.DataFrame,
    *,
    adjacency=None,
    order: pd.Index | None = None,
    breaks: pd.DataFrame | None = None,
    weak_score: float = 80,
    sensitive: Sequence[str] = (),
) -> Features:
    """The predictors per (code, year).

    Parameters
    ----------
    scores
        ``code, year, domain, score`` (the axes' scores, :func:`~wijkradar.analysis.scores.
        domain_scores` of the view).
    components
        ``code, year, indicator, percentile`` for the components and housing indicators
        (higher = more vulnerable, or higher value where the indicator has no direction).
    population
        ``code, year, value``: inhabitants.
    adjacency, order
        A sparse binary neighbour matrix and the codes of its rows (queen contiguity); without
        it no neighbour features.
    """
    cuts = cut_years(breaks)
    wide = scores.pivot_table(index=["code", "year"], columns="domain", values="score")
    wide = wide.rename(columns={d: f"{d}_score" for d in wide.columns})
    comp = components[~components["indicator"].isin(list(EXCLUDED) + list(sensitive))]
    ind = comp.pivot_table(index=["code", "year"], columns="indicator", values="percentile")
    names = {f"ind:{c}": str(c) for c in ind.columns}
    ind.columns = [f"ind:{c}" for c in ind.columns]
    t = wide.join(ind, how="outer")
    t.index = t.index.set_names(["code", "year"])
    for d in ("composition", "problems"):
        col = f"{d}_score"
        if col not in t:
            t[col] = np.nan
        t[f"{d}_change"] = t[col] - previous_value(t[col], cuts)
    pop = population.dropna(subset=["value"]).set_index(["code", "year"])["value"]
    pop = pop[~pop.index.duplicated()]
    pop = pop[pop > 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.log(pop / previous_value(pop, cuts))
    t["population_change"] = growth.reindex(t.index)
    t["problems_weak_run"] = _weak_run(t["problems_score"], weak_score).fillna(0)
    if adjacency is not None and order is not None:
        for col in ("composition_score", "problems_score", "problems_change"):
            t[f"lag:{col}"] = neighbour_mean(t, col, adjacency, order)
    cols = [c for c in t.columns if t[c].notna().any()]
    # a component that is its axis's only indicator (the Leefbaarometer safety score carries
    # the problems axis alone) would count twice in a driver list: keep the first of equals
    hashes = {c: int(pd.util.hash_pandas_object(t[c], index=False).sum()) for c in cols}
    seen: dict[int, str] = {}
    cols = [c for c in cols if seen.setdefault(hashes[c], c) == c]
    check_features(cols, sensitive)
    return Features(table=t[cols], columns=cols, indicators=names)


def outcome_table(
    values: pd.DataFrame,
    *,
    kind: str,
    horizon: int,
    breaks: pd.DataFrame | None = None,
    weak_score: float = 80,
    decline_points: float = 10,
    weak_class_max: int = 4,
) -> pd.DataFrame:
    """Per (code, origin year) with an outcome value: the value of the region's ``horizon``-th
    next edition (``target``, NaN when it has none yet or a series cut lies between), and the
    outcomes ``weak`` and ``decline`` (NaN where unknown).

    ``kind`` ``lbm_class`` (``values``: classes 1–9, higher is better) or ``problems`` (the
    problems score, higher is worse).
    """
    v = values.dropna(subset=["value"]).sort_values(["code", "year"])
    v = v.assign(code=as_text(v["code"])).drop_duplicates(["code", "year"])
    g = v.groupby("code", sort=False)
    out = pd.DataFrame(
        {
            "code": v["code"].to_numpy(),
            "year": v["year"].to_numpy(int),
            "now": v["value"].to_numpy(float),
            "previous": g["value"].shift(1).to_numpy(float),
            "previous_year": g["year"].shift(1).to_numpy(float),
            "target_year": g["year"].shift(-horizon).to_numpy(float),
            "target": g["value"].shift(-horizon).to_numpy(float),
        }
    )
    cuts = cut_years(breaks)
    has = out["target_year"].notna().to_numpy()
    cut = np.zeros(len(out), dtype=bool)
    cut[has] = crosses_cut(
        list(out["code"][has]),
        out["year"].to_numpy(int)[has],
        out["target_year"].to_numpy()[has].astype(int),
        cuts,
    )
    out.loc[cut, ["target", "target_year"]] = np.nan
    hp = out["previous_year"].notna().to_numpy()
    pcut = np.zeros(len(out), dtype=bool)
    pcut[hp] = crosses_cut(
        list(out["code"][hp]),
        out["previous_year"].to_numpy()[hp].astype(int),
        out["year"].to_numpy(int)[hp],
        cuts,
    )
    out.loc[pcut, ["previous", "previous_year"]] = np.nan
    known = out["target"].notna()
    if kind == "lbm_class":
        weak = out["target"] <= weak_class_max
        decline = out["target"] < out["now"]
    else:
        weak = out["target"] >= weak_score
        decline = (out["target"] - out["now"]) >= decline_points
    out["weak"] = weak.where(known).astype("float")
    out["decline"] = decline.where(known).astype("float")
    out["kind"] = kind
    return out.set_index(["code", "year"])


def baseline_scores(
    out: pd.DataFrame, feats: pd.DataFrame, kind: str, outcome: str, dimensions: Sequence[str]
) -> dict:
    """The naive baselines' risk rankings (higher = riskier) for rows ``out``.

    ``persistence``: the current class (lower is riskier) or problems score; ``trend``: the
    last change carried forward (for ``weak``, the level plus that change); ``level:<ind>``:
    each of ``dimensions`` (the problems indicators) at its current percentile.
    """
    sign = -1.0 if kind == "lbm_class" else 1.0
    now = sign * out["now"]
    change = sign * (out["now"] - out["previous"])
    res = {
        "persistence": now,
        "trend": (now + change) if outcome == "weak" else change,
    }
    for c in feats.columns:
        if c.startswith("ind:") and c.removeprefix("ind:") in dimensions:
            res["level:" + c.removeprefix("ind:")] = feats[c].reindex(out.index)
    if "problems_score" in feats:
        res["level:problems_score"] = feats["problems_score"].reindex(out.index)
    return res


# -- models ----------------------------------------------------------------------------------


def _estimator(model: str):
    if model == "logit":
        return make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(C=0.3, max_iter=2000),
        )
    if model == "boosting":
        return HistGradientBoostingClassifier(
            max_iter=120, learning_rate=0.06, max_leaf_nodes=15, min_samples_leaf=30,
            l2_regularization=1.0, random_state=0,
        )  # fmt: skip
    raise ValueError(f"model must be one of {MODELS}, got {model!r}")


def _folds(k: int) -> StratifiedGroupKFold:
    """Folds of whole spatial blocks with about the same share of events in each (rare
    outcomes would otherwise leave a fold without any)."""
    return StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=0)


def blocks(codes: pd.Index, folds: int) -> np.ndarray:
    """Spatial blocks for ``codes``: their gemeente, or their wijk when fewer gemeenten than
    ``folds`` (one city's buurten)."""
    from wijkradar.codes import gemeenten_of

    c = pd.Series(codes.astype(str))
    gm = gemeenten_of(c).astype(str)
    if gm.nunique() >= folds:
        return gm.to_numpy()
    return c.str[2:8].where(c.str.startswith("BU"), c).to_numpy()


@dataclass
class Fitted:
    """A calibrated model, the features it saw and their training means (for explanations)."""

    model: str
    estimator: CalibratedClassifierCV
    columns: list[str]
    n_train: int
    events: int
    base: object = None  # the refits of the bootstrap (logit only)
    boot: list = field(default_factory=list)


def sample(X: pd.DataFrame, y: np.ndarray, max_rows: int | None, seed: int = 0) -> tuple:
    """At most ``max_rows`` of ``X, y``, drawn without replacement in proportion to the two
    outcomes (seeded; all rows when there are not more)."""
    if max_rows is None or len(y) <= max_rows:
        return X, y
    pick = resample(
        np.arange(len(y)), replace=False, n_samples=max_rows, stratify=y, random_state=seed
    )
    pick = np.sort(pick)
    return X.iloc[pick], y[pick]


def fit(
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    model: str = "logit",
    folds: int = 5,
    bootstrap: int = 0,
    seed: int = 0,
    max_rows: int | None = None,
) -> Fitted:
    """A ``model`` fitted on ``X`` (index ``code, year``) and ``y``, Platt-calibrated on
    spatially blocked folds; with ``bootstrap``, also refits on resampled blocks (logit only)
    whose spread is the risk's uncertainty band. With ``max_rows``, a larger training set is
    first sampled down (:func:`sample`); ``n_train`` and ``events`` then count the sample."""
    X, y = sample(X, y, max_rows, seed)
    X = X[[c for c in X.columns if X[c].notna().any()]]  # a column unknown in training: out
    codes = X.index.get_level_values("code")
    groups = blocks(pd.Index(codes), folds)
    k = min(folds, len(set(groups)))
    if k < 2:
        raise WijkradarError(
            "te weinig ruimtelijke blokken ({n}) om te kalibreren; minimaal 2", n=k
        )
    splits = list(_folds(k).split(X, y, groups))
    if any(len(set(y[a])) < 2 for a, _ in splits):
        raise WijkradarError(
            "een ruimtelijk blok zonder beide uitkomsten ({events} van {n}); geen model mogelijk",
            events=int(y.sum()),
            n=len(y),
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = CalibratedClassifierCV(_estimator(model), method="sigmoid", cv=splits, ensemble=False)
        cal.fit(X.to_numpy(float), y)
    res = Fitted(model, cal, list(X.columns), len(y), int(y.sum()))
    if bootstrap and model == "logit":
        rng = np.random.default_rng(seed)
        uniq = np.unique(groups)
        for _ in range(bootstrap):
            pick = rng.choice(uniq, size=len(uniq), replace=True)
            idx = np.concatenate([np.flatnonzero(groups == g) for g in pick])
            if len(set(y[idx])) < 2:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res.boot.append(_estimator("logit").fit(X.to_numpy(float)[idx], y[idx]))
    return res


def predict(f: Fitted, X: pd.DataFrame) -> np.ndarray:
    """Calibrated risk (0–1) per row of ``X``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f.estimator.predict_proba(X[f.columns].to_numpy(float))[:, 1]


def band(f: Fitted, X: pd.DataFrame, low: float = 10, high: float = 90) -> tuple:
    """The ``low``–``high`` percentile of the bootstrap refits' risks, passed through the main
    model's calibration (NaN without a bootstrap)."""
    n = len(X)
    if not f.boot:
        return np.full(n, np.nan), np.full(n, np.nan)
    calibrator = f.estimator.calibrated_classifiers_[0].calibrators[0]
    x = X[f.columns].to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        draws = np.stack([calibrator.predict(b.decision_function(x)) for b in f.boot])
    return np.percentile(draws, low, axis=0), np.percentile(draws, high, axis=0)


def explain(f: Fitted, X: pd.DataFrame, top: int = 3) -> list[list[tuple[str, float]]]:
    """Per row: up to ``top`` features that push the risk up most, as ``(feature,
    contribution)`` in log-odds against the training mean (logistic model only; a missing
    value contributes nothing)."""
    if f.model != "logit":
        return [[] for _ in range(len(X))]
    pipe = f.estimator.calibrated_classifiers_[0].estimator
    imp, scale, lr = pipe[0], pipe[1], pipe[2]
    x = X[f.columns].to_numpy(float)
    z = scale.transform(imp.transform(x))
    # only the values themselves: the imputer's "was missing" columns say nothing a reader
    # can act on, and an imputed value (the median) contributes about nothing
    n = len(f.columns)
    contrib = z[:, :n] * lr.coef_[0][:n]
    contrib[np.isnan(x)] = 0.0
    out = []
    for row in contrib:
        order = np.argsort(-row, kind="stable")[:top]
        out.append([(f.columns[i], float(row[i])) for i in order if row[i] > 0])
    return out


# -- the backtest ----------------------------------------------------------------------------


def _top(y: np.ndarray, score: np.ndarray, share: float) -> tuple[float, float]:
    """Lift and recall of the riskiest ``share`` of ``score`` (ties broken by order)."""
    n = len(y)
    k = max(1, int(np.ceil(share * n)))
    idx = np.argsort(-score, kind="stable")[:k]
    hits = y[idx].sum()
    base = y.mean()
    lift = (hits / k) / base if base > 0 else np.nan
    recall = hits / y.sum() if y.sum() > 0 else np.nan
    return float(lift), float(recall)


def _calibration_error(y: np.ndarray, p: np.ndarray, bins: int = CALIBRATION_BINS) -> float:
    order = np.argsort(p, kind="stable")
    gaps = [abs(p[b].mean() - y[b].mean()) * len(b) for b in np.array_split(order, bins) if len(b)]
    return float(sum(gaps) / len(y))


def metrics(y: np.ndarray, score: np.ndarray, *, probabilistic: bool) -> dict[str, float]:
    """ROC-AUC, PR-AUC, lift and recall in the top 10 % and 20 %, and (for a probability)
    Brier score and calibration error. Missing scores rank last."""
    s = np.where(np.isnan(score), np.nanmin(score) - 1 if np.isfinite(score).any() else 0, score)
    one_class = len(set(y)) < 2
    res = {
        "n": len(y),
        "events": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else np.nan,
        "roc_auc": np.nan if one_class else float(roc_auc_score(y, s)),
        "pr_auc": np.nan if one_class else float(average_precision_score(y, s)),
    }
    for share in TOP_SHARES:
        lift, recall = _top(y, s, share)
        res[f"lift_{int(share * 100)}"] = lift
        res[f"recall_{int(share * 100)}"] = recall
    res["brier"] = float(brier_score_loss(y, s)) if probabilistic and not one_class else np.nan
    res["calibration_error"] = _calibration_error(y, s) if probabilistic else np.nan
    return res


def training_rows(
    feats: pd.DataFrame, out: pd.DataFrame, outcome: str, known_by: int | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows with features and a known ``outcome`` whose target edition is not after
    ``known_by`` (all known ones when ``None``)."""
    o = out[out[outcome].notna()]
    if known_by is not None:
        o = o[o["target_year"] <= known_by]
    idx = o.index.intersection(feats.index)
    X = feats.loc[idx]
    keep = X.notna().any(axis=1)
    X = X[keep]
    return X, o.loc[X.index, outcome].to_numpy(int)


def check_training(n: int, events: int, *, min_regions: int, min_events: int, where: str) -> None:
    """A clear message when a training set cannot carry a model."""
    if n < min_regions:
        raise WijkradarError(
            "te weinig gebieden om te trainen voor {where}: {n}, minimaal {min}",
            where=where,
            n=n,
            min=min_regions,
        )
    if events < min_events or events > n - min_events:
        raise WijkradarError(
            "te weinig gebeurtenissen om te trainen voor {where}: {events} van {n} "
            "(minimaal {min} van elk van beide uitkomsten)",
            where=where,
            events=events,
            n=n,
            min=min_events,
        )


def backtest(
    feats: Features,
    out: pd.DataFrame,
    *,
    outcome: str,
    level: str,
    horizon: int,
    settings: dict,
    models: Sequence[str] = MODELS,
    dimensions: Sequence[str] = (),
) -> pd.DataFrame:
    """The harness: :data:`METRIC_COLUMNS` rows per split, model and baseline.

    Time split first: each origin whose outcome lies in the data and for which enough pairs
    were known *at* the origin (their target edition ≤ the origin) to train. Without any such
    origin, spatially blocked cross-validation over all known pairs (``split`` ``space``).
    """
    kind = str(out["kind"].iloc[0]) if len(out) else "problems"
    X_all = feats.table
    _, y_all = training_rows(X_all, out, outcome, known_by=None)
    check_training(
        len(y_all),
        int(y_all.sum()),
        min_regions=settings["min_regions"],
        min_events=settings["min_events"],
        where=f"{level}, {outcome}",
    )
    rows = []
    usable = []
    for origin in sorted(set(out.index.get_level_values("year")[out[outcome].notna()])):
        X_tr, y_tr = training_rows(X_all, out, outcome, known_by=origin)
        few = min(y_tr.sum(), len(y_tr) - y_tr.sum()) < settings["min_events"]
        if len(y_tr) < settings["min_regions"] or few:
            continue
        test = out[(out.index.get_level_values("year") == origin) & out[outcome].notna()]
        idx = test.index.intersection(X_all.index)
        if len(idx):
            usable.append((origin, X_tr, y_tr, test, idx))
    # the challenger only at the latest origins: the verdict is the default model's, and
    # boosting costs several times its fit at every origin of a national panel
    challenged = {u[0] for u in usable[-int(settings.get("challenger_origins", 1)) :]}
    for origin, X_tr, y_tr, test, idx in usable:
        y_te = test.loc[idx, outcome].to_numpy(int)
        meta = {"split": "time", "origin": origin, "target": int(test["target_year"].max())}
        rows += _evaluate(
            X_tr,
            y_tr,
            X_all.loc[idx],
            y_te,
            test.loc[idx],
            kind,
            outcome,
            meta,
            settings,
            models if origin in challenged else [m for m in models if m == MODELS[0]],
            dimensions,
        )
    if not rows:
        rows = _spatial_cv(X_all, out, kind, outcome, settings, models, dimensions)
    res = pd.DataFrame(rows)
    if res.empty:
        return pd.DataFrame(columns=list(METRIC_COLUMNS))
    res = res.assign(level=level, outcome=outcome, horizon=horizon)
    return res[list(METRIC_COLUMNS)]


def _evaluate(
    X_tr, y_tr, X_te, y_te, test, kind, outcome, meta, settings, models, dimensions
) -> list[dict]:
    rows = []
    for model in models:
        try:
            f = fit(
                X_tr,
                y_tr,
                model=model,
                folds=settings["folds"],
                max_rows=settings.get("max_train_rows"),
            )
        except WijkradarError:
            continue
        m = metrics(y_te, predict(f, X_te), probabilistic=True)
        rows.append({**meta, "kind": "model", "rule": model, "n_train": f.n_train, **m})
    for name, score in baseline_scores(test, X_te, kind, outcome, dimensions).items():
        if score.notna().mean() < MIN_BASELINE_COVERAGE:
            continue
        m = metrics(y_te, score.to_numpy(float), probabilistic=False)
        rows.append({**meta, "kind": "baseline", "rule": name, "n_train": 0, **m})
    return rows


def _spatial_cv(X_all, out, kind, outcome, settings, models, dimensions) -> list[dict]:
    """Blocked cross-validation: each fold's gemeenten (or wijken) are predicted by a model
    trained on the other blocks only; the folds' predictions are scored together."""
    X, y = training_rows(X_all, out, outcome, known_by=None)
    if len(y) < settings["min_regions"]:
        return []
    codes = pd.Index(X.index.get_level_values("code"))
    groups = blocks(codes, settings["folds"])
    k = min(settings["folds"], len(set(groups)))
    if k < 2:
        return []
    test = out.loc[X.index]
    years = sorted(set(X.index.get_level_values("year")))
    targets = test["target_year"].dropna()
    meta = {
        "split": "space",
        "origin": int(years[-1]),
        "target": int(targets.max()) if len(targets) else np.nan,
    }
    rows = []
    for model in models:
        pred = np.full(len(y), np.nan)
        n_train = []
        for tr, te in _folds(k).split(X, y, groups):
            if len(set(y[tr])) < 2:
                continue
            try:
                f = fit(
                    X.iloc[tr],
                    y[tr],
                    model=model,
                    folds=settings["folds"],
                    max_rows=settings.get("max_train_rows"),
                )
            except WijkradarError:
                continue
            pred[te] = predict(f, X.iloc[te])
            n_train.append(f.n_train)
        if np.isnan(pred).all():
            continue
        ok = ~np.isnan(pred)
        m = metrics(y[ok], pred[ok], probabilistic=True)
        rows.append({**meta, "kind": "model", "rule": model, "n_train": int(np.mean(n_train)), **m})
    for name, score in baseline_scores(test, X, kind, outcome, dimensions).items():
        if score.notna().mean() < MIN_BASELINE_COVERAGE:
            continue
        m = metrics(y, score.to_numpy(float), probabilistic=False)
        rows.append({**meta, "kind": "baseline", "rule": name, "n_train": 0, **m})
    return rows


def verdict(table: pd.DataFrame) -> pd.DataFrame:
    """Per (outcome, split, origin): the default model's ROC-AUC and PR-AUC beside the best
    baseline's (the baseline with the highest ROC-AUC) and whether the model beats it on both
    and is better than chance.

    Columns: ``outcome, split, origin, target, model, roc_auc, pr_auc, baseline,
    baseline_roc_auc, baseline_pr_auc, beats``.
    """
    key = ["outcome", "split", "origin", "target"]
    mod = table[(table["kind"] == "model") & (table["rule"] == "logit")]
    base = table[table["kind"] == "baseline"].dropna(subset=["roc_auc"])
    best = base.sort_values(key + ["roc_auc"], ascending=[True] * 4 + [False])
    best = best.drop_duplicates(key)[key + ["rule", "roc_auc", "pr_auc"]]
    best = best.rename(
        columns={"rule": "baseline", "roc_auc": "baseline_roc_auc", "pr_auc": "baseline_pr_auc"}
    )
    res = mod[key + ["rule", "roc_auc", "pr_auc"]].rename(columns={"rule": "model"})
    res = res.merge(best, on=key, how="left")
    res["beats"] = (
        (res["roc_auc"] > res["baseline_roc_auc"])
        & (res["pr_auc"] > res["baseline_pr_auc"])
        & (res["roc_auc"] > 0.5)  # better than a worse-than-chance baseline is not "good"
    )
    return res.reset_index(drop=True)

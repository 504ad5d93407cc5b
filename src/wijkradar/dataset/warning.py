"""Early warning from a Dataset: features, outcomes, the fit, the risks and their backtest.

:func:`warning` is what ``wijkradar warning``, the web's *risico* layer and the report use. A
risk never travels without its backtest: :class:`WarningResult` carries both, and the
backtest's verdict says plainly whether the model beat the best naive baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wijkradar.analysis import warning as ew
from wijkradar.codes import gemeenten_of
from wijkradar.dataset.dynamics import check_gemeente
from wijkradar.dataset.neighbours import adjacency
from wijkradar.errors import WijkradarError
from wijkradar.frames import as_text, is_in

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset

RISK_COLUMNS = (
    "code",
    "name",
    "year",
    "horizon",
    "outcome",
    "risk",
    "risk_low",
    "risk_high",
    "drivers",
)
"""One row per region of :func:`warning`: ``risk`` in 0–1 (calibrated), ``risk_low`` and
``risk_high`` the 10th and 90th percentile of the bootstrap refits, ``drivers`` a list of
``{"feature", "indicator", "value", "contribution"}`` (largest first)."""
HOUSING_KINDS = ("share", "mean", "score", "rate")
MIN_COVERAGE = 0.5
"""A region is given a risk only when at least this share of the model's features is known
for it in the origin year."""


@dataclass
class WarningResult:
    """Risks for one origin and the backtest that judges them."""

    frame: pd.DataFrame
    backtest: pd.DataFrame
    verdict: pd.DataFrame
    level: str
    year: int
    horizon: int
    outcome: str
    outcome_kind: str
    model: str
    n_train: int
    events: int
    train_years: list[int] = field(default_factory=list)
    decline_points: float = 10

    @property
    def headline(self) -> dict:
        """The backtest's summary for a legend: the default model's ROC-AUC beside the best
        baseline's, over the latest split."""
        v = self.verdict
        if v.empty:
            return {}
        r = v.sort_values("origin").iloc[-1]
        return {
            "split": r["split"],
            "origin": int(r["origin"]),
            "target": None if pd.isna(r["target"]) else int(r["target"]),
            "roc_auc": float(r["roc_auc"]),
            "pr_auc": float(r["pr_auc"]),
            "baseline": str(r["baseline"]),
            "baseline_roc_auc": float(r["baseline_roc_auc"]),
            "baseline_pr_auc": float(r["baseline_pr_auc"]),
            "beats": bool(r["beats"]),
        }

    def records(self, catalogue, lang: str = "nl") -> list[dict]:
        """The risks as JSON-ready dicts, each driver with its ``text`` in ``lang``."""
        from wijkradar.jsonable import jsonable
        from wijkradar.wording import words

        w = words(lang)
        out = []
        for r in self.frame.to_dict("records"):
            r["drivers"] = [{**d, "text": w.driver(d, catalogue)} for d in r["drivers"]]
            out.append(r)
        return jsonable(out)

    def summary(self, catalogue, lang: str = "nl") -> dict:
        """What a legend or a report says about these risks: the outcome in words, the
        training set and the backtest's headline with its sentence."""
        from wijkradar.jsonable import jsonable
        from wijkradar.wording import words

        w = words(lang)
        return jsonable(
            {
                "level": self.level,
                "year": self.year,
                "horizon": self.horizon,
                "outcome": self.outcome,
                "outcome_kind": self.outcome_kind,
                "outcome_text": w.outcome(self.outcome, self.outcome_kind, self.decline_points),
                "model": self.model,
                "n_train": self.n_train,
                "events": self.events,
                "train_years": self.train_years,
                "backtest": self.headline,
                "backtest_text": w.backtest_sentence(self.headline, catalogue),
            }
        )


def feature_indicators(ds: Dataset) -> list[str]:
    """The catalogue indicators whose percentiles are features: the axes' weighted
    components and the housing mix (shares, means, scores), never a sensitive one, never
    the Leefbaarometer total, class or *bewoners* dimension."""
    ind = ds.indicators.indicators
    scored = (ind["domain"].isin(["composition", "problems"])) & (ind["weight"] > 0)
    housing = (ind["domain"] == "housing") & ind["kind"].isin(HOUSING_KINDS)
    sens = ind["sensitive"].fillna("").astype(str) != ""
    ok = (scored | housing) & ~sens & ~ind.index.isin(ew.EXCLUDED)
    return list(ind.index[ok])


def sensitive(ds: Dataset) -> list[str]:
    ind = ds.indicators.indicators
    return list(ind.index[ind["sensitive"].fillna("").astype(str) != ""])


def problem_dimensions(ds: Dataset) -> list[str]:
    """Problems-domain indicators whose current level is a naive baseline."""
    ind = ds.indicators.indicators
    ok = (ind["domain"] == "problems") & (ind["weight"] > 0) & ~ind.index.isin(ew.EXCLUDED)
    return list(ind.index[ok])


def features(ds: Dataset, *, level: str, view: str = "absolute") -> ew.Features:
    """The feature table of ``level`` (:func:`wijkradar.analysis.warning.feature_table`)."""
    from wijkradar.analysis.scores import percentiles

    def compute() -> ew.Features:
        s = ds.axis_scores(view)
        s = s[s["level"] == level]
        keep = feature_indicators(ds)
        p = ds.panel
        p = p[(p["level"] == level) & is_in(p["indicator"], [*keep, "population"])]
        pct = percentiles(p, ds.indicators, view=view, indicators=keep)
        comps = pd.DataFrame(
            {
                "code": as_text(pct["code"]),
                "year": pct["year"].astype(int),
                "indicator": as_text(pct["indicator"]),
                "percentile": pct["percentile"].fillna(pct["value_pct"]),
            }
        )
        pop = p[(p["indicator"] == "population") & p["value"].notna()]
        pop = pd.DataFrame(
            {
                "code": as_text(pop["code"]),
                "year": pop["year"].astype(int),
                "value": pop["value"],
            }
        )
        adj, order = adjacency(ds, level)
        return ew.feature_table(
            s,
            comps,
            pop,
            adjacency=adj,
            order=order,
            breaks=ds.breaks,
            weak_score=ds.rules["warning"]["weak_score"],
            sensitive=sensitive(ds),
        )

    return ds._memo(("warning_features", level, view), compute)


def outcomes(ds: Dataset, *, level: str, horizon: int, view: str = "absolute") -> pd.DataFrame:
    """The outcome table of ``level`` (:func:`wijkradar.analysis.warning.outcome_table`):
    from the Leefbaarometer class where the level has it in two editions or more, else from
    the problems score."""
    st = ds.rules["warning"]

    def compute() -> pd.DataFrame:
        p = ds.panel
        m = (p["level"] == level) & (p["indicator"] == "lbm_class") & p["value"].notna()
        lbm = p.loc[m, ["code", "year", "value"]]
        if lbm["year"].nunique() >= 2:
            v, kind = lbm, "lbm_class"
        else:
            s = ds.axis_scores(view)
            s = s[(s["level"] == level) & (s["domain"] == "problems")]
            v, kind = s[["code", "year", "score"]].rename(columns={"score": "value"}), "problems"
        v = v.assign(code=as_text(v["code"]), year=v["year"].astype(int))
        return ew.outcome_table(
            v,
            kind=kind,
            horizon=horizon,
            breaks=ds.breaks,
            weak_score=st["weak_score"],
            decline_points=st["decline_points"],
            weak_class_max=st["weak_class_max"],
        )

    return ds._memo(("warning_outcomes", level, horizon, view), compute)


def _scope(frame: pd.DataFrame, gemeente: str | None) -> pd.DataFrame:
    if gemeente is None:
        return frame
    codes = pd.Series(frame.index.get_level_values("code").astype(str))
    return frame[(gemeenten_of(codes).astype(str) == gemeente).to_numpy()]


def _check_horizon(out: pd.DataFrame, horizon: int, level: str, outcome: str) -> None:
    if out[outcome].notna().any():
        return
    years = sorted(set(out.index.get_level_values("year")))
    raise WijkradarError(
        "horizon {h} gaat voorbij de gegevens: {level} heeft uitkomsten in {years} "
        "({n} edities, dus horizon hoogstens {max})",
        h=horizon,
        level=level,
        years=", ".join(map(str, years)) or "geen enkel jaar",
        n=len(years),
        max=max(len(years) - 1, 0),
    )


def backtest(
    ds: Dataset,
    *,
    level: str,
    horizon: int | None = None,
    outcome: str = "weak",
    gemeente: str | None = None,
    view: str = "absolute",
) -> pd.DataFrame:
    """The backtest table (:data:`wijkradar.analysis.warning.METRIC_COLUMNS`)."""
    horizon = horizon or ds.rules["warning"]["horizon"]
    _check_outcome(outcome)
    gemeente = check_gemeente(ds, gemeente)

    def compute() -> pd.DataFrame:
        feats = features(ds, level=level, view=view)
        out = _scope(outcomes(ds, level=level, horizon=horizon, view=view), gemeente)
        _check_horizon(out, horizon, level, outcome)
        table = _scope(feats.table, gemeente)
        f = ew.Features(table, feats.columns, feats.indicators)
        return ew.backtest(
            f,
            out,
            outcome=outcome,
            level=level,
            horizon=horizon,
            settings=ds.rules["warning"],
            dimensions=problem_dimensions(ds),
        )

    return ds._memo(("warning_backtest", level, horizon, outcome, gemeente, view), compute)


def _check_outcome(outcome: str) -> None:
    if outcome not in ew.OUTCOMES:
        raise WijkradarError(
            "uitkomst moet weak of decline zijn, niet {outcome}", outcome=repr(outcome)
        )


def warning(
    ds: Dataset,
    *,
    level: str,
    year: int | None = None,
    horizon: int | None = None,
    outcome: str = "weak",
    gemeente: str | None = None,
    view: str = "absolute",
    model: str = "logit",
    top: int = 3,
) -> WarningResult:
    """Risks at origin ``year`` (default the latest edition with features): trained only on
    pairs whose outcome was known by ``year``, calibrated on spatial blocks, with the
    backtest of the same level, outcome and horizon.

    Raises
    ------
    WijkradarError
        For an unknown outcome or model, a horizon beyond the data, an origin without
        features or without anything known to learn from, or a training set too small.
    """
    st = ds.rules["warning"]
    horizon = horizon or st["horizon"]
    _check_outcome(outcome)
    if model not in ew.MODELS:
        raise WijkradarError("model moet logit of boosting zijn, niet {m}", m=repr(model))
    gemeente = check_gemeente(ds, gemeente)
    feats = features(ds, level=level, view=view)
    table = _scope(feats.table, gemeente)
    out = _scope(outcomes(ds, level=level, horizon=horizon, view=view), gemeente)
    _check_horizon(out, horizon, level, outcome)
    years = sorted(set(table.index.get_level_values("year")))
    if year is None:  # the latest edition of the outcome's own series that has features
        editions = set(out.index.get_level_values("year")) & set(years)
        year = max(editions) if editions else (years[-1] if years else None)
    if year not in years:
        raise WijkradarError(
            "geen kenmerken voor {level} in {year}{where}; jaren met kenmerken: {years}",
            level=level,
            year=year,
            where=f" in {gemeente}" if gemeente else "",
            years=", ".join(map(str, years)) or "geen",
        )
    X, y = ew.training_rows(table, out, outcome, known_by=year)
    known = sorted(set(out["target_year"].dropna().astype(int)))
    if len(y) == 0:
        raise WijkradarError(
            "voor {level} is tot {year} geen gebied bekend met kenmerken bij het vertrek en een "
            "uitkomst {h} editie(s) later om van te leren (uitkomsten in {known})",
            year=year,
            level=level,
            h=horizon,
            known=", ".join(map(str, known)) or "geen enkel jaar",
        )
    ew.check_training(
        len(y),
        int(y.sum()),
        min_regions=st["min_regions"],
        min_events=st["min_events"],
        where=f"{level} {year}",
    )
    fitted = ew.fit(
        X,
        y,
        model=model,
        folds=st["folds"],
        bootstrap=st["bootstrap"],
        max_rows=st["max_train_rows"],
    )
    Xo = table.xs(year, level="year", drop_level=False)
    # a region is scored only on what the model learnt from: at least half its features known
    Xo = Xo[Xo.reindex(columns=fitted.columns).notna().mean(axis=1) >= MIN_COVERAGE]
    if Xo.empty:
        raise WijkradarError(
            "in {year} ontbreken voor {level} de kenmerken waarop het model leerde (jaren "
            "{train}); kies een jaar met dezelfde gegevens",
            year=year,
            level=level,
            train=", ".join(map(str, sorted(set(X.index.get_level_values("year"))))),
        )
    risk = ew.predict(fitted, Xo)
    low, high = ew.band(fitted, Xo)
    drivers = ew.explain(fitted, Xo, top=top)
    codes = Xo.index.get_level_values("code").astype(str)
    frame = pd.DataFrame(
        {
            "code": codes,
            "name": pd.Series(codes).map(ds.names).fillna("").to_numpy(),
            "year": year,
            "horizon": horizon,
            "outcome": outcome,
            "risk": risk,
            "risk_low": low,
            "risk_high": high,
            "drivers": [_drivers(d, Xo.iloc[i], feats.indicators) for i, d in enumerate(drivers)],
        }
    ).sort_values("risk", ascending=False, kind="stable")
    bt = backtest(ds, level=level, horizon=horizon, outcome=outcome, gemeente=gemeente, view=view)
    return WarningResult(
        frame=frame.reset_index(drop=True)[list(RISK_COLUMNS)],
        backtest=bt,
        verdict=ew.verdict(bt) if len(bt) else pd.DataFrame(),
        level=level,
        year=int(year),
        horizon=horizon,
        outcome=outcome,
        outcome_kind=str(out["kind"].iloc[0]),
        model=model,
        n_train=fitted.n_train,  # what the model learnt from (a sample of a larger set)
        events=fitted.events,
        train_years=sorted(set(X.index.get_level_values("year").astype(int))),
        decline_points=st["decline_points"],
    )


def _drivers(d: list, row: pd.Series, indicators: dict) -> list[dict]:
    res = []
    for feat, contribution in d:
        value = row.get(feat, np.nan)
        res.append(
            {
                "feature": feat,
                "indicator": indicators.get(feat.removeprefix("lag:")),
                "value": None if pd.isna(value) else float(value),
                "contribution": round(float(contribution), 3),
            }
        )
    return res

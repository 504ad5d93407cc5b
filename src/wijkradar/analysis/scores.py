"""Composite scores: indicators made comparable within a year and level, then combined.

Each indicator is turned into a percentile rank (0–100) among all regions of the same level
and year, in the catalogue's direction (100 = most vulnerable / most problems), and the domain
score is the catalogue-weighted mean of those percentiles. A score needs at least
``min_weight_share`` of its domain's weight to be present, else it is missing ("insufficient
data") rather than computed from one stray indicator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkradar.catalogue import Catalogue

SCORE_DOMAINS = ("composition", "problems")


def percentiles(
    panel: pd.DataFrame, catalogue: Catalogue, domains: tuple[str, ...] = SCORE_DOMAINS
) -> pd.DataFrame:
    """Direction-aware percentile ranks of the weighted indicators of ``domains``.

    Returns the panel rows of those indicators (with a value) plus ``percentile`` (0–100,
    higher = more vulnerable), ``weight`` and ``domain``; ties share their mean rank.
    """
    ind = catalogue.indicators
    use = ind[(ind["domain"].isin(domains)) & (ind["weight"] > 0) & (ind["direction"] != "0")]
    p = panel[panel["indicator"].isin(use.index) & panel["value"].notna()].copy()
    if p.empty:
        return p.assign(
            percentile=pd.Series(dtype=float),
            weight=pd.Series(dtype=float),
            domain=pd.Series(dtype="string"),
        )
    sign = p["indicator"].map(use["direction"].map({"+": 1.0, "-": -1.0}))
    p["signed"] = p["value"] * sign
    p["percentile"] = p.groupby(["level", "year", "indicator"])["signed"].rank(pct=True) * 100
    p["weight"] = p["indicator"].map(use["weight"]).astype(float)
    p["domain"] = p["indicator"].map(use["domain"])
    return p.drop(columns="signed")


def domain_scores(
    panel: pd.DataFrame, catalogue: Catalogue, min_weight_share: float = 0.5
) -> pd.DataFrame:
    """Weighted mean percentile per (code, level, year, domain).

    Returns columns ``code, level, year, domain, score, weight_share, n_indicators``;
    ``score`` is NaN where less than ``min_weight_share`` of the domain's weight is present.
    """
    p = percentiles(panel, catalogue)
    if p.empty:
        return pd.DataFrame(
            columns=["code", "level", "year", "domain", "score", "weight_share", "n_indicators"]
        )
    ind = catalogue.indicators
    total = ind[ind["weight"] > 0].groupby("domain")["weight"].sum()
    p["wp"] = p["percentile"] * p["weight"]
    g = p.groupby(["code", "level", "year", "domain"], observed=True).agg(
        wp=("wp", "sum"), w=("weight", "sum"), n_indicators=("indicator", "nunique")
    )
    g = g.reset_index()
    g["weight_share"] = g["w"] / g["domain"].map(total)
    g["score"] = np.where(g["weight_share"] >= min_weight_share, g["wp"] / g["w"], np.nan)
    return g[["code", "level", "year", "domain", "score", "weight_share", "n_indicators"]]


def worst(
    panel: pd.DataFrame,
    regions: pd.DataFrame,
    catalogue: Catalogue,
    *,
    level: str = "buurt",
    domain: str = "composition",
    n: int = 15,
) -> pd.DataFrame:
    """The ``n`` regions of ``level`` with the highest ``domain`` score.

    Each gemeente contributes its latest year with scores (so an old indeling that ended
    earlier does not mix in).
    """
    s = domain_scores(panel[panel["level"] == level], catalogue)
    s = s[(s["domain"] == domain) & s["score"].notna()].copy()
    s["gemeente"] = s["code"].astype(str).str[2:6]
    latest = s.groupby("gemeente")["year"].transform("max")
    s = s[s["year"] == latest]
    names = regions.set_index("code")[["name", "gemeente_name"]]
    s = s.join(names, on="code").sort_values("score", ascending=False).head(n)
    return s[["code", "name", "gemeente_name", "year", "score", "n_indicators"]]

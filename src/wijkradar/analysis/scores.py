"""Composite scores: indicators made comparable within a year and level, then combined.

Each indicator becomes a rank percentile (0–100; ties share their mean rank) among the regions
of the same level and year, in the catalogue's direction (100 = most vulnerable / most
problems). Two views: ``absolute`` ranks against all regions of that level (the country with
the full CBS series), ``relative`` against the other regions of the same gemeente ("the role of
the neighbourhood in the city"; needs ``min_relative_units`` regions). A domain score is the
catalogue-weighted mean of its indicators' percentiles and needs at least ``min_weight_share``
of the domain's weight, else it is missing ("insufficient data") rather than computed from one
stray indicator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkradar.catalogue import Catalogue

SCORE_DOMAINS = ("composition", "problems")
VIEWS = ("absolute", "relative")


def _group_keys(p: pd.DataFrame, view: str) -> list:
    if view == "absolute":
        return [p["level"], p["year"], p["indicator"]]
    if view == "relative":
        return [p["level"], p["year"], p["indicator"], p["code"].astype(str).str[2:6]]
    raise ValueError(f"view must be one of {VIEWS}, got {view!r}")


def scored_indicators(catalogue: Catalogue, domains=SCORE_DOMAINS) -> pd.DataFrame:
    """The catalogue rows that enter a score: weighted, with a direction, in ``domains``."""
    ind = catalogue.indicators
    return ind[(ind["domain"].isin(domains)) & (ind["weight"] > 0) & (ind["direction"] != "0")]


def percentiles(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    *,
    view: str = "absolute",
    domains: tuple[str, ...] = SCORE_DOMAINS,
    min_units: int = 1,
) -> pd.DataFrame:
    """Direction-aware percentile ranks of the scored indicators.

    Returns the panel rows of those indicators (with a value) plus ``percentile`` (0–100,
    higher = more vulnerable), ``value_pct`` (share of the other regions of the comparison
    group with a strictly lower value, ignoring direction — for sentences), ``group_size``,
    ``group_gemeenten`` (gemeenten in the comparison group), ``weight`` and ``domain``.
    Groups smaller than ``min_units`` get NaN percentiles.
    """
    use = scored_indicators(catalogue, domains)
    p = panel[
        panel["indicator"].isin(use.index)
        & panel["value"].notna()
        & panel["status"].isin(["observed", "derived"])
    ].copy()
    if p.empty:
        return p.assign(
            percentile=pd.Series(dtype=float),
            value_pct=pd.Series(dtype=float),
            group_size=pd.Series(dtype=int),
            weight=pd.Series(dtype=float),
            domain=pd.Series(dtype="string"),
        )
    p["indicator"] = p["indicator"].astype(str)
    p["level"] = p["level"].astype(str)
    sign = p["indicator"].map(use["direction"].map({"+": 1.0, "-": -1.0}))
    g = p.groupby(_group_keys(p, view), observed=True)
    p["group_size"] = g["value"].transform("size")
    p["group_gemeenten"] = (
        p["code"]
        .astype(str)
        .str[2:6]
        .groupby(_group_keys(p, view), observed=True)
        .transform("nunique")
    )
    # (mean rank - 1) / (n - 1): 0 for the lowest, 100 for the highest region of the group
    rank = (p["value"] * sign).groupby(_group_keys(p, view), observed=True).rank()
    p["percentile"] = (rank - 1) / (p["group_size"] - 1).where(p["group_size"] > 1) * 100
    # share of the *other* regions of the group with a strictly lower value
    lower = g["value"].rank(method="min") - 1
    p["value_pct"] = lower / (p["group_size"] - 1).where(p["group_size"] > 1) * 100
    small = p["group_size"] < min_units
    p.loc[small, ["percentile", "value_pct"]] = np.nan
    p["weight"] = p["indicator"].map(use["weight"]).astype(float)
    p["domain"] = p["indicator"].map(use["domain"])
    return p


def domain_scores(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    *,
    view: str = "absolute",
    min_weight_share: float = 0.5,
    min_units: int = 1,
) -> pd.DataFrame:
    """Weighted mean percentile per (code, level, year, domain).

    Returns columns ``code, level, year, domain, score, weight_share, n_indicators``;
    ``score`` is NaN where less than ``min_weight_share`` of the domain's weight is present.
    """
    p = percentiles(panel, catalogue, view=view, min_units=min_units)
    p = p[p["percentile"].notna()]
    cols = ["code", "level", "year", "domain", "score", "weight_share", "n_indicators"]
    if p.empty:
        return pd.DataFrame(columns=cols)
    total = scored_indicators(catalogue).groupby("domain")["weight"].sum()
    p["wp"] = p["percentile"] * p["weight"]
    p["code"] = p["code"].astype(str)
    g = p.groupby(["code", "level", "year", "domain"], observed=True).agg(
        wp=("wp", "sum"), w=("weight", "sum"), n_indicators=("indicator", "nunique")
    )
    g = g.reset_index()
    g["weight_share"] = g["w"] / g["domain"].map(total)
    g["score"] = np.where(g["weight_share"] >= min_weight_share - 1e-9, g["wp"] / g["w"], np.nan)
    return g[cols]


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

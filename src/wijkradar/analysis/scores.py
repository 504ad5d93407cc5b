"""Composite scores: indicators made comparable within a year and level, then combined.

Each indicator becomes a rank percentile (0–100; ties share their mean rank) among the regions
of the same level and year, in the catalogue's direction (100 = most vulnerable / most
problems). Two views: ``absolute`` ranks against all regions of that level (the country with
the full CBS series), ``relative`` against the other regions of the same gemeente ("the role of
the neighbourhood in the city"; needs ``min_relative_units`` regions). A domain score is the
catalogue-weighted mean of its indicators' percentiles, by the rule of the signal
(:func:`~wijkradar.analysis.kernel.weighted_score`): it needs ``min_weight_share`` of the
domain's weight or one complete sufficient set, else it is missing ("insufficient data")
rather than computed from one stray indicator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkradar.analysis.kernel import AxisSettings, coverage, packaged, weighted_score
from wijkradar.catalogue import Catalogue
from wijkradar.catalogue.rules import Rules
from wijkradar.codes import gemeenten_of
from wijkradar.frames import as_text, is_in, lookup
from wijkradar.vocab import AXES, SHOWN_STATUSES, VIEWS, Axis, View

DOMAIN_SCORE_COLUMNS = ("code", "level", "year", "domain", "score", "weight_share", "n_indicators")


def _group_keys(p: pd.DataFrame, view: View) -> list:
    if view == "absolute":
        return [p["level"], p["year"], p["indicator"]]
    if view == "relative":
        return [p["level"], p["year"], p["indicator"], gemeenten_of(p["code"])]
    raise ValueError(f"view must be one of {VIEWS}, got {view!r}")


def _settings(rules: Rules | None) -> AxisSettings:
    return packaged() if rules is None else AxisSettings.from_rules(rules)


def scored_indicators(catalogue: Catalogue, domains: tuple[Axis, ...] = AXES) -> pd.DataFrame:
    """The catalogue rows that enter a score: weighted, with a direction, in ``domains``."""
    ind = catalogue.indicators
    return ind[(ind["domain"].isin(domains)) & (ind["weight"] > 0) & (ind["direction"] != "0")]


def percentiles(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    *,
    view: View = "absolute",
    domains: tuple[Axis, ...] = AXES,
    min_units: int = 1,
    indicators: list[str] | None = None,
) -> pd.DataFrame:
    """Direction-aware percentile ranks of the scored indicators (or of ``indicators``).

    Returns the panel rows of those indicators (with a value) plus ``percentile`` (0–100,
    higher = more vulnerable; NaN for an indicator without a direction), ``value_pct`` (share
    of the other regions of the comparison group with a strictly lower value, ignoring
    direction — for sentences), ``group_size``, ``group_gemeenten`` (gemeenten in the
    comparison group), ``weight`` and ``domain``. Groups smaller than ``min_units`` get NaN
    percentiles.
    """
    ind = catalogue.indicators
    use = (
        scored_indicators(catalogue, domains)
        if indicators is None
        else ind[ind.index.isin(indicators)]
    )
    p = panel[
        is_in(panel["indicator"], use.index)
        & panel["value"].notna()
        & is_in(panel["status"], SHOWN_STATUSES)
    ].copy()
    if p.empty:
        return p.assign(
            percentile=pd.Series(dtype=float),
            value_pct=pd.Series(dtype=float),
            group_size=pd.Series(dtype=int),
            group_gemeenten=pd.Series(dtype=int),
            weight=pd.Series(dtype=float),
            domain=pd.Series(dtype="string"),
        )
    # grouped and looked up on the categoricals' codes; text only for the result
    sign = lookup(p["indicator"], use["direction"].map({"+": 1.0, "-": -1.0}))
    g = p.groupby(_group_keys(p, view), observed=True)
    p["group_size"] = g["value"].transform("size")
    p["group_gemeenten"] = (
        gemeenten_of(p["code"]).groupby(_group_keys(p, view), observed=True).transform("nunique")
    )
    others = (p["group_size"] - 1).where(p["group_size"] > 1)
    # (mean rank - 1) / (n - 1): 0 for the lowest, 100 for the highest region of the group
    rank = (p["value"] * sign).groupby(_group_keys(p, view), observed=True).rank()
    p["percentile"] = (rank - 1) / others * 100
    # share of the *other* regions of the group with a strictly lower value
    p["value_pct"] = (g["value"].rank(method="min") - 1) / others * 100
    small = p["group_size"] < min_units
    p.loc[small, ["percentile", "value_pct"]] = np.nan
    p["weight"] = lookup(p["indicator"], use["weight"]).astype(float)
    p["domain"] = lookup(p["indicator"], use["domain"]).astype("str")
    p["indicator"] = as_text(p["indicator"])
    p["level"] = as_text(p["level"])
    return p


def _presence(rows: pd.DataFrame, keys: list[str], use: pd.DataFrame, col: str | None):
    """``keys`` groups × ``use`` indicators: the group index and a matrix of ``col`` (or of
    presence, when ``col`` is None)."""
    g = rows.groupby(keys, observed=True, sort=True)
    r = g.ngroup().to_numpy()
    c = use.index.get_indexer(rows["indicator"])
    keep = (r >= 0) & (c >= 0)
    out = np.full((g.ngroups, len(use)), np.nan if col else False, dtype=float if col else bool)
    out[r[keep], c[keep]] = rows[col].to_numpy(float)[keep] if col else True
    return g.size().index, out


def domain_scores(
    panel: pd.DataFrame,
    catalogue: Catalogue,
    rules: Rules | None = None,
    *,
    view: View = "absolute",
) -> pd.DataFrame:
    """Weighted mean percentile per (code, level, year, domain), as the signal's axes score.

    A thin frame over :func:`~wijkradar.analysis.kernel.weighted_score`, with the settings of
    ``rules`` (default: the packaged ``signals.toml``): ``[scores] min_weight_share``, the
    ``sufficient_sets`` (the Leefbaarometer safety score alone carries the problems axis) and,
    in the ``relative`` view, ``min_relative_units``. Each year is scored from its own
    values; the signal of a year takes each indicator's latest value within the trend window.

    Returns
    -------
    DataFrame
        :data:`DOMAIN_SCORE_COLUMNS`: one row per (code, level, year, domain) with at least one
        percentile; ``score`` is NaN where too little is known (insufficient data),
        ``weight_share`` the share of the domain's weight present.
    """
    s = _settings(rules)
    p = percentiles(panel, catalogue, view=view, min_units=s.min_units(view))
    p = p[p["percentile"].notna()]
    if p.empty:
        return pd.DataFrame(columns=list(DOMAIN_SCORE_COLUMNS))
    p["code"] = as_text(p["code"])
    parts = []
    for d in AXES:
        use = scored_indicators(catalogue, (d,)).sort_index()  # the axes' column order
        rows = p[p["domain"] == d]
        if rows.empty:
            continue
        keys, P = _presence(rows, ["code", "level", "year"], use, "percentile")
        score, share = weighted_score(
            P,
            use["weight"].to_numpy(float),
            use.index,
            min_share=s.min_score_share,
            sufficient_sets=s.sets(d),
        )
        frame = keys.to_frame(index=False).assign(
            domain=d, score=score, weight_share=share, n_indicators=(~np.isnan(P)).sum(1)
        )
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True).sort_values(["code", "level", "year", "domain"])
    return out[list(DOMAIN_SCORE_COLUMNS)].reset_index(drop=True)


def scoreable(
    panel: pd.DataFrame, catalogue: Catalogue, rules: Rules | None = None, *, level: str
) -> pd.DataFrame:
    """Per (year, code) of ``level``: can at least one axis be scored from what is present?

    By the rule of :func:`~wijkradar.analysis.kernel.coverage` on the scored indicators with a
    value (``min_weight_share`` of a domain's weight, or a complete sufficient set), with the
    settings of ``rules`` (default: the packaged ``signals.toml``). What
    :meth:`~wijkradar.dataset.Dataset.latest_year` picks its year from.

    Returns
    -------
    DataFrame
        ``year, code, ok, gemeente`` (the region's gemeente code), one row per (year, code)
        with at least one scored indicator, sorted by year and code.
    """
    s = _settings(rules)
    use = scored_indicators(catalogue).sort_index()
    m = (panel["level"] == level) & is_in(panel["indicator"], use.index) & panel["value"].notna()
    rows = panel.loc[m, ["year", "code", "indicator"]]
    rows = rows.assign(code=as_text(rows["code"]), indicator=as_text(rows["indicator"]))
    keys, present = _presence(rows, ["year", "code"], use, None)
    ok = np.zeros(len(keys), dtype=bool)
    for d in AXES:
        cols = (use["domain"] == d).to_numpy()
        if cols.any():
            ok |= coverage(
                present[:, cols],
                use["weight"].to_numpy(float)[cols],
                use.index[cols],
                min_share=s.min_score_share,
                sufficient_sets=s.sets(d),
            )[1]
    out = keys.to_frame(index=False).assign(ok=ok)
    out["gemeente"] = gemeenten_of(out["code"]).astype(str)
    return out

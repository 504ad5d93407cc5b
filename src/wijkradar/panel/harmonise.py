"""From raw long frames to panel rows: match source columns to catalogue ids, combine sources.

Matching is per format (see ``catalogue/sources.csv``): StatLine labels match when the
normalised label path *ends with* the catalogue phrase and the unit agrees (so a
hierarchy prefix or a per-year renumbering does not matter); OData keys match on their stem
(``AantalInwoners_5`` → ``AantalInwoners``); short shapefile/xls names match case-insensitively.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from wijkradar.catalogue import Catalogue
from wijkradar.codes import levels_of
from wijkradar.errors import SourceFormatError
from wijkradar.sources._markers import normalise_label

FORMAT_PRIORITY = {"statline": 0, "odata": 0, "kwbkaart": 1, "police": 2, "user": 3, "lbm": 4}
STATUS_RANK = {"observed": 0, "derived": 1, "suppressed": 2, "missing": 3}
_SUFFIX = re.compile(r"_\d+$")


def _rule_matches(fmt: str, rule: pd.Series, column: str, unit: str, year: int) -> bool:
    if not (rule["year_from"] <= year <= rule["year_to"]):
        return False
    alternatives = [a.strip() for a in rule["match"].split("|")]
    if fmt == "statline":
        col = normalise_label(column)
        phrase_ok = any(
            col == (p := normalise_label(a)) or col.endswith(" " + p) for a in alternatives
        )
        want = normalise_label(rule["unit"])
        return phrase_ok and (not want or not unit or normalise_label(unit) == want)
    if fmt == "odata":
        return _SUFFIX.sub("", column) in alternatives
    if fmt == "kwbkaart":
        return column.lower() in {a.lower() for a in alternatives}
    return column in alternatives


def column_map(raw: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Which (column, unit, year) of a raw frame feeds which indicator.

    Returns a frame ``column, unit, year, indicator, scale`` (one row per matched key).

    Raises
    ------
    SourceFormatError
        When one catalogue rule matches two different columns of the same file and year.
    """
    fmt = raw.attrs.get("format", "")
    keys = raw[["column", "unit", "year"]].drop_duplicates()
    if fmt == "user":
        out = keys.assign(indicator=keys["column"], scale=1.0)
        return out[out["indicator"].isin(catalogue.ids)]
    rules = catalogue.rules(fmt)
    rows = []
    for key in keys.itertuples(index=False):
        for _, rule in rules.iterrows():
            if _rule_matches(fmt, rule, key.column, key.unit or "", int(key.year)):
                rows.append((key.column, key.unit, key.year, rule["indicator"], rule["scale"]))
                break
    out = pd.DataFrame(rows, columns=["column", "unit", "year", "indicator", "scale"])
    dup = out[out.duplicated(["year", "indicator"], keep=False)]
    if not dup.empty:
        first = dup.iloc[0]
        cols = dup[(dup["year"] == first["year"]) & (dup["indicator"] == first["indicator"])]
        raise SourceFormatError(
            f"columns {sorted(set(cols['column']))} all match catalogue indicator "
            f"{first['indicator']!r} for {first['year']}; "
            "make the phrase in sources.csv more specific",
            path=raw["source"].iloc[0] if len(raw) else None,
        )
    return out


def to_panel_rows(raw: pd.DataFrame, catalogue: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map a raw frame onto catalogue ids.

    Returns
    -------
    (rows, matched)
        ``rows``: ``code, year, indicator, value, status, source, priority`` for matched columns;
        ``matched``: the column map used (for the quality report).
    """
    cmap = column_map(raw, catalogue)
    if cmap.empty:
        return _empty_rows(), cmap
    merged = raw.merge(cmap, on=["column", "unit", "year"], how="inner")
    fmt = raw.attrs.get("format", "")
    rows = pd.DataFrame(
        {
            "code": merged["code"],
            "year": merged["year"].astype("int64"),
            "indicator": merged["indicator"].astype("string"),
            "value": merged["value"] * merged["scale"],
            "status": merged["status"].astype("string"),
            "source": merged["source"],
            "priority": FORMAT_PRIORITY.get(fmt, 9),
        }
    )
    return rows, cmap


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": pd.Series(dtype="string"),
            "year": pd.Series(dtype="int64"),
            "indicator": pd.Series(dtype="string"),
            "value": pd.Series(dtype="float64"),
            "status": pd.Series(dtype="string"),
            "source": pd.Series(dtype="string"),
            "priority": pd.Series(dtype="int64"),
        }
    )


def combine(rows: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Combine rows from all files into one row per (code, year, indicator).

    Where several files give the same key, an observed value beats a suppressed or missing
    one, and a full KWB table beats the map attributes, a user table or the Leefbaarometer.
    Observed values that disagree by more than rounding are reported as conflicts.

    Returns
    -------
    (combined, conflicts)
    """
    if not rows:
        return _empty_rows().drop(columns="priority"), pd.DataFrame()
    allrows = pd.concat(rows, ignore_index=True)
    allrows["rank"] = allrows["status"].map(STATUS_RANK).astype("int64")
    allrows = allrows.sort_values(
        ["code", "year", "indicator", "rank", "priority", "source"], kind="stable"
    )
    key = ["code", "year", "indicator"]
    dup_mask = allrows.duplicated(key, keep=False)
    conflicts = pd.DataFrame()
    if dup_mask.any():
        d = allrows[dup_mask & (allrows["status"] == "observed")]
        spread = d.groupby(key, observed=True)["value"].agg(["min", "max", "count"])
        # CBS rounds counts to 5 and percentages to integers in the map attributes: allow that.
        tol = np.maximum(5.0, 0.02 * spread["max"].abs())
        bad = spread[(spread["count"] > 1) & ((spread["max"] - spread["min"]) > tol)]
        if not bad.empty:
            conflicts = bad.reset_index()
    combined = allrows.drop_duplicates(key, keep="first").drop(columns=["rank", "priority"])
    return combined.reset_index(drop=True), conflicts


def derive(panel: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Add the catalogue's derived rates (``per_1000``, ``pct``) where CBS gives only counts.

    A derived value needs an observed numerator and a positive observed denominator; a
    suppressed numerator gives a suppressed rate; a zero denominator gives a missing rate.
    An observed rate from the source is never overwritten.
    """
    out = [panel]
    have = panel.set_index(["code", "year", "indicator"]).index
    for target, der in catalogue.derivations.items():
        num = panel[panel["indicator"] == der.numerator].set_index(["code", "year"])
        if num.empty:
            continue
        den = panel[panel["indicator"] == der.denominator].set_index(["code", "year"])
        j = num.join(den[["value", "status"]].add_suffix("_den"), how="left")
        ok = (j["status"] == "observed") & (j["status_den"].isin(["observed", "derived"]))
        ok &= j["value_den"] > 0
        value = np.where(ok, j["value"] / j["value_den"] * der.factor, np.nan)
        status = np.where(
            ok, "derived", np.where(j["status"] == "suppressed", "suppressed", "missing")
        )
        new = pd.DataFrame(
            {
                "code": j.index.get_level_values(0),
                "year": j.index.get_level_values(1),
                "indicator": target,
                "value": value,
                "status": status,
                "source": j["source"].to_numpy(),
            }
        )
        idx = pd.MultiIndex.from_arrays([new["code"], new["year"], new["indicator"]])
        new = new[~idx.isin(have)]
        out.append(new)
    result = pd.concat(out, ignore_index=True)
    result["level"] = levels_of(result["code"])
    return result

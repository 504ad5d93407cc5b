"""From raw long frames to panel rows: match source columns to catalogue ids, combine sources.

Which column is which indicator is the catalogue's business
(:mod:`wijkradar.catalogue.matching`): every known spelling of an indicator, in any edition and
format. A column two indicators could both claim is an error naming both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkradar.catalogue import Catalogue
from wijkradar.catalogue.matching import AmbiguousColumn
from wijkradar.codes import levels_of
from wijkradar.errors import SourceFormatError

FORMAT_PRIORITY = {"statline": 0, "odata": 0, "kwbkaart": 1, "police": 2, "user": 3, "lbm": 4}
STATUS_RANK = {"observed": 0, "derived": 1, "suppressed": 2, "missing": 3}


CAT_COLUMNS = ("code", "indicator", "status", "source")


def _cat(values: pd.Series) -> pd.Categorical:
    """A categorical without unused categories, labels as plain strings."""
    c = values.astype("category").cat.remove_unused_categories()
    return pd.Categorical.from_codes(
        c.cat.codes.to_numpy(), categories=c.cat.categories.astype(str)
    )


def concat_categorical(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate frames whose text columns are categoricals with different categories.

    ``pd.concat`` would fall back to object columns (gigabytes for a national panel); this
    unions the categories instead.
    """
    from pandas.api.types import union_categoricals

    frames = [f for f in frames if len(f)] or frames[:1]
    out = {}
    for col in frames[0].columns:
        if col in CAT_COLUMNS:
            parts = [
                f[col]
                if isinstance(f[col].dtype, pd.CategoricalDtype)
                else f[col].astype(str).astype("category")
                for f in frames
            ]
            out[col] = union_categoricals(parts, ignore_order=True, sort_categories=True)
        else:
            out[col] = np.concatenate([f[col].to_numpy() for f in frames])
    return pd.DataFrame(out)


def _keys(raw: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Distinct (column, unit, year) keys of a raw frame and each row's key number.

    Works on category codes, so a national table of millions of rows is grouped in
    milliseconds instead of hashing its text.
    """
    col = raw["column"].astype("category")
    unit = raw["unit"].astype("category")
    k = pd.DataFrame(
        {
            "c": col.cat.codes.to_numpy(np.int64),
            "u": unit.cat.codes.to_numpy(np.int64),
            "y": raw["year"].to_numpy(np.int64),
        }
    )
    row_key = pd.MultiIndex.from_frame(k)
    uniq = k.drop_duplicates().reset_index(drop=True)
    number = pd.MultiIndex.from_frame(uniq).get_indexer(row_key)
    col_cats = col.cat.categories.astype(object)
    unit_cats = unit.cat.categories.astype(object)
    keys = pd.DataFrame(
        {
            "column": [col_cats[i] if i >= 0 else "" for i in uniq["c"]],
            "unit": [unit_cats[i] if i >= 0 else "" for i in uniq["u"]],
            "year": uniq["y"].to_numpy(),
        }
    )
    return keys, number


def column_map(
    raw: pd.DataFrame, catalogue: Catalogue, keys: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Which (column, unit, year) of a raw frame feeds which indicator.

    Returns a frame ``column, unit, year, indicator, scale`` (one row per matched key) with
    the key's position in ``keys`` as index.

    Raises
    ------
    SourceFormatError
        When one catalogue rule matches two different columns of the same file and year.
    """
    fmt = raw.attrs.get("format", "")
    if keys is None:
        keys, _ = _keys(raw)
    if fmt == "user":
        out = keys.assign(indicator=keys["column"], scale=1.0)
        return out[out["indicator"].isin(catalogue.ids)]
    matcher = catalogue.matcher
    rows, index = [], []
    for i, key in enumerate(keys.itertuples(index=False)):
        try:
            rule = matcher.match(fmt, str(key.column), str(key.unit or ""))
        except AmbiguousColumn as exc:
            hint = (
                " (the file gives no unit for it; OData files need their DataProperties)"
                if not key.unit and fmt == "odata"
                else ""
            )
            raise SourceFormatError(
                f"column {key.column!r} could mean catalogue indicator "
                f"{' or '.join(repr(i) for i in exc.indicators)}{hint}; "
                "make its spelling in sources.csv specific to one of them",
                path=str(raw["source"].iloc[0]) if len(raw) else None,
                column=str(key.column),
                expected="a column that matches one indicator",
            ) from exc
        if rule is not None:
            rows.append((key.column, key.unit, key.year, rule.indicator, rule.scale))
            index.append(i)
    out = pd.DataFrame(rows, columns=["column", "unit", "year", "indicator", "scale"], index=index)
    dup = out[out.duplicated(["year", "indicator"], keep=False)]
    if not dup.empty:
        first = dup.iloc[0]
        cols = dup[(dup["year"] == first["year"]) & (dup["indicator"] == first["indicator"])]
        raise SourceFormatError(
            f"columns {sorted(set(cols['column']))} all match catalogue indicator "
            f"{first['indicator']!r} for {first['year']}; "
            "make its spellings in sources.csv more specific",
            path=str(raw["source"].iloc[0]) if len(raw) else None,
        )
    return out


def to_panel_rows(raw: pd.DataFrame, catalogue: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map a raw frame onto catalogue ids.

    Returns
    -------
    (rows, matched)
        ``rows``: ``code, year, indicator, value, status, source, priority`` for matched columns
        (text as plain strings); ``matched``: the column map used (for the quality report).
    """
    if raw.empty:
        return _empty_rows(), pd.DataFrame(columns=["column", "unit", "year", "indicator", "scale"])
    keys, number = _keys(raw)
    cmap = column_map(raw, catalogue, keys)
    if cmap.empty:
        return _empty_rows(), cmap
    indicator = np.full(len(keys), None, dtype=object)
    scale = np.full(len(keys), np.nan)
    indicator[cmap.index.to_numpy()] = cmap["indicator"].to_numpy()
    scale[cmap.index.to_numpy()] = cmap["scale"].to_numpy(float)
    keep = ~np.isnan(scale[number])
    sel = raw[keep]
    fmt = raw.attrs.get("format", "")
    rows = pd.DataFrame(
        {
            "code": _cat(sel["code"]),
            "year": sel["year"].to_numpy(np.int64),
            "indicator": pd.Categorical(indicator[number[keep]]),
            "value": sel["value"].to_numpy(float) * scale[number[keep]],
            "status": _cat(sel["status"]),
            "source": _cat(sel["source"]),
            "priority": FORMAT_PRIORITY.get(fmt, 9),
        }
    )
    return rows, cmap.reset_index(drop=True)


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


def key_of(code: pd.Series, year: pd.Series) -> np.ndarray:
    """An int64 key per (code, year), from category codes (fast joins within one frame)."""
    if not isinstance(code.dtype, pd.CategoricalDtype):
        code = code.astype("category")
    return code.cat.codes.to_numpy(np.int64) * 4096 + (year.to_numpy(np.int64) - 1900)


def combine(rows: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Combine rows from all files into one row per (code, year, indicator).

    Where several files give the same key, an observed value beats a suppressed or missing
    one, and a full KWB table beats the map attributes, a user table or the Leefbaarometer.
    Observed values that disagree by more than rounding are reported as conflicts.

    Returns
    -------
    (combined, conflicts)
        ``combined`` has categorical ``code``, ``indicator``, ``status`` and ``source``.
    """
    if not rows:
        return _empty_rows().drop(columns="priority"), pd.DataFrame()
    allrows = concat_categorical(rows)
    rank = allrows["status"].cat.categories.map(STATUS_RANK).to_numpy(np.int64)
    allrows["rank"] = rank[allrows["status"].cat.codes.to_numpy()]
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
            for col in ("code", "indicator"):
                conflicts[col] = conflicts[col].astype(str)
    combined = allrows.drop_duplicates(key, keep="first").drop(columns=["rank", "priority"])
    return combined.reset_index(drop=True), conflicts


def _code_of(cat: pd.Series, label: str) -> int:
    """The category code of ``label`` (-2, matching nothing, when absent)."""
    cats = cat.cat.categories
    return int(cats.get_loc(label)) if label in cats else -2


def derive(panel: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Add the catalogue's derived rates (``per_1000``, ``pct``) where CBS gives only counts.

    A derived value needs an observed numerator and a positive observed denominator; a
    suppressed numerator gives a suppressed rate; a zero denominator gives a missing rate.
    An observed rate from the source is never overwritten. Works on category codes and
    int keys so that a national panel stays within memory.
    """
    out = [panel]
    key = key_of(panel["code"], panel["year"])
    ind = panel["indicator"].cat.codes.to_numpy()
    st = panel["status"].cat.codes.to_numpy()
    observed = st == _code_of(panel["status"], "observed")
    shown = observed | (st == _code_of(panel["status"], "derived"))
    suppressed = st == _code_of(panel["status"], "suppressed")
    value = panel["value"].to_numpy()
    for target, der in catalogue.derivations.items():
        num_mask = ind == _code_of(panel["indicator"], der.numerator)
        if not num_mask.any():
            continue
        den_mask = (ind == _code_of(panel["indicator"], der.denominator)) & shown
        den = pd.Series(value[den_mask], index=key[den_mask])
        nk = key[num_mask]
        dv = den.reindex(nk).to_numpy()
        ok = observed[num_mask] & (dv > 0)
        new_value = np.where(ok, value[num_mask] / np.where(ok, dv, 1) * der.factor, np.nan)
        new_status = np.where(
            ok, "derived", np.where(suppressed[num_mask], "suppressed", "missing")
        )
        have = pd.Index(key[ind == _code_of(panel["indicator"], target)])
        fresh = ~pd.Index(nk).isin(have)
        out.append(
            pd.DataFrame(
                {
                    "code": panel["code"].iloc[np.flatnonzero(num_mask)[fresh]].to_numpy(),
                    "year": panel["year"].to_numpy()[num_mask][fresh],
                    "indicator": pd.Categorical([target] * int(fresh.sum())),
                    "value": new_value[fresh],
                    "status": pd.Categorical(new_status[fresh]),
                    "source": panel["source"].iloc[np.flatnonzero(num_mask)[fresh]].to_numpy(),
                }
            )
        )
    result = concat_categorical(out)
    level_by_cat = levels_of(pd.Series(result["code"].cat.categories)).to_numpy()
    result["level"] = pd.Categorical(level_by_cat[result["code"].cat.codes.to_numpy()])
    return result

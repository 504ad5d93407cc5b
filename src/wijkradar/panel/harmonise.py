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
from wijkradar.sources._common import Phrase
from wijkradar.wording import N_

FORMAT_PRIORITY = {
    "statline": 0, "odata": 0, "odata4": 0, "kwbkaart": 1, "police": 2, "user": 3, "lbm": 4
}  # fmt: skip
# Readers of these formats reject a code given twice for one year (``check_unique``), so a
# file of them has one row per key; rows of other formats are checked for duplicates in full.
UNIQUE_FORMATS = frozenset({"statline", "odata", "odata4", "kwbkaart", "lbm"})
STATUS_RANK = {"observed": 0, "derived": 1, "suppressed": 2, "missing": 3}


CAT_COLUMNS = ("code", "indicator", "status", "source")


def _cat(values: pd.Series, idx: np.ndarray | None = None) -> pd.Categorical:
    """``values[idx]`` as a categorical without unused categories, labels as plain strings.

    Works on the category codes, so a national table's millions of rows are never hashed.
    """
    c = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    codes = c.cat.codes.to_numpy()
    if idx is not None:
        codes = codes[idx]
    used = np.zeros(len(c.cat.categories) + 1, dtype=bool)
    used[codes] = True  # code -1 (NaN) marks the last slot, which is dropped below
    used = used[:-1]
    remap = np.cumsum(used) - 1
    new_codes = np.where(codes >= 0, remap[codes], -1).astype(codes.dtype)
    cats = pd.Index(c.cat.categories[used].astype(str), dtype=object)
    return pd.Categorical.from_codes(new_codes, categories=cats)


def rows_by_code(codes: np.ndarray, n: int):
    """A function giving the row positions of each category code (one stable sort, no scans).

    ``codes`` are category codes in ``0..n-1``; ``rows(c)`` returns the sorted positions where
    ``codes == c`` (empty for a code outside that range).
    """
    order = np.argsort(codes, kind="stable")
    if len(order) < 2**31:
        order = order.astype(np.int32)  # half the memory of a 25 M-row index
    bounds = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes[codes >= 0], minlength=n)[:n], out=bounds[1:])
    bounds += int((codes < 0).sum())  # codes -1 (none) sort first

    def rows(c: int) -> np.ndarray:
        if c < 0 or c >= n:
            return order[:0]
        return order[bounds[c] : bounds[c + 1]]

    return rows


def _plain(values: pd.Series) -> pd.Categorical:
    """A categorical whose categories are plain ``object`` strings (what the union needs)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(str).astype("category")
    cats = values.cat.categories
    if cats.dtype != object:
        cats = pd.Index(cats.astype(str), dtype=object)
    return pd.Categorical.from_codes(values.cat.codes.to_numpy(), categories=cats)


def concat_categorical(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate frames whose text columns are categoricals with different categories.

    ``pd.concat`` would fall back to object columns (gigabytes for a national panel); this
    unions the (few) categories and recodes each frame's codes with one numpy take.
    """
    frames = [f for f in frames if len(f)] or frames[:1]
    out = {}
    for col in frames[0].columns:
        if col in CAT_COLUMNS:
            parts = [_plain(f[col]) for f in frames]
            cats = pd.Index(sorted(set().union(*(p.categories for p in parts))), dtype=object)
            width = np.int8 if len(cats) < 127 else np.int16 if len(cats) < 32767 else np.int32
            codes = []
            for p in parts:
                recode = np.append(cats.get_indexer(p.categories), -1).astype(width)
                codes.append(recode[p.codes])  # code -1 (NaN) takes the appended -1
            out[col] = pd.Categorical.from_codes(np.concatenate(codes), categories=cats)
        else:
            out[col] = np.concatenate([f[col].to_numpy() for f in frames])
    return pd.DataFrame(out, copy=False)  # no block consolidation: that would copy each column


def _keys(raw: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Distinct (column, unit, year) keys of a raw frame and each row's key number.

    Works on category codes, so a national table of millions of rows is grouped in
    milliseconds instead of hashing its text.
    """
    col = raw["column"].astype("category")
    unit = raw["unit"].astype("category")
    c = col.cat.codes.to_numpy(np.int64) + 1  # -1 (NaN) → 0
    u = unit.cat.codes.to_numpy(np.int64) + 1
    y = raw["year"].to_numpy(np.int64) - 1800
    packed = (c * (len(unit.cat.categories) + 1) + u) * 1024 + y
    number, uniq = pd.factorize(packed, sort=False)
    uc, rest = np.divmod(uniq, 1024)
    uc, uu = np.divmod(uc, len(unit.cat.categories) + 1)
    col_cats = np.concatenate([[""], col.cat.categories.astype(object)])
    unit_cats = np.concatenate([[""], unit.cat.categories.astype(object)])
    keys = pd.DataFrame(
        {
            "column": col_cats[uc],
            "unit": unit_cats[uu],
            "year": rest + 1800,
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
            raise SourceFormatError(
                N_(
                    "kolom {name} kan catalogusindicator {indicators} zijn (het bestand geeft "
                    "er geen eenheid bij; OData-bestanden hebben hun DataProperties nodig); "
                    "maak de schrijfwijze in sources.csv specifiek voor één ervan"
                )
                if not key.unit and fmt == "odata"
                else N_(
                    "kolom {name} kan catalogusindicator {indicators} zijn; maak de "
                    "schrijfwijze in sources.csv specifiek voor één ervan"
                ),
                path=str(raw["source"].iloc[0]) if len(raw) else None,
                column=str(key.column),
                expected=N_("een kolom die bij één indicator past"),
                name=repr(str(key.column)),
                indicators=Phrase(
                    N_("{first} of {second}"),
                    first=", ".join(repr(i) for i in exc.indicators[:-1]),
                    second=repr(exc.indicators[-1]),
                ),
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
            "de kolommen {columns} passen alle bij catalogusindicator {indicator} voor "
            "{year}; maak de schrijfwijzen in sources.csv specifieker",
            path=str(raw["source"].iloc[0]) if len(raw) else None,
            columns=sorted(set(cols["column"])),
            indicator=repr(first["indicator"]),
            year=first["year"],
        )
    return out


def to_panel_rows(raw: pd.DataFrame, catalogue: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map a raw frame onto catalogue ids.

    Returns
    -------
    (rows, matched)
        ``rows``: ``code, year, indicator, value, status, source, priority`` for matched columns
        (text as categoricals of plain strings); ``matched``: the column map used, with the
        frame's distinct keys in ``matched.attrs["keys"]`` (for the quality report).
    """
    if raw.empty:
        return _empty_rows(), pd.DataFrame(columns=["column", "unit", "year", "indicator", "scale"])
    keys, number = _keys(raw)
    cmap = column_map(raw, catalogue, keys)
    if cmap.empty:
        cmap.attrs["keys"] = keys
        return _empty_rows(), cmap
    ids = pd.Index(sorted(set(cmap["indicator"])), dtype=object)
    indicator = np.full(len(keys), -1, dtype=np.int16)
    scale = np.full(len(keys), np.nan)
    indicator[cmap.index.to_numpy()] = ids.get_indexer(cmap["indicator"])
    scale[cmap.index.to_numpy()] = cmap["scale"].to_numpy(float)
    idx = np.flatnonzero(indicator[number] >= 0)
    k = number[idx]
    fmt = raw.attrs.get("format", "")
    rows = pd.DataFrame(
        copy=False,
        data={
            "code": _cat(raw["code"], idx),
            "year": raw["year"].to_numpy()[idx].astype(np.int16),
            "indicator": pd.Categorical.from_codes(indicator[k], categories=ids),
            "value": raw["value"].to_numpy(float)[idx] * scale[k],
            "status": _cat(raw["status"], idx),
            "source": _cat(raw["source"], idx),
            "priority": np.full(len(idx), FORMAT_PRIORITY.get(fmt, 9), dtype=np.int8),
        },
    )
    rows.attrs["format"] = fmt
    cmap = cmap.reset_index(drop=True)
    cmap.attrs["keys"] = keys
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


def key_of(code: pd.Series, year: pd.Series) -> np.ndarray:
    """An int64 key per (code, year), from category codes (fast joins within one frame)."""
    if not isinstance(code.dtype, pd.CategoricalDtype):
        code = code.astype("category")
    key = code.cat.codes.to_numpy().astype(np.int64)
    key *= 4096  # in place: one 8-byte array for a 25 M-row panel, not three
    key += year.to_numpy()
    key -= 1900
    return key


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
    frames = [r for r in rows if len(r)] or rows[:1]
    # Two files can only give the same key for an (indicator, year) both carry: look for
    # duplicates among those rows only, plus every row of formats whose reader does not
    # guarantee one row per code and year (UNIQUE_FORMATS). A 25 M-row panel is not hashed.
    pairs = [_pairs(f) for f in frames]
    count: dict[tuple, int] = {}
    for ps in pairs:
        for pr in ps:
            count[pr] = count.get(pr, 0) + 1
    shared = {pr for pr, n in count.items() if n > 1}
    allrows = concat_categorical(frames)
    parts, offset = [], 0
    for f, ps in zip(frames, pairs, strict=True):
        if f.attrs.get("format") not in UNIQUE_FORMATS:
            parts.append(offset + np.arange(len(f)))
        elif shared & ps:
            ind = f["indicator"].astype("category")
            local = ind.cat.codes.to_numpy(np.int64) * 4096 + f["year"].to_numpy(np.int64)
            names = list(ind.cat.categories)
            want = [
                names.index(i) * 4096 + y for i, y in shared & ps
            ]  # the shared pairs in this frame's own codes
            parts.append(offset + np.flatnonzero(np.isin(local, want)))
        offset += len(f)
    candidates = np.concatenate(parts) if parts else np.array([], dtype=np.int64)
    n_ind = max(1, len(allrows["indicator"].cat.categories))
    key = key_of(allrows["code"].iloc[candidates], allrows["year"].iloc[candidates])
    key = key * n_ind + allrows["indicator"].cat.codes.to_numpy(np.int64)[candidates]
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    conflicts = pd.DataFrame()
    if dup.any():
        sub = candidates[dup]
        key = key[dup]
        rank = allrows["status"].cat.categories.map(STATUS_RANK).to_numpy(np.int64)
        order = np.lexsort(
            (
                allrows["source"].cat.codes.to_numpy()[sub],
                allrows["priority"].to_numpy()[sub],
                rank[allrows["status"].cat.codes.to_numpy()[sub]],
                key,
            )
        )
        s, ks = sub[order], key[order]
        later = np.r_[False, ks[1:] == ks[:-1]]
        d = allrows.iloc[s[(allrows["status"].to_numpy()[s] == "observed")]]
        k = ["code", "year", "indicator"]
        spread = d.groupby(k, observed=True)["value"].agg(["min", "max", "count"])
        # CBS rounds counts to 5 and percentages to integers in the map attributes: allow that.
        tol = np.maximum(5.0, 0.02 * spread["max"].abs())
        bad = spread[(spread["count"] > 1) & ((spread["max"] - spread["min"]) > tol)]
        if not bad.empty:
            conflicts = bad.reset_index()
            for col in ("code", "indicator"):
                conflicts[col] = conflicts[col].astype(str)
        keep = np.ones(len(allrows), dtype=bool)
        keep[s[later]] = False
        allrows = allrows[keep]
    combined = allrows.drop(columns=["priority"])
    return combined.reset_index(drop=True), conflicts


def _pairs(frame: pd.DataFrame) -> set[tuple[str, int]]:
    """The (indicator, year) pairs a frame of panel rows carries."""
    ind = frame["indicator"].astype("category")
    codes = ind.cat.codes.to_numpy(np.int64) * 4096 + frame["year"].to_numpy(np.int64)
    names = ind.cat.categories
    return {(str(names[c // 4096]), int(c % 4096)) for c in pd.unique(codes)}


def _code_of(cat: pd.Series, label: str) -> int:
    """The category code of ``label`` (-2, matching nothing, when absent)."""
    cats = cat.cat.categories
    return int(cats.get_loc(label)) if label in cats else -2


def _keys_at(panel: pd.DataFrame):
    """``key(rows)``: the :func:`key_of` of some rows, without a key for every panel row."""
    code = panel["code"].cat.codes.to_numpy()
    year = panel["year"].to_numpy()

    def key(rows: np.ndarray) -> np.ndarray:
        return code[rows].astype(np.int64) * 4096 + year[rows] - 1900

    return key


def _derived_rows(panel: pd.DataFrame, catalogue: Catalogue) -> list[pd.DataFrame]:
    """The rows :func:`derive` adds (its own function so the big lookups are freed early)."""
    out = []
    key = _keys_at(panel)
    cats = panel["indicator"].cat.categories
    rows_of = rows_by_code(panel["indicator"].cat.codes.to_numpy(), len(cats))
    st = panel["status"].cat.codes.to_numpy()
    observed = st == _code_of(panel["status"], "observed")
    shown = observed | (st == _code_of(panel["status"], "derived"))
    suppressed = st == _code_of(panel["status"], "suppressed")
    value = panel["value"].to_numpy()
    year = panel["year"].to_numpy()
    code_col, source_col = panel["code"].array, panel["source"].array
    for target, der in catalogue.derivations.items():
        num = rows_of(_code_of(panel["indicator"], der.numerator))
        if not len(num):
            continue
        den_rows = rows_of(_code_of(panel["indicator"], der.denominator))
        den_rows = den_rows[shown[den_rows]]
        den = pd.Series(value[den_rows], index=key(den_rows))
        nk = key(num)
        dv = den.reindex(nk).to_numpy()
        ok = observed[num] & (dv > 0)
        new_value = np.where(ok, value[num] / np.where(ok, dv, 1) * der.factor, np.nan)
        new_status = np.where(ok, 0, np.where(suppressed[num], 1, 2)).astype(np.int8)
        have = pd.Index(key(rows_of(_code_of(panel["indicator"], target))))
        fresh = ~pd.Index(nk).isin(have)
        pick = num[fresh]
        out.append(
            pd.DataFrame(
                copy=False,
                data={
                    "code": code_col.take(pick),
                    "year": year[pick],
                    "indicator": pd.Categorical.from_codes(
                        np.zeros(len(pick), dtype=np.int8), categories=[target]
                    ),
                    "value": new_value[fresh],
                    "status": pd.Categorical.from_codes(
                        new_status[fresh], categories=["derived", "suppressed", "missing"]
                    ),
                    "source": source_col.take(pick),
                },
            )
        )
    return out


def derive(panel: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Add the catalogue's derived rates (``per_1000``, ``pct``) where CBS gives only counts.

    A derived value needs an observed numerator and a positive observed denominator; a
    suppressed numerator gives a suppressed rate; a zero denominator gives a missing rate.
    An observed rate from the source is never overwritten. Works on category codes and
    int keys so that a national panel stays within memory.
    """
    result = concat_categorical([panel, *_derived_rows(panel, catalogue)])
    level_by_cat = levels_of(pd.Series(result["code"].cat.categories)).astype(object).to_numpy()
    levels = pd.Index(sorted(set(level_by_cat)), dtype=object)
    level_code = levels.get_indexer(level_by_cat).astype(np.int8)
    result["level"] = pd.Categorical.from_codes(
        level_code[result["code"].cat.codes.to_numpy()], categories=levels
    )  # from codes: building it from 25 M strings would hash every one
    return result

"""Police registered crime per buurt/wijk/gemeente (CBS-hosted tables 47018NED / 47022NED).

The fetcher saves the OData ``TypedDataSet`` as ``police/police_crime_{year}_{table}_odata.json``:
``{"table": "47018NED", "year": 2019, "DataProperties": [...], "value": [records]}`` with records
like ``{"SoortMisdrijf": "1.1.1 ", "WijkenEnBuurten": "BU03630001", "Perioden": "2019JJ00",
"GeregistreerdeMisdrijven_1": 12}``. :func:`read_police` turns that into the raw long frame
(format ``police``) with one row per region, year and category of :data:`POLICE_CATEGORIES`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar.codes import invalid_codes, normalise_codes
from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.sources import _raw
from wijkradar.sources._common import EXPECTED_CODE, head_text, read_json
from wijkradar.sources._markers import (
    MISSING,
    NUMBER_EXPECTED,
    OBSERVED,
    SUPPRESSED,
    NotNumeric,
    normalise_label,
    parse_numbers,
)
from wijkradar.wording import N_

POLICE_TABLES: dict[str, str] = {"47018NED": "year", "47022NED": "month"}
"""Police tables on dataderden.cbs.nl and their period type (``2019JJ00`` / ``2019MM01``)."""

POLICE_TITLES: dict[str, str] = {
    "47018NED": "Geregistreerde misdrijven; soort misdrijf, wijk, buurt, jaarcijfers",
    "47022NED": "Geregistreerde misdrijven; soort misdrijf, wijk, buurt, maandcijfers",
}
"""The StatLine titles of the police tables (``TableInfos`` → ``Title``), checked at fetch time."""

# The one place that says which police offence codes (dimension SoortMisdrijf of 47018NED and
# 47022NED, the police's "soort misdrijf" classification) make up each category; the names are
# the `match` of the catalogue's `police` rows (sources.csv). Sub-categories are summed.
#   1.1.1 Diefstal/inbraak woning
#   2.2.1 Vernieling cq. zaakbeschadiging; 3.6.4 Aantasting openbare orde
#   1.4.1 Zedenmisdrijf, 1.4.2 Moord/doodslag, 1.4.3 Openlijk geweld (persoon), 1.4.4 Bedreiging,
#   1.4.5 Mishandeling, 1.4.6 Straatroof, 1.4.7 Overval (the "gewelds- en seksuele misdrijven").
# (2.5.x are Diefstal/inbraak bedrijven and Winkeldiefstal, not violence.)
POLICE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Diefstal/inbraak woning": ("1.1.1",),
    "Vernieling/beschadiging": ("2.2.1", "3.6.4"),
    "Geweld": ("1.4.1", "1.4.2", "1.4.3", "1.4.4", "1.4.5", "1.4.6", "1.4.7"),
}
_CATEGORY_OF = {code: cat for cat, codes in POLICE_CATEGORIES.items() for code in codes}
_VALUE_STEM = "GeregistreerdeMisdrijven"
_PERIOD = re.compile(r"^(\d{4})(JJ00|MM(0[1-9]|1[0-2]))$")
_ENVELOPE = N_("een politietabel zoals wijkradar.sources.fetch die opslaat: {envelope}")
_ENVELOPE_SHAPE = '{"table": ..., "year": ..., "DataProperties": [...], "value": [...]}'


def police_title_matches(table: str, title: str) -> bool:
    """Whether ``title`` is the title of police ``table`` (:data:`POLICE_TITLES`).

    Compared on normalised words, so punctuation, case and spacing may differ: every word of
    the expected title must be there and the other table's period word
    (``jaarcijfers``/``maandcijfers``) must not.

    Parameters
    ----------
    table
        ``"47018NED"`` or ``"47022NED"``.
    title
        The title CBS reports for the table.

    Returns
    -------
    bool
    """
    expected = set(normalise_label(POLICE_TITLES[table]).split())
    found = set(normalise_label(title).split())
    others = {
        w
        for t, other in POLICE_TITLES.items()
        if t != table
        for w in normalise_label(other).split()
    }
    return expected <= found and not (others - expected) & found


def police_soort_keys() -> list[str]:
    """The SoortMisdrijf keys to request, padded to 6 characters as the OData keys are."""
    return [code.ljust(6) for codes in POLICE_CATEGORIES.values() for code in codes]


def sniff_police(path: str | Path) -> bool:
    """Whether ``path`` looks like a police crime JSON saved by the fetcher."""
    try:
        head = head_text(path, 16384).lstrip()
    except OSError:
        return False
    if not head.startswith("{"):
        return False
    table = re.search(r'"table"\s*:\s*"(\d{5}NED)"', head)
    if table and table.group(1) in POLICE_TABLES:
        return True
    return '"SoortMisdrijf"' in head and _VALUE_STEM in head


def read_police(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read a saved police crime table into the raw long frame (format ``police``).

    Parameters
    ----------
    path
        ``police_crime_{year}_{table}_odata.json`` (optionally gzipped).
    year
        Keep only this year; default all years in the file.

    Returns
    -------
    pandas.DataFrame
        The raw long frame (see :mod:`wijkradar.sources._raw`): ``code`` from WijkenEnBuurten
        (``NL00`` kept as land), ``year`` from Perioden, ``column`` one of the
        :data:`POLICE_CATEGORIES` names, ``unit`` ``aantal``, ``value`` the count summed over
        the category's offence codes. ``row`` is the 1-based position of the (first)
        record in ``value``. Monthly rows (``2019MM03``) are summed to a year only when all
        12 months are there; otherwise that year is ``missing`` and listed in
        ``attrs["rejected"]``. A category is missing when one of its offence codes is
        missing for that region and year (suppressed when one is secret).

    Raises
    ------
    SourceFormatError
        Not the fetcher's JSON, a record without the expected keys, an unknown period,
        a non-numeric count, or a region/offence/period given twice.
    RegionCodeError
        A WijkenEnBuurten code that is not a CBS code.
    """
    path = Path(path)
    records, value_key = _load(path)
    frame = _records_frame(path, records, value_key)
    if year is not None:
        frame = frame[frame["year"] == int(year)]
    rejected: list[dict] = []
    per_code = _to_years(frame, str(path), rejected)
    out = _to_categories(per_code, str(path))
    raw = _raw.raw_frame(out, fmt="police")
    raw.attrs["rejected"] = rejected
    return raw


def _load(path: Path) -> tuple[list, str]:
    doc = read_json(path, _ENVELOPE, envelope=_ENVELOPE_SHAPE)
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise SourceFormatError(
            "geen opgeslagen OData-tabel van de politie",
            path=path,
            expected=_ENVELOPE,
            envelope=_ENVELOPE_SHAPE,
        )
    keys = [p.get("Key", "") for p in doc.get("DataProperties", []) if isinstance(p, dict)]
    if not keys and doc["value"] and isinstance(doc["value"][0], dict):
        keys = list(doc["value"][0])
    value_keys = [k for k in keys if str(k).startswith(_VALUE_STEM)]
    if doc["value"] and not value_keys:
        raise SourceFormatError(
            "geen kolom met geregistreerde misdrijven",
            path=path,
            expected=N_("een sleutel {key}"),
            got=", ".join(map(str, keys[:8])),
            key=f"{_VALUE_STEM}_<n>",
        )
    return doc["value"], (value_keys[0] if value_keys else f"{_VALUE_STEM}_1")


def _records_frame(path: Path, records: list, value_key: str) -> pd.DataFrame:
    needed = ("SoortMisdrijf", "WijkenEnBuurten", "Perioden", value_key)
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict) or any(k not in rec for k in needed):
            got = sorted(rec) if isinstance(rec, dict) else rec
            raise SourceFormatError(
                "record mist een sleutel",
                path=path,
                row=i,
                expected=N_("de sleutels {keys}"),
                got=got,
                keys=", ".join(needed),
            )
    df = pd.DataFrame(
        {
            "row": np.arange(1, len(records) + 1, dtype="int64"),
            "soort": pd.Series([r["SoortMisdrijf"] for r in records], dtype="string").str.strip(),
            "code": normalise_codes(
                pd.Series([r["WijkenEnBuurten"] for r in records], dtype=object)
            ),
            "period": pd.Series([r["Perioden"] for r in records], dtype="string").str.strip(),
            "raw": pd.Series([r[value_key] for r in records], dtype=object),
        }
    )
    bad = invalid_codes(df["code"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise RegionCodeError(
            "geen gebiedscode",
            path=path,
            row=i + 1,
            column="WijkenEnBuurten",
            code=str(df["code"].iloc[i]),
            expected=EXPECTED_CODE,
            got=records[i]["WijkenEnBuurten"],
        )
    parts = df["period"].str.extract(_PERIOD.pattern)
    if parts[0].isna().any():
        i = int(np.flatnonzero(parts[0].isna().to_numpy())[0])
        raise SourceFormatError(
            "onbekende periode",
            path=path,
            row=i + 1,
            column="Perioden",
            expected=N_("een jaar 2019JJ00 of een maand 2019MM03"),
            got=records[i]["Perioden"],
        )
    df["year"] = parts[0].astype("int64")
    df["month"] = parts[1] != "JJ00"
    dup = df.duplicated(["code", "period", "soort"], keep=False)
    if dup.any():
        first, second = df.loc[dup, "row"].head(2).tolist()
        raise SourceFormatError(
            "hetzelfde gebied, dezelfde periode en hetzelfde misdrijf in rijen {a} en {b}",
            path=path,
            row=second,
            code=str(df.loc[dup, "code"].iloc[0]),
            a=first,
            b=second,
        )
    df["category"] = df["soort"].map(_CATEGORY_OF)
    df = df[df["category"].notna()].copy()  # other offences (e.g. 0.0.0 total) are not ours
    try:
        value, status = parse_numbers(df["raw"], decimal=".")
    except NotNumeric as exc:
        row = int(df.loc[exc.index, "row"])
        raise SourceFormatError(
            "geen aantal",
            path=path,
            row=row,
            column=value_key,
            expected=NUMBER_EXPECTED,
            got=exc.got,
        ) from None
    df["value"] = value.to_numpy()
    df["status"] = pd.Series(status, index=df.index).to_numpy()
    return df.drop(columns="raw")


def _to_years(df: pd.DataFrame, source: str, rejected: list[dict]) -> pd.DataFrame:
    """One row per (code, year, offence): annual rows as they are, months summed if all 12."""
    annual = df[~df["month"]]
    have = set(zip(annual["code"], annual["year"], annual["soort"], strict=True))
    months = df[df["month"]]
    keep = [
        k not in have for k in zip(months["code"], months["year"], months["soort"], strict=True)
    ]
    months = months[np.array(keep, dtype=bool)] if len(months) else months
    if months.empty:
        return annual[["row", "code", "year", "soort", "category", "value", "status"]]
    grouped = months.groupby(["code", "year", "soort", "category"], sort=False)
    summed = grouped.agg(
        row=("row", "min"),
        value=("value", "sum"),
        n=("period", "nunique"),
        observed=("status", lambda s: int((s == OBSERVED).sum())),
    ).reset_index()
    complete = (summed["n"] == 12) & (summed["observed"] == 12)
    summed["status"] = np.where(complete, OBSERVED, MISSING)
    summed.loc[~complete, "value"] = np.nan
    for r in summed[~complete].itertuples():
        rejected.append(
            {
                "source": source,
                "row": int(r.row),
                "code": r.code,
                "reason": f"{r.year} offence {r.soort}: {r.observed} of 12 months "
                "observed; year marked missing",
            }
        )
    cols = ["row", "code", "year", "soort", "category", "value", "status"]
    return pd.concat([annual[cols], summed[cols]], ignore_index=True)


def _to_categories(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Sum offence codes into categories; a missing/absent component makes the sum missing."""
    if df.empty:
        return {c: [] for c in _raw.RAW_COLUMNS}
    # An offence code absent for a whole year (not in the table that year) is not applicable;
    # absent for only some regions it means missing for those.
    codes_in_year = {y: set(g) for y, g in df.groupby("year")["soort"]}
    out = (
        df.groupby(["code", "year", "category"], sort=True)
        .agg(
            row=("row", "min"),
            value=("value", "sum"),
            n=("soort", "nunique"),
            n_observed=("status", lambda s: int((s == OBSERVED).sum())),
            any_secret=("status", lambda s: bool((s == SUPPRESSED).any())),
        )
        .reset_index()
    )
    expected = [
        len(set(POLICE_CATEGORIES[c]) & codes_in_year[y])
        for c, y in zip(out["category"], out["year"], strict=True)
    ]
    complete = out["n_observed"].to_numpy() == np.array(expected)
    out["status"] = np.where(complete, OBSERVED, np.where(out["any_secret"], SUPPRESSED, MISSING))
    out.loc[~complete, "value"] = np.nan
    return pd.DataFrame(
        {
            "source": source,
            "row": out["row"],
            "code": out["code"],
            "name": pd.NA,
            "year": out["year"],
            "column": out["category"],
            "unit": "aantal",
            "value": out["value"],
            "status": out["status"],
        }
    )

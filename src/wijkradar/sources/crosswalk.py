"""Boundary-change matrices (grenswijzigingen): how gemeente/wijk codes of year X map to year Y.

The matrices come from the R package *grenswijzigen* (VNG Realisatie; fork reidhin/grenswijzigen)
and count addresses (PC6 + huisnummer) per pair of a code in year X and a code in year Y. Only
changed regions appear; a code that is missing did not change and maps 1:1. The file stores the
codes without prefix (``0014`` = GM0014, ``001400`` = WK001400), as text with leading zeros.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar.codes import invalid_codes, pad_crosswalk_code
from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.sources._common import (
    EXPECTED_CODE,
    Phrase,
    check_columns,
    head_text,
    read_text,
    sniff_delimiter,
)
from wijkradar.sources._markers import NotNumeric, parse_numbers
from wijkradar.wording import N_

COLUMNS = ("level", "year_from", "year_to", "weighting", "code_from", "code_to", "n_addresses")
OUT_COLUMNS = (
    "level", "year_from", "year_to", "weighting", "code_from", "code_to", "n_addresses", "share",
)  # fmt: skip
LEVELS = ("gemeente", "wijk", "buurt")
GROUP = ["level", "year_from", "year_to", "weighting"]


def sniff_boundary_changes(path: str | Path) -> bool:
    """Whether the header of ``path`` has the boundary-change columns."""
    try:
        lines = head_text(path, 1024).splitlines()
    except OSError:
        return False
    if not lines:
        return False
    header = [c.strip().strip('"') for c in lines[0].split(sniff_delimiter(lines[0]))]
    return set(COLUMNS) <= set(header)


def read_boundary_changes(path: str | Path) -> pd.DataFrame:
    """Read a boundary-change matrix file into a long frame with shares.

    Parameters
    ----------
    path
        ``grenswijzigingen_gemeente_wijk_2016_2024.csv.gz`` or a CSV with the same columns.

    Returns
    -------
    pandas.DataFrame
        ``level`` (gemeente/wijk/buurt), ``year_from``, ``year_to`` (int64), ``weighting``,
        ``code_from``, ``code_to`` (prefixed CBS codes, ``WK001400``), ``n_addresses``
        (float64) and ``share``: ``n_addresses`` divided by the total of its ``code_from``
        within (level, year_from, year_to, weighting), so the shares of one source code sum
        to 1. ``attrs["notes"]`` lists oddities found (see Notes).

    Raises
    ------
    SourceFormatError
        Missing columns, an unknown level, a non-numeric or negative ``n_addresses`` or year,
        a truncated row, or a duplicated (group, code_from, code_to) pair.
    RegionCodeError
        A code that does not become a CBS code of its level.

    Notes
    -----
    In the 2016–2024 file the Amsterdam wijk rows of every matrix towards 2023 and 2024 carry
    the new alphanumeric codes (``0363AA``) in ``code_from`` and the old numeric ones in
    ``code_to``, the reverse of what the years say. The reader keeps the rows as they are and
    names the affected matrices in ``attrs["notes"]``.
    """
    path = Path(path)
    text = read_text(path)
    first = text.split("\n", 1)[0]
    try:
        # dtype=str keeps the leading zeros of the bare codes ("0014")
        df = pd.read_csv(
            io.StringIO(text), sep=sniff_delimiter(first), dtype=str, keep_default_na=False
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise SourceFormatError(
            "de CSV is niet te lezen ({reason})", path=path, reason=str(exc)
        ) from exc
    df.columns = [c.strip() for c in df.columns]
    check_columns(list(df.columns), COLUMNS, path=path)
    rows = np.arange(len(df)) + 2  # line in the file; the header is line 1
    _check_complete(df, path, rows)
    out = pd.DataFrame({c: df[c].str.strip() for c in ("level", "weighting")})
    bad_level = ~out["level"].isin(LEVELS)
    if bad_level.any():
        i = int(np.flatnonzero(bad_level.to_numpy())[0])
        raise SourceFormatError(
            "onbekend niveau",
            path=path,
            row=int(rows[i]),
            column="level",
            expected=N_("een van {levels}"),
            got=out["level"].iloc[i],
            levels=", ".join(LEVELS),
        )
    for col in ("year_from", "year_to"):
        out[col] = _numeric(df[col], path, col, rows, integer=True).astype("int64")
    for col in ("code_from", "code_to"):
        out[col] = _codes(df[col], out["level"], path, col, rows)
    out["n_addresses"] = _numeric(df["n_addresses"], path, "n_addresses", rows)
    key = [*GROUP, "code_from", "code_to"]
    dup = out.duplicated(key, keep=False).to_numpy()
    if dup.any():
        first_dup = out[dup].iloc[0]
        same = np.flatnonzero(dup & (out[key] == first_dup[key]).all(axis=1).to_numpy())
        raise SourceFormatError(
            "paar {code_from} → {code_to} komt twee keer voor (rijen {a} en {b})",
            path=path,
            row=int(rows[same[1]]),
            code=str(first_dup.code_from),
            code_from=first_dup.code_from,
            code_to=first_dup.code_to,
            a=int(rows[same[0]]),
            b=int(rows[same[1]]),
        )
    total = out.groupby([*GROUP, "code_from"])["n_addresses"].transform("sum")
    out["share"] = (out["n_addresses"] / total.where(total > 0)).astype("float64")
    out = out[list(OUT_COLUMNS)].astype(
        dict.fromkeys(("level", "weighting", "code_from", "code_to"), "string")
    )
    out.attrs["notes"] = _reversed_notes(out)
    return out


def _check_complete(df: pd.DataFrame, path: Path, rows: np.ndarray) -> None:
    """A truncated last line leaves trailing fields empty; name its row."""
    empty = (df[list(COLUMNS)].apply(lambda s: s.str.strip()) == "").any(axis=1).to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        col = next(c for c in COLUMNS if not str(df[c].iloc[i]).strip())
        raise SourceFormatError(
            "leeg veld (afgebroken rij?)",
            path=path,
            row=int(rows[i]),
            column=col,
            expected=N_("een waarde in elke kolom"),
        )


def _numeric(
    cells: pd.Series, path: Path, col: str, rows: np.ndarray, *, integer: bool = False
) -> pd.Series:
    try:
        value, status = parse_numbers(cells, decimal=".")
    except NotNumeric as exc:
        i = int(cells.index.get_loc(exc.index))
        raise SourceFormatError(
            "geen getal",
            path=path,
            row=int(rows[i]),
            column=col,
            expected=N_("een getal"),
            got=exc.got,
        ) from exc
    bad = (status != "observed") | (value < 0)
    if integer:
        bad |= value % 1 != 0
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceFormatError(
            N_("geen jaar") if integer else N_("geen getal van nul of meer"),
            path=path,
            row=int(rows[i]),
            column=col,
            expected=N_("een heel jaar zoals 2017") if integer else N_("een aantal adressen"),
            got=cells.iloc[i],
        )
    return value


def _codes(cells: pd.Series, levels: pd.Series, path: Path, col: str, rows: np.ndarray):
    """Bare codes → prefixed CBS codes of the row's level (``0014`` → ``GM0014``)."""
    raw = cells.str.strip().str.upper()
    width = levels.map({"gemeente": 4, "wijk": 6, "buurt": 8})
    padded = pd.Series(
        [pad_crosswalk_code(r, lv) for r, lv in zip(raw, levels, strict=True)],
        index=raw.index,
        dtype="string",
    )
    # a code must be the bare number (no prefix), of its level's width once padded
    bad = (
        invalid_codes(padded) | (raw.str.len() > width) | raw.str.match(r"^(GM|WK|BU)")
    ).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise RegionCodeError(
            "geen kale {level}code",
            path=path,
            row=int(rows[i]),
            column=col,
            code=str(cells.iloc[i]),
            expected=N_("{width} tekens (zoals 0014 of 001400); met voorvoegsel {shape}"),
            level=levels.iloc[i],
            width=int(width.iloc[i]),
            shape=Phrase(EXPECTED_CODE),
        )
    return padded.astype("string")


def _reversed_notes(out: pd.DataFrame) -> list[str]:
    """Matrices whose alphanumeric (post-2022 style) codes sit on the 'from' side only."""
    alpha_from = out["code_from"].str[6:].str.contains(r"[A-Z]", regex=True)
    alpha_to = out["code_to"].str[6:].str.contains(r"[A-Z]", regex=True)
    odd = out[(alpha_from & ~alpha_to).to_numpy()]
    if odd.empty:
        return []
    counts = odd.groupby(GROUP).size()
    return [
        f"{lvl} {yf}→{yt} ({w}): {n} rows map an alphanumeric code_from onto a numeric "
        "code_to (direction looks reversed)"
        for (lvl, yf, yt, w), n in counts.items()
    ]

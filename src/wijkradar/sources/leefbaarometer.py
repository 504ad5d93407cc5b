"""Leefbaarometer scores: the 2.0 xlsx workbooks and the 3.0 open-data CSV, as a raw long frame.

Leefbaarometer 2.0 (Ministerie van BZK; Rigo / Atlas voor gemeenten) publishes per wijk and
gemeente workbooks in three layouts, each as a *long* and/or a *wide* sheet:

=============  ==========================================  ===================================
kind           long sheet                                  wide sheet
=============  ==========================================  ===================================
stand          ``GBD, JAAR, RLBRMTR, RLBWON, ...``         ``GBD, RLBRMTR12, RLBVEI14, ...``
development    ``GBD, BEGIN, EINDE, DLBRMTR, DLBVEI ...``  ``GBD, DLBRMTR1214, ...``
class          (none)                                      ``WK_CODE|GM_CODE, KL02 .. KL14,
                                                           VKL0208 .. VKL1214``
=============  ==========================================  ===================================

Keys in ``column``: ``RLB*`` (unit empty), ``DLB*`` with unit ``change since <BEGIN>`` and year
``EINDE``, ``KL`` (unit empty, year from the 2-digit suffix, ``02`` → 2002) and ``VKL`` with unit
``change class since <first year>`` and the second year. When a workbook holds the same content
long and wide, only the long sheet is read; ``frame.attrs["sheets_used"]`` names the sheets read
and ``frame.attrs["sheets_skipped"]`` why the others were not.

Leefbaarometer 3.0 open data ("Leefbaarometer-scores buurten 2002-2024.csv", and the wijk and
gemeente files) has one row per region and year: ``bu_code`` / ``wk_code`` / ``gm_code``,
``jaar`` and the scores. Its columns are mapped to ``LBM3_<NAME>``:

=========  ======================  ===================================================
column     key                     meaning
=========  ======================  ===================================================
lbm        ``LBM3_LBM``            total score (absolute scale)
afw        ``LBM3_AFW``            total score as deviation from the national mean
won        ``LBM3_WON``            dimension woningvoorraad (deviation)
fys        ``LBM3_FYS``            dimension fysieke omgeving
vrz        ``LBM3_VRZ``            dimension voorzieningen
soc        ``LBM3_SOC``            dimension sociale samenhang
onv        ``LBM3_ONV``            dimension overlast en onveiligheid
kl, k*     ``LBM3_KL``, ``LBM3_KSCORE`` ...  classes 1-9 (``kscore``, ``kafw``, ``kwon`` ...)
=========  ======================  ===================================================

The 3.0 names were checked against public code that reads the BZK downloads: a reader of
"Leefbaarometer 3.0 - Meting 2024 - open data/Leefbaarometer-scores buurten 2002-2024.csv" uses
``bu_code``, ``jaar`` and ``lbm, fys, onv, soc, vrz, won``; R dashboards on the same files list
``lbm, afw, fys, onv, soc, vrz, won``; the BZK WFS (``lbm3:wijkscore24``) adds the classes
``kscore, kafw, kfys, konv, ksoc, kvrz, kwon``. Other columns are listed in
``frame.attrs["unmapped_columns"]``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from wijkradar.errors import SourceFormatError
from wijkradar.sources._common import (
    check_codes,
    check_unique,
    csv_rows,
    head_text,
    read_text,
    sniff_delimiter,
)
from wijkradar.sources._markers import NUMBER_EXPECTED, NotNumeric, parse_numbers
from wijkradar.sources._raw import empty_raw, raw_frame
from wijkradar.wording import N_

FMT = "lbm"
CODE_COLUMNS = ("GBD", "WK_CODE", "GM_CODE", "BU_CODE")
LBM3_CODES = ("bu_code", "wk_code", "gm_code")  # finest first: a buurt file may also carry gm_code
LBM3_NAMES = {"bu_code": "bu_naam", "wk_code": "wk_naam", "gm_code": "gm_naam"}
LBM3_VALUES = (
    "lbm", "afw", "won", "fys", "vrz", "soc", "onv",
    "kl", "kscore", "kafw", "kwon", "kfys", "kvrz", "ksoc", "konv",
)  # fmt: skip

EXCEL_ERRORS = frozenset(
    ("#N/A", "#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA")
)
_LONG_STAND = re.compile(r"^RLB[A-Z]+$")
_LONG_DEV = re.compile(r"^DLB[A-Z]+$")
_WIDE_STAND = re.compile(r"^(RLB[A-Z]+)(\d{2})$")
_WIDE_DEV = re.compile(r"^(DLB[A-Z]+)(\d{2})(\d{2})$")
_CLASS = re.compile(r"^KL(\d{2})$")
_CLASS_CHANGE = re.compile(r"^VKL(\d{2})(\d{2})$")


def _yy(two: str) -> int:
    """A 2-digit Leefbaarometer year suffix as a year (all measurements are from 2002 on)."""
    return 2000 + int(two)


def sniff_leefbaarometer(path: str | Path) -> bool:
    """Whether ``path`` looks like a Leefbaarometer 2.0 workbook or a 3.0 score CSV."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return any(_classify(h) or _is_lbm3(h) for h in _sheet_headers(path).values())
        lines = head_text(path).splitlines()
        first = lines[0] if lines else ""
        header = [c.strip().strip('"').lower() for c in first.split(sniff_delimiter(first))]
        return _is_lbm3(header)
    except (
        OSError,
        ValueError,
        KeyError,
        zipfile.BadZipFile,
        InvalidFileException,
        SourceFormatError,
    ):
        # a sniffer answers no for anything it cannot open (openpyxl: BadZipFile, KeyError)
        return False


def read_leefbaarometer(path: str | Path) -> pd.DataFrame:
    """Read a Leefbaarometer 2.0 workbook or 3.0 CSV into the raw long frame.

    Parameters
    ----------
    path
        An ``.xlsx`` workbook (2.0 stand, development or class file, or a 3.0 sheet) or a 3.0
        ``.csv`` / ``.csv.gz``.

    Returns
    -------
    pandas.DataFrame
        The raw long frame (see :mod:`wijkradar.sources._raw`), ``attrs["format"] == "lbm"``;
        ``name`` is empty for 2.0 files (they carry codes only); empty score cells have status
        ``missing``. ``attrs``: ``sheets_used``, ``sheets_skipped``, ``rejected`` (always empty),
        ``unmapped_columns``.

    Raises
    ------
    SourceFormatError
        No sheet with a known layout (the message lists each sheet and its columns), a
        non-numeric score, a duplicated code and year, or a year that is not a number.
    RegionCodeError
        A code that is not a GM/WK/BU code.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    text = read_text(path)
    lines = text.splitlines()
    if not lines:
        raise SourceFormatError(
            "het bestand is leeg", path=path, expected=N_("een Leefbaarometer-CSV")
        )
    rows = csv_rows(text, sniff_delimiter(lines[0]))
    frame = _lbm3_table(rows[0], rows[1:], path, np.arange(len(rows) - 1) + 2)
    frame.attrs["sheets_used"] = []
    frame.attrs["sheets_skipped"] = {}
    return frame


# --- 2.0 workbooks -------------------------------------------------------------------------


def _sheet_headers(path: Path) -> dict[str, list[str]]:
    """Header row of every sheet, without reading the data."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out = {}
        for ws in wb.worksheets:
            first = next(ws.iter_rows(max_row=1, values_only=True), ())
            out[ws.title] = [str(v).strip() if v is not None else "" for v in first]
        return out
    finally:
        wb.close()


def _code_column(header: list[str]) -> str | None:
    upper = [h.upper() for h in header]
    return next((header[upper.index(c)] for c in CODE_COLUMNS if c in upper), None)


def _classify(header: list[str]) -> tuple[str, str] | None:
    """(kind, shape) of a 2.0 sheet: kind stand/development/class, shape long/wide."""
    if _code_column(header) is None:
        return None
    up = {h.upper() for h in header}
    if "JAAR" in up and any(_LONG_STAND.match(h) for h in up):
        return ("stand", "long")
    if {"BEGIN", "EINDE"} <= up and any(_LONG_DEV.match(h) for h in up):
        return ("development", "long")
    if any(_WIDE_STAND.match(h) for h in up):
        return ("stand", "wide")
    if any(_WIDE_DEV.match(h) for h in up):
        return ("development", "wide")
    if any(_CLASS.match(h) or _CLASS_CHANGE.match(h) for h in up):
        return ("class", "wide")
    return None


def _is_lbm3(header: list[str]) -> bool:
    low = {h.strip().lower() for h in header}
    return bool(low & set(LBM3_CODES)) and "jaar" in low and bool(low & set(LBM3_VALUES))


def _layout_error(path: Path, headers: dict[str, list[str]]) -> SourceFormatError:
    found = "; ".join(
        f"{name!r}: {', '.join(h for h in cols if h) or '-'}" for name, cols in headers.items()
    )
    return SourceFormatError(
        "geen Leefbaarometer-werkblad gevonden; gevonden werkbladen en kolommen: {found}",
        path=path,
        expected=N_(
            "een werkblad met GBD/WK_CODE/GM_CODE en kolommen JAAR + RLB*, BEGIN/EINDE + DLB*, "
            "RLB*YY, DLB*YYYY of KLYY/VKLYYYY (of bu_code/wk_code/gm_code, jaar, lbm voor 3.0)"
        ),
        found=found,
    )


def _read_workbook(path: Path) -> pd.DataFrame:
    import openpyxl

    headers = _sheet_headers(path)
    kinds = {name: _classify(h) for name, h in headers.items()}
    lbm3 = [name for name, h in headers.items() if kinds[name] is None and _is_lbm3(h)]
    if not any(kinds.values()) and not lbm3:
        raise _layout_error(path, headers)
    used: list[str] = []
    skipped: dict[str, str] = {}
    for name, kind in kinds.items():
        if kind is None and name not in lbm3:
            skipped[name] = "no Leefbaarometer columns"
        elif kind and kind[1] == "wide" and (kind[0], "long") in kinds.values():
            # the long sheet holds the same numbers; reading both would duplicate every value
            skipped[name] = f"wide copy of the long {kind[0]} sheet"
        else:
            used.append(name)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        parts = []
        for name in used:
            rows = list(wb[name].iter_rows(values_only=True))
            header = [str(v).strip() if v is not None else "" for v in rows[0]]
            # blank spacer rows are skipped; rownums keep the real sheet row for messages
            keep = [i for i, r in enumerate(rows) if i and any(v not in (None, "") for v in r)]
            body = [rows[i] for i in keep]
            rownums = np.asarray(keep, dtype="int64") + 1
            if name in lbm3:
                parts.append(_lbm3_table(header, body, path, rownums, sheet=name))
            else:
                parts.append(_sheet_frame(header, body, kinds[name], path, name, rownums))
    finally:
        wb.close()
    frame = raw_frame(pd.concat(parts, ignore_index=True), fmt=FMT) if parts else empty_raw(FMT)
    frame.attrs.update(
        sheets_used=used,
        sheets_skipped=skipped,
        rejected=[],
        unmapped_columns=sorted({c for p in parts for c in p.attrs.get("unmapped_columns", [])}),
    )
    return frame


def _column(body: list, i: int) -> pd.Series:
    return pd.Series([r[i] if i < len(r) else None for r in body], dtype=object)


def _text(cells: pd.Series) -> pd.Series:
    return cells.map(lambda v: "" if v is None else str(v))


def _numbers(
    cells: pd.Series, path: Path, label: str, rownums: np.ndarray, sheet: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Parse one score column; Excel numbers fast, text cells through the CBS marker rules."""
    # klasse_wijk_2002_2014.xlsx marks unscored wijken with the Excel error value #N/A
    cells = cells.map(lambda v: None if isinstance(v, str) and v.strip() in EXCEL_ERRORS else v)
    if all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in cells):
        num = cells.astype("float64")
        return num, pd.Series(np.where(num.isna(), "missing", "observed"), dtype=object)
    try:
        return parse_numbers(_text(cells), decimal=",")
    except NotNumeric as exc:
        raise SourceFormatError(
            N_("geen getal (werkblad {sheet})") if sheet else N_("geen getal"),
            path=path,
            row=int(rownums[int(exc.index)]),
            column=label,
            expected=NUMBER_EXPECTED,
            got=exc.got,
            sheet=repr(sheet),
        ) from exc


def _years(cells: pd.Series, path: Path, label: str, rownums: np.ndarray) -> pd.Series:
    value, status = _numbers(cells, path, label, rownums)
    bad = ((status != "observed") | (value % 1 != 0)).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SourceFormatError(
            "geen jaar",
            path=path,
            row=int(rownums[i]),
            column=label,
            expected=N_("een jaar zoals 2014"),
            got=cells.iloc[i],
        )
    return value.astype("int64")


def _targets(
    header: list[str], kind: tuple[str, str], body: list, path: Path, rownums: np.ndarray
) -> tuple[list[tuple[int, str, object, object]], pd.Series]:
    """The value columns of a 2.0 sheet as (index, key, unit, year), and the duplicate key."""
    up = [h.upper() for h in header]
    n = len(body)
    if kind == ("stand", "long"):
        years = _years(_column(body, up.index("JAAR")), path, header[up.index("JAAR")], rownums)
        return [
            (i, h, "", years.to_numpy()) for i, h in enumerate(up) if _LONG_STAND.match(h)
        ], years
    if kind == ("development", "long"):
        begin = _years(_column(body, up.index("BEGIN")), path, "BEGIN", rownums)
        end = _years(_column(body, up.index("EINDE")), path, "EINDE", rownums)
        unit = ("change since " + begin.astype(str)).to_numpy()
        keys = [(i, h, unit, end.to_numpy()) for i, h in enumerate(up) if _LONG_DEV.match(h)]
        return keys, begin * 10000 + end
    targets: list[tuple[int, str, object, object]] = []
    for i, h in enumerate(up):
        if m := _WIDE_STAND.match(h):
            targets.append((i, m[1], "", _yy(m[2])))
        elif m := _WIDE_DEV.match(h):
            targets.append((i, m[1], f"change since {_yy(m[2])}", _yy(m[3])))
        elif m := _CLASS.match(h):
            targets.append((i, "KL", "", _yy(m[1])))
        elif m := _CLASS_CHANGE.match(h):
            targets.append((i, "VKL", f"change class since {_yy(m[1])}", _yy(m[2])))
    return targets, pd.Series(np.zeros(n, dtype="int64"))


def _sheet_frame(
    header: list[str],
    body: list,
    kind: tuple[str, str],
    path: Path,
    sheet: str,
    rownums: np.ndarray,
) -> pd.DataFrame:
    """Melt one 2.0 sheet; ``row`` is the sheet row (the header is row 1)."""
    code_label = _code_column(header)
    code_cells = _text(_column(body, header.index(code_label)))
    codes = check_codes(code_cells, rownums, path=path, column=code_label)
    targets, dup_key = _targets(header, kind, body, path, rownums)
    check_unique(codes, dup_key, rownums, path=path, column=code_label)
    parts = []
    for i, key, unit, years in targets:
        value, status = _numbers(_column(body, i), path, header[i], rownums, sheet)
        parts.append(_part(path, rownums, codes, pd.NA, years, key, unit, value, status))
    return raw_frame(pd.concat(parts, ignore_index=True), fmt=FMT) if parts else empty_raw(FMT)


def _part(path, rownums, codes, names, years, key, unit, value, status) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": str(path),
            "row": rownums,
            "code": codes.to_numpy(),
            "name": names.to_numpy() if isinstance(names, pd.Series) else names,
            "year": years,
            "column": key,
            "unit": unit,
            "value": value.to_numpy(),
            "status": status.to_numpy(),
        }
    )


# --- 3.0 open data --------------------------------------------------------------------------


def _lbm3_table(
    header: list, body: list, path: Path, rownums: np.ndarray, *, sheet: str | None = None
) -> pd.DataFrame:
    """One row per region and year (3.0 open data) → raw long frame with ``LBM3_*`` keys."""
    header = [str(h).strip().lower() if h is not None else "" for h in header]
    if not _is_lbm3(header):
        raise SourceFormatError(
            "geen tabel van Leefbaarometer 3.0; gevonden kolommen: {found}",
            path=path,
            expected=N_(
                "kolommen bu_code, wk_code of gm_code; jaar; en scores zoals lbm, afw, onv"
            ),
            found=", ".join(header),
        )
    for j, r in enumerate(body):
        if len(r) < len(header):
            raise SourceFormatError(
                "{fields} velden waar de kopregel er {width} heeft (afgebroken rij?)",
                path=path,
                row=int(rownums[j]),
                fields=len(r),
                width=len(header),
            )
    code_label = next(c for c in LBM3_CODES if c in header)
    code_cells = _text(_column(body, header.index(code_label)))
    codes = check_codes(code_cells, rownums, path=path, column=code_label)
    years = _years(_column(body, header.index("jaar")), path, "jaar", rownums)
    check_unique(codes, years, rownums, path=path, column=code_label)
    name_label = LBM3_NAMES[code_label]
    names = (
        _column(body, header.index(name_label)).astype("string").str.strip()
        if name_label in header
        else pd.NA
    )
    parts = []
    for i, h in enumerate(header):
        if h in LBM3_VALUES:
            value, status = _numbers(_column(body, i), path, h, rownums, sheet)
            key = f"LBM3_{h.upper()}"
            parts.append(
                _part(path, rownums, codes, names, years.to_numpy(), key, "", value, status)
            )
    frame = raw_frame(pd.concat(parts, ignore_index=True), fmt=FMT) if parts else empty_raw(FMT)
    context = set(LBM3_CODES) | set(LBM3_NAMES.values()) | {"jaar"}
    frame.attrs["unmapped_columns"] = [
        h for h in header if h and h not in LBM3_VALUES and h not in context
    ]
    frame.attrs["rejected"] = []
    return frame

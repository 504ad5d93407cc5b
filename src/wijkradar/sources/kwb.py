"""Readers for CBS Kerncijfers Wijken en Buurten (KWB) files, returning the raw long frame.

Formats (detected by content, see :func:`sniff_kwb`):

* raw StatLine "CSV met statistische symbolen" (title, ``Onderwerp``, label and unit lines);
* a StatLine CSV export with ``path/label (unit)`` headers, or the same re-written by R's
  ``write.csv`` (dotted headers, a row-index column, ``NA``);
* Wijk- en Buurtkaart attribute tables (``WK_CODE``, ``AANT_INW``, ``-99999999``);
* the KWB ``.xls``/``.xlsx`` CBS publishes for download (``gwb_code_10``, ``a_inw``, ...),
  and a StatLine ``.xlsx`` export laid out like the raw CSV.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar import codes as cbs
from wijkradar.errors import RegionCodeError, SourceFormatError
from wijkradar.sources import _markers as mk
from wijkradar.sources._common import (
    head_text,
    read_text,
    sniff_delimiter,
    year_from_name,
)
from wijkradar.sources._raw import empty_raw, raw_frame

NUMBER_EXPECTED = "a number or a CBS marker (. x - ?)"

# Units CBS writes after a StatLine label, e.g. "Aantal inwoners (aantal)".
UNITS = (
    "aantal",
    "%",
    "x 1 000 euro",
    "x 1 000 000 euro",
    "euro",
    "per 1 000 inwoners",
    "per 10 000 inwoners",
    "per 100 000 inwoners",
    "aantal inwoners per km²",
    "aantal per km²",
    # m³ before m²: R writes both as "m." and the KWB uses m³ (gas); ties keep this order
    "ha",
    "km",
    "km²",
    "m³",
    "m²",
    "code",
    "naam",
    "omschrijving",
    "kWh",
    "per km²",
    "per huishouden",
    "per inwoner",
    "x 1 000",
    "x 1 000 000",
    "jaar",
    "x 1 000 kg",
    "kg",
    "x 1 000 m³",
    "x 1 000 kWh",
    "1 000 kWh",
    "index",
    "aantal per 1 000 inwoners",
)
# The same units as R's make.names writes them: " (x 1 000 euro)" -> "..x.1.000.euro."
_R_TAILS = sorted(
    ((re.sub(r"[^0-9A-Za-z]", ".", f" ({u})"), u) for u in UNITS),
    key=lambda t: -len(t[0]),
)
_PLAIN_UNIT = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_KAART_CODES = ("bu_code", "wk_code", "gm_code", "gwb_code_10", "gwb_code", "gwb_code_8")
_KAART_TEXT = {"bu_naam", "wk_naam", "gm_naam", "regio", "recs", "water", "jrstatcode", "postcode"}
_R_INDEX = {"", "x", "unnamed: 0"}
_FOOTER = re.compile(r"^\s*(bron\b|source\b|©|copyright)", re.IGNORECASE)
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_MAGIC = b"PK\x03\x04"


def sniff_kwb(path: str | Path) -> bool:
    """Whether ``path`` holds one of the KWB layouts :func:`read_kwb` reads (by content).

    Parameters
    ----------
    path
        A ``.csv``, ``.csv.gz``, ``.xls`` or ``.xlsx`` file.

    Returns
    -------
    bool
    """
    try:
        return _detect(Path(path)) is not None
    except (OSError, SourceFormatError):
        return False


def read_kwb(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read a KWB file into the raw long frame (see :mod:`wijkradar.sources._raw`).

    Parameters
    ----------
    path
        A raw StatLine CSV, a StatLine/R CSV export, a Wijk- en Buurtkaart attribute table or
        a KWB ``.xls``/``.xlsx`` (gzipped CSV is fine).
    year
        The KWB year; needed only when the file does not say (no ``Jaar`` column, no CBS table
        id or year in the title or file name).

    Returns
    -------
    pandas.DataFrame
        Columns ``source, row, code, name, year, column, unit, value, status``; ``attrs``
        ``format`` (``statline`` or ``kwbkaart``) and ``rejected`` (skipped rows).

    Raises
    ------
    SourceFormatError
        Unknown layout, truncated or undecodable file, non-numeric value, duplicated code.
    RegionCodeError
        A region code of the wrong shape.
    """
    path = Path(path)
    kind = _workbook_kind(path) or _detect(path)
    if kind is None:
        raise SourceFormatError(
            "not a KWB layout we know",
            path=path,
            expected="a StatLine CSV (title, 'Onderwerp', labels, units), a StatLine/R export "
            "with a 'Codering' column, a Wijk- en Buurtkaart table (WK_CODE/GM_CODE/BU_CODE) or "
            "a KWB xls/xlsx (gwb_code_10)",
        )
    if kind == "statline":
        return _read_statline_text(path, read_text(path), year)
    if kind == "export":
        return _read_export(path, year)
    if kind == "kaart":
        return _read_kaart_csv(path, year)
    return _read_workbook(path, kind, year)


# --------------------------------------------------------------------------- detection


def _detect(path: Path) -> str | None:
    """``statline``, ``export``, ``kaart``, ``xls``, ``xlsx`` or ``None``."""
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(_XLS_MAGIC):
        return "xls" if _xls_has_kwb(path) else None
    if magic.startswith(_ZIP_MAGIC):
        return "xlsx" if _xlsx_has_kwb(path) else None
    head = head_text(path, 16384)
    lines = head.splitlines()[:8]
    if not lines:
        return None
    delim = sniff_delimiter("\n".join(lines[:6]))
    rows = list(csv.reader(io.StringIO("\n".join(lines[:6])), delimiter=delim))
    if any(f.strip() == "Onderwerp" for r in rows for f in r):
        return "statline"
    first = list(csv.reader([lines[0]], delimiter=sniff_delimiter(lines[0])))[0]
    if {f.strip().lower() for f in first} & set(_KAART_CODES):
        return "kaart"
    if any(_role(_split_header(f)[0]) == "code" for f in first):
        return "export"
    return None


def _workbook_kind(path: Path) -> str | None:
    """``xls`` or ``xlsx`` by magic bytes (a workbook is read as one, whatever its sheets)."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except FileNotFoundError as exc:
        raise SourceFormatError("file not found", path=path) from exc
    if magic.startswith(_XLS_MAGIC):
        return "xls"
    if magic.startswith(_ZIP_MAGIC) and path.suffix.lower() in (".xlsx", ".xlsm"):
        return "xlsx"
    return None


def _xls_has_kwb(path: Path) -> bool:
    """Look for KWB header words in an xls's shared strings (opening it whole is slow)."""
    with open(path, "rb") as fh:
        blob = fh.read(4 << 20)
    words = ("gwb_code", "Onderwerp", "Codering")
    return any(w.encode("latin-1") in blob or w.encode("utf-16-le") in blob for w in words)


def _xlsx_has_kwb(path: Path) -> bool:
    """Whether a sheet of an xlsx has a KWB header row in its first rows (read-only, cheap)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a workbook at all (any zip)
        return False
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows(max_row=15, values_only=True):
                if _header_kind([_cell(v).strip() for v in row]):
                    return True
        return False
    finally:
        wb.close()


def _header_kind(cells: list[str]) -> str | None:
    """``statline`` or ``short`` for a worksheet row that starts a KWB table."""
    if "Onderwerp" in cells:
        return "statline"
    if {c.lower() for c in cells} & set(_KAART_CODES):
        return "short"
    return None


# --------------------------------------------------------------------------- shared


def _role(label: str) -> str | None:
    """What a (normalised) StatLine label is: code, name, type, year, gemeente or a value."""
    norm = mk.normalise_label(label)
    if norm.endswith("codering"):
        return "code"
    if norm == "wijken en buurten" or norm.endswith("regioaanduiding wijken en buurten"):
        return "name"
    if norm.endswith("soort regio"):
        return "type"
    if norm.endswith("gemeentenaam"):
        return "gemeente"
    if norm in ("jaar", "perioden"):
        return "year"
    return None


def _split_header(header: str) -> tuple[str, str]:
    """Split an export header into (label path, unit): ``'A/B (aantal)'`` or R's dotted form."""
    h = header.strip()
    m = _PLAIN_UNIT.match(h)
    if m and ("/" in h or " " in h):
        return m.group(1), m.group(2)
    for tail, unit in _R_TAILS:
        if h.endswith(tail) and len(h) > len(tail):
            return h[: -len(tail)], unit
    return h, ""


def _field_counts(lines: pd.Series, delim: str) -> pd.Series:
    """Fields per line, ignoring delimiters inside quotes (vectorised)."""
    unquoted = lines.str.replace(r'"[^"]*"', "", regex=True)
    return unquoted.str.count(re.escape(delim)) + 1


def _parse_table(
    path: Path, text: str, delim: str, skip: int, width: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse the lines after ``skip`` header lines into (cells, 1-based line numbers).

    Rows with fewer fields than ``width`` (or the widest row) are a truncated file.
    """
    lines = pd.Series(text.split("\n")[skip:], dtype="string").str.rstrip("\r")
    try:
        table = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            header=None,
            skiprows=skip,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        m = re.search(r"(?:line|row) (\d+)", str(exc))
        row = skip + int(m.group(1)) if m else None
        raise SourceFormatError(
            f"cannot parse the CSV ({exc}); the file is truncated or a quote is not closed",
            path=path,
            row=row,
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise SourceFormatError("the file has no data rows", path=path) from exc
    numbers = np.arange(skip + 1, skip + 1 + len(table))
    if len(lines) >= len(table):
        counts = _field_counts(lines.iloc[: len(table)], delim).to_numpy()
        blank = (lines.iloc[: len(table)].str.strip() == "").to_numpy()
        first = table[0].astype("string").fillna("")
        footer = (counts == 1) & first.str.match(_FOOTER.pattern, case=False).to_numpy()
        width = max(width, table.shape[1])
        short = (counts < width) & ~blank & ~footer
        if short.any():
            i = int(np.flatnonzero(short)[0])
            raise SourceFormatError(
                f"row has {counts[i]} fields, the header has {width} (truncated file?)",
                path=path,
                row=int(numbers[i]),
            )
        keep = ~(blank | footer)
        table, numbers = table[keep].reset_index(drop=True), numbers[keep]
    return table, numbers


def _finish(
    path: Path,
    *,
    numbers: np.ndarray,
    code_raw: pd.Series | None,
    code_label: str,
    names: pd.Series,
    year: pd.Series | int,
    values: list[tuple[str, str, str, pd.Series]],
    decimal: str,
    fmt: str,
    kaart: bool = False,
    rejected: list[dict] | None = None,
) -> pd.DataFrame:
    """Check codes, parse the value columns and melt to the raw long frame.

    ``values`` holds (column label for messages, key, unit, cells) per value column.
    """
    n = len(numbers)
    if code_raw is None:
        code = pd.Series([""] * n, dtype="string")
    else:
        code_raw = code_raw.reset_index(drop=True)
        code = cbs.normalise_codes(code_raw)
        bad = cbs.invalid_codes(code).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise RegionCodeError(
                "region code has the wrong shape",
                path=path,
                row=int(numbers[i]),
                column=code_label,
                code=str(code_raw.iloc[i]),
                expected=cbs.EXPECTED_SHAPE,
            )
        years = year.reset_index(drop=True) if isinstance(year, pd.Series) else year
        key = pd.DataFrame({"code": code, "year": years})
        dup = key.duplicated(keep=False).to_numpy()
        if dup.any():
            first = int(np.flatnonzero(dup)[0])
            same = np.flatnonzero(dup & (code == code.iloc[first]).to_numpy())
            rows = " and ".join(str(int(numbers[j])) for j in same[:2])
            raise SourceFormatError(
                f"code {code.iloc[first]} appears more than once (rows {rows})",
                path=path,
                row=int(numbers[same[1]]),
                column=code_label,
                code=str(code.iloc[first]),
            )
    if not values:
        frame = empty_raw(fmt)
    else:
        value, status = _parse_block(path, values, numbers, code, decimal, kaart)
        m = len(values)
        years = year.to_numpy() if isinstance(year, pd.Series) else np.full(n, int(year))
        per_row = np.tile(np.arange(n), m)
        per_col = np.repeat(np.arange(m), n)
        data = {
            "source": _take([str(path)], np.zeros(n * m, dtype=np.int64)),
            "row": np.tile(numbers, m),
            "code": _take(code.tolist(), per_row),
            "name": _take(names.reset_index(drop=True).str.strip().tolist(), per_row),
            "year": np.tile(years, m),
            "column": _take([v[1] for v in values], per_col),
            "unit": _take([v[2] for v in values], per_col),
            "value": value,
            "status": status,
        }
        frame = raw_frame(data, fmt=fmt)
    frame.attrs["rejected"] = rejected or []
    return frame


def _take(strings: list, idx: np.ndarray) -> pd.Categorical:
    """``strings[idx]`` as a categorical (what ``raw_frame`` wants, without copying text)."""
    clean = pd.Series([None if s is None or s is pd.NA else str(s) for s in strings], dtype=object)
    codes, uniques = pd.factorize(clean)
    return pd.Categorical.from_codes(codes[idx], categories=pd.Index(uniques, dtype="string"))


def _parse_block(
    path: Path,
    values: list[tuple[str, str, str, pd.Series]],
    numbers: np.ndarray,
    code: pd.Series,
    decimal: str,
    kaart: bool,
) -> tuple[np.ndarray, pd.api.extensions.ExtensionArray]:
    """Parse all value cells at once, column after column (value, status).

    Cells repeat a lot (markers, small counts), so each distinct cell text is parsed once by
    :func:`_markers.parse_numbers` and the result is spread back: same rules, a fraction of the
    work on a 20,000-row national file.
    """
    n = len(numbers)
    stacked = pd.concat([v[3].reset_index(drop=True) for v in values], ignore_index=True)
    cells, uniques = pd.factorize(stacked, use_na_sentinel=False)
    try:
        value_u, status_u = mk.parse_numbers(pd.Series(uniques), decimal=decimal)
    except mk.NotNumeric as exc:
        p = int(np.flatnonzero(cells == exc.index)[0])
        j, i = divmod(p, n)
        raise SourceFormatError(
            "not a number",
            path=path,
            row=int(numbers[i]),
            column=values[j][0],
            code=str(code.iloc[i]) or None,
            expected=NUMBER_EXPECTED,
            got=exc.got,
        ) from exc
    if kaart:
        value_u, status_u = mk.apply_kaart_missing(value_u, status_u)
    status_idx = pd.Index(mk.STATUSES).get_indexer(status_u.astype(object))
    return value_u.to_numpy()[cells], _take(list(mk.STATUSES), status_idx[cells])


def _need_year(path: Path, year: int | None, text: str = "") -> int:
    """The argument, else the CBS table id or year in the file name (or ``text``)."""
    if year is not None:
        return int(year)
    found = year_from_name(path, text)
    if found is None:
        raise SourceFormatError(
            "cannot tell the KWB year from the file; pass year=",
            path=path,
            expected="a Jaar column, a CBS table id or a year in the file name",
        )
    return found


# --------------------------------------------------------------------------- StatLine CSV


def _read_statline_text(path: Path, text: str, year: int | None) -> pd.DataFrame:
    """Raw StatLine "CSV met statistische symbolen" (also used for StatLine xlsx sheets)."""
    head = text.split("\n", 12)[:12]
    delim = sniff_delimiter("\n".join(head[:6]))
    rows = list(csv.reader(io.StringIO("\n".join(head)), delimiter=delim))
    k = next((i for i, r in enumerate(rows) if any(f.strip() == "Onderwerp" for f in r)), None)
    if k is None or len(rows) < k + 3:
        raise SourceFormatError(
            "no 'Onderwerp' line followed by label and unit lines",
            path=path,
            expected="StatLine 'CSV met statistische symbolen'",
        )
    labels, units = rows[k + 1], rows[k + 2]
    title = rows[0][0] if k > 0 and rows[0] else ""
    table, numbers = _parse_table(path, text, delim, k + 3, width=len(labels))
    roles = {}
    values = []
    for i in range(1, table.shape[1]):
        label = labels[i] if i < len(labels) else ""
        unit = units[i] if i < len(units) else ""
        role = _role(label)
        if role is None and mk.normalise_label(unit) in ("naam", "omschrijving"):
            role = "text"
        if role is not None:
            roles.setdefault(role, i)
        elif label.strip("|\xa0 ") or unit.strip():
            key = mk.normalise_label(label.replace("|", " "))
            values.append((label.strip("|\xa0 "), key, mk.normalise_label(unit), table[i]))
    code = table[roles["code"]] if "code" in roles else None
    years = _statline_years(path, table, roles.get("year"), numbers, year, title)
    return _finish(
        path,
        numbers=numbers,
        code_raw=code,
        code_label="Codering",
        names=table[0],
        year=years,
        values=values,
        decimal=",",
        fmt="statline",
    )


def _statline_years(
    path: Path,
    table: pd.DataFrame,
    col: int | None,
    numbers: np.ndarray,
    year: int | None,
    title: str,
) -> pd.Series | int:
    """Year per row from the Jaar column, else the argument, title or file name."""
    fallback = year if year is not None else year_from_name(path, title)
    if col is None:
        return _need_year(path, fallback, title)
    found = table[col].astype("string").str.extract(r"((?:19|20)\d\d)")[0]
    if found.isna().any():
        if fallback is None:
            i = int(np.flatnonzero(found.isna().to_numpy())[0])
            raise SourceFormatError(
                "no year in the Jaar column and none in the title or file name",
                path=path,
                row=int(numbers[i]),
                column="Jaar",
                got=str(table[col].iloc[i]),
            )
        found = found.fillna(str(fallback))
    years = found.astype("int64")
    if year is not None and (years != year).any():
        raise SourceFormatError(
            f"the Jaar column says {int(years.iloc[0])}, but year={year} was passed",
            path=path,
            column="Jaar",
        )
    return years


def _read_export(path: Path, year: int | None) -> pd.DataFrame:
    """StatLine CSV export (``Bevolking/Aantal inwoners (aantal)``) or its R re-write."""
    text = read_text(path)
    delim = sniff_delimiter(text.split("\n", 1)[0])
    table, numbers = _parse_table(path, text, delim, 0)
    headers = [str(h) for h in table.iloc[0]]
    table, numbers = table.iloc[1:].reset_index(drop=True), numbers[1:]
    roles: dict[str, int] = {}
    values = []
    for i, header in enumerate(headers):
        if i == 0 and header.strip().lower() in _R_INDEX:
            continue  # R's / pandas' row index
        label, unit = _split_header(header)
        role = _role(label)
        if role is None and mk.normalise_label(unit) in ("naam", "omschrijving"):
            role = "text"
        if role is not None:
            roles.setdefault(role, i)
        else:
            values.append((header, mk.normalise_label(label), mk.normalise_label(unit), table[i]))
    if "code" not in roles:
        raise SourceFormatError(
            "no region code column", path=path, expected="a 'Codering' column", got=headers[:6]
        )
    name_col = roles.get("name", roles["code"])
    if "year" in roles:
        years = _statline_years(path, table, roles["year"], numbers, year, "")
    else:
        years = _need_year(path, year)
    return _finish(
        path,
        numbers=numbers,
        code_raw=table[roles["code"]],
        code_label=headers[roles["code"]],
        names=table[name_col],
        year=years,
        values=values,
        decimal=",",
        fmt="statline",
    )


# --------------------------------------------------------------------------- short names


def _read_kaart_csv(path: Path, year: int | None) -> pd.DataFrame:
    """Wijk- en Buurtkaart attribute table (dbf written as CSV)."""
    text = read_text(path)
    delim = sniff_delimiter(text.split("\n", 1)[0])
    table, numbers = _parse_table(path, text, delim, 0)
    headers = [str(h).strip() for h in table.iloc[0]]
    table, numbers = table.iloc[1:].reset_index(drop=True), numbers[1:]
    return _short_names(path, headers, table, numbers, _need_year(path, year), decimal=".")


def _short_names(
    path: Path,
    headers: list[str],
    table: pd.DataFrame,
    numbers: np.ndarray,
    year: int,
    decimal: str,
) -> pd.DataFrame:
    """Wide tables with CBS short names (kaart ``AANT_INW``, xls ``a_inw``), fmt ``kwbkaart``."""
    table = table.copy()
    table.columns = range(table.shape[1])
    lower = [h.lower() for h in headers]
    code_name = next((c for c in _KAART_CODES if c in lower), None)
    if code_name is None:
        raise SourceFormatError(
            "no region code column",
            path=path,
            expected=" or ".join(_KAART_CODES),
            got=headers[:8],
        )
    ci = lower.index(code_name)
    code = table[ci].astype("string").fillna("").str.strip()
    if "recs" in lower:  # gwb_code_8 has no GM/WK/BU prefix: add it from the region type
        recs = table[lower.index("recs")].astype("string").str.strip().str.lower()
        digits = code.str.fullmatch(r"\d+").fillna(False)
        for level, prefix, width in (("gemeente", "GM", 4), ("wijk", "WK", 6), ("buurt", "BU", 8)):
            m = digits & (recs == level)
            code = code.mask(m, prefix + code.str.zfill(width))
    name_col = f"{code_name[:2]}_naam" if code_name[:2] in ("bu", "wk", "gm") else "regio"
    names = table[lower.index(name_col)] if name_col in lower else pd.Series([pd.NA] * len(table))
    rejected = []
    if "water" in lower:
        water = table[lower.index("water")].astype("string").str.strip().str.upper()
        drop = (water.fillna("") != "NEE") & (water.fillna("") != "")
        for i in np.flatnonzero(drop.to_numpy()):
            rejected.append(
                {
                    "source": str(path),
                    "row": int(numbers[i]),
                    "code": cbs.normalise_code(code[i]),
                    "reason": f"water-only unit (WATER={water[i]})",
                }
            )
        keep = ~drop.to_numpy()
        table, numbers, code = table[keep], numbers[keep], code[keep]
        names = names[keep]
    values = [
        (headers[i], headers[i], "", table[i])
        for i, h in enumerate(lower)
        if h
        and i != ci
        and h not in _KAART_TEXT
        and not h.startswith("gwb_code")
        and not h.endswith(("_code", "_naam"))
    ]
    return _finish(
        path,
        numbers=numbers,
        code_raw=code,
        code_label=headers[ci],
        names=names.astype("string"),
        year=year,
        values=values,
        decimal=decimal,
        fmt="kwbkaart",
        kaart=True,
        rejected=rejected,
    )


# --------------------------------------------------------------------------- workbooks


def _workbook_sheets(path: Path, kind: str) -> list[tuple[str, list[list[object]]]]:
    """(sheet name, rows) for every sheet of an xls (xlrd) or xlsx (openpyxl, read-only)."""
    try:
        if kind == "xls":
            import xlrd

            book = xlrd.open_workbook(str(path), on_demand=True)
            out = []
            for name in book.sheet_names():
                sh = book.sheet_by_name(name)
                out.append((name, [sh.row_values(r) for r in range(sh.nrows)]))
            return out
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return [
                (ws.title, [list(r) for r in ws.iter_rows(values_only=True)])
                for ws in wb.worksheets
            ]
        finally:
            wb.close()
    except Exception as exc:  # xlrd/openpyxl/zipfile raise many unrelated types on bad bytes
        raise SourceFormatError(f"cannot open the workbook ({exc})", path=path) from exc


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _read_workbook(path: Path, kind: str, year: int | None) -> pd.DataFrame:
    """KWB xls/xlsx: the first sheet with a ``gwb_code*`` header or a StatLine layout."""
    sheets = _workbook_sheets(path, kind)
    for name, rows in sheets:
        for h, row in enumerate(rows[:15]):
            cells = [_cell(v).strip() for v in row]
            kind_ = _header_kind(cells)
            if kind_ == "statline":
                buf = io.StringIO()
                csv.writer(buf, delimiter=";", lineterminator="\n").writerows(
                    [[_cell(v) for v in r] for r in rows]
                )
                return _read_statline_text(path, buf.getvalue(), year)
            if kind_ == "short":
                width = len(cells)
                body = [list(r) + [None] * (width - len(r)) for r in rows[h + 1 :]]
                table = pd.DataFrame([r[:width] for r in body], dtype=object)
                if table.empty:
                    table = pd.DataFrame(columns=range(width), dtype=object)
                numbers = np.arange(h + 2, h + 2 + len(table))
                filled = table.replace("", None).notna().any(axis=1).to_numpy()
                table, numbers = table[filled].reset_index(drop=True), numbers[filled]
                y = _need_year(path, year, name)
                return _short_names(path, cells, table, numbers, y, decimal=",")
    raise SourceFormatError(
        "no sheet with a KWB header row",
        path=path,
        expected="a sheet with gwb_code_10/gwb_code (or a StatLine 'Onderwerp' layout)",
        got=[name for name, _ in sheets],
    )

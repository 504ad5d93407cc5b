"""KWB workbooks into a :class:`~wijkradar.sources.kwb._frame.Table`: the ``.xls``/``.xlsx``
CBS publishes and StatLine ``.xlsx`` exports (their cells go through the CSV layouts' code)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar.errors import SourceFormatError
from wijkradar.sources.kwb._csv import KAART_CODES, short_names_table, statline_table
from wijkradar.sources.kwb._frame import Table, need_year
from wijkradar.wording import N_

XLS_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK\x03\x04"


def workbook_kind(path: Path) -> str | None:
    """``xls`` or ``xlsx`` by magic bytes (a workbook is read as one, whatever its sheets)."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except FileNotFoundError as exc:
        raise SourceFormatError("bestand niet gevonden", path=path) from exc
    if magic.startswith(XLS_MAGIC):
        return "xls"
    if magic.startswith(ZIP_MAGIC) and path.suffix.lower() in (".xlsx", ".xlsm"):
        return "xlsx"
    return None


def xls_has_kwb(path: Path) -> bool:
    """Look for KWB header words in an xls's shared strings (opening it whole is slow)."""
    with open(path, "rb") as fh:
        blob = fh.read(4 << 20)
    words = ("gwb_code", "Onderwerp", "Codering")
    return any(w.encode("latin-1") in blob or w.encode("utf-16-le") in blob for w in words)


def xlsx_has_kwb(path: Path) -> bool:
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
    if {c.lower() for c in cells} & set(KAART_CODES):
        return "short"
    return None


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
        raise SourceFormatError(
            "de werkmap is niet te openen ({reason})", path=path, reason=str(exc)
        ) from exc


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def workbook_table(path: Path, kind: str, year: int | None) -> Table:
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
                return statline_table(path, buf.getvalue(), year)
            if kind_ == "short":
                width = len(cells)
                body = [list(r) + [None] * (width - len(r)) for r in rows[h + 1 :]]
                table = pd.DataFrame([r[:width] for r in body], dtype=object)
                if table.empty:
                    table = pd.DataFrame(columns=range(width), dtype=object)
                numbers = np.arange(h + 2, h + 2 + len(table))
                filled = table.replace("", None).notna().any(axis=1).to_numpy()
                table, numbers = table[filled].reset_index(drop=True), numbers[filled]
                y = need_year(path, year, name)
                return short_names_table(path, cells, table, numbers, y, decimal=",")
    raise SourceFormatError(
        "geen werkblad met een KWB-kopregel",
        path=path,
        expected=N_(
            "een werkblad met gwb_code_10/gwb_code (of een StatLine-indeling met 'Onderwerp')"
        ),
        got=[name for name, _ in sheets],
    )

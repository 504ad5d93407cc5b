"""Readers for CBS Kerncijfers Wijken en Buurten (KWB) files, returning the raw long frame.

Formats (detected by content, see :func:`sniff_kwb`):

* raw StatLine "CSV met statistische symbolen" (title, ``Onderwerp``, label and unit lines);
* a StatLine CSV export with ``path/label (unit)`` headers, or the same re-written by R's
  ``write.csv`` (dotted headers, a row-index column, ``NA``);
* Wijk- en Buurtkaart attribute tables (``WK_CODE``, ``AANT_INW``, ``-99999999``);
* the KWB ``.xls``/``.xlsx`` CBS publishes for download (``gwb_code_10``, ``a_inw``, ...),
  and a StatLine ``.xlsx`` export laid out like the raw CSV.

This module detects the layout and dispatches; the CSV layouts live in ``_kwb_csv``, the
workbooks in ``_kwb_workbook`` and the shared melt to the long frame in ``_kwb_frame``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from wijkradar.errors import SourceFormatError
from wijkradar.sources._common import head_text, read_text, sniff_delimiter
from wijkradar.sources._kwb_csv import (
    KAART_CODES,
    UNITS,
    label_role,
    read_export,
    read_kaart_csv,
    read_statline_text,
    split_header,
)
from wijkradar.sources._kwb_frame import NUMBER_EXPECTED
from wijkradar.sources._kwb_workbook import (
    XLS_MAGIC,
    ZIP_MAGIC,
    read_workbook,
    workbook_kind,
    xls_has_kwb,
    xlsx_has_kwb,
)

__all__ = ["NUMBER_EXPECTED", "UNITS", "read_kwb", "sniff_kwb"]


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
    kind = workbook_kind(path) or _detect(path)
    if kind is None:
        raise SourceFormatError(
            "not a KWB layout we know",
            path=path,
            expected="a StatLine CSV (title, 'Onderwerp', labels, units), a StatLine/R export "
            "with a 'Codering' column, a Wijk- en Buurtkaart table (WK_CODE/GM_CODE/BU_CODE) or "
            "a KWB xls/xlsx (gwb_code_10)",
        )
    if kind == "statline":
        return read_statline_text(path, read_text(path), year)
    if kind == "export":
        return read_export(path, year)
    if kind == "kaart":
        return read_kaart_csv(path, year)
    return read_workbook(path, kind, year)


def _detect(path: Path) -> str | None:
    """``statline``, ``export``, ``kaart``, ``xls``, ``xlsx`` or ``None``."""
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(XLS_MAGIC):
        return "xls" if xls_has_kwb(path) else None
    if magic.startswith(ZIP_MAGIC):
        return "xlsx" if xlsx_has_kwb(path) else None
    head = head_text(path, 16384)
    lines = head.splitlines()[:8]
    if not lines:
        return None
    delim = sniff_delimiter("\n".join(lines[:6]))
    rows = list(csv.reader(io.StringIO("\n".join(lines[:6])), delimiter=delim))
    if any(f.strip() == "Onderwerp" for r in rows for f in r):
        return "statline"
    first = list(csv.reader([lines[0]], delimiter=sniff_delimiter(lines[0])))[0]
    if {f.strip().lower() for f in first} & set(KAART_CODES):
        return "kaart"
    if any(label_role(split_header(f)[0]) == "code" for f in first):
        return "export"
    return None

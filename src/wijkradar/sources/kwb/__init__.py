"""Readers for CBS Kerncijfers Wijken en Buurten (KWB) files, returning the raw long frame.

Formats (detected by content, see :func:`sniff_kwb`):

* raw StatLine "CSV met statistische symbolen" (title, ``Onderwerp``, label and unit lines);
* a StatLine CSV export with ``path/label (unit)`` headers, or the same re-written by R's
  ``write.csv`` (dotted headers, a row-index column, ``NA``);
* Wijk- en Buurtkaart attribute tables (``WK_CODE``, ``AANT_INW``, ``-99999999``);
* the KWB ``.xls``/``.xlsx`` CBS publishes for download (``gwb_code_10``, ``a_inw``, ...),
  and a StatLine ``.xlsx`` export laid out like the raw CSV.

:func:`read_kwb` is a pipeline of three steps:

1. **detect** the layout from the file's content (:func:`_detect`, below: magic bytes, then the
   first lines);
2. **table**: the layout's reader turns the file into a :class:`~wijkradar.sources.kwb._frame.Table`
   (rows, codes, names, year, value columns with their units): ``_csv`` for the CSV layouts,
   ``_workbook`` for xls/xlsx;
3. **long frame**: :func:`~wijkradar.sources.kwb._frame.long_frame` checks the codes, parses the
   numbers and markers, and melts to the raw long frame.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from wijkradar.errors import SourceFormatError
from wijkradar.sources._common import head_text, read_text, sniff_delimiter
from wijkradar.sources._markers import NUMBER_EXPECTED
from wijkradar.sources.kwb._csv import (
    KAART_CODES,
    UNITS,
    export_table,
    kaart_table,
    label_role,
    split_header,
    statline_table,
)
from wijkradar.sources.kwb._frame import Table, long_frame
from wijkradar.sources.kwb._workbook import (
    XLS_MAGIC,
    ZIP_MAGIC,
    workbook_kind,
    workbook_table,
    xls_has_kwb,
    xlsx_has_kwb,
)
from wijkradar.wording import N_

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
    layout = workbook_kind(path) or _detect(path)  # 1. detect (any workbook is read as one)
    if layout is None:
        read_text(path)  # a cut-off gzip or a wrong encoding is the more specific problem
        raise SourceFormatError(
            "geen KWB-indeling die we kennen",
            path=path,
            expected=N_(
                "een StatLine-CSV (titel, 'Onderwerp', labels, eenheden), een StatLine/R-export "
                "met een kolom 'Codering', een tabel van de Wijk- en Buurtkaart "
                "(WK_CODE/GM_CODE/BU_CODE) of een KWB-xls/xlsx (gwb_code_10)"
            ),
        )
    table = _table(path, layout, year)  # 2. table
    return long_frame(path, table)  # 3. long frame


def _table(path: Path, layout: str, year: int | None) -> Table:
    """The file as a :class:`Table`, by the reader of its ``layout`` (see :func:`_detect`)."""
    if layout == "statline":
        return statline_table(path, read_text(path), year)
    if layout == "export":
        return export_table(path, year)
    if layout == "kaart":
        return kaart_table(path, year)
    return workbook_table(path, layout, year)


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

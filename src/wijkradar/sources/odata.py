"""Reader for CBS OData (v3 ``TypedDataSet``) JSON saved to disk, returning the raw long frame.

Accepted shapes: a page ``{"odata.metadata": ..., "value": [...]}``, a plain list of records,
``{"TypedDataSet": [...]}`` (optionally with ``"DataProperties"`` giving units), as written by
``cbsodata``, by hand, or by :mod:`wijkradar.sources.fetch` (``{"table", "year",
"DataProperties", "value"}``). Record keys carry a position suffix (``AantalInwoners_5``);
the column key is the stem (``AantalInwoners``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar import codes as cbs
from wijkradar.catalogue.matching import occurrence_keys
from wijkradar.errors import SourceFormatError
from wijkradar.sources import _markers as mk
from wijkradar.sources._common import (
    check_codes,
    check_edition,
    check_unique,
    head_text,
    read_json,
    table_edition,
    year_from_name,
)
from wijkradar.sources._raw import melt_wide
from wijkradar.wording import N_

_SUFFIX = re.compile(r"_\d+$")
# Dimension and text keys: never values.
_TEXT_STEMS = {"ID", "Id", "WijkenEnBuurten", "Gemeentenaam", "SoortRegio", "Codering", "Perioden"}
_RECORD_KEYS = ("value", "TypedDataSet", "records", "data")


def sniff_odata(path: str | Path) -> bool:
    """Whether ``path`` is CBS OData JSON (TypedDataSet page, record list or cbsodata dump).

    Parameters
    ----------
    path
        A ``.json`` (or ``.json.gz``) file.

    Returns
    -------
    bool
    """
    try:
        head = head_text(path, 8192).lstrip()
    except OSError:
        return False
    if not head.startswith(("{", "[")) or '"SoortMisdrijf"' in head:
        return False  # police tables share the envelope; sources.police reads them
    return any(
        w in head
        for w in (
            "odata.metadata",
            "@odata.context",
            "TypedDataSet",
            '"WijkenEnBuurten"',
            '"Codering_',
        )
    )


def read_odata(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read saved CBS OData records into the raw long frame (``attrs["format"] == "odata"``).

    Parameters
    ----------
    path
        The JSON file.
    year
        The KWB year; else taken from the CBS table id in the metadata URL or ``"table"``
        key, else from the file name.

    Returns
    -------
    pandas.DataFrame
        Columns ``source, row, code, name, year, column, unit, value, status``; ``row`` is
        the 1-based record number; ``column`` the key stem; ``unit`` from ``DataProperties``
        when the file has them, else empty.

    Raises
    ------
    SourceFormatError
        Not JSON, no records, no region key, non-numeric value, duplicated code, no year.
    RegionCodeError
        A region code of the wrong shape.
    """
    path = Path(path)
    doc = read_json(path, N_("CBS OData-JSON"))
    records, meta = _records(path, doc)
    table = pd.DataFrame.from_records(records)
    stems = {k: _SUFFIX.sub("", str(k)) for k in table.columns}
    code_key = next((k for k, s in stems.items() if s == "WijkenEnBuurten"), None)
    code_key = code_key or next((k for k, s in stems.items() if s == "Codering"), None)
    if code_key is None:
        raise SourceFormatError(
            "geen gebiedssleutel in de records",
            path=path,
            expected=N_("een sleutel WijkenEnBuurten of Codering_NN"),
            got=list(table.columns)[:8],
        )
    numbers = np.arange(1, len(table) + 1)
    raw = table[code_key].astype("string")
    code = check_codes(raw, numbers, path=path, column=code_key, raw=raw)
    check_unique(code, None, numbers, path=path, column=code_key, rows_word="records")
    units = _units(doc)
    columns, parsed = {}, {}
    for key, stem in stems.items():
        if stem in _TEXT_STEMS:
            continue
        try:
            parsed[key] = mk.parse_numbers(table[key], decimal=".")
        except mk.NotNumeric as exc:
            i = table.index.get_loc(exc.index)
            raise SourceFormatError(
                "geen getal",
                path=path,
                row=int(numbers[i]),
                column=str(key),
                code=str(code.iloc[i]),
                expected=mk.NUMBER_EXPECTED,
                got=exc.got,
            ) from exc
        columns[key] = (stem, units.get(key, ""))
    # CBS keys repeat a stem under different topics (Appartement_48 kWh, Appartement_56 m³;
    # EuropaExclusiefNederland_18/_21/_23): the unit, else the order, tells them apart.
    tagged = occurrence_keys(columns.values())
    columns = {k: (t, v[1]) for (k, v), t in zip(columns.items(), tagged, strict=True)}
    wide = pd.DataFrame({"row": numbers, "code": code, "name": _names(doc, code)})
    frame = melt_wide(
        wide,
        value_columns=columns,
        parsed=parsed,
        source=str(path),
        year=_year(path, year, meta),
        fmt="odata",
    )
    frame.attrs["rejected"] = []
    return frame


def _records(path: Path, doc: object) -> tuple[list[dict], str]:
    """The list of records and the metadata text (URL, table id) of an OData document."""
    meta = ""
    records = doc
    if isinstance(doc, dict) and isinstance(doc.get("year"), int):
        meta = f"year={doc['year']}"  # the fetcher's envelope states the year
    if isinstance(doc, dict):
        meta += " " + " ".join(
            str(doc.get(k, "")) for k in ("odata.metadata", "@odata.context", "table", "url")
        )
        records = next((doc[k] for k in _RECORD_KEYS if isinstance(doc.get(k), list)), None)
    if not isinstance(records, list) or not records:
        raise SourceFormatError(
            "geen OData-records",
            path=path,
            expected=N_("een lijst records of {shapes}"),
            shapes='{"value": [...]} / {"TypedDataSet": [...]}',
        )
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise SourceFormatError(
            "record is geen object", path=path, row=bad + 1, got=str(records[bad])[:40]
        )
    return records, meta


def _units(doc: object) -> dict[str, str]:
    """Unit per record key from ``DataProperties`` (``Key``/``Unit``), when present."""
    props = doc.get("DataProperties") if isinstance(doc, dict) else None
    if not isinstance(props, list):
        return {}
    return {
        p["Key"]: mk.normalise_label(p.get("Unit") or "")
        for p in props
        if isinstance(p, dict) and p.get("Key")
    }


def _names(doc: object, code: pd.Series) -> pd.Series:
    """Region names from a ``WijkenEnBuurten`` dimension list (Key/Title), else <NA>."""
    dim = doc.get("WijkenEnBuurten") if isinstance(doc, dict) else None
    if not isinstance(dim, list):
        return pd.Series([pd.NA] * len(code), dtype="string")
    titles = {
        cbs.normalise_code(d.get("Key")): str(d.get("Title", "")).strip()
        for d in dim
        if isinstance(d, dict)
    }
    return code.map(titles).astype("string")


def _year(path: Path, year: int | None, meta: str) -> int:
    """The argument, else the table id in the metadata, else the file name."""
    if year is not None:
        return int(year)
    stated = re.match(r"year=(\d{4})", meta)
    named = table_edition(meta)
    if stated and named and int(stated.group(1)) != named[1]:
        raise SourceFormatError(
            "het bestand noemt jaar {year}, maar de tabel {table} is KWB {edition}",
            path=path,
            expected=N_("het jaar van de KWB-editie van de tabel"),
            got=stated.group(1),
            year=stated.group(1),
            table=named[0],
            edition=named[1],
        )
    if stated:
        check_edition(path, years=int(stated.group(1)))
        return int(stated.group(1))
    found = year_from_name("", meta) if meta.strip() else None
    found = found if found is not None else year_from_name(path)
    if found is None:
        raise SourceFormatError(
            "het KWB-jaar blijkt niet uit het bestand; geef year= mee",
            path=path,
            expected=N_("een CBS-tabel-id in odata.metadata/table of een jaar in de bestandsnaam"),
        )
    return found

"""A user's own table (CSV or xlsx) mapped onto catalogue indicators by a small TOML file.

Mapping file format (``*.mapping.toml``; see also ``docs/user-tables.md``)::

    name = "Amsterdam KWB subset (tommasozf)"   # a title for messages
    match = ["Area_Code", "Population_Total"]   # header columns that identify the layout
    code = "Area_Code"               # column with GM/WK/BU codes (padding is stripped)
    region_name = "District_Type"    # optional: column with region names
    # name-only tables: leave out `code`, give region_name (alias name_column) and gemeente
    # gemeente = "GM0363"
    year = 2020                      # or: year_pattern = "(20\\d\\d)" searched in the file name
    sep = ";"                        # optional; sniffed from the header otherwise
    decimal = ","                    # optional; "," (default) accepts 1,8 and 416.0 alike,
                                     # "." treats commas as errors (use when commas are
                                     # thousands separators)
    sheet = "Blad1"                  # optional, xlsx only; default the first sheet

    [columns]                        # source column -> catalogue id
    Population_Total = "population"
    Avg_Property_Value_1000EUR = { id = "woz_mean", scale = 1, unit = "x 1 000 euro" }

    [ignore]                         # optional: columns that are deliberately no indicator
    Municipality_Name = "text: the gemeente name"

A column value is a catalogue id or a table with ``id`` and optional ``scale`` (multiplies the
value) and ``unit`` (default: the catalogue unit of the id). Every id must exist in
``catalogue/indicators.csv``. Columns of the table that are not mapped are ignored and listed in
``frame.attrs["unmapped_columns"]`` (those under ``[ignore]`` in
``frame.attrs["ignored_columns"]`` with their reason, so the quality report can say why).
Empty cells (and CBS markers ``.``, ``x``, ``-``, ``?``) are missing, suppressed or nil as
everywhere else.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar.catalogue._models import MappingFile, _load_toml, validate
from wijkradar.errors import SourceFormatError
from wijkradar.sources._common import (
    catalogue,
    check_codes,
    check_unique,
    csv_rows,
    head_text,
    read_text,
    sniff_delimiter,
    year_from_name,
)
from wijkradar.sources._markers import NUMBER_EXPECTED, NotNumeric, parse_numbers
from wijkradar.sources._raw import empty_raw, raw_frame
from wijkradar.wording import N_

FMT = "user"
XLSX = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class MappedColumn:
    """One source column mapped to a catalogue indicator."""

    source: str
    id: str
    scale: float = 1.0
    unit: str = ""


@dataclass(frozen=True)
class Mapping:
    """A validated mapping file (see the module docstring for the TOML keys)."""

    name: str
    match: tuple[str, ...]
    columns: tuple[MappedColumn, ...]
    code: str | None = None
    region_name: str | None = None
    gemeente: str | None = None
    year: int | None = None
    year_pattern: str | None = None
    sep: str | None = None
    decimal: str = ","
    sheet: str | None = None
    path: Path | None = None
    ignore: tuple[tuple[str, str], ...] = ()

    def matches(self, header: Iterable[str]) -> bool:
        """Whether every ``match`` column is in ``header``."""
        return set(self.match) <= {str(h).strip() for h in header}


def _catalogue_units() -> dict[str, str]:
    """Indicator id → its catalogue unit (the catalogue every reader shares)."""
    units = catalogue().indicators["unit"]
    return dict(zip(units.index.str.strip(), units.str.strip(), strict=True))


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a mapping TOML file
    (:class:`~wijkradar.catalogue._models.MappingFile`).

    Raises
    ------
    CatalogueError
        Invalid TOML, an unknown key, or a catalogue id that does not exist (the message names
        the file, the key path, what was expected and given, and close matches of an id).
    """
    path = Path(path)
    units = _catalogue_units()
    m = validate(MappingFile, *_load_toml("mapping", path), indicators=units)
    return Mapping(
        name=m.name if m.name is not None else path.stem,
        match=tuple(c.strip() for c in m.match),
        columns=tuple(
            MappedColumn(k.strip(), c.id, float(c.scale), units[c.id] if c.unit is None else c.unit)
            for k, c in m.columns.items()
        ),
        code=m.code,
        region_name=m.region,
        gemeente=m.gemeente,
        year=m.year,
        year_pattern=m.year_pattern,
        sep=m.sep,
        decimal=m.decimal,
        sheet=m.sheet,
        path=path,
        ignore=tuple((k.strip(), v) for k, v in m.ignore.items()),
    )


def builtin_mapping_paths() -> list[Path]:
    """The mapping files shipped in ``wijkradar/catalogue/mappings``."""
    root = resources.files("wijkradar.catalogue").joinpath("mappings")
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith(".toml"))


def _sidecars(path: Path) -> list[Path]:
    base = path.name
    for suffix in (".gz", ".csv", ".txt", ".xlsx", ".xlsm"):
        base = base.removesuffix(suffix)
    return [path.with_name(f"{base}.mapping.toml"), path.with_name(f"{path.stem}.mapping.toml")]


def find_mapping(path: str | Path, search: Iterable[str | Path] = ()) -> Mapping | None:
    """Find the mapping for a user table.

    Looks, in order, for a sidecar ``<file stem>.mapping.toml`` next to the table, then for a
    mapping in the ``search`` folders whose ``match`` columns are all in the table's header,
    then among the built-in mappings. Within a folder the mapping with most ``match`` columns
    wins (ties: file name order).

    Returns
    -------
    Mapping or None
        ``None`` when nothing matches.
    """
    path = Path(path)
    for side in _sidecars(path):
        if side.exists():
            return load_mapping(side)
    header = _header(path)
    tiers = [sorted(Path(d).glob("*.toml")) for d in search if Path(d).is_dir()]
    tiers.append(builtin_mapping_paths())
    for files in tiers:
        found = [m for m in (load_mapping(f) for f in files) if m.matches(header)]
        if found:
            return sorted(found, key=lambda m: -len(m.match))[0]
    return None


# --- reading --------------------------------------------------------------------------------


def _table(path: Path, mapping: Mapping | None) -> tuple[list[str], list[list], np.ndarray]:
    """(header, rows, line numbers) of a CSV or xlsx; every row as long as the header."""
    if path.suffix.lower() in XLSX:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb[mapping.sheet] if mapping and mapping.sheet else wb.worksheets[0]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
        finally:
            wb.close()
        rows = [["" if v is None else v for v in r] for r in rows]
    else:
        text = read_text(path)
        first = text.split("\n", 1)[0]
        sep = mapping.sep if mapping and mapping.sep else sniff_delimiter(first)
        rows = csv_rows(text, sep)
    if not rows:
        raise SourceFormatError("de tabel is leeg", path=path, expected=N_("een kopregel"))
    header = [str(h).strip() for h in rows[0]]
    keep = [i for i in range(1, len(rows)) if any(str(v).strip() for v in rows[i])]
    for i in keep:
        if len(rows[i]) < len(header):
            raise SourceFormatError(
                "{fields} velden waar de kopregel er {width} heeft "
                "(afgebroken rij of een aanhalingsteken dat niet gesloten is?)",
                path=path,
                row=i + 1,
                fields=len(rows[i]),
                width=len(header),
            )
    return header, [rows[i] for i in keep], np.asarray(keep, dtype="int64") + 1


def _header(path: Path) -> list[str]:
    """The header row only (for matching mappings); [] when the file is not a readable table."""
    try:
        if path.suffix.lower() in XLSX:
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                first = next(wb.worksheets[0].iter_rows(max_row=1, values_only=True), ())
            finally:
                wb.close()
            return [str(v).strip() for v in first if v is not None]
        lines = head_text(path, 65536).splitlines()
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return []
    if not lines:
        return []
    rows = csv_rows(lines[0], sniff_delimiter(lines[0]))
    return [h.strip() for h in rows[0]] if rows else []


def _year(path: Path, mapping: Mapping, year: int | None) -> int:
    if year is not None:
        return int(year)
    if mapping.year is not None:
        return mapping.year
    if mapping.year_pattern:
        m = re.search(mapping.year_pattern, path.name)
        if m:
            return int(m.group(1))
    guess = year_from_name(path)
    if guess is None:
        raise SourceFormatError(
            "het jaar is onbekend (mapping {mapping} heeft geen jaar en de bestandsnaam noemt "
            "er geen); geef year= mee of zet year / year_pattern in de mapping",
            path=path,
            mapping=repr(mapping.name),
        )
    return guess


def read_user_table(
    path: str | Path, mapping: Mapping | str | Path | None = None, year: int | None = None
) -> pd.DataFrame:
    """Read a user's CSV/xlsx table through a mapping into the raw long frame.

    Parameters
    ----------
    path
        The table: CSV (``;`` or ``,``, decimal comma or point, BOM, quoted, gzipped) or xlsx.
    mapping
        A :class:`Mapping`, the path of a mapping TOML, or ``None`` to use
        :func:`find_mapping` (sidecar, then built-in mappings).
    year
        The year of the values; default from the mapping (``year`` / ``year_pattern``) or the
        file name.

    Returns
    -------
    pandas.DataFrame
        Raw long frame, ``attrs["format"] == "user"``: ``column`` is the catalogue id,
        ``unit`` the mapping's unit, ``value`` multiplied by the column's ``scale``.
        ``attrs``: ``mapping`` (its name), ``unmapped_columns``, ``rejected`` (empty) and, for
        name-only tables, ``gemeente`` (codes are then empty; names identify the regions).

    Raises
    ------
    SourceFormatError
        The header lacks the mapping's ``match`` or mapped columns (the message lists the
        columns found), a non-numeric value, a truncated row or a duplicated region.
    RegionCodeError
        A code that is not a CBS code.
    CatalogueError
        A mapping file with an unknown catalogue id.
    """
    path = Path(path)
    if mapping is None:
        mapping = find_mapping(path)
        if mapping is None:
            raise SourceFormatError(
                "geen mappingbestand past bij deze tabel; zet {mapping} ernaast",
                path=path,
                expected=N_("een mapping (zie docs/user-tables.md)"),
                mapping=path.name.split(".")[0] + ".mapping.toml",
            )
    elif not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    header, body, lines = _table(path, mapping)
    needed = list(mapping.match) + [c.source for c in mapping.columns]
    needed += [c for c in (mapping.code, mapping.region_name) if c]
    missing = [c for c in dict.fromkeys(needed) if c not in header]
    if missing:
        raise SourceFormatError(
            "mapping {mapping} past niet bij deze tabel: kolommen {missing} ontbreken; "
            "gevonden kolommen: {found}",
            path=path,
            expected=N_("de kolommen van mapping {source}"),
            mapping=repr(mapping.name),
            missing=", ".join(missing),
            found=", ".join(header),
            source=mapping.path or mapping.name,
        )
    cols = {h: pd.Series([r[i] for r in body], dtype=object) for i, h in enumerate(header)}
    codes, names = _regions(cols, mapping, path, lines)
    the_year = _year(path, mapping, year)
    parts = []
    for mc in mapping.columns:
        cells = cols[mc.source].map(lambda v: v if isinstance(v, str) else str(v))
        try:
            value, status = parse_numbers(cells, decimal=mapping.decimal)
        except NotNumeric as exc:
            raise SourceFormatError(
                "geen getal",
                path=path,
                row=int(lines[int(exc.index)]),
                column=mc.source,
                expected=NUMBER_EXPECTED,
                got=exc.got,
            ) from exc
        parts.append(
            pd.DataFrame(
                {
                    "source": str(path),
                    "row": lines,
                    "code": codes.to_numpy(),
                    "name": names.to_numpy(),
                    "year": the_year,
                    "column": mc.id,
                    "unit": mc.unit,
                    "value": (value * mc.scale).to_numpy(),
                    "status": status.to_numpy(),
                }
            )
        )
    frame = raw_frame(pd.concat(parts, ignore_index=True), fmt=FMT) if parts else empty_raw(FMT)
    ignored = dict(mapping.ignore)
    used = {c.source for c in mapping.columns} | {mapping.code, mapping.region_name} | set(ignored)
    frame.attrs.update(
        mapping=mapping.name,
        unmapped_columns=[h for h in header if h and h not in used],
        ignored_columns={h: ignored[h] for h in header if h in ignored},
        rejected=[],
    )
    if mapping.code is None:
        frame.attrs["gemeente"] = mapping.gemeente
    return frame


def _regions(
    cols: dict[str, pd.Series], mapping: Mapping, path: Path, lines: np.ndarray
) -> tuple[pd.Series, pd.Series]:
    """Normalised codes (or empty for name-only tables) and names; duplicates are errors."""
    n = len(lines)
    if mapping.region_name:
        names = cols[mapping.region_name].astype("string").str.strip()
    else:
        names = pd.Series([pd.NA] * n, dtype="string")
    if mapping.code:
        codes = check_codes(cols[mapping.code].map(str), lines, path=path, column=mapping.code)
        key, label, what = codes, mapping.code, "code"
    else:
        codes = pd.Series([""] * n, dtype="string")
        key, label, what = names.str.casefold(), mapping.region_name, "name"
    check_unique(key, None, lines, path=path, column=label, what=what)
    return codes, names

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

import difflib
import re
import tomllib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar.errors import CatalogueError, SourceFormatError
from wijkradar.sources._common import (
    check_codes,
    check_unique,
    csv_rows,
    head_text,
    read_text,
    sniff_delimiter,
    year_from_name,
)
from wijkradar.sources._markers import NotNumeric, parse_numbers
from wijkradar.sources._raw import empty_raw, raw_frame

FMT = "user"
KEYS = {
    "name", "match", "code", "region_name", "name_column", "gemeente", "year",
    "year_pattern", "sep", "decimal", "sheet", "columns", "ignore",
}  # fmt: skip
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


@lru_cache(maxsize=1)
def _catalogue_units() -> dict[str, str]:
    with resources.files("wijkradar.catalogue").joinpath("indicators.csv").open("rb") as fh:
        ind = pd.read_csv(fh, dtype=str, keep_default_na=False)
    return dict(zip(ind["id"].str.strip(), ind["unit"].str.strip(), strict=True))


def _fail(path: Path | None, msg: str) -> CatalogueError:
    return CatalogueError(f"mapping {path if path else '(in memory)'}: {msg}")


def _columns(raw: object, path: Path | None) -> tuple[MappedColumn, ...]:
    if not isinstance(raw, dict) or not raw:
        raise _fail(path, "[columns] must be a table of source column = catalogue id")
    units = _catalogue_units()
    out = []
    for source, spec in raw.items():
        entry = spec if isinstance(spec, dict) else {"id": spec}
        ident = entry.get("id")
        if not isinstance(ident, str):
            raise _fail(path, f"column {source!r}: give a catalogue id (text) or {{id = ...}}")
        if ident not in units:
            close = difflib.get_close_matches(ident, list(units), n=3, cutoff=0.5)
            hint = f"; close matches: {', '.join(close)}" if close else ""
            raise _fail(path, f"column {source!r}: unknown catalogue id {ident!r}{hint}")
        scale = entry.get("scale", 1)
        if isinstance(scale, bool) or not isinstance(scale, int | float):
            raise _fail(path, f"column {source!r}: scale must be a number, got {scale!r}")
        unknown = set(entry) - {"id", "scale", "unit"}
        if unknown:
            raise _fail(path, f"column {source!r}: unknown keys {', '.join(sorted(unknown))}")
        unit = str(entry.get("unit", units[ident]))
        out.append(MappedColumn(str(source).strip(), ident, float(scale), unit))
    return tuple(out)


def _mapping_from_dict(data: dict, path: Path | None) -> Mapping:
    unknown = set(data) - KEYS
    if unknown:
        raise _fail(
            path, f"unknown keys {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(KEYS))})"
        )
    match = data.get("match")
    if not isinstance(match, list) or not match or not all(isinstance(m, str) for m in match):
        raise _fail(path, "match must be a non-empty list of header column names")
    region = data.get("region_name", data.get("name_column"))
    code, gemeente = data.get("code"), data.get("gemeente")
    if code is None and not (region and gemeente):
        raise _fail(path, "give code = <code column>, or region_name and gemeente for names only")
    if gemeente is not None:
        gemeente = str(gemeente).strip().upper()
        if not re.fullmatch(r"GM\d{4}", gemeente):
            raise _fail(path, f"gemeente must be a code like GM0363, got {gemeente!r}")
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise _fail(path, f"year must be a whole number, got {year!r}")
    pattern = data.get("year_pattern")
    if pattern is not None:
        try:
            if re.compile(pattern).groups < 1:
                raise _fail(path, "year_pattern needs one group around the year, like (20\\d\\d)")
        except re.error as exc:
            raise _fail(path, f"year_pattern is not a regular expression ({exc})") from exc
    decimal = data.get("decimal", ",")
    if decimal not in (",", "."):
        raise _fail(path, f'decimal must be "," or ".", got {decimal!r}')
    ignore = data.get("ignore", {})
    if not isinstance(ignore, dict) or not all(isinstance(v, str) and v for v in ignore.values()):
        raise _fail(path, "[ignore] must be a table of source column = why it is no indicator")
    return Mapping(
        ignore=tuple((str(k).strip(), v) for k, v in ignore.items()),
        name=str(data.get("name", path.stem if path else "mapping")),
        match=tuple(m.strip() for m in match),
        columns=_columns(data.get("columns"), path),
        code=code,
        region_name=region,
        gemeente=gemeente,
        year=year,
        year_pattern=pattern,
        sep=data.get("sep"),
        decimal=decimal,
        sheet=data.get("sheet"),
        path=path,
    )


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a mapping TOML file.

    Raises
    ------
    CatalogueError
        Invalid TOML, unknown keys, or a catalogue id that does not exist (the message names
        the file, the id and close matches).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"not valid TOML ({exc})") from exc
    except OSError as exc:
        raise _fail(path, f"cannot read ({exc.strerror})") from exc
    return _mapping_from_dict(data, path)


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
        raise SourceFormatError("the table is empty", path=path, expected="a header row")
    header = [str(h).strip() for h in rows[0]]
    keep = [i for i in range(1, len(rows)) if any(str(v).strip() for v in rows[i])]
    for i in keep:
        if len(rows[i]) < len(header):
            raise SourceFormatError(
                f"{len(rows[i])} fields where the header has {len(header)} "
                "(truncated row or unterminated quote?)",
                path=path,
                row=i + 1,
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
            f"cannot tell the year (mapping {mapping.name!r} has no year and the file name "
            "names none); pass year= or set year / year_pattern in the mapping",
            path=path,
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
                "no mapping file matches this table; write <name>.mapping.toml next to it",
                path=path,
                expected="a mapping (see docs/user-tables.md)",
            )
    elif not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    header, body, lines = _table(path, mapping)
    needed = list(mapping.match) + [c.source for c in mapping.columns]
    needed += [c for c in (mapping.code, mapping.region_name) if c]
    missing = [c for c in dict.fromkeys(needed) if c not in header]
    if missing:
        raise SourceFormatError(
            f"mapping {mapping.name!r} does not fit this table: missing columns "
            f"{', '.join(missing)}; columns found: {', '.join(header)}",
            path=path,
            expected=f"the columns of mapping {mapping.path or mapping.name}",
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
                "not a number",
                path=path,
                row=int(lines[int(exc.index)]),
                column=mc.source,
                expected="a number or a CBS marker (. x - ?)",
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

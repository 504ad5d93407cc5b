"""KWB CSV layouts into a :class:`~wijkradar.sources.kwb._frame.Table`: raw StatLine CSV,
StatLine/R exports, and tables with CBS short names (Wijk- en Buurtkaart, the KWB xls)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar import codes as cbs
from wijkradar.catalogue.matching import occurrence_keys
from wijkradar.errors import SourceFormatError
from wijkradar.sources import _markers as mk
from wijkradar.sources._common import check_edition, read_text, sniff_delimiter, year_from_name
from wijkradar.sources.kwb._frame import Table, need_year, parse_table
from wijkradar.wording import N_

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
KAART_CODES = ("bu_code", "wk_code", "gm_code", "gwb_code_10", "gwb_code", "gwb_code_8")
_KAART_TEXT = {"bu_naam", "wk_naam", "gm_naam", "regio", "recs", "water", "jrstatcode", "postcode"}
_R_INDEX = {"", "x", "unnamed: 0"}


def label_role(label: str) -> str | None:
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


def split_header(header: str) -> tuple[str, str]:
    """Split an export header into (label path, unit): ``'A/B (aantal)'`` or R's dotted form."""
    h = header.strip()
    m = _PLAIN_UNIT.match(h)
    if m and ("/" in h or " " in h):
        return m.group(1), m.group(2)
    for tail, unit in _R_TAILS:
        if h.endswith(tail) and len(h) > len(tail):
            return h[: -len(tail)], unit
    return h, ""


def _tag_repeats(values: list[tuple]) -> list[tuple]:
    """Tag a label that repeats with the same unit ``#2``, ``#3`` (see catalogue.matching).

    Raw StatLine CSVs without the topic path repeat labels such as "Europa (exclusief
    Nederland)" under several topics; their order is all that tells them apart.
    """
    keys = occurrence_keys((v[1], v[2]) for v in values)
    return [(v[0], k, *v[2:]) for v, k in zip(values, keys, strict=True)]


# --------------------------------------------------------------------------- StatLine CSV


def statline_table(path: Path, text: str, year: int | None) -> Table:
    """Raw StatLine "CSV met statistische symbolen" (also used for StatLine xlsx sheets)."""
    head = text.split("\n", 12)[:12]
    delim = sniff_delimiter("\n".join(head[:6]))
    rows = list(csv.reader(io.StringIO("\n".join(head)), delimiter=delim))
    k = next((i for i, r in enumerate(rows) if any(f.strip() == "Onderwerp" for f in r)), None)
    if k is None or len(rows) < k + 3:
        raise SourceFormatError(
            "geen regel 'Onderwerp' gevolgd door regels met labels en eenheden",
            path=path,
            expected=N_("een StatLine-bestand 'CSV met statistische symbolen'"),
        )
    labels, units = rows[k + 1], rows[k + 2]
    title = rows[0][0] if k > 0 and rows[0] else ""
    table, numbers = parse_table(path, text, delim, k + 3, width=len(labels))
    roles = {}
    values = []
    for i in range(1, table.shape[1]):
        label = labels[i] if i < len(labels) else ""
        unit = units[i] if i < len(units) else ""
        role = label_role(label)
        if role is None and mk.normalise_label(unit) in ("naam", "omschrijving"):
            role = "text"
        if role is not None:
            roles.setdefault(role, i)
        elif label.strip("|\xa0 ") or unit.strip():
            key = mk.normalise_label(label.replace("|", " "))
            values.append((label.strip("|\xa0 "), key, mk.normalise_label(unit), table[i]))
    values = _tag_repeats(values)
    code = table[roles["code"]] if "code" in roles else None
    years = _statline_years(path, table, roles.get("year"), numbers, year, title)
    check_edition(path, title=title, years=years)
    return Table(
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
        return need_year(path, fallback, title)
    found = table[col].astype("string").str.extract(r"((?:19|20)\d\d)")[0]
    if found.isna().any():
        if fallback is None:
            i = int(np.flatnonzero(found.isna().to_numpy())[0])
            raise SourceFormatError(
                "geen jaar in de kolom Jaar, en ook niet in de titel of de bestandsnaam",
                path=path,
                row=int(numbers[i]),
                column="Jaar",
                expected=N_("een jaar zoals 2019"),
                got=str(table[col].iloc[i]),
            )
        found = found.fillna(str(fallback))
    years = found.astype("int64")
    if year is not None and (years != year).any():
        raise SourceFormatError(
            "de kolom Jaar noemt {found}, maar year={year} is meegegeven",
            path=path,
            column="Jaar",
            found=int(years.iloc[0]),
            year=year,
        )
    return years


def export_table(path: Path, year: int | None) -> Table:
    """StatLine CSV export (``Bevolking/Aantal inwoners (aantal)``) or its R re-write."""
    text = read_text(path)
    delim = sniff_delimiter(text.split("\n", 1)[0])
    table, numbers = parse_table(path, text, delim, 0)
    headers = [str(h) for h in table.iloc[0]]
    table, numbers = table.iloc[1:].reset_index(drop=True), numbers[1:]
    roles: dict[str, int] = {}
    values = []
    for i, header in enumerate(headers):
        if i == 0 and header.strip().lower() in _R_INDEX:
            continue  # R's / pandas' row index
        label, unit = split_header(header)
        role = label_role(label)
        if role is None and mk.normalise_label(unit) in ("naam", "omschrijving"):
            role = "text"
        if role is not None:
            roles.setdefault(role, i)
        else:
            values.append((header, mk.normalise_label(label), mk.normalise_label(unit), table[i]))
    if "code" not in roles:
        raise SourceFormatError(
            "geen kolom met gebiedscodes",
            path=path,
            expected=N_("een kolom 'Codering'"),
            got=headers[:6],
        )
    values = _tag_repeats(values)
    name_col = roles.get("name", roles["code"])
    if "year" in roles:
        years = _statline_years(path, table, roles["year"], numbers, year, "")
    else:
        years = need_year(path, year)
    check_edition(path, years=years)
    return Table(
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


def kaart_table(path: Path, year: int | None) -> Table:
    """Wijk- en Buurtkaart attribute table (dbf written as CSV)."""
    text = read_text(path)
    delim = sniff_delimiter(text.split("\n", 1)[0])
    table, numbers = parse_table(path, text, delim, 0)
    headers = [str(h).strip() for h in table.iloc[0]]
    table, numbers = table.iloc[1:].reset_index(drop=True), numbers[1:]
    return short_names_table(path, headers, table, numbers, need_year(path, year), decimal=".")


def short_names_table(
    path: Path,
    headers: list[str],
    table: pd.DataFrame,
    numbers: np.ndarray,
    year: int,
    decimal: str,
) -> Table:
    """Wide tables with CBS short names (kaart ``AANT_INW``, xls ``a_inw``), fmt ``kwbkaart``."""
    table = table.copy()
    table.columns = range(table.shape[1])
    lower = [h.lower() for h in headers]
    code_name = next((c for c in KAART_CODES if c in lower), None)
    if code_name is None:
        raise SourceFormatError(
            "geen kolom met gebiedscodes",
            path=path,
            expected=N_("een kolom {columns}"),
            got=headers[:8],
            columns=" / ".join(KAART_CODES),
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
    return Table(
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

"""Reader for CBS OData v4 downloads (``datasets.cbs.nl/odata/v1/CBS/{table}``), as raw long frame.

OData v4 serves a table as long *observations*, one per cell::

    {"Id": 12, "Measure": "T001036", "ValueAttribute": "None", "Value": 862965,
     "StringValue": null, "WijkenEnBuurten": "GM0363    "}

with the metadata in separate entity sets: ``Properties`` (a singleton with the ``Title``),
``MeasureCodes`` (``Identifier, Title, Unit, Decimals, DataType, MeasureGroupId, ...``),
``MeasureGroups`` (``Id, Title, ParentId, ...``: the topic tree) and one ``{Dimension}Codes`` list
per dimension (``WijkenEnBuurtenCodes``: ``Identifier, Title, DimensionGroupId, ...``).
:mod:`wijkradar.sources.fetch` saves all of it in one envelope (see :func:`envelope_text`)::

    {"format": "cbs-odata4", "table": "84583NED", "year": 2019, "title": "...", "source": url,
     "filter": "...", "Properties": {...}, "MeasureGroups": [...] | null, "MeasureCodes": [...],
     "WijkenEnBuurtenCodes": [...],            <padding>            "value": [observations]}

``ValueAttribute`` replaces StatLine's symbols (docs/fetch.md lists the sources): ``None`` is a
plain value; ``Confidential`` is StatLine's ``x`` (secret); ``NotAvailable`` is ``.`` (not known
or not available yet); ``Impossible`` is StatLine's empty cell (cannot occur). StatLine's ``-``
(nil) is an ordinary ``Value`` 0. v4 does not return empty cells at all unless they carry one of
these attributes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from wijkradar import codes as cbs
from wijkradar.catalogue.matching import occurrence_keys
from wijkradar.errors import SourceFormatError
from wijkradar.sources import _markers as mk
from wijkradar.sources._common import (
    check_codes,
    head_text,
    read_json,
    table_edition,
    year_from_name,
)
from wijkradar.sources._raw import empty_raw, raw_frame
from wijkradar.wording import N_

FMT = "odata4"
FORMAT_TAG = "cbs-odata4"
HEAD_CHARS = 8192
"""The envelope's metadata fills at least this many characters before the observations."""

VALUE_ATTRIBUTES: dict[str, str | None] = {
    "None": None,  # observed when Value is a number, missing when it is null
    "Confidential": mk.SUPPRESSED,
    "NotAvailable": mk.MISSING,
    "Impossible": mk.MISSING,
}
"""``ValueAttribute`` → status (``None``: decided by ``Value``); anything else is an error."""

NUMBER_EXPECTED = N_("een JSON-getal, null of een CBS-teken (. x - ?)")
TEXT_TYPES = frozenset({"String", "Text"})
"""``MeasureCodes.DataType`` values of text measures (kept out of the numeric frame)."""

REGION_DIMENSIONS = ("WijkenEnBuurten", "RegioS")
_ENVELOPE = N_("{envelope}, zoals wijkradar.sources.fetch het opslaat")
_ENVELOPE_SHAPE = (
    '{"format": "cbs-odata4", "table": ..., "MeasureCodes": [...], '
    '"WijkenEnBuurtenCodes": [...], "value": [observations]}'
)
_SNIFF = ('"' + FORMAT_TAG + '"', '"MeasureCodes"', '"ValueAttribute"', "$metadata#Observations")


def envelope_text(header: dict, observations: list[dict]) -> str:
    """Serialise a v4 download: ``header`` (metadata) first, then ``"value": observations``.

    The header is padded with JSON whitespace to :data:`HEAD_CHARS` characters, so a reader
    that sniffs a file's first 8 KiB (``sources.odata.sniff_odata`` looks for a
    ``"WijkenEnBuurten"`` key) sees only the metadata and never takes this file for v3.
    Real tables need no padding: their ``MeasureCodes`` alone are larger than that.

    Parameters
    ----------
    header
        A non-empty dict without a ``"value"`` key; its first key should be
        ``"format": "cbs-odata4"``.
    observations
        The ``Observations`` records, in the order CBS sent them.

    Returns
    -------
    str
        JSON text.
    """
    if not header or "value" in header:
        raise ValueError("header must be a non-empty dict without a 'value' key")
    head = json.dumps(header, ensure_ascii=False)[:-1] + ", "
    pad = " " * max(0, HEAD_CHARS - len(head))
    return f'{head}{pad}"value": {json.dumps(observations, ensure_ascii=False)}}}'


def sniff_odata4(path: str | Path) -> bool:
    """Whether ``path`` is a CBS OData v4 download (the fetcher's envelope or a raw page).

    Parameters
    ----------
    path
        A ``.json`` (or ``.json.gz``) file.

    Returns
    -------
    bool
        True for v4 envelopes and ``Observations`` pages; False for OData v3 files (they have
        no ``MeasureCodes``, ``ValueAttribute`` or ``#Observations``) and anything else.
    """
    try:
        head = head_text(path, HEAD_CHARS).lstrip()
    except OSError:
        return False
    return head.startswith("{") and any(marker in head for marker in _SNIFF)


def read_odata4(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read a saved CBS OData v4 download into the raw long frame (``fmt="odata4"``).

    Parameters
    ----------
    path
        The envelope written by ``wijkradar fetch`` (``kwb_{year}_{table}_odata4.json``).
    year
        The KWB year; else the envelope's ``year``, else the CBS table id (``table``), else
        the file name.

    Returns
    -------
    pandas.DataFrame
        One row per (region, measure): ``row`` the 1-based observation number, ``code`` the
        normalised region code, ``name`` the region's ``Title`` in the codes list,
        ``column`` the measure's topic path and title joined by ``/`` as CBS writes them
        (``Bevolking/Aantal inwoners``; just the ``Title`` without ``MeasureGroups``, a
        repeated title and unit then tagged ``#2``, ``#3``), ``unit`` the normalised
        ``Unit``, ``value``/``status`` from ``Value`` and ``ValueAttribute`` (a string
        ``Value`` is read as the v3 reader reads one: ``.``/``?`` missing, ``x`` suppressed,
        ``-`` 0). Text measures (``DataType`` String) are left out and listed in
        ``attrs["text_measures"]``; ``attrs["title"]`` is the table title.

    Raises
    ------
    SourceFormatError
        Not JSON or not an envelope (an OData v3 file is named as such), no
        ``MeasureCodes``, an observation without ``Measure`` or region, a measure not in
        ``MeasureCodes``, a broken ``MeasureGroups`` tree, a ``Value`` that is neither a
        number nor a CBS marker, an unknown ``ValueAttribute``, the same region and measure
        twice, an envelope ``year`` that is not its table's edition, or no year.
    RegionCodeError
        A region code of the wrong shape.
    """
    path = Path(path)
    doc = _load(path)
    measures = _measures(path, doc)
    records = doc["value"]
    frame_year = _year(path, year, doc)
    if not records:
        frame = empty_raw(FMT)
        frame.attrs.update(rejected=[], text_measures=[], title=doc.get("title"))
        return frame
    region = _region_key(path, records[0])
    table = _observations(path, records, region, measures)
    numeric = ~table["measure"].map(lambda m: measures[m][2]).to_numpy(dtype=bool)
    text_measures = sorted(set(table.loc[~numeric, "measure"]))
    table = table[numeric]
    rows = table["row"].to_numpy()
    code = check_codes(
        table["raw_code"], rows, path=path, column=region, raw=table["raw_code"]
    ).reset_index(drop=True)
    table = table.reset_index(drop=True)
    table["column"] = table["measure"].map(lambda m: measures[m][0])
    _check_unique(path, code, table)
    names = _region_names(doc, region)
    frame = raw_frame(
        {
            "source": str(path),
            "row": rows,
            # plain objects, as the other readers pass them (the same category dtypes)
            "code": code.to_numpy(dtype=object),
            "name": code.map(names).to_numpy(dtype=object) if names else pd.NA,
            "year": frame_year,
            "column": table["column"],
            "unit": table["measure"].map(lambda m: measures[m][1]),
            "value": table["value"].to_numpy(dtype="float64"),
            "status": table["status"].to_numpy(),
        },
        fmt=FMT,
    )
    frame.attrs.update(rejected=[], text_measures=text_measures, title=doc.get("title"))
    return frame


# --------------------------------------------------------------------------- parts


def _load(path: Path) -> dict:
    doc = read_json(path, _ENVELOPE, envelope=_ENVELOPE_SHAPE)
    if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
        raise SourceFormatError(
            "geen lijst 'value' met waarnemingen",
            path=path,
            expected=_ENVELOPE,
            envelope=_ENVELOPE_SHAPE,
        )
    if not isinstance(doc.get("MeasureCodes"), list) and "DataProperties" in doc:
        raise SourceFormatError(
            "dit is een OData v3-download (DataProperties, geen MeasureCodes); "
            "lees hem met sources.odata.read_odata",
            path=path,
            expected=_ENVELOPE,
            envelope=_ENVELOPE_SHAPE,
        )
    if not isinstance(doc.get("MeasureCodes"), list):
        raise SourceFormatError(
            "geen MeasureCodes: een losse pagina Observations heeft geen titels of eenheden "
            "van de metingen; lees de hele tabel zoals de fetcher die via OData v4 opslaat",
            path=path,
            expected=_ENVELOPE,
            envelope=_ENVELOPE_SHAPE,
        )
    return doc


def _measures(path: Path, doc: dict) -> dict[str, tuple[str, str, bool]]:
    """Measure code → (column: topic path/title, normalised unit, is text)."""
    groups = _groups(path, doc.get("MeasureGroups"))
    out: dict[str, tuple[str, str, bool]] = {}
    for i, m in enumerate(doc["MeasureCodes"], start=1):
        ok = isinstance(m, dict) and m.get("Identifier") and isinstance(m.get("Title"), str)
        if not ok:
            raise SourceFormatError(
                "item {number} van MeasureCodes heeft geen Identifier en Title",
                path=path,
                expected=N_("een object met {keys}"),
                got=str(m)[:80],
                number=i,
                keys="Identifier, Title, Unit, ...",
            )
        ident = str(m["Identifier"]).strip()
        path_titles = _group_path(path, groups, m.get("MeasureGroupId"), ident)
        column = "/".join([*path_titles, m["Title"].strip()])
        unit = mk.normalise_label(m.get("Unit") or "")
        out[ident] = (column, unit, m.get("DataType") in TEXT_TYPES)
    # A title CBS repeats with the same unit (under different topics) is told apart by its
    # place when the envelope has no MeasureGroups: "#2", "#3" as the other readers tag it.
    numeric = [k for k, v in out.items() if not v[2]]
    tagged = occurrence_keys((out[k][0], out[k][1]) for k in numeric)
    for k, column in zip(numeric, tagged, strict=True):
        out[k] = (column, *out[k][1:])
    return out


def _groups(path: Path, groups: object) -> dict[str, tuple[str, str | None]] | None:
    """Group Id → (Title, ParentId); None when the envelope has no MeasureGroups."""
    if groups is None:
        return None
    if not isinstance(groups, list):
        raise SourceFormatError(
            "MeasureGroups is geen lijst",
            path=path,
            expected=N_("een lijst van objecten met {keys}"),
            keys="Id, Title, ParentId",
        )
    out = {}
    for i, g in enumerate(groups, start=1):
        if not isinstance(g, dict) or g.get("Id") is None or not isinstance(g.get("Title"), str):
            raise SourceFormatError(
                "item {number} van MeasureGroups heeft geen Id en Title",
                path=path,
                expected=N_("een object met {keys}"),
                got=str(g)[:80],
                number=i,
                keys="Id, Title, ParentId",
            )
        parent = g.get("ParentId")
        out[str(g["Id"])] = (g["Title"], None if parent is None else str(parent))
    return out


def _group_path(
    path: Path, groups: dict[str, tuple[str, str | None]] | None, gid: object, measure: str
) -> list[str]:
    """Group titles from the root down to the measure's group."""
    if groups is None or gid is None:
        return []
    titles: list[str] = []
    seen: set[str] = set()
    current: str | None = str(gid)
    while current is not None:
        if current in seen:
            raise SourceFormatError(
                "kringverwijzing in ParentId van MeasureGroups bij groep {group}",
                path=path,
                column=measure,
                expected=N_("een boom van groepen (ParentId wijst omhoog naar een wortel)"),
                group=repr(current),
            )
        if current not in groups:
            raise SourceFormatError(
                "meting {measure} verwijst naar groep {group}, die niet in MeasureGroups staat",
                path=path,
                column=measure,
                expected=N_("een MeasureGroupId uit MeasureGroups"),
                got=current,
                measure=measure,
                group=repr(current),
            )
        seen.add(current)
        title, current = groups[current]
        titles.append(title)
    return titles[::-1]


def _region_key(path: Path, first: object) -> str:
    if isinstance(first, dict):
        for key in REGION_DIMENSIONS:
            if key in first:
                return key
    raise SourceFormatError(
        "waarneming 1 heeft geen gebiedsdimensie",
        path=path,
        row=1,
        expected=N_("een van {dimensions}"),
        got=sorted(first) if isinstance(first, dict) else first,
        dimensions=", ".join(REGION_DIMENSIONS),
    )


def _observations(
    path: Path, records: list, region: str, measures: dict[str, tuple[str, str, bool]]
) -> pd.DataFrame:
    """Check each observation; value and status per observation (``row`` 1-based)."""
    n = len(records)
    measure, raw_code, status = [], [], []
    value = np.full(n, np.nan)
    for i, rec in enumerate(records):
        obs = i + 1
        if not isinstance(rec, dict) or "Measure" not in rec or region not in rec:
            raise SourceFormatError(
                "waarneming {number} mist Measure of {region}",
                path=path,
                row=obs,
                expected=N_("de sleutels {keys}"),
                got=sorted(rec) if isinstance(rec, dict) else rec,
                number=obs,
                region=region,
                keys=f"Id, Measure, ValueAttribute, Value, {region}",
            )
        m = str(rec["Measure"]).strip()
        if m not in measures:
            raise SourceFormatError(
                "waarneming {number}: meting {measure} staat niet in MeasureCodes",
                path=path,
                row=obs,
                column=m,
                expected=N_("een meting uit MeasureCodes"),
                got=m,
                number=obs,
                measure=repr(m),
            )
        attr = str(rec.get("ValueAttribute") or "None")
        if attr not in VALUE_ATTRIBUTES:
            raise SourceFormatError(
                "waarneming {number} (meting {measure}): onbekend ValueAttribute",
                path=path,
                row=obs,
                column=m,
                expected=N_("een van {choices}"),
                got=attr,
                number=obs,
                measure=m,
                choices=" / ".join(VALUE_ATTRIBUTES),
            )
        fixed = VALUE_ATTRIBUTES[attr]
        if measures[m][2]:  # a text measure: dropped below, its Value is not looked at
            status.append(mk.MISSING)
        else:
            cell = _cell(rec.get("Value"))
            if cell is None:
                raise SourceFormatError(
                    "waarneming {number} (meting {measure}): Value is geen getal",
                    path=path,
                    row=obs,
                    column=m,
                    expected=NUMBER_EXPECTED,
                    got=rec.get("Value"),
                    number=obs,
                    measure=m,
                )
            if fixed is None and cell[1] == mk.OBSERVED:
                value[i] = cell[0]
            status.append(fixed or cell[1])
        measure.append(m)
        raw_code.append(rec[region])
    return pd.DataFrame(
        {
            "row": np.arange(1, n + 1, dtype="int64"),
            "measure": measure,
            "raw_code": pd.Series(raw_code, dtype="string"),
            "value": value,
            "status": status,
        }
    )


def _cell(v: object) -> tuple[float, str] | None:
    """(value, status) of one ``Value``, read as the v3 reader reads a TypedDataSet cell.

    A number is observed; ``null`` is missing; a string is parsed like StatLine text
    (``.``/``?`` missing, ``x`` suppressed, ``-`` nil = 0, a number with a decimal point).
    ``None`` for anything else.
    """
    if v is None:
        return math.nan, mk.MISSING
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return (float(v), mk.OBSERVED) if math.isfinite(v) else (math.nan, mk.MISSING)
    if not isinstance(v, str):
        return None
    try:
        num, status = mk.parse_numbers(pd.Series([v], dtype=object), decimal=".")
    except mk.NotNumeric:
        return None
    return float(num.iloc[0]), str(status.iloc[0])


def _check_unique(path: Path, code: pd.Series, table: pd.DataFrame) -> None:
    """One observation per (region, measure): other dimensions would need their own column."""
    key = pd.DataFrame({"code": code.to_numpy(), "measure": table["measure"].to_numpy()})
    dup = key.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    first = int(np.flatnonzero(dup)[0])
    same = np.flatnonzero(dup & key.eq(key.iloc[first]).all(axis=1).to_numpy())
    a, b = (int(table["row"].iloc[j]) for j in same[:2])
    m = str(key["measure"].iloc[first])
    raise SourceFormatError(
        "gebied {region} heeft meting {measure} twee keer (waarnemingen {a} en {b}); "
        "een tabel met andere dimensies dan het gebied heeft daarop een filter nodig",
        path=path,
        row=b,
        column=m,
        code=str(code.iloc[first]),
        expected=N_("één waarneming per gebied en meting"),
        region=code.iloc[first],
        measure=m,
        a=a,
        b=b,
    )


def _region_names(doc: dict, region: str) -> dict[str, str]:
    """Normalised code → Title from the ``{region}Codes`` list (empty when absent)."""
    items = doc.get(f"{region}Codes")
    if not isinstance(items, list):
        return {}
    return {
        cbs.normalise_code(c.get("Identifier")): str(c.get("Title", "")).strip()
        for c in items
        if isinstance(c, dict) and c.get("Identifier") is not None
    }


def _year(path: Path, year: int | None, doc: dict) -> int:
    if year is not None:
        return int(year)
    named = table_edition(str(doc.get("table") or ""))
    if isinstance(doc.get("year"), int):
        if named and named[1] != doc["year"]:
            raise SourceFormatError(
                "het bestand noemt jaar {year}, maar de tabel {table} is KWB {edition}",
                path=path,
                expected=N_("het jaar van de KWB-editie van de tabel"),
                got=doc["year"],
                year=doc["year"],
                table=named[0],
                edition=named[1],
            )
        return doc["year"]
    found = year_from_name("", str(doc.get("table", ""))) if doc.get("table") else None
    found = found if found is not None else year_from_name(path)
    if found is None:
        raise SourceFormatError(
            "het KWB-jaar blijkt niet uit het bestand; geef year= mee",
            path=path,
            expected=N_("een jaar of CBS-tabel-id in de envelop, of een jaar in de bestandsnaam"),
        )
    return found

"""Draft catalogue rows from CBS's own metadata, for the columns the catalogue does not know yet.

A new KWB edition brings new and renamed variables. Rather than typing catalogue rows, run
``wijkradar propose-indicators FILE...`` on what CBS publishes about the table:

* OData v3 ``DataProperties`` (``{"value": [...]}`` as served, a bare list, or the fetcher's
  envelope with a ``DataProperties`` list): ``Key``, ``Title``, ``Unit``, ``Type`` and the topic
  path from ``ParentID``;
* OData v4 ``MeasureCodes`` (``Identifier``, ``Title``, ``Unit``, ``MeasureGroupId``), with
  ``MeasureGroups`` beside them in the same document when present;
* any data file wijkradar reads (StatLine CSV labels and units, short names, OData records).

Every column is matched against the catalogue (:mod:`~wijkradar.catalogue.matching`); for the
rest a draft indicator row (id, Dutch label from CBS's title, unit, kind guessed from the unit,
topic from the path, domain ``context``, weight 0) and its source spellings are proposed. The
draft is for a maintainer to curate (English label, domain, direction, threshold, noise) before
it goes into ``indicators.csv`` and ``sources.csv``; nothing is written on its own.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wijkradar.catalogue import Catalogue
from wijkradar.catalogue.matching import AmbiguousColumn, compact, odata_stem, unit_words, words
from wijkradar.errors import SourceFormatError
from wijkradar.wording import N_

# unit → kind; a share of a base, a rate per 1 000 or per area, an amount, a mean.
KIND_OF_UNIT = {
    "aantal": "count", "%": "share", "per 1 000 inwoners": "rate", "per km²": "rate",
    "aantal inwoners per km²": "rate", "per huishouden": "rate", "x 1 000 euro": "mean",
    "euro": "mean", "km": "mean", "kwh": "mean", "m³": "mean", "ha": "count", "code": "code",
}  # fmt: skip
TEXT_UNITS = ("tekst", "omschrijving", "naam")
TOPIC_WORDS = {
    "bevolking": "bevolking", "huishoudens": "huishoudens", "wonen": "wonen",
    "energie": "energie", "onderwijs": "onderwijs", "opleidingsniveau": "onderwijs",
    "arbeid": "arbeid", "inkomen": "inkomen", "sociale zekerheid": "sociale_zekerheid",
    "zorg": "zorg", "criminaliteit": "criminaliteit", "bedrijfsvestigingen": "bedrijven",
    "motorvoertuigen": "motorvoertuigen", "nabijheid": "nabijheid", "oppervlakte": "oppervlakte",
    "bodemgebruik": "bodemgebruik", "stedelijkheid": "stedelijkheid", "postcode": "stedelijkheid",
    "regioaanduiding": "regio",
}  # fmt: skip
DRAFT_COLUMNS = [
    "id", "label_nl", "label_en", "unit", "domain", "topic", "direction", "kind", "derivation",
    "weight", "suppress_below", "decimals", "noise", "featured", "sensitive", "phrase_nl",
    "phrase_en", "description",
]  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One value column as CBS describes it."""

    source: str
    fmt: str  # the catalogue format its key is matched in: statline, odata, kwbkaart, ...
    key: str  # what the matcher sees (a label path, a key stem, a short name)
    title: str  # CBS's Dutch title (the key itself where no title is known)
    unit: str
    path: str  # topic path ("Bevolking/Leeftijdsgroepen"), may be empty
    odata_key: str = ""


def _records(doc: object) -> list[dict]:
    if isinstance(doc, list):
        return [r for r in doc if isinstance(r, dict)]
    if isinstance(doc, dict):
        for k in ("DataProperties", "MeasureCodes", "value"):
            if isinstance(doc.get(k), list):
                return [r for r in doc[k] if isinstance(r, dict)]
    return []


def _paths(records: list[dict], id_key: str, parent_key: str) -> dict:
    """Group id → its title path, from records that name their parent group."""
    groups = {r.get(id_key): r for r in records if r.get("Title")}
    out = {}
    for gid in groups:
        parts, seen, cur = [], set(), gid
        while cur is not None and cur in groups and cur not in seen:
            seen.add(cur)
            parts.append(str(groups[cur]["Title"]).strip())
            cur = groups[cur].get(parent_key)
        out[gid] = "/".join(reversed(parts))
    return out


def from_metadata(path: Path, doc: object) -> list[Column]:
    """Columns of a DataProperties (v3) or MeasureCodes (+ MeasureGroups, v4) document."""
    recs = _records(doc)
    if any("Identifier" in r for r in recs):  # v4 MeasureCodes
        groups = doc.get("MeasureGroups", []) if isinstance(doc, dict) else []
        paths = _paths([g for g in groups if isinstance(g, dict)], "Id", "ParentId")
        return [
            Column(str(path), "odata4", "/".join(p for p in (paths.get(r.get("MeasureGroupId"), ""),
                   str(r["Title"]).strip()) if p), str(r["Title"]).strip(),
                   unit_words(r.get("Unit") or ""), paths.get(r.get("MeasureGroupId"), ""),
                   str(r["Identifier"]))
            for r in recs
            if r.get("Identifier") and r.get("Title")
        ]  # fmt: skip
    if not any(r.get("Type") == "Topic" for r in recs):
        raise SourceFormatError(
            "geen onderwerpen in DataProperties en geen MeasureCodes in het document",
            path=path,
            expected=N_("CBS-DataProperties ({properties}) of MeasureCodes ({measures})"),
            properties='{"value": [{"Type": "Topic", "Key": ...}]}',
            measures="Identifier, Title, Unit",
        )
    paths = _paths([r for r in recs if r.get("Type") == "TopicGroup"], "ID", "ParentID")
    out = []
    for r in recs:
        if r.get("Type") != "Topic" or words(r.get("Unit") or "") in TEXT_UNITS:
            continue
        if words(r.get("Title") or "") in ("codering", "gemeentenaam", "soort regio"):
            continue
        out.append(Column(str(path), "odata", re.sub(r"_\d+$", "", str(r["Key"])),
                          str(r.get("Title") or r["Key"]).strip(), unit_words(r.get("Unit") or ""),
                          paths.get(r.get("ParentID"), ""), str(r["Key"])))  # fmt: skip
    return out


def from_data_file(path: Path) -> list[Column]:
    """Columns of a data file any wijkradar reader reads (its distinct column keys and units)."""
    from wijkradar.sources import VALUES, read_any  # the registry imports this module's siblings

    reader, frame = read_any(path, mapping_dirs=(path.parent,))
    if reader.kind != VALUES:
        return []
    fmt = frame.attrs.get("format", "")
    keys = frame[["column", "unit"]].drop_duplicates()
    out = []
    for c, u in keys.itertuples(index=False):
        *path_parts, title = str(c).split("/")
        out.append(Column(str(path), fmt, str(c), title, str(u), "/".join(path_parts)))
    return out


def harvest(paths: Iterable[str | Path]) -> list[Column]:
    """Every value column the files describe (metadata documents or data files)."""
    out: list[Column] = []
    for p in map(Path, paths):
        doc = None
        if p.suffix.lower() == ".json":
            try:
                doc = json.loads(p.read_text(encoding="utf-8-sig"))
            except (OSError, json.JSONDecodeError) as exc:
                raise SourceFormatError(
                    "geen leesbaar JSON-document ({reason})", path=p, reason=str(exc)
                ) from exc
        if isinstance(doc, dict) and isinstance(doc.get("DataProperties"), list):
            out += from_metadata(p, {"value": doc["DataProperties"]})  # the fetcher's envelope
        elif any("Identifier" in r or r.get("Type") == "Topic" for r in _records(doc)):
            out += from_metadata(p, doc)
        else:
            out += from_data_file(p)
    return out


def slug(title: str) -> str:
    """A catalogue id drafted from a Dutch title (curate it into English)."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"%", " pct ", text)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "indicator"


def _topic(path: str, cat: Catalogue) -> str:
    for part in reversed(words(path.replace("/", " | ")).split(" | ") if path else []):
        for w, topic in TOPIC_WORDS.items():
            if part.startswith(w) and topic in cat.topics:
                return topic
    return "bevolking" if not path else next(iter(cat.topics), "bevolking")


def propose(columns: Iterable[Column], cat: Catalogue) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """Match every column; draft rows for those the catalogue does not know.

    Returns
    -------
    (indicators, sources, report)
        Draft ``indicators.csv`` rows and ``sources.csv`` rows (same columns as the packaged
        files), and one line per column: ``(source, key, unit, indicator or "NEW" or
        "AMBIGUOUS: a|b")``.
    """
    drafts: dict[str, dict] = {}
    sources: list[dict] = []
    report = []
    for c in columns:
        fmt = "statline" if c.fmt == "odata4" else c.fmt
        try:
            rule = cat.matcher.match(c.fmt, c.key, c.unit)
        except AmbiguousColumn as exc:
            report.append((c.source, c.key, c.unit, "AMBIGUOUS: " + "|".join(exc.indicators)))
            continue
        if rule is not None or (fmt, c.key) in cat.ignored:
            report.append((c.source, c.key, c.unit, rule.indicator if rule else "ignored"))
            continue
        ident = slug(c.title) + ("_pct" if c.unit == "%" and "pct" not in slug(c.title) else "")
        while ident in cat.ids or (ident in drafts and drafts[ident]["unit"] != c.unit):
            ident += "_2"
        report.append((c.source, c.key, c.unit, f"NEW {ident}"))
        if ident in drafts:
            continue
        kind = KIND_OF_UNIT.get(c.unit, "mean")
        drafts[ident] = {
            **dict.fromkeys(DRAFT_COLUMNS, ""),
            "id": ident, "label_nl": c.title, "label_en": "", "unit": c.unit or "aantal",
            "domain": "context", "topic": _topic(c.path, cat), "direction": "0", "kind": kind,
            "weight": "0", "decimals": "0" if kind in ("count", "code") else "1",
            "description": f"Drafted from {Path(c.source).name}"
            + (f" ({c.path})" if c.path else ""),
        }  # fmt: skip
        if fmt in ("statline", "odata"):
            sources.append({"indicator": ident, "format": "statline", "match": c.title.lower(),
                            "unit": "", "scale": "", "note": ""})  # fmt: skip
        if fmt == "odata" and odata_stem(c.odata_key) != compact(c.title):
            sources.append({"indicator": ident, "format": "odata", "match": c.key, "unit": "",
                            "scale": "", "note": "OData v3 key stem"})  # fmt: skip
        if fmt == "kwbkaart":
            sources.append({"indicator": ident, "format": "kwbkaart", "match": c.key, "unit": "",
                            "scale": "", "note": ""})  # fmt: skip
    return (
        pd.DataFrame(list(drafts.values()), columns=DRAFT_COLUMNS),
        pd.DataFrame(sources, columns=["indicator", "format", "match", "unit", "scale", "note"]),
        report,
    )

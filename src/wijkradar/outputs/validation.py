"""The validation report: ``wijkradar validate`` → docs/validation.md + docs/validation/*.svg.

:func:`collect` asks the :class:`~wijkradar.dataset.Dataset` for every signal result the
data allows (one per level and year, memoised) and computes the numbers with
:mod:`wijkradar.analysis.validation`; :func:`render` turns them into Markdown and SVG text;
:func:`write_validation` writes both atomically. The output depends only on the data, the rules
and the code (no dates, no absolute paths, SVG ids from a fixed salt), so a committed report
can be compared with a fresh run byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from wijkradar import __version__
from wijkradar.analysis import validation as va
from wijkradar.files import write_atomic
from wijkradar.outputs.validation_warning import (
    collect_transitions,
    collect_warning,
    transitions_section,
    warning_section,
)
from wijkradar.palette import ACCENT, GRID, INK, OUTLINE, signal_colour
from wijkradar.vocab import LEVELS
from wijkradar.wording import N_, Words, words

if TYPE_CHECKING:
    from wijkradar.dataset import Dataset

FIGURES = ("backtest_*.svg", "sensitivity_*.svg", "index_*.svg")
"""The names of the figures this report writes (old ones are removed on the next run)."""
SMALL_N = 20
"""Rates over fewer flagged regions than this carry a warning."""
BIG_SHARE = 0.1
"""The sensitivity section names every variation that moves at least this share of a year's
regions."""
MIN_GEMEENTE_N = 5
"""Per-gemeente agreement rows need at least this many regions."""
REGENERATE = (
    "wijkradar build --data ../shared/data --out wijkradar-data",
    "wijkradar validate --dataset wijkradar-data --output docs/validation.md",
)
"""What ``make validation`` runs."""
BASELINE_COLOUR = "#DDDDDD"
SETTING_NAMES = {
    "weak": N_("drempel zwak = {value}"),
    "strong": N_("drempel sterk = {value}"),
    "structural": N_("drempel structureel = {value}"),
    "z": N_("z (trend) = {value}"),
    "window": N_("venster = {value} jaar"),
}
AXIS_NAMES = {"composition": N_("samenstelling"), "problems": N_("problemen")}
OUTCOME_NAMES = {"weak": N_("eindigt zwak"), "decline": N_("daalt in klasse")}
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class IndexCheck:
    """One ``--index`` table compared with the composition score."""

    name: str
    value_column: str
    rows: int
    unknown: list[str]
    agreement: pd.DataFrame
    points: pd.DataFrame
    not_compared: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Validation:
    """Everything the report shows (see :func:`collect`)."""

    data: str
    build: str
    rules_hash: str
    rules: object
    catalogue: object
    years: dict[str, list[int]]
    frames: dict[tuple[str, int], pd.DataFrame]
    pairs: list[tuple[str, int, int]]
    backtest: pd.DataFrame
    verdicts: pd.DataFrame
    stability: pd.DataFrame
    variations: pd.DataFrame
    leakage: list[str]
    indices: list[IndexCheck]
    warning: list = field(default_factory=list)
    transitions: list = field(default_factory=list)

    @property
    def fallback(self) -> str:
        return self.rules.classes[-1].id


def rules_hash(rules) -> str:
    """The first 12 hex digits of the SHA-256 of the rules as canonical JSON (comments and
    layout of the file do not count; every number and class does)."""
    text = json.dumps(rules.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def data_label(ds: Dataset) -> str:
    """The data folder the dataset was built from, relative to the working directory."""
    d = ds.manifest.get("data_dir") or str(ds.path)
    try:
        return Path(os.path.relpath(d)).as_posix()
    except ValueError:  # another drive
        return Path(d).name


# -- collecting ---------------------------------------------------------------------------


def _signal_frames(ds: Dataset, progress: Progress | None) -> dict[tuple[str, int], object]:
    todo = [(lv, y) for lv in LEVELS for y in ds.years(lv)]
    out = {}
    for i, (lv, y) in enumerate(todo):
        if progress:
            progress(f"signalen {lv} {y}", i, len(todo))
        out[(lv, y)] = ds.signals(level=lv, year=y)
    return out


def _backtest(ds: Dataset, results: dict) -> tuple[list, pd.DataFrame]:
    ids = [c.id for c in ds.rules.classes]
    pairs, parts = [], []
    for lv in LEVELS:
        for t, t2 in va.edition_pairs(va.editions(ds.panel, lv)):
            if (lv, t) not in results:
                continue
            pairs.append((lv, t, t2))
            frame = results[(lv, t)].frame
            parts.append(
                va.backtest_pair(
                    ds.panel, ds.indicators, frame, ids, level=lv, year_from=t, year_to=t2
                )
            )
    table = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=list(va.SCORE_COLUMNS))
    )
    return pairs, table


def collect(
    ds: Dataset, *, index: Sequence[str | Path] = (), progress: Progress | None = None
) -> Validation:
    """Every check the data allows: the backtest per level and edition pair with a next
    Leefbaarometer edition, the agreement with each ``index`` table, the sensitivity summary
    per level and year."""
    tables = [(Path(p), read_index(p, ds)) for p in index]  # bad input fails before the work
    results = _signal_frames(ds, progress)
    frames = {k: r.frame for k, r in results.items()}
    pairs, table = _backtest(ds, results)
    fallback = ds.rules.classes[-1].id
    stab = va.stability(frames.values(), fallback)
    sens = va.variations({k: r.sensitivity for k, r in results.items()})
    return Validation(
        data=data_label(ds),
        build=str(ds.manifest.get("built", "")),
        rules_hash=rules_hash(ds.rules),
        rules=ds.rules,
        catalogue=ds.indicators,
        years={lv: ds.years(lv) for lv in LEVELS if ds.years(lv)},
        frames=frames,
        pairs=pairs,
        backtest=table,
        verdicts=va.verdicts(table, fallback) if len(table) else pd.DataFrame(),
        stability=stab,
        variations=sens,
        leakage=va.leakage(ds.indicators),
        indices=[check_index(p, raw, frames) for p, raw in tables],
        warning=collect_warning(ds),
        transitions=collect_transitions(ds),
    )


# -- an index table -------------------------------------------------------------------------


def read_index(path: str | Path, ds: Dataset) -> pd.DataFrame:
    """A ``--index`` CSV (``;``, ``,`` or tab; BOM, gzip and decimal comma allowed) as
    :func:`wijkradar.analysis.validation.parse_index` returns it.

    Raises
    ------
    IndexTableError
        See :func:`~wijkradar.analysis.validation.parse_index`.
    DataNotFoundError
        When the file does not exist.
    """
    from wijkradar.errors import DataNotFoundError
    from wijkradar.sources._common import csv_rows, read_text, sniff_delimiter

    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError("indextabel {path} bestaat niet", path=path)
    text = read_text(path)
    first = text.split("\n", 1)[0]
    rows = [r for r in csv_rows(text, sniff_delimiter(first)) if any(c.strip() for c in r)]
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    known = ds.regions.loc[ds.regions["level"].isin(LEVELS), "code"].astype(str)
    return va.parse_index(header, body, names=ds.names, path=path, known=known)


def _index_years(index: pd.DataFrame, frames: dict) -> pd.DataFrame:
    """``index`` with a ``year``: without one, per level the latest signal year in which at
    least :data:`~wijkradar.analysis.validation.MIN_RANK_N` of its codes have a composition
    score (or the latest year at all)."""
    if "year" in index:
        return index
    parts = []
    for lv, rows in index.groupby("level", sort=True):
        years = sorted((y for (level, y) in frames if level == lv), reverse=True)
        pick = next(
            (y for y in years if _scored(frames[(lv, y)], rows["code"]) >= va.MIN_RANK_N),
            years[0] if years else 0,
        )
        parts.append(rows.assign(year=pick))
    return pd.concat(parts, ignore_index=True) if parts else index.assign(year=0)


def _scored(frame: pd.DataFrame, codes: pd.Series) -> int:
    f = frame[frame["code"].astype(str).isin(codes)]
    return int(f["composition_score"].notna().sum())


def check_index(path: Path, raw: pd.DataFrame, frames: dict) -> IndexCheck:
    """The index table ``raw`` (:func:`read_index` of ``path``) against the composition score
    of the signal ``frames`` (:func:`~wijkradar.analysis.validation.agreement`)."""
    index = _index_years(raw, frames)
    keys = sorted({(str(lv), int(y)) for lv, y in zip(index["level"], index["year"], strict=True)})
    have = {k: frames[k] for k in keys if k in frames}
    points = []
    for (lv, y), f in have.items():
        rows = index[(index["level"] == lv) & (index["year"] == y)]
        score = f.set_index(f["code"].astype(str))["composition_score"]
        x = score.reindex(rows["code"]).to_numpy(float)
        points.append(pd.DataFrame({"level": lv, "year": y, "x": x, "y": rows["value"].to_numpy()}))
    pts = pd.concat(points, ignore_index=True).dropna() if points else pd.DataFrame()
    return IndexCheck(
        name=Path(path).name,
        value_column=raw.attrs.get("value_column", ""),
        rows=len(raw) + len(raw.attrs.get("unknown", [])),
        unknown=list(raw.attrs.get("unknown", [])),
        agreement=va.agreement(index, have),
        points=pts,
        not_compared=[k for k in keys if k not in frames],
    )


# -- Markdown -------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: int = 1) -> str:
    """A Markdown table; every column from ``right`` on is right-aligned."""
    align = ["---" if i < right else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _pct(w: Words, value: float) -> str:
    return "—" if pd.isna(value) else f"{w.number(100 * value, 1)}%"


def _num(w: Words, value: float, decimals: int = 2) -> str:
    return "—" if pd.isna(value) else w.number(float(value), decimals)


def _years_text(w: Words, years: Sequence[int]) -> str:
    return ", ".join(str(y) for y in years) if years else w._("geen")


def rule_label(w: Words, v: Validation, rule: str) -> str:
    """The name of a class, an axis band or a baseline in the report."""
    if rule.startswith(va.AXIS_PREFIX):
        axis = w._(AXIS_NAMES[rule[len(va.AXIS_PREFIX) :]])
        return w._(
            "as {axis} zwak (score ≥ {weak})", axis=axis, weak=w.figure(v.rules.levels["weak"])
        )
    if rule == va.CURRENT_CLASS:
        return w._("basislijn: de huidige klasse alleen (klasse ≤ {k})", k=va.WEAK_CLASS_MAX)
    if rule.startswith(va.WORST_PREFIX):
        dim = rule[len(va.WORST_PREFIX) :]
        label = w.field(v.catalogue.meta[dim], "label")
        return w._("basislijn: de zwakste vijfde op {dimension} alleen", dimension=label)
    try:
        return w.field(v.rules.get(rule), "label")
    except KeyError:
        return rule


def _header(v: Validation, w: Words) -> list[str]:
    classes = ", ".join(w.field(c, "label") for c in v.rules.classes)
    years = "; ".join(f"{lv}: {_years_text(w, ys)}" for lv, ys in v.years.items())
    rows = [
        (w._("Gegevens"), w._("`{data}` (dataset-build `{build}`)", data=v.data, build=v.build)),
        (
            w._("Regels"),
            w._(
                "`signals.toml`, hash `{hash}` (wijkradar {version})",
                hash=v.rules_hash,
                version=__version__,
            ),
        ),
        (w._("Klassen"), classes),
        (w._("Niveaus en jaren"), years),
    ]
    regen = "\n".join(["```bash", "make validation", *(f"# = {c}" for c in REGENERATE), "```"])
    return [
        w._("# Validatie van de signalen"),
        "",
        "> "
        + w._(
            "Dit bestand is gemaakt door `wijkradar validate`; bewerk het niet met de hand. "
            "`tests/test_validation_doc.py` vergelijkt het met een nieuwe run."
        ),
        "",
        *(f"- **{k}:** {text}" for k, text in rows),
        "",
        w._("Opnieuw maken (bouwt de dataset en schrijft dit bestand met zijn figuren):"),
        "",
        regen,
        "",
    ]


def _pair_rows(w: Words, v: Validation, part: pd.DataFrame) -> list[list[str]]:
    wide = part.pivot_table(
        index=["kind", "rule"],
        columns="outcome",
        values=["flagged", "hits", "rate", "lift", "recall"],
        aggfunc="first",
        sort=False,
    )
    rows = []
    for kind, rule in wide.index:
        r = wide.loc[(kind, rule)]
        flagged = int(r[("flagged", "weak")])
        if kind != "baseline" and flagged == 0:
            continue
        cells = [rule_label(w, v, rule), w.number(flagged, 0)]
        for o in va.OUTCOMES:
            cells += [
                w.number(int(r[("hits", o)]), 0),
                _pct(w, r[("rate", o)]),
                _num(w, r[("lift", o)]),
                _pct(w, r[("recall", o)]),
            ]
        if kind == "baseline":
            cells[0] = f"*{cells[0]}*"
        rows.append(cells)
    return rows


def _axes_line(w: Words, frame: pd.DataFrame, level: str, year: int) -> str:
    n = len(frame)
    return w._(
        "Assen in {year} ({n} {units}): samenstellingsscore bij {cs}, samenstellingstrend bij "
        "{ct}; probleemscore bij {ps}, probleemtrend bij {pt}.",
        year=year,
        n=w.number(n, 0),
        units=w.units(level, n),
        cs=w.number(int(frame["composition_score"].notna().sum()), 0),
        ct=w.number(int((frame["composition_trend"] != "unknown").sum()), 0),
        ps=w.number(int(frame["problems_score"].notna().sum()), 0),
        pt=w.number(int((frame["problems_trend"] != "unknown").sum()), 0),
    )


def _verdict_lines(w: Words, v: Validation, level: str, t: int) -> list[str]:
    vd = v.verdicts
    if vd.empty:
        return []
    vd = vd[(vd["level"] == level) & (vd["year_from"] == t)]
    lines = []
    for r in vd.itertuples(index=False):
        fields = {
            "label": rule_label(w, v, r.rule),
            "outcome": w._(OUTCOME_NAMES[r.outcome]),
            "baseline": rule_label(w, v, r.baseline).split(": ", 1)[-1],
            "lift": _num(w, r.lift),
            "baseline_lift": _num(w, r.baseline_lift),
            "n": w.number(int(r.flagged), 0),
        }
        if r.worse:
            text = w._(
                "**{label}** doet het slechter dan een naïeve basislijn bij „{outcome}”: lift "
                "{lift} ({n} gemarkeerd) tegen {baseline_lift} voor {baseline}.",
                **fields,
            )
        else:
            text = w._(
                "**{label}** doet het bij „{outcome}” minstens zo goed als de beste naïeve "
                "basislijn: lift {lift} ({n} gemarkeerd) tegen {baseline_lift} voor {baseline}.",
                **fields,
            )
        if r.flagged < SMALL_N:
            text += " " + w._("Kleine aantallen: lees dit als een aanwijzing, niet als een maat.")
        lines.append(f"- {text}")
    return lines


def _pair_section(w: Words, v: Validation, level: str, t: int, t2: int) -> list[str]:
    b = v.backtest
    part = b[(b["level"] == level) & (b["year_from"] == t)]
    first = part.iloc[0]
    n = int(first["n"])
    frame = v.frames[(level, t)]
    out = [f"### {level}: {t} → {t2}", ""]
    weak = part[part["outcome"] == "weak"].iloc[0]
    dec = part[part["outcome"] == "decline"].iloc[0]
    out.append(
        w._(
            "n = {n} {units} met een signaal in {t} en een Leefbaarometer-klasse in {t} en {t2}. "
            "Eindigt zwak (klasse ≤ {k} in {t2}): {weak} ({weak_rate}). Daalt in klasse: {dec} "
            "({dec_rate}).",
            n=w.number(n, 0),
            units=w.units(level, n),
            t=t,
            t2=t2,
            k=va.WEAK_CLASS_MAX,
            weak=w.number(int(weak["events"]), 0),
            weak_rate=_pct(w, weak["base_rate"]),
            dec=w.number(int(dec["events"]), 0),
            dec_rate=_pct(w, dec["base_rate"]),
        )
    )
    out += ["", _axes_line(w, frame, level, t), ""]
    if n == 0:
        return out + [w._("Geen gebied met zowel een signaal als een uitkomst."), ""]
    cls = part[(part["kind"] == "class") & (part["outcome"] == "weak")]
    none = [rule_label(w, v, r) for r in cls.loc[cls["flagged"] == 0, "rule"]]
    nothing = bool((cls.loc[cls["rule"] != v.fallback, "flagged"] == 0).all())
    if nothing:
        out += [
            w._(
                "Geen enkel gebied krijgt in {t} een ander signaal dan „{fallback}”: er is hier "
                "geen signaalklasse te toetsen.",
                t=t,
                fallback=rule_label(w, v, v.fallback),
            )
            + " "
            + (
                w._(
                    "Wel een deel van het signaal: de zwakke band van een as. De basislijnen "
                    "laten zien hoe voorspelbaar de uitkomst is."
                )
                if (part.loc[part["kind"] == "axis", "flagged"] > 0).any()
                else w._("De basislijnen laten zien hoe voorspelbaar de uitkomst is.")
            ),
            "",
        ]
    header = [
        w._("signaal, as of basislijn"),
        w._("gemarkeerd"),
        w._("zwak"),
        w._("aandeel"),
        w._("lift"),
        w._("recall"),
        w._("gedaald"),
        w._("aandeel"),
        w._("lift"),
        w._("recall"),
    ]
    out += [_table(header, _pair_rows(w, v, part)), ""]
    if none and not nothing:
        out += [w._("Niet toegekend in {t}: {classes}.", t=t, classes=", ".join(none)), ""]
    lines = _verdict_lines(w, v, level, t)
    return out + (lines + [""] if lines else [])


def _untestable(w: Words, v: Validation) -> list[str]:
    """Signal years after the last Leefbaarometer edition of their level (or at a level
    without any)."""
    out = []
    st = v.stability[v.stability["signalled"] > 0]
    for lv in v.years:
        last = max((t2 for level, _, t2 in v.pairs if level == lv), default=None)
        years = [int(y) for y in st.loc[st["level"] == lv, "year"] if last is None or y >= last]
        if not years:
            continue
        if last is None:
            text = w._(
                "{level}: de gegevens hebben geen Leefbaarometer-klasse op dit niveau; de "
                "signalen in {years} zijn dus niet getoetst.",
                level=lv,
                years=_years_text(w, years),
            )
        else:
            text = w._(
                "{level}: signalen in {years} hebben nog geen latere Leefbaarometer-editie "
                "in de gegevens en zijn dus niet getoetst.",
                level=lv,
                years=_years_text(w, years),
            )
        out.append(f"- {text}")
    return out


def _no_trend(v: Validation) -> bool:
    """No region has a trend on either axis in any origin edition of the backtest."""
    return all(
        (v.frames[(lv, t)][f"{a}_trend"] == "unknown").all()
        for lv, t, _ in v.pairs
        for a in ("composition", "problems")
    )


def _backtest_section(w: Words, v: Validation, figures: str) -> list[str]:
    fb = rule_label(w, v, v.fallback)
    used = set(v.backtest["rule"])
    dims = [d for d in va.dimensions(v.catalogue) if va.WORST_PREFIX + d in used]
    dim_names = ", ".join(w.field(v.catalogue.meta[d], "label") for d in dims) or w._("geen")
    leak = ", ".join(w.field(v.catalogue.meta[i], "label") for i in v.leakage)
    out = [
        w._("## 1. Terugblik op de Leefbaarometer-reeks"),
        "",
        w._(
            "Voor elke Leefbaarometer-editie *t* met een volgende editie *t'* zijn de signalen "
            "van *t* berekend met alleen de gegevens tot en met *t* en vergeleken met de "
            "Leefbaarometer-klasse (1–9) in *t'*. Per signaalklasse: hoeveel gebieden zij "
            "markeert, hoeveel daarvan in *t'* zwak zijn (klasse ≤ {k}) en hoeveel in klasse "
            "dalen, het aandeel, de **lift** (aandeel ÷ basiskans over alle gebieden met een "
            "uitkomst) en de **recall** (het deel van alle zwakke of dalende gebieden dat de "
            "klasse markeerde). n telt elk gebied met een signaal (ook „{fallback}”) en een "
            "klasse in beide edities.",
            k=va.WEAK_CLASS_MAX,
            fallback=fb,
        ),
        "",
        w._(
            "Naïeve basislijnen ernaast: (a) *de huidige klasse alleen* (klasse ≤ {k} in *t*); "
            "(b) *de zwakste vijfde op één dimensie alleen* (de 20 % gebieden met de laagste "
            "score in *t*), voor elke Leefbaarometer-dimensie in de gegevens: {dims}. Een "
            "klasse met een lagere lift dan een basislijn staat hieronder met zoveel woorden. "
            "Een lage lift is alleen een tekortkoming bij een klasse die voor verslechtering "
            "waarschuwt; bij klassen die rust of herstel melden is zij juist te verwachten.",
            k=va.WEAK_CLASS_MAX,
            dims=dim_names,
        ),
        "",
        w._(
            "Tussen de klassen en de basislijnen staat de zwakke band van elke as (score ≥ "
            "{weak} in *t*): een deel van het signaal, ook te toetsen waar geen gebied een "
            "klasse krijgt.",
            weak=w.figure(v.rules.levels["weak"]),
        ),
        "",
    ]
    if leak:
        out += [
            w._(
                "**Lekkage.** De probleemas bevat {indicators}; die dimensie is een deel van de "
                "Leefbaarometer-totaalscore waaruit de uitkomstklasse wordt afgeleid. Een signaal "
                "dat op die as rust, ziet dus al een deel van de uitkomst, en de basislijnen "
                "nog meer: de klasse in *t* is bijna dezelfde meting als die in *t'*.",
                indicators=leak,
            ),
            "",
        ]
    out += _backtest_summary(w, v)
    for lv in LEVELS:
        mine = [(t, t2) for level, t, t2 in v.pairs if level == lv]
        for t, t2 in mine:
            out += _pair_section(w, v, lv, t, t2)
        if mine:
            out += [
                f"![{w._('Lift per signaal en basislijn, {level}', level=lv)}]"
                f"({figures}/backtest_{lv}.svg)",
                "",
            ]
    return out


def _backtest_summary(w: Words, v: Validation) -> list[str]:
    if not v.pairs:
        return [
            w._(
                "Geen niveau heeft twee Leefbaarometer-edities met signalen: er is niets te "
                "toetsen."
            ),
            "",
        ]
    b = v.backtest
    cls = b[(b["kind"] == "class") & (b["rule"] != v.fallback) & (b["outcome"] == "weak")]
    tested = cls[cls["flagged"] > 0][["level", "year_from"]].drop_duplicates()
    pairs = ", ".join(f"{lv} {t}→{t2}" for lv, t, t2 in v.pairs)
    out = [
        w._(
            "Editieparen: {pairs}. In {k} daarvan krijgt minstens één gebied een ander signaal "
            "dan „{fallback}”.",
            pairs=pairs,
            k=len(tested),
            fallback=rule_label(w, v, v.fallback),
        ),
        "",
    ]
    if tested.empty:
        out += [
            w._("**Met deze gegevens is geen enkele signaalklasse te toetsen.**")
            + " "
            + (
                w._(
                    "In de edities met een opvolger heeft geen gebied een trend (een trend vraagt "
                    "twee edities binnen het venster), en na de laatste editie volgt er in de "
                    "gegevens geen meer."
                )
                if _no_trend(v)
                else ""
            )
            + w._(
                " Met de Leefbaarometer 3.0-reeks (`wijkradar fetch --what leefbaarometer`) en "
                "de landelijke KWB komt die toets er vanzelf bij: dit rapport rekent alles wat "
                "de gegevens toelaten."
            ),
            "",
        ]
    untestable = _untestable(w, v)
    return out + (untestable + [""] if untestable else [])


def _index_section(w: Words, v: Validation, figures: str) -> list[str]:
    out = [w._("## 2. Overeenstemming met een onafhankelijke index"), ""]
    if not v.indices:
        return out + [
            w._(
                "Er is geen index opgegeven. Voeg er een toe met `wijkradar validate --index "
                "FILE.csv` (meer dan eens mag): een CSV met een kolom `code` (CBS-codes als "
                "BU03630001, WK036300 of GM0363), één kolom met getallen (bv. de sociale index "
                "van een gemeente of de SES-WOA-score van CBS) en eventueel een kolom `year`. "
                "Het rapport geeft dan Spearmans ρ van de samenstellingsscore met die waarden, "
                "met n, over alle gebieden en per gemeente, voor de signaaljaren die de tabel "
                "dekt (zonder `year`: het laatste jaar met samenstellingsscores)."
            ),
            "",
        ]
    for i, check in enumerate(v.indices, start=1):
        out += _one_index(w, check, f"{figures}/index_{i}.svg")
    return out


def _one_index(w: Words, c: IndexCheck, figure: str) -> list[str]:
    more = " …" if len(c.unknown) > 5 else ""
    examples = " (" + ", ".join(c.unknown[:5]) + more + ")" if c.unknown else ""
    out = [
        f"### {c.name}",
        "",
        w._("Kolom `{column}`, {rows} rijen.", column=c.value_column, rows=w.number(c.rows, 0))
        + " "
        + w.n_(
            "{n} code staat niet in de dataset en is weggelaten{examples}.",
            "{n} codes staan niet in de dataset en zijn weggelaten{examples}.",
            len(c.unknown),
            examples=examples,
        ),
        "",
    ]
    for lv, y in c.not_compared:
        out += [w._("Geen signalen voor {level} in {year}: niet vergeleken.", level=lv, year=y), ""]
    a = c.agreement
    if a.empty:
        return out + [w._("Geen gebied heeft zowel een samenstellingsscore als een waarde."), ""]
    rows = []
    for r in a.itertuples(index=False):
        if r.gemeente and r.n < MIN_GEMEENTE_N:
            continue
        where = w._("alle gebieden") if not r.gemeente else f"{r.gemeente}"
        rows.append([r.level, str(r.year), where, w.number(int(r.n), 0), _num(w, r.rho)])
    header = [w._("niveau"), w._("jaar"), w._("groep"), "n", "ρ (Spearman)"]
    out += [
        _table(header, rows, right=3),
        "",
        w._(
            "Per gemeente alleen waar minstens {k} gebieden beide getallen hebben. Een positieve "
            "ρ betekent: hoe kwetsbaarder de samenstelling volgens wijkradar, hoe hoger de "
            "index.",
            k=MIN_GEMEENTE_N,
        ),
        "",
        f"![{w._('Samenstellingsscore tegen {name}', name=c.name)}]({figure})",
        "",
    ]
    return out


def _setting_label(w: Words, v: Validation, setting: str, value: float) -> str:
    if setting.startswith("weight:"):
        ind = setting.split(":", 1)[1]
        meta = v.catalogue.meta.get(ind)
        label = w.field(meta, "label") if meta else ind
        return w._("gewicht {indicator} × {factor}", indicator=label, factor=w.figure(value))
    if setting in SETTING_NAMES:
        return w._(SETTING_NAMES[setting], value=w.figure(value))
    return f"{setting} = {w.figure(value)}"


def _sensitivity_section(w: Words, v: Validation, figures: str) -> list[str]:
    out = [
        w._("## 3. Gevoeligheid"),
        "",
        w._(
            "Per niveau en signaaljaar met signalen: hoeveel gebieden hun klasse houden onder "
            "elke variatie van `[sensitivity]` in `signals.toml` (één instelling tegelijk), en "
            "hoeveel gebieden elke variatie van klasse doet veranderen."
        ),
        "",
    ]
    st = v.stability[v.stability["signalled"] > 0]
    if st.empty:
        return out + [w._("Geen enkel jaar heeft signalen."), ""]
    header = [
        w._("niveau"),
        w._("jaar"),
        w._("gebieden"),
        w._("met signaal"),
        w._("stabiel"),
        w._("stabiel, met signaal"),
    ]
    rows = [
        [
            r.level,
            str(r.year),
            w.number(r.n, 0),
            w.number(r.signalled, 0),
            f"{w.number(r.stable, 0)} ({_pct(w, r.stable / r.n)})",
            f"{w.number(r.stable_signalled, 0)} ({_pct(w, r.stable_signalled / r.signalled)})",
        ]
        for r in st.itertuples(index=False)
    ]
    out += [_table(header, rows, right=2), ""]
    out += _big_variations(w, v)
    for lv in LEVELS:
        years = [int(y) for y in st.loc[st["level"] == lv, "year"]]
        if years:
            out += _variation_table(w, v, lv, years, figures)
    return out


def _big_variations(w: Words, v: Validation) -> list[str]:
    """One line per level and year (of at least :data:`SMALL_N` regions) whose largest
    variation moves at least :data:`BIG_SHARE` of the regions."""
    var = v.variations
    if var.empty:
        return []
    top = var.sort_values(["level", "year", "regions_changed"], ascending=[True, True, False])
    top = top.drop_duplicates(["level", "year"])
    sizes = v.stability.set_index(["level", "year"])["n"]
    n = sizes.reindex(pd.MultiIndex.from_frame(top[["level", "year"]])).to_numpy()
    top = top[(top["share_changed"] >= BIG_SHARE) & (n >= SMALL_N)]
    order = {lv: i for i, lv in enumerate(LEVELS)}
    top = top.sort_values(["level", "year"], key=lambda c: c.map(order) if c.name == "level" else c)
    lines = [
        "- "
        + w._(
            "{level} {year}: {variation} verandert de klasse van {n} gebieden ({share}).",
            level=r.level,
            year=r.year,
            variation=_setting_label(w, v, r.setting, r.value),
            n=w.number(int(r.regions_changed), 0),
            share=_pct(w, r.share_changed),
        )
        for r in top.itertuples(index=False)
    ]
    if not lines:
        return []
    head = w._(
        "Waar één variatie meer dan {share} van de gebieden van klasse doet veranderen, de "
        "grootste:",
        share=f"{w.figure(BIG_SHARE * 100)}%",
    )
    return [head, "", *lines, ""]


def _variation_table(w: Words, v: Validation, level: str, years: list[int], figures: str):
    var = v.variations
    var = var[(var["level"] == level) & var["year"].isin(years)]
    wide = var.pivot_table(
        index=["setting", "value"], columns="year", values="regions_changed", sort=False
    )
    rows = [
        [_setting_label(w, v, s, val)] + [_num(w, wide.loc[(s, val)].get(y), 0) for y in years]
        for s, val in wide.index
    ]
    title = w._("Gebieden die van klasse veranderen per variatie, {level}", level=level)
    return [
        f"![{title}]({figures}/sensitivity_{level}.svg)",
        "",
        "<details><summary>" + title + "</summary>",
        "",
        _table([w._("variatie")] + [str(y) for y in years], rows),
        "",
        "</details>",
        "",
    ]


def markdown(v: Validation, *, lang: str = "nl", figures: str = "validation") -> str:
    """The report as Markdown; figures are linked as ``{figures}/<name>.svg``."""
    w = words(lang)
    lines = _header(v, w)
    lines += _backtest_section(w, v, figures)
    lines += _index_section(w, v, figures)
    lines += _sensitivity_section(w, v, figures)
    points = v.rules["warning"]["decline_points"]
    lines += warning_section(w, v.warning, v.catalogue, points)
    lines += transitions_section(w, v.transitions)
    lines += [w._("Bron: CBS, Kadaster, Leefbaarometer (BZK)."), ""]
    return "\n".join(lines)


# -- SVG ------------------------------------------------------------------------------------


def _rc():
    import matplotlib

    return matplotlib.rc_context(
        {
            "svg.hashsalt": "wijkradar",
            "svg.fonttype": "none",
            "font.family": "DejaVu Sans",
            "font.size": 8,
            "axes.edgecolor": INK,
            "axes.labelcolor": INK,
            "text.color": INK,
            "xtick.color": INK,
            "ytick.color": INK,
        }
    )


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    # No trailing blanks (matplotlib ends path lines with one): the file survives editors and
    # whitespace hooks byte for byte.
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())


def _xmax(lifts: pd.Series) -> float:
    """The x-axis end of a lift panel: past the longest bar, unless one bar dwarfs the rest
    (then it is cut, its label says how long it is)."""
    finite = sorted(float(x) for x in lifts.dropna())
    if len(finite) >= 2 and finite[-2] > 0 and finite[-1] > 3 * finite[-2]:
        return max(2.0, finite[-2] * 1.8)
    return max(2.0, (finite[-1] if finite else 0.0) * 1.35)


def _bars(ax, w: Words, v: Validation, part: pd.DataFrame, title: str) -> None:
    part = part[(part["flagged"] > 0)].iloc[::-1]
    labels = [rule_label(w, v, r) for r in part["rule"]]
    xmax = _xmax(part["lift"])
    lift = part["lift"].fillna(0).clip(upper=xmax).to_numpy()
    colours = [
        BASELINE_COLOUR if k == "baseline" else ACCENT if k == "axis" else signal_colour(r)
        for k, r in zip(part["kind"], part["rule"], strict=True)
    ]
    y = range(len(part))
    bars = ax.barh(y, lift, color=colours, edgecolor=OUTLINE, linewidth=0.6)
    for bar, k in zip(bars, part["kind"], strict=True):
        if k == "baseline":
            bar.set_hatch("///")
    for yi, (lf, fl) in enumerate(zip(part["lift"], part["flagged"], strict=True)):
        text = f"{_num(w, lf)} (n = {w.number(int(fl), 0)})"
        if not pd.isna(lf) and lf > xmax:  # a cut bar: the label inside its end
            ax.text(
                xmax * 0.98,
                yi,
                text + " →",
                va="center",
                ha="right",
                fontsize=7,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
        else:
            ax.text((0 if pd.isna(lf) else lf) + xmax * 0.01, yi, text, va="center", fontsize=7)
    ax.axvline(1, color=INK, linewidth=0.8, linestyle="--")
    ax.xaxis.set_major_formatter(lambda x, _pos: w.figure(round(x, 6)))
    ax.set_yticks(list(y), labels)
    ax.set_xlim(0, xmax)
    ax.set_title(title, fontsize=8, loc="left")
    ax.grid(axis="x", color=GRID, linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def backtest_svg(v: Validation, level: str, *, lang: str = "nl") -> str:
    """Lift per class and baseline, one row of panels per edition pair (weak | decline)."""
    from matplotlib.figure import Figure

    w = words(lang)
    pairs = [(t, t2) for lv, t, t2 in v.pairs if lv == level]
    b = v.backtest[v.backtest["level"] == level]
    shown = b[b["flagged"] > 0].groupby("year_from")["rule"].nunique()
    bars = [max(int(shown.get(t, 1)), 1) for t, _ in pairs]  # rows as tall as their bars
    with _rc():
        fig = Figure(figsize=(9, 0.3 + sum(0.75 + 0.22 * n for n in bars)), layout="constrained")
        axes = fig.subplots(
            len(pairs),
            2,
            squeeze=False,
            gridspec_kw={"height_ratios": [0.75 / 0.22 + n for n in bars]},
        )
        for i, (t, t2) in enumerate(pairs):
            for j, outcome in enumerate(va.OUTCOMES):
                part = b[(b["year_from"] == t) & (b["outcome"] == outcome)]
                n = int(part["n"].iloc[0]) if len(part) else 0
                title = w._(
                    "{level} {t} → {t2}\n{outcome} (n = {n})",
                    level=level,
                    t=t,
                    t2=t2,
                    outcome=w._(OUTCOME_NAMES[outcome]),
                    n=w.number(n, 0),
                )
                _bars(axes[i][j], w, v, part, title)
                if j == 1:  # the same rows as on the left
                    axes[i][j].tick_params(labelleft=False)
        fig.supxlabel(w._("lift (1 = de basiskans; gestippeld)"), fontsize=8)
        return _svg(fig)


def sensitivity_svg(v: Validation, level: str, years: list[int], *, lang: str = "nl") -> str:
    """Share of the regions whose class a variation changes, per variation and year."""
    from matplotlib.figure import Figure

    w = words(lang)
    var = v.variations
    var = var[(var["level"] == level) & var["year"].isin(years)]
    share = var.pivot_table(
        index=["setting", "value"], columns="year", values="share_changed", sort=False
    ).reindex(columns=years)
    count = var.pivot_table(
        index=["setting", "value"], columns="year", values="regions_changed", sort=False
    ).reindex(columns=years)
    labels = [_setting_label(w, v, s, val) for s, val in share.index]
    with _rc():
        fig = Figure(
            figsize=(4.8 + 0.6 * len(years), 0.9 + 0.2 * len(labels)), layout="constrained"
        )
        ax = fig.subplots()
        im = ax.imshow(share.to_numpy(float) * 100, aspect="auto", cmap="Blues", vmin=0, vmax=50)
        for (i, j), c in pd.DataFrame(count.to_numpy()).stack().items():
            s = share.to_numpy()[i, j]
            ax.text(
                j,
                i,
                w.number(float(c), 0),
                ha="center",
                va="center",
                fontsize=6.5,
                color="white" if s * 100 > 30 else INK,
            )
        ax.set_xticks(range(len(years)), [str(y) for y in years])
        ax.set_yticks(range(len(labels)), labels)
        ax.xaxis.tick_top()
        ax.set_title(
            w._("{level}: gebieden die van klasse veranderen (kleur: aandeel)", level=level),
            fontsize=8,
            loc="left",
            pad=16,
        )
        bar = fig.colorbar(im, ax=ax, shrink=0.4, extend="max")
        bar.set_label(w._("% van de gebieden (donkerst: 50% of meer)"), fontsize=7)
        return _svg(fig)


def index_svg(check: IndexCheck, *, lang: str = "nl") -> str:
    """Composition score against the index value, one panel per (level, year)."""
    from matplotlib.figure import Figure

    w = words(lang)
    keys = sorted(
        {(lv, y) for lv, y in zip(check.points["level"], check.points["year"], strict=True)}
    )
    with _rc():
        fig = Figure(figsize=(3.2 * max(len(keys), 1), 3), layout="constrained")
        axes = fig.subplots(1, max(len(keys), 1), squeeze=False)[0]
        for ax, (lv, y) in zip(axes, keys, strict=False):
            p = check.points[(check.points["level"] == lv) & (check.points["year"] == y)]
            ax.scatter(p["x"], p["y"], s=8, color=ACCENT, alpha=0.7, linewidths=0)
            a = check.agreement
            rho = a.loc[(a["level"] == lv) & (a["year"] == y) & (a["gemeente"] == ""), "rho"]
            rho_text = _num(w, rho.iloc[0]) if len(rho) else "—"
            title = f"{lv} {y} (n = {w.number(len(p), 0)}, ρ = {rho_text})"
            ax.set_title(title, fontsize=8, loc="left")
            ax.set_xlabel(w._("samenstellingsscore (0–100, hoger = kwetsbaarder)"))
            ax.set_ylabel(check.value_column)
            ax.grid(color=GRID, linewidth=0.5)
        return _svg(fig)


def figures(v: Validation, *, lang: str = "nl") -> dict[str, str]:
    """File name → SVG text of every figure :func:`markdown` links."""
    out = {}
    for lv in LEVELS:
        if any(level == lv for level, _, _ in v.pairs):
            out[f"backtest_{lv}.svg"] = backtest_svg(v, lv, lang=lang)
    st = v.stability[v.stability["signalled"] > 0]
    for lv in LEVELS:
        years = [int(y) for y in st.loc[st["level"] == lv, "year"]]
        if years:
            out[f"sensitivity_{lv}.svg"] = sensitivity_svg(v, lv, years, lang=lang)
    for i, check in enumerate(v.indices, start=1):
        if len(check.points):
            out[f"index_{i}.svg"] = index_svg(check, lang=lang)
    return out


def write_validation(
    ds: Dataset,
    output: str | Path,
    *,
    index: Sequence[str | Path] = (),
    lang: str = "nl",
    progress: Progress | None = None,
) -> list[Path]:
    """Write the report to ``output`` and its figures to the folder of the same name beside it
    (``docs/validation.md`` → ``docs/validation/*.svg``); figures of an earlier run that this one
    does not make are removed. Returns the paths written, the report first."""
    output = Path(output)
    v = collect(ds, index=index, progress=progress)
    folder = output.with_suffix("")
    svgs = figures(v, lang=lang)
    text = markdown(v, lang=lang, figures=folder.name)
    output.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(exist_ok=True)
    # The figures first: a reader never sees a report that links a figure not yet written.
    made = [write_atomic(folder / name, svg) for name, svg in sorted(svgs.items())]
    written = [write_atomic(output, text), *made]
    for pattern in FIGURES:
        for old in folder.glob(pattern):
            if old.name not in svgs:
                old.unlink()
    return written

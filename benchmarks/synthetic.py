"""SYNTHETIC national-scale KWB data in CBS's raw StatLine CSV format — for benchmarks only.

Every value here is generated; nothing is real. Files are named ``*_SYNTHETIC_statline.csv.gz``
and carry "SYNTHETISCH" in their title line so they can never be mistaken for CBS data.
Layout: ~350 gemeenten, ~3,200 wijken, ~15,000 buurten, 12 editions (2013-2024), 110 data
columns (real KWB variables: the catalogue's StatLine labels and units, see :func:`columns`),
the same bytes CBS writes ("CSV met statistische symbolen": BOM, CRLF, ``;``, decimal comma,
title/Onderwerp/label/unit header lines, ``.``/``x`` markers).
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np

N_COLUMNS = 110  # a real KWB edition has 100-120 value columns
YEARS = tuple(range(2013, 2025))
CATALOGUE = Path(__file__).resolve().parents[1] / "src" / "wijkradar" / "catalogue"
# Scored and signalling indicators first, so every benchmark exercises the real pipeline; the
# rest of the columns come from the catalogue in its order (every one a real KWB variable).
FIRST = (
    "population", "households", "one_person_households", "one_person_households_pct",
    "dwellings", "woz_mean", "owner_occupied_pct", "rental_pct", "corporation_housing_pct",
    "income_per_inhabitant", "low_income_households_pct", "social_minimum_households_pct",
    "social_assistance", "disability_benefit", "unemployment_benefit", "burglary_per_1000",
    "vandalism_per_1000", "violence_per_1000",
)  # fmt: skip
_SKIP_UNITS = {"code"}  # code columns (postcode, boundary change) are text or written apart


def columns(n: int = N_COLUMNS) -> list[tuple[str, str, str, int]]:
    """(StatLine label, unit, indicator id, decimals) of ``n`` catalogue indicators.

    The label is the indicator's first StatLine spelling in ``sources.csv``, with StatLine's
    ``|`` hierarchy prefixes, so the build matches each column exactly as it matches CBS's.
    """
    with open(CATALOGUE / "indicators.csv", encoding="utf-8") as fh:
        ind = {r["id"]: r for r in csv.DictReader(fh)}
    with open(CATALOGUE / "sources.csv", encoding="utf-8") as fh:
        spelled = {}
        for r in csv.DictReader(fh):
            if r["format"] == "statline" and r["indicator"] not in spelled:
                spelled[r["indicator"]] = r
    usable = [i for i in spelled if ind[i]["unit"] not in _SKIP_UNITS or ind[i]["kind"] == "class"]
    order = [i for i in FIRST if i in usable] + [i for i in usable if i not in FIRST]
    if n > len(order):
        raise ValueError(f"the catalogue has {len(order)} StatLine indicators, not {n}")
    out = []
    for k, i in enumerate(order[:n]):
        label = spelled[i]["match"].split("|")[0]
        unit = spelled[i]["unit"] or ind[i]["unit"]
        prefix = "|" * (k % 4)
        out.append((prefix + label[:1].upper() + label[1:], unit, i, int(ind[i]["decimals"] or 0)))
    return out


def hierarchy(n_gemeenten=350, n_wijken=3200, n_buurten=15000, seed=7):
    """Codes and names of a synthetic gemeente → wijk → buurt tree."""
    rng = np.random.default_rng(seed)
    wk_per_gm = rng.multinomial(n_wijken - n_gemeenten, np.ones(n_gemeenten) / n_gemeenten) + 1
    bu_per_wk = rng.multinomial(n_buurten - n_wijken, np.ones(n_wijken) / n_wijken) + 1
    regions = []  # (name, gemeentenaam, soort, code)
    w = 0
    for g in range(n_gemeenten):
        gm = f"{g + 1:04d}"
        gname = f"Synthetische gemeente {g + 1}"
        regions.append((gname, gname, "Gemeente", f"GM{gm}"))
        for k in range(wk_per_gm[g]):
            regions.append((f"Wijk {k:02d} {gname}", gname, "Wijk", f"WK{gm}{k:02d}"))
            for b in range(bu_per_wk[w]):
                regions.append(
                    (f"Buurt {k:02d}{b:02d} {gname}", gname, "Buurt", f"BU{gm}{k:02d}{b:02d}")
                )
            w += 1
    return regions


def _fmt(values: np.ndarray, decimals: int) -> np.ndarray:
    if decimals == 0:
        return np.char.mod("%d", np.round(values).astype(np.int64))
    return np.char.replace(np.char.mod(f"%.{decimals}f", values), ".", ",")


def _region_profile(n: int, seed: int) -> dict[str, np.ndarray]:
    """Per-region levels that persist over the years (as real neighbourhoods do)."""
    rng = np.random.default_rng(seed)
    return {
        "pop": rng.lognormal(7.2, 1.0, n),
        "woz": rng.normal(250, 60, n).clip(80),
        "own": rng.uniform(0, 100, n),
        "low": rng.beta(2, 12, n),
        "inc": rng.normal(28, 6, n),
        "ben": rng.beta(2, 40, n),
        "crime": rng.gamma(2, 2, n),
    }


def _values(ident: str, unit: str, base: dict, pop: np.ndarray, rng, drift) -> np.ndarray:
    """Plausible values for one column: levels per region that drift a little per year."""
    n = len(pop)
    special = {
        "population": lambda: pop,
        "households": lambda: pop / 2.2,
        "dwellings": lambda: pop / 2.1,
        "woz_mean": lambda: drift(base["woz"]),
        "owner_occupied_pct": lambda: base["own"],
        "rental_pct": lambda: 100 - base["own"],
        "corporation_housing_pct": lambda: (100 - base["own"]) * 0.6,
        "income_per_inhabitant": lambda: drift(base["inc"]).clip(10),
        "low_income_households_pct": lambda: drift(base["low"]) * 100,
        "social_minimum_households_pct": lambda: drift(base["low"]) * 80,
    }
    if ident in special:
        v = special[ident]()
    elif unit == "aantal":
        v = np.round(pop * drift(base["ben"]) * rng.uniform(0.2, 5) / 5) * 5
    elif unit == "%":
        v = drift(np.full(n, rng.uniform(5, 60)) + base["low"] * 40)
    elif unit == "per 1 000 inwoners":
        v = drift(base["crime"], 0.15)
    elif unit == "x 1 000 euro":
        v = drift(base["inc"]).clip(10)
    elif unit == "code":  # classes such as stedelijkheid 1-5
        v = rng.integers(1, 6, n).astype(float)
    else:  # areas, distances, energy use, densities: positive, skewed
        v = drift(rng.lognormal(1.5, 0.8, n))
    if unit == "%":
        v = np.clip(v, 0, 100)
    return np.maximum(v, 0)


def year_table(regions, year: int, seed: int = 0, n_columns: int = N_COLUMNS) -> str:
    """One edition as StatLine CSV text; each region drifts a little from year to year."""
    n = len(regions)
    base = _region_profile(n, seed)
    rng = np.random.default_rng(seed + year)
    t = year - YEARS[0]
    spec = columns(n_columns)

    def drift(x, sd=0.03):
        return x * np.exp(rng.normal(0.0, sd, n) + 0.005 * t)

    pop = drift(base["pop"], 0.02)
    cols = []
    for _, unit, ident, decimals in spec:
        v = _fmt(_values(ident, unit, base, pop, rng, drift), decimals).astype(object)
        v[rng.random(n) < 0.03] = "."
        v[rng.random(n) < 0.002] = "x"
        cols.append(v)
    labels = [lab for lab, _, _, _ in spec]
    units = [u for _, u, _, _ in spec]
    width = len(spec) + 5
    buf = io.StringIO()
    w = buf.write
    w(
        f"Kerncijfers wijken en buurten {year} (SYNTHETISCH — gegenereerd, geen CBS-data)"
        + ";" * width
        + "\r\n"
    )
    w(";" * width + "\r\n")
    w(";Onderwerp" + ";" * (width - 1) + "\r\n")
    w(
        ";Gemeentenaam;Soort regio;Codering;Jaar;Indelingswijziging wijken en buurten;"
        + ";".join(f'"{lab}"' if ";" in lab else lab for lab in labels)
        + "\r\n"
    )
    w("Wijken en buurten;naam;omschrijving;code;;code;" + ";".join(units) + "\r\n")
    body = np.column_stack(cols)
    for (name, gname, soort, code), vals in zip(regions, body, strict=True):
        pad = code.ljust(10)
        ind = "." if soort == "Gemeente" else "1"
        w(f"{name};{gname};{soort};{pad};{year};{ind};" + ";".join(vals) + "\r\n")
    return buf.getvalue()


def generate(out: Path, years=YEARS, **kw) -> list[Path]:
    """Write one gzipped StatLine CSV per year into ``out/kwb/``; returns the paths."""
    regions = hierarchy(**kw)
    d = out / "kwb"
    d.mkdir(parents=True, exist_ok=True)
    (out / "README.md").write_text(
        "SYNTHETIC benchmark data generated by benchmarks/synthetic.py — not CBS data.\n"
    )
    paths = []
    for y in years:
        p = d / f"kwb_{y}_SYNTHETIC_v3_statline.csv.gz"  # v3: 110 catalogue columns
        if not p.exists():
            text = year_table(regions, y)
            with gzip.open(p, "wb", compresslevel=3) as fh:
                fh.write(("\ufeff" + text).encode("utf-8"))
        paths.append(p)
    return paths

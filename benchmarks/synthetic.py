"""SYNTHETIC national-scale KWB data in CBS's raw StatLine CSV format — for benchmarks only.

Every value here is generated; nothing is real. Files are named ``*_SYNTHETIC_statline.csv.gz``
and carry "SYNTHETISCH" in their title line so they can never be mistaken for CBS data.
Layout: ~350 gemeenten, ~3,200 wijken, ~15,000 buurten, 12 editions (2013-2024), 100 data
columns, the same bytes CBS writes ("CSV met statistische symbolen": BOM, CRLF, ``;``, decimal
comma, title/Onderwerp/label/unit header lines, ``.``/``x`` markers).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np

# (label with StatLine's | hierarchy prefix, unit, kind) for the columns the catalogue uses;
# the rest of the 100 columns are filler topics.
REAL_COLUMNS = [
    ("||Aantal inwoners", "aantal", "pop"),
    ("|||Huishoudens totaal", "aantal", "hh"),
    ("||Eenpersoonshuishoudens", "aantal", "hh_part"),
    ("||Woningvoorraad", "aantal", "hh"),
    ("Gemiddelde woningwaarde", "x 1 000 euro", "woz"),
    ("|||Koopwoningen", "%", "pct"),
    ("||||Huurwoningen totaal", "%", "pct"),
    ("|||In bezit woningcorporatie", "%", "pct"),
    ("||Gemiddeld inkomen per inwoner\xa0", "x 1 000 euro", "income"),
    ("||Huishoudens met een laag inkomen", "%", "pct1"),
    ("||Huish. onder of rond sociaal minimum", "%", "pct1"),
    ("||Personen per soort uitkering; Bijstand", "aantal", "benefit"),
    ("Personen per soort uitkering; AO", "aantal", "benefit"),
    ("Personen per soort uitkering; WW", "aantal", "benefit"),
    ("||Totaal diefstal uit woning/schuur/e.d.", "per 1 000 inwoners", "crime"),
    ("Vernieling, misdrijf tegen openbare orde", "per 1 000 inwoners", "crime"),
    ("Gewelds- en seksuele misdrijven", "per 1 000 inwoners", "crime"),
]
N_COLUMNS = 100
YEARS = tuple(range(2013, 2025))


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


def year_table(regions, year: int, seed: int = 0) -> str:
    """One edition as StatLine CSV text; each region drifts a little from year to year."""
    n = len(regions)
    base = _region_profile(n, seed)
    rng = np.random.default_rng(seed + year)
    t = year - YEARS[0]
    kinds = [k for _, _, k in REAL_COLUMNS] + ["filler"] * (N_COLUMNS - len(REAL_COLUMNS))
    labels = [lab for lab, _, _ in REAL_COLUMNS] + [
        f"||Synthetisch onderwerp {i:02d}" for i in range(N_COLUMNS - len(REAL_COLUMNS))
    ]
    units = [u for _, u, _ in REAL_COLUMNS] + ["aantal"] * (N_COLUMNS - len(REAL_COLUMNS))

    def drift(x, sd=0.03):
        return x * np.exp(rng.normal(0.0, sd, n) + 0.005 * t)

    pop = drift(base["pop"], 0.02)
    cols = []
    for kind in kinds:
        if kind == "pop":
            v = _fmt(pop, 0)
        elif kind in ("hh", "hh_part"):
            v = _fmt(pop / (2.2 if kind == "hh" else 5.0), 0)
        elif kind == "woz":
            v = _fmt(drift(base["woz"]), 0)
        elif kind == "pct":
            v = _fmt(np.clip(base["own"] + rng.normal(0, 2, n), 0, 100), 0)
        elif kind == "pct1":
            v = _fmt(np.clip(drift(base["low"]) * 100, 0, 100), 1)
        elif kind == "income":
            v = _fmt(drift(base["inc"]).clip(10), 1)
        elif kind == "benefit":
            v = _fmt(np.round(pop * drift(base["ben"]) / 10) * 10, 0)
        elif kind == "crime":
            v = _fmt(drift(base["crime"], 0.15), 1)
        else:
            v = _fmt(rng.poisson(50, n), 0)
        v = v.astype(object)
        v[rng.random(n) < 0.03] = "."
        v[rng.random(n) < 0.002] = "x"
        cols.append(v)
    buf = io.StringIO()
    w = buf.write
    w(
        f"Kerncijfers wijken en buurten {year} (SYNTHETISCH — gegenereerd, geen CBS-data)"
        + ";" * (N_COLUMNS + 5)
        + "\r\n"
    )
    w(";" * (N_COLUMNS + 5) + "\r\n")
    w(";Onderwerp" + ";" * (N_COLUMNS + 4) + "\r\n")
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
        p = d / f"kwb_{y}_SYNTHETIC_v2_statline.csv.gz"
        if not p.exists():
            text = year_table(regions, y)
            with gzip.open(p, "wb", compresslevel=3) as fh:
                fh.write(("\ufeff" + text).encode("utf-8"))
        paths.append(p)
    return paths

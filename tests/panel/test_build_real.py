"""The build on the real data in ../shared/data: every file read, values traceable to the
source files (read here independently, with the csv module), Amsterdam's codes and names."""

import csv
import gzip
import io

import pytest

import wijkradar
from wijkradar.panel.build import build


@pytest.fixture(scope="module")
def real(shared_data, tmp_path_factory):
    res = build(shared_data, tmp_path_factory.mktemp("real") / "ds")
    return res, wijkradar.open_dataset(res.path)


def _statline_rows(path):
    with gzip.open(path, "rt", encoding="utf-8-sig") as fh:
        text = fh.read()
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    labels = [lab.strip("|").strip() for lab in rows[3]]
    return labels, {r[3].strip(): r for r in rows[5:] if len(r) > 3}


def _get(ds, code, indicator, year):
    p = ds.panel
    row = p[(p.code == code) & (p.indicator == indicator) & (p.year == year)]
    assert len(row) == 1, (code, indicator, year)
    return row.iloc[0]


def test_every_file_is_read_or_reported(real, shared_data):
    res, ds = real
    files = {f["path"] for f in ds.quality["files"]}
    on_disk = {
        str(p.relative_to(shared_data))
        for p in shared_data.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert files == on_disk
    assert len(ds.quality["rejected"]) > 0
    assert all(r["reason"] for r in ds.quality["rejected"])


@pytest.mark.parametrize("year", [2014, 2015, 2016, 2017, 2018])
def test_rotterdam_values_trace_to_the_statline_file(real, shared_data, year):
    _, ds = real
    labels, rows = _statline_rows(
        shared_data / f"kwb/rotterdam/kwb_{year}_rotterdam_statline.csv.gz"
    )
    i_pop = labels.index("Aantal inwoners")
    i_sa = labels.index("Personen per soort uitkering; Bijstand")
    for code in ("BU05990110", "WK059916", "GM0599"):  # Stadsdriehoek, Hoogvliet, Rotterdam
        row = rows[code]
        pop = float(row[i_pop])
        assert _get(ds, code, "population", year)["value"] == pop
        sa_cell = row[i_sa]
        got = _get(ds, code, "social_assistance_per_1000", year)
        if sa_cell == ".":
            assert got["status"] in ("missing", "suppressed")
        else:
            assert got["status"] == "derived"
            assert got["value"] == pytest.approx(float(sa_cell) / pop * 1000)


def test_rotterdam_2018_crime_is_taken_as_published(real, shared_data):
    _, ds = real
    labels, rows = _statline_rows(shared_data / "kwb/rotterdam/kwb_2018_rotterdam_statline.csv.gz")
    i = labels.index("Totaal diefstal uit woning/schuur/e.d.")
    cell = rows["WK059916"][i]
    assert _get(ds, "WK059916", "burglary_per_1000", 2018)["value"] == float(cell.replace(",", "."))


def test_amsterdam_and_national_wijk_values(real):
    _, ds = real
    # kwb_2019_amsterdam_84583NED: GM0363 has 862965 inhabitants
    assert _get(ds, "GM0363", "population", 2019)["value"] == 862965
    assert _get(ds, "NL00", "population", 2019)["value"] == 17282163
    # Leefbaarometer dimensiescore_wijk_stand: WK000300 2012 RLBVEI
    assert _get(ds, "WK000300", "lbm_safety", 2012)["value"] == pytest.approx(0.0642649287371228)
    # Amsterdam 2024 alphanumeric codes keep their hierarchy
    r = ds.regions.set_index("code")
    assert r.loc["BU0363AA01", "wijk_code"] == "WK0363AA"
    assert r.loc["BU0363AA01", "gemeente_code"] == "GM0363"


def test_privacy_thresholds_hold_everywhere(real):
    _, ds = real
    p = ds.panel
    pop = p[p.indicator == "population"].set_index(["code", "year"])["value"]
    inc = p[(p.indicator == "income_per_inhabitant") & p.value.notna()]
    small = inc.set_index(["code", "year"]).index.map(lambda k: pop.get(k, 1e9) < 100)
    assert not small.any()
    assert (p.loc[p.status.isin(["suppressed", "missing"]), "value"].isna()).all()


def test_reused_code_gets_no_wrong_boundary(real):
    _, ds = real
    r = ds.regions.set_index("code")
    # WK036300 was Stadsdeel Centrum in the 2014 TopoJSON, Burgwallen-Oude Zijde from 2016:
    # its boundary is the union of its 2016-2021 buurten, not the old stadsdeel.
    assert r.loc["WK036300", "name"] == "Burgwallen-Oude Zijde"
    assert r.loc["WK036300", "geometry_source"] == "union of buurt boundaries"
    assert r.loc["WK036300"].geometry.area < 1e6  # m² (0.4 km²); Stadsdeel Centrum was ~8 km²
    names = {b["code"]: b for b in ds.quality["series_breaks"] if b["code"] == "WK036300"}
    assert names, "the reused code must be flagged as a series break"


def test_name_only_2015_income_resolves_against_the_2014_indeling(real):
    _, ds = real
    resolved = {r["name"]: r for r in ds.quality["resolved_names"]}
    assert resolved["Stadsdeel Centrum"]["code"] == "WK036300"
    assert resolved["Burgwallen-Nieuwe Zijde"]["code"] == "BU03630001"
    assert _get(ds, "GM0363", "income_per_inhabitant", 2015)["value"] == pytest.approx(26.9)


def _kwb_files(shared_data):
    return sorted(p for p in (shared_data / "kwb").rglob("*") if p.is_file() and p.suffix != ".md")


def test_every_value_column_of_every_kwb_file_is_in_the_catalogue(real):
    _, ds = real
    q = ds.quality
    assert q["unmapped_columns"] == [], q["unmapped_columns"][:5]
    explained = {(e["path"], e["column"]) for e in q["explained_columns"]}
    assert ("kwb/gemeente_2016_wijkbuurtkaart.csv.gz", "Doorz") in explained
    kwb = [f for f in q["files"] if f["path"].startswith("kwb/")]
    assert len(kwb) == 15 and all(f["unmatched_columns"] == 0 for f in kwb)
    # the Amsterdam 2019 table (113 value columns) feeds 100+ indicators, not 19
    a19 = next(f for f in kwb if f["path"].endswith("84583NED.csv.gz"))
    assert len(a19["indicators"]) >= 110


def test_a_random_sample_of_cells_of_every_kwb_column_is_in_the_panel(real, shared_data):
    """Read each KWB file again, draw cells of every column, and find each in the panel."""
    import numpy as np

    from wijkradar.catalogue import load_catalogue
    from wijkradar.panel import harmonise
    from wijkradar.sources import read_any

    _, ds = real
    cat = load_catalogue()
    panel = ds.panel.set_index(["code", "year", "indicator"]).sort_index()
    base = panel["value"]
    resolved = {(r["source"], r["name"]): r["code"] for r in ds.quality["resolved_names"]}
    rng = np.random.default_rng(8)
    checked_columns = 0
    for path in _kwb_files(shared_data):
        rel = str(path.relative_to(shared_data))
        _, raw = read_any(path, mapping_dirs=(shared_data,))
        _, cmap = harmonise.to_panel_rows(raw, cat)
        by_key = {(c, u): (i, s) for c, u, i, s in cmap[["column", "unit", "indicator", "scale"]]
                  .itertuples(index=False)}  # fmt: skip
        for (column, unit), cells in raw.groupby(["column", "unit"], observed=True):
            if (raw.attrs["format"], column) in cat.ignored:
                continue  # explained in the quality report (Doorz: not a CBS column)
            assert (column, unit) in by_key, f"{rel}: {column!r} feeds no indicator"
            indicator, scale = by_key[(column, unit)]
            obs = cells[cells["status"] == "observed"]
            if obs.empty:
                continue
            compared = 0
            for r in obs.iloc[rng.permutation(len(obs))[:12]].itertuples(index=False):
                code = r.code or resolved.get((rel, r.name))
                if not code:
                    continue  # a name CBS no longer uses (reported as rejected)
                got = panel.loc[(code, int(r.year), indicator)]
                if got["source"] != rel:
                    continue  # another file of the same region-year was preferred
                th = cat.thresholds.get(indicator)
                if got["status"] == "suppressed":
                    # withheld by a threshold (own, nearest or no base) or because it would
                    # give a withheld rate/count back (panel/privacy.py)
                    paired = {d.numerator for d in cat.derivations.values()} | set(cat.derivations)
                    assert th is not None or indicator in paired, (rel, column, code)
                    own = base.get((code, int(r.year), th.base), np.nan) if th else np.nan
                    assert th is None or not own >= th.minimum or indicator in paired, (rel, column)
                else:
                    assert got["status"] == "observed", (rel, column, code, got["status"])
                    assert got["value"] == pytest.approx(r.value * scale), (rel, column, code)
                compared += 1
            assert compared or obs["code"].eq("").all(), f"{rel}: {column!r}: no cell compared"
            checked_columns += 1
    assert checked_columns >= 850  # 870 (file, column) pairs on ../shared/data

"""Signals on the real data: Amsterdam buurten and the national wijken; reasons trace to files."""

import csv
import gzip
import io
import json
import subprocess
import sys

import pytest

import wijkradar
from wijkradar.panel.build import build
from wijkradar.wording import words


@pytest.fixture(scope="module")
def ds(shared_data, tmp_path_factory):
    return wijkradar.open_dataset(build(shared_data, tmp_path_factory.mktemp("s") / "ds").path)


def _r_export_value(path, code, header_tail):
    """A value from an R-exported StatLine CSV, read with the csv module (independently)."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))
    col = next(i for i, h in enumerate(rows[0]) if h.endswith(header_tail))
    code_col = next(i for i, h in enumerate(rows[0]) if "Codering" in h)
    row = next(r for r in rows[1:] if r[code_col].strip() == code)
    return float(row[col].replace(",", "."))


def test_amsterdam_buurt_reasons_trace_to_the_source_files(ds, shared_data):
    res = ds.signals(level="buurt", year=2019)
    r = res.reasons
    shown = r[(r.indicator == "low_income_households_pct") & (r.year_from == 2017)]
    low = shown.sort_values("code").iloc[0]
    code = low.code
    tail = "Huishoudens.met.een.laag.inkomen...."
    v17 = _r_export_value(
        shared_data / "kwb/amsterdam/kwb_2017_amsterdam_83765NED.csv.gz", code, tail
    )
    v19 = _r_export_value(
        shared_data / "kwb/amsterdam/kwb_2019_amsterdam_84583NED.csv.gz", code, tail
    )
    assert (low.value_from, low.year_from, low.value_to, low.year_to) == (v17, 2017, v19, 2019)
    sentence = words("nl").reason(low.to_dict(), ds.indicators, "Nederland")
    assert f"{v17:.1f}".replace(".", ",") in sentence
    ams = res.frame[res.frame.code.str.startswith("BU0363")]
    assert len(ams) >= 479
    assert ams["signal"].isin([c.id for c in res.rules.classes]).all()
    assert (ams["signal"] != "insufficient_data").sum() > 300


def test_national_wijken_use_leefbaarometer_safety_as_problems_axis(ds):
    res = ds.signals(level="wijk", year=2014)
    f = res.frame
    assert len(f) > 2500
    known = f[f["problems_trend"] != "unknown"]
    assert len(known) > 2000
    lbm = res.reasons[res.reasons.indicator == "lbm_safety"]
    assert len(lbm) > 2000
    w = words("nl")
    sentences = [w.reason(r, ds.indicators, "Nederland") for r in lbm.to_dict("records")]
    assert all("Leefbaarometer-score voor veiligheid" in s for s in sentences)


def test_cli_signals_and_profile(ds):
    env_ds = str(ds.path)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "wijkradar",
            "signals",
            "--level",
            "buurt",
            "--year",
            "2019",
            "--gemeente",
            "GM0363",
            "--format",
            "json",
            "--dataset",
            env_ds,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(out.stdout)
    assert {
        "code",
        "name",
        "level",
        "year",
        "composition_score",
        "composition_trend",
        "problems_score",
        "problems_trend",
        "signal",
        "reasons",
    } <= set(rows[0])
    assert all(r["code"].startswith("BU0363") for r in rows)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "wijkradar",
            "profile",
            "WK059916",
            "--format",
            "json",
            "--dataset",
            env_ds,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    prof = json.loads(out.stdout)
    assert prof["name"] == "Hoogvliet"
    assert prof["parent"]["code"] == "GM0599"
    assert len(prof["children"]) > 1
    assert prof["signal"]["class"] in {c.id for c in ds.signals(level="wijk").rules.classes}
    assert "clusters" in prof
    bad = subprocess.run(
        [sys.executable, "-m", "wijkradar", "profile", "BU99999999", "--dataset", env_ds],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "niet in de dataset" in bad.stderr

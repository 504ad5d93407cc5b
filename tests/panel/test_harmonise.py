import numpy as np
import pandas as pd
import pytest

from wijkradar.catalogue import load_catalogue
from wijkradar.errors import SourceFormatError
from wijkradar.panel import harmonise
from wijkradar.sources._raw import raw_frame

CAT = load_catalogue()


def _raw(fmt, records):
    cols = ["code", "year", "column", "unit", "value", "status"]
    df = pd.DataFrame(records, columns=cols)
    df["source"] = f"test.{fmt}"
    df["row"] = range(1, len(df) + 1)
    df["name"] = pd.NA
    return raw_frame(df, fmt=fmt)


def test_statline_labels_match_on_their_stable_tail_and_unit():
    raw = _raw(
        "statline",
        [
            ("BU05990110", 2018, "aantal inwoners", "aantal", 16045, "observed"),
            ("BU05990110", 2019, "bevolking aantal inwoners", "aantal", 16100, "observed"),
            ("BU05990110", 2014, "eenpersoonshuishoudens", "%", 62, "observed"),
            ("BU05990110", 2018, "eenpersoonshuishoudens", "aantal", 6065, "observed"),
            (
                "BU05990110",
                2018,
                "bevolkingsdichtheid",
                "aantal inwoners per km²",
                11811,
                "observed",
            ),
            (
                "BU05990110",
                2018,
                "personen per soort uitkering bijstand",
                "aantal",
                300,
                "observed",
            ),
        ],
    )
    rows, cmap = harmonise.to_panel_rows(raw, CAT)
    keys = zip(rows["year"], rows["indicator"], strict=True)
    got = dict(zip(keys, rows["value"], strict=True))
    assert got[(2018, "population")] == 16045
    assert got[(2019, "population")] == 16100
    assert got[(2014, "one_person_households_pct")] == 62
    assert got[(2018, "one_person_households")] == 6065
    assert got[(2018, "social_assistance")] == 300
    assert got[(2018, "density")] == 11811  # every KWB column has an indicator now


def test_odata_keys_match_on_stem_whatever_the_suffix():
    raw = _raw(
        "odata",
        [
            ("GM0363", 2019, "AantalInwoners_5", "", 862965, "observed"),
            ("GM0363", 2020, "AantalInwoners_4", "", 872757, "observed"),
            ("GM0363", 2019, "GemiddeldInkomenPerInwoner_67", "", 31.3, "observed"),
        ],
    )
    rows, _ = harmonise.to_panel_rows(raw, CAT)
    assert sorted(rows["indicator"]) == ["income_per_inhabitant", "population", "population"]


def test_kaart_short_names_are_case_insensitive():
    raw = _raw(
        "kwbkaart",
        [
            ("WK000300", 2016, "AANT_INW", "", 12000, "observed"),
            ("WK000300", 2019, "a_inw", "", 11900, "observed"),
        ],
    )
    rows, _ = harmonise.to_panel_rows(raw, CAT)
    assert rows["indicator"].tolist() == ["population", "population"]


def test_an_ambiguous_phrase_is_an_error_naming_the_columns():
    raw = _raw(
        "statline",
        [
            ("GM0363", 2018, "a koopwoningen", "%", 1, "observed"),
            ("GM0363", 2018, "b koopwoningen", "%", 2, "observed"),
        ],
    )
    with pytest.raises(
        SourceFormatError, match="passen alle bij catalogusindicator 'owner_occupied_pct' voor 2018"
    ):
        harmonise.to_panel_rows(raw, CAT)


def test_combine_prefers_observed_and_full_kwb_and_reports_conflicts():
    a, _ = harmonise.to_panel_rows(
        _raw(
            "statline",
            [
                ("WK036300", 2017, "aantal inwoners", "aantal", np.nan, "missing"),
                ("WK036301", 2017, "aantal inwoners", "aantal", 1000, "observed"),
            ],
        ),
        CAT,
    )
    b, _ = harmonise.to_panel_rows(
        _raw(
            "kwbkaart",
            [
                ("WK036300", 2017, "AANT_INW", "", 4465, "observed"),
                ("WK036301", 2017, "AANT_INW", "", 2000, "observed"),
            ],
        ),
        CAT,
    )
    combined, conflicts = harmonise.combine([a, b])
    got = combined.set_index("code")["value"]
    assert got["WK036300"] == 4465  # observed beats missing
    assert got["WK036301"] == 1000  # the full KWB table beats the map attributes
    assert conflicts["code"].tolist() == ["WK036301"]


def test_rates_are_derived_from_counts_and_never_overwrite_observed_rates():
    rows, _ = harmonise.to_panel_rows(
        _raw(
            "statline",
            [
                ("BU1", 2018, "aantal inwoners", "aantal", 2000, "observed"),
                ("BU1", 2018, "personen per soort uitkering bijstand", "aantal", 130, "observed"),
                ("BU1", 2018, "huishoudens totaal", "aantal", 0, "observed"),
                ("BU1", 2018, "eenpersoonshuishoudens", "aantal", 0, "observed"),
                ("BU2", 2018, "aantal inwoners", "aantal", 500, "observed"),
                (
                    "BU2",
                    2018,
                    "personen per soort uitkering bijstand",
                    "aantal",
                    np.nan,
                    "suppressed",
                ),
            ],
        ).assign(code=lambda d: d["code"].str.replace("BU", "BU0599011")),
        CAT,
    )
    combined, _ = harmonise.combine([rows])
    panel = harmonise.derive(combined, CAT).set_index(["code", "indicator"])
    sa = panel.loc[("BU05990111", "social_assistance_per_1000")]
    assert sa["value"] == pytest.approx(130 / 2000 * 1000)
    assert sa["status"] == "derived"
    assert panel.loc[("BU05990112", "social_assistance_per_1000"), "status"] == "suppressed"
    # zero households: the share is missing, not a division by zero
    assert panel.loc[("BU05990111", "one_person_households_pct"), "status"] == "missing"


def _rows(records, fmt=None):
    cols = ["code", "year", "indicator", "value", "status", "source", "priority"]
    df = pd.DataFrame(records, columns=cols)
    for c in ("code", "indicator", "status", "source"):
        df[c] = df[c].astype("category")
    if fmt:
        df.attrs["format"] = fmt
    return df


def test_combine_dedups_within_a_frame_whose_reader_does_not_check_codes():
    """A user table may give a code twice; the observed value wins, nothing is duplicated."""
    user = _rows(
        [
            ("BU03630001", 2019, "population", np.nan, "missing", "u.csv", 3),
            ("BU03630001", 2019, "population", 120.0, "observed", "u.csv", 3),
            ("BU03630002", 2019, "population", 80.0, "observed", "u.csv", 3),
        ],
        fmt="user",
    )
    kwb = _rows([("BU03630003", 2019, "population", 50.0, "observed", "k.csv", 0)], fmt="statline")
    combined, _ = harmonise.combine([kwb, user])
    got = combined.set_index("code")["value"]
    assert len(combined) == 3
    assert got["BU03630001"] == 120.0


def test_combine_of_disjoint_files_keeps_every_row_and_prefers_kwb_on_overlap():
    a = _rows(
        [
            ("BU03630001", 2019, "population", 100.0, "observed", "a.csv", 0),
            ("BU03630001", 2020, "population", 110.0, "observed", "a.csv", 0),
        ],
        fmt="statline",
    )
    b = _rows(
        [
            ("BU03630001", 2020, "population", 115.0, "observed", "b.csv", 1),
            ("BU03630001", 2021, "population", 120.0, "observed", "b.csv", 1),
        ],
        fmt="kwbkaart",
    )
    combined, conflicts = harmonise.combine([a, b])
    got = combined.set_index("year")["value"].to_dict()
    assert got == {2019: 100.0, 2020: 110.0, 2021: 120.0}
    assert conflicts.empty  # 110 vs 115 is within CBS's rounding to 5

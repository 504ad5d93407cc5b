import numpy as np
import pandas as pd
import pytest

from wijkradar.sources._markers import (
    NotNumeric,
    apply_kaart_missing,
    normalise_label,
    parse_numbers,
)


def test_cbs_markers_and_decimal_comma():
    v, s = parse_numbers(pd.Series(["1,5", ".", "x", "-", "?", "NA", "", "12", " 7 ", "3.0"]))
    np.testing.assert_array_equal(v.to_numpy()[[0, 3, 7, 8, 9]], [1.5, 0.0, 12.0, 7.0, 3.0])
    assert v.iloc[[1, 2, 4, 5, 6]].isna().all()
    assert s.tolist() == [
        "observed",
        "missing",
        "suppressed",
        "observed",
        "missing",
        "missing",
        "missing",
        "observed",
        "observed",
        "observed",
    ]


def test_non_numeric_cell_reports_its_position():
    with pytest.raises(NotNumeric) as exc:
        parse_numbers(pd.Series(["1", "2", "12a"], index=[10, 11, 12]))
    assert exc.value.index == 12
    assert exc.value.got == "12a"


def test_kaart_secret_code():
    v, s = parse_numbers(pd.Series(["-99999999", "-99999997", "5"]))
    v, s = apply_kaart_missing(v, s)
    assert v.isna().tolist() == [True, True, False]
    assert s.tolist() == ["suppressed", "missing", "observed"]


def test_labels_from_different_formats_share_their_stable_tail():
    raw = normalise_label("||Gemiddeld inkomen per inwoner\xa0")
    dotted = normalise_label("Inkomen.Inkomen.van.personen.Gemiddeld.inkomen.per.inwoner.")
    assert raw == "gemiddeld inkomen per inwoner"
    assert dotted.endswith(" " + raw)

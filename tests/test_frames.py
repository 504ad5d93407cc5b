"""The fast text decoding of categorical panel columns gives exactly what astype(str) gives."""

import numpy as np
import pandas as pd

from wijkradar.codes import gemeenten_of
from wijkradar.frames import as_text, is_in, lookup


def test_as_text_matches_astype_str_and_keeps_missing_missing():
    s = pd.Series(["BU03630001", "WK036300", None, "BU03630001"], dtype="category", name="code")
    out = as_text(s)
    assert out.dtype == pd.Series(["x"]).astype(str).dtype and out.name == "code"
    assert out[[0, 1, 3]].tolist() == s.astype(str)[[0, 1, 3]].tolist()
    assert pd.isna(out[2])
    idx = pd.CategoricalIndex(["b", "a", "b"])
    assert as_text(idx).tolist() == ["b", "a", "b"]
    plain = pd.Series([2014, 2016])
    assert as_text(plain).tolist() == ["2014", "2016"]


def test_lookup_maps_once_per_category():
    s = pd.Series(["a", "b", None, "c"], dtype="category")
    m = pd.Series({"a": 1.0, "b": -1.0})
    got = lookup(s, m).to_numpy(float)
    assert got[:2].tolist() == [1.0, -1.0] and np.isnan(got[2:]).all()
    words = lookup(s, pd.Series({"a": "problems", "c": "composition"}))
    assert words.tolist()[0] == "problems" and words.tolist()[3] == "composition"
    assert lookup(s.astype(object), m).iloc[0] == 1.0


def test_gemeenten_of_a_categorical_equals_the_plain_path():
    codes = ["BU05990101", "WK059901", None, "GM0363", "xx", "BU05990101"]
    cat = gemeenten_of(pd.Series(codes, dtype="category"))
    plain = gemeenten_of(pd.Series(codes, dtype=object))
    assert cat.dtype == plain.dtype == "string"
    assert cat.fillna("-").tolist() == plain.fillna("-").tolist()
    assert cat.fillna("-").tolist() == ["GM0599", "GM0599", "-", "GM0363", "-", "GM0599"]


def test_is_in_matches_isin_on_a_categorical():
    s = pd.Series(["observed", "suppressed", None, "derived"], dtype="category")
    assert is_in(s, ["observed", "derived"]).tolist() == [True, False, False, True]
    assert is_in(s, pd.Index(["nothing"])).tolist() == [False] * 4
    assert is_in(s.astype(object), {"observed"}).tolist() == [True, False, False, False]

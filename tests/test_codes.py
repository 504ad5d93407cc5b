import pandas as pd
import pytest

from wijkradar import codes


@pytest.mark.parametrize(
    ("raw", "code", "level", "wijk", "gemeente"),
    [
        ("BU03630001", "BU03630001", "buurt", "WK036300", "GM0363"),
        ("  bu0599 0110".replace(" 0", "0"), "BU05990110", "buurt", "WK059901", "GM0599"),
        ("GM0363    ", "GM0363", "gemeente", None, "GM0363"),
        ("WK0363AD", "WK0363AD", "wijk", "WK0363AD", "GM0363"),
        ("BU0363AD01", "BU0363AD01", "buurt", "WK0363AD", "GM0363"),
        ("NL00      ", "NL00", "land", None, None),
    ],
    ids=["buurt", "padded-lower", "gemeente-padded", "alnum-wijk", "alnum-buurt", "land"],
)
def test_code_hierarchy(raw, code, level, wijk, gemeente):
    c = codes.normalise_code(raw)
    assert c == code
    assert codes.level_of(c) == level
    assert codes.wijk_of(c) == wijk
    assert codes.gemeente_of(c) == gemeente


@pytest.mark.parametrize("bad", ["BU0363001", "WK03630", "GM363", "XX0363", "BU0363AD0!", ""])
def test_wrong_shape_is_rejected(bad):
    assert not codes.is_valid_code(bad)
    with pytest.raises(ValueError, match="CBS code"):
        codes.level_of(bad)


def test_vectorised_helpers_agree_with_scalar_ones():
    s = pd.Series(["BU03630001", "WK0363AD", "GM0599", "NL00", "oops"])
    assert codes.invalid_codes(s).tolist() == [False, False, False, False, True]
    assert codes.levels_of(s).tolist()[:4] == ["buurt", "wijk", "gemeente", "land"]
    assert codes.wijken_of(s).tolist()[:2] == ["WK036300", "WK0363AD"]
    assert codes.gemeenten_of(s).tolist()[:3] == ["GM0363", "GM0363", "GM0599"]


def test_crosswalk_codes_keep_leading_zeros():
    assert codes.pad_crosswalk_code("0014", "gemeente") == "GM0014"
    assert codes.pad_crosswalk_code("001400", "wijk") == "WK001400"
    with pytest.raises(ValueError, match="level must be"):
        codes.pad_crosswalk_code("1", "provincie")

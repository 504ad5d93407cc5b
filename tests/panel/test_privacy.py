import numpy as np
import pandas as pd

from wijkradar.catalogue import load_catalogue
from wijkradar.panel.privacy import apply_thresholds


def test_values_under_cbs_threshold_are_suppressed_not_imputed():
    cat = load_catalogue()
    panel = pd.DataFrame(
        {
            "code": ["BU00010001"] * 3 + ["BU00010002"] * 3 + ["BU00010003"],
            "year": [2019] * 7,
            "indicator": ["population", "income_per_inhabitant", "burglary_per_1000"] * 2
            + ["income_per_inhabitant"],
            "value": [60, 25.1, 3.0, 150, 30.2, 4.0, 28.0],
            "status": ["observed"] * 7,
            "source": "t",
        }
    )
    out, n = apply_thresholds(panel, cat)
    got = out.set_index(["code", "indicator"])
    # 60 inhabitants: income (threshold 100) and crime (threshold 200) suppressed
    assert got.loc[("BU00010001", "income_per_inhabitant"), "status"] == "suppressed"
    assert np.isnan(got.loc[("BU00010001", "income_per_inhabitant"), "value"])
    # 150 inhabitants: income shown, crime (200) suppressed
    assert got.loc[("BU00010002", "income_per_inhabitant"), "value"] == 30.2
    assert got.loc[("BU00010002", "burglary_per_1000"), "status"] == "suppressed"
    # population unknown: left as it is (nothing to decide on)
    assert got.loc[("BU00010003", "income_per_inhabitant"), "value"] == 28.0
    assert n == 3

"""CBS's publication thresholds, applied before anything leaves the panel.

CBS does not publish income, benefit and crime figures for areas with few inhabitants or
households (KWB "Toelichting": figures are withheld to prevent disclosure and because they are
unreliable for small numbers). The thresholds are data in the catalogue (``suppress_below``,
e.g. ``population<100``); here every value of such an indicator for a region-year under its
threshold becomes ``suppressed`` with no value, also when a value came through (e.g. from a
user table or a derivation from rounded counts). Nothing is imputed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkradar.catalogue import Catalogue


def apply_thresholds(panel: pd.DataFrame, catalogue: Catalogue) -> tuple[pd.DataFrame, int]:
    """Suppress values of regions under the catalogue's thresholds.

    Returns
    -------
    (panel, n_suppressed)
        The panel with ``value`` NaN and ``status`` ``suppressed`` where the base (e.g.
        population) of that code and year is observed and below the minimum; and how many
        rows this changed. Rows whose base is unknown are left as they are.
    """
    panel = panel.copy()
    changed = np.zeros(len(panel), dtype=bool)
    for indicator, th in catalogue.thresholds.items():
        rows = panel["indicator"] == indicator
        if not rows.any():
            continue
        base = panel[
            (panel["indicator"] == th.base) & panel["status"].isin(["observed", "derived"])
        ]
        base = base.set_index(["code", "year"])["value"]
        key = pd.MultiIndex.from_arrays([panel.loc[rows, "code"], panel.loc[rows, "year"]])
        base_val = base.reindex(key).to_numpy()
        under = np.nan_to_num(base_val, nan=np.inf) < th.minimum
        target = np.flatnonzero(rows.to_numpy())[under]
        flip = panel["status"].to_numpy()[target] != "suppressed"
        changed[target[flip]] = True
        panel.iloc[target, panel.columns.get_loc("value")] = np.nan
        panel.iloc[target, panel.columns.get_loc("status")] = "suppressed"
    return panel, int(changed.sum())

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
from wijkradar.sources._markers import SUPPRESSED


def apply_thresholds(panel: pd.DataFrame, catalogue: Catalogue) -> tuple[pd.DataFrame, int]:
    """Suppress values of regions under the catalogue's thresholds.

    ``panel`` has a categorical ``code`` (as :func:`~wijkradar.panel.harmonise.derive` gives).

    Returns
    -------
    (panel, n_suppressed)
        The panel with ``value`` NaN and ``status`` ``suppressed`` where the base (e.g.
        population) of that code and year is observed and below the minimum; and how many
        rows this changed. Rows whose base is unknown are left as they are.
    """
    from wijkradar.panel.harmonise import _code_of, _keys_at, rows_by_code

    panel = panel.copy(deep=False)  # new value/status columns below; the rest is shared
    for col in ("code", "indicator", "status"):
        if not isinstance(panel[col].dtype, pd.CategoricalDtype):
            panel[col] = panel[col].astype("category")
    if SUPPRESSED not in panel["status"].cat.categories:
        panel["status"] = panel["status"].cat.add_categories([SUPPRESSED])
    key = _keys_at(panel)
    rows_of = rows_by_code(
        panel["indicator"].cat.codes.to_numpy(), len(panel["indicator"].cat.categories)
    )
    st = panel["status"].cat.codes.to_numpy(copy=True)
    sup = _code_of(panel["status"], SUPPRESSED)
    shown = (st == _code_of(panel["status"], "observed")) | (
        st == _code_of(panel["status"], "derived")
    )
    value = panel["value"].to_numpy(copy=True)
    changed = np.zeros(len(panel), dtype=bool)
    for indicator, th in catalogue.thresholds.items():
        rows = rows_of(_code_of(panel["indicator"], indicator))
        if not len(rows):
            continue
        b = rows_of(_code_of(panel["indicator"], th.base))
        b = b[shown[b]]
        base = pd.Series(value[b], index=key(b))
        base = base[~base.index.duplicated()]
        base_val = base.reindex(key(rows)).to_numpy()
        under = np.nan_to_num(base_val, nan=np.inf) < th.minimum
        target = rows[under]
        changed[target[st[target] != sup]] = True
        value[target] = np.nan
        st[target] = sup
    panel["value"] = value
    panel["status"] = pd.Categorical.from_codes(st, categories=panel["status"].cat.categories)
    return panel, int(changed.sum())
